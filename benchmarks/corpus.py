"""Reproducible Vietnamese news corpus for benchmarking the portal generator.

``generate(root, n, seed)`` writes a complete site source tree under *root*:

    root/config.yaml
    root/content/news/<year>/<slug>.md   (n articles, ~4 KB body each)
    root/content/pages/<slug>.md         (3 static pages with a menu entry)

Templates and static files are *not* written here; ``run.py`` copies them
from the repository so the corpus stays independent of the engine.

Everything is derived from ``random.Random(seed)``: the same (n, seed) pair
gives byte-identical files on every run and machine, which lets benchmark
numbers be compared across commits. Nothing reads the clock.

Run directly for a quick look:  python benchmarks/corpus.py /tmp/site 1000
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

# Target size of an article's Markdown body in UTF-8 bytes. Vietnamese text
# with diacritics averages ~1.3 bytes per character, so we measure bytes,
# which is what the parser and the disk actually see.
BODY_TARGET_BYTES = 4000
TABLE_PROBABILITY = 0.1
SUMMARY_PROBABILITY = 0.6
TAGS_PER_ITEM = 3

DATE_START = datetime(2015, 1, 1, 0, 0)
DATE_END = datetime(2026, 12, 31, 23, 59)

# --- Word / phrase bank -----------------------------------------------------
# Split by grammatical role so that assembled sentences read plausibly
# (subject + verb + object + modifier); about 150 entries in total.

SUBJECTS = [
    "Ủy ban nhân dân tỉnh", "Sở Lao động – Thương binh và Xã hội",
    "Hội Liên hiệp Phụ nữ", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "các trường tiểu học", "cán bộ làm công tác trẻ em",
    "chính quyền địa phương", "Ban chỉ đạo liên ngành",
    "đội ngũ cộng tác viên thôn bản", "nhiều gia đình", "nhà trường",
    "Phòng Giáo dục và Đào tạo", "trạm y tế xã", "Hội Nông dân",
    "các tổ chức xã hội", "Trung tâm Công tác xã hội", "Công an xã",
    "Mặt trận Tổ quốc", "giáo viên chủ nhiệm", "cha mẹ và người chăm sóc trẻ",
    "Đội Thiếu niên Tiền phong", "Ủy ban nhân dân huyện",
]

VERBS = [
    "đã tổ chức", "tăng cường", "triển khai", "phối hợp thực hiện",
    "đẩy mạnh", "hướng dẫn", "rà soát", "kiểm tra", "tuyên truyền về",
    "nâng cao hiệu quả", "đánh giá", "hỗ trợ", "xây dựng", "nhân rộng",
    "duy trì", "giám sát", "bảo đảm", "lồng ghép", "khảo sát", "củng cố",
    "đôn đốc", "đề xuất",
]

OBJECTS = [
    "công tác bảo vệ trẻ em", "kỹ năng phòng chống đuối nước",
    "bình đẳng giới trong gia đình", "lớp tập huấn kỹ năng sống",
    "mô hình ngôi nhà an toàn", "chương trình dạy bơi an toàn",
    "phòng chống xâm hại tình dục trẻ em", "phòng ngừa bạo lực học đường",
    "quyền tham gia của trẻ em", "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111",
    "việc chăm sóc trẻ em có hoàn cảnh đặc biệt", "phòng chống bạo lực gia đình",
    "cơ sở dữ liệu về trẻ em", "an toàn cho trẻ trên môi trường mạng",
    "phòng chống tai nạn thương tích", "mạng lưới dịch vụ bảo vệ trẻ em",
    "biển cảnh báo tại các điểm nước nguy hiểm",
    "chính sách hỗ trợ phụ nữ đơn thân", "khoảng cách giới trong lao động",
    "quyền và bổn phận của trẻ em", "chăm sóc dinh dưỡng cho trẻ nhỏ",
    "sân chơi an toàn cho thiếu nhi", "phòng chống tảo hôn",
    "phòng ngừa lao động trẻ em", "vai trò của phụ nữ trong lãnh đạo",
    "kỹ năng sơ cứu người bị đuối nước", "bể bơi di động tại trường học",
    "năng lực của đội ngũ cán bộ cơ sở",
]

MODIFIERS = [
    "trên địa bàn tỉnh", "trong dịp hè", "tại các xã vùng sâu, vùng xa",
    "theo kế hoạch năm", "với sự tham gia của đông đảo phụ huynh",
    "một cách đồng bộ và hiệu quả", "nhằm giảm thiểu nguy cơ đuối nước",
    "góp phần thúc đẩy bình đẳng giới", "ở cấp cơ sở",
    "trong Tháng hành động vì trẻ em", "đến từng thôn, bản",
    "cho học sinh tiểu học và trung học cơ sở",
    "theo đúng quy định của Luật Trẻ em", "trong giai đoạn 2021–2025",
    "bằng nhiều hình thức phong phú", "kịp thời và đúng đối tượng",
    "tại nhà văn hóa thôn", "ở các khu vực ven sông, ven biển",
    "cho đồng bào dân tộc thiểu số", "trước mùa mưa lũ",
]

CONNECTORS = [
    "Bên cạnh đó,", "Đồng thời,", "Theo đánh giá,", "Nhờ vậy,", "Ngoài ra,",
    "Trong thời gian tới,", "Cụ thể,", "Qua đó,", "Tuy nhiên,",
    "Đáng chú ý,", "Trước đó,", "Song song với đó,", "Đặc biệt,",
]

# Sentences carrying figures: news items in this domain are full of them,
# and digits exercise a different path in slug/summary code than words.
FIGURE_SENTENCES = [
    "Kết quả, {n} trẻ em đã được học bơi và trang bị kỹ năng an toàn.",
    "Toàn tỉnh có {n} lượt người tham gia các buổi truyền thông.",
    "Đã có {n} cán bộ cơ sở được bồi dưỡng nghiệp vụ.",
    "Năm qua, {n} trường hợp trẻ em được hỗ trợ kịp thời.",
    "Tỷ lệ nữ tham gia cấp ủy đạt {p}%, tăng so với nhiệm kỳ trước.",
    "Khoảng {p}% hộ gia đình đã cam kết không để trẻ chơi gần ao hồ.",
]

HEADINGS = [
    "Kết quả đạt được", "Những khó khăn, vướng mắc",
    "Nhiệm vụ trọng tâm thời gian tới", "Đề xuất, kiến nghị", "Bối cảnh",
    "Hoạt động nổi bật", "Ý kiến của người dân", "Đánh giá chung",
    "Kinh nghiệm từ cơ sở", "Phương hướng năm tới", "Nội dung tập huấn",
    "Số liệu thống kê", "Điểm sáng ở địa phương",
]

TITLE_ACTIONS = [
    "Tập huấn", "Hội nghị về", "Ra quân", "Tổng kết", "Phát động",
    "Khai giảng lớp", "Triển khai", "Sơ kết", "Tọa đàm về", "Hội thi",
    "Đối thoại chính sách về", "Truyền thông",
]

TITLE_TOPICS = [
    "bảo vệ trẻ em", "phòng chống đuối nước", "bình đẳng giới",
    "kỹ năng sống", "phòng chống xâm hại trẻ em", "dạy bơi an toàn",
    "phòng chống bạo lực gia đình", "quyền trẻ em", "an toàn trên mạng",
    "phòng chống tảo hôn", "chăm sóc trẻ mồ côi", "sơ cấp cứu",
    "phòng chống tai nạn thương tích", "trẻ em tham gia",
]

TITLE_AUDIENCES = [
    "cho học sinh", "cho cán bộ cơ sở", "cho phụ huynh", "cho giáo viên",
    "cho cộng tác viên", "cho đoàn viên thanh niên", "cho phụ nữ",
    "cho trẻ em vùng cao",
]

PLACES = [
    "Quảng Trị", "Đồng Tháp", "Đắk Lắk", "Điện Biên", "Đà Nẵng", "Hà Giang",
    "Lào Cai", "Thừa Thiên Huế", "An Giang", "Cà Mau", "Nghệ An",
    "Thanh Hóa", "Hà Tĩnh", "Quảng Nam", "Bình Định", "Kon Tum", "Gia Lai",
    "Lâm Đồng", "Sơn La", "Yên Bái", "Bắc Kạn", "Cao Bằng", "Hòa Bình",
    "Ninh Bình", "Nam Định", "Thái Bình", "Long An", "Bến Tre", "Sóc Trăng",
    "Đồng Nai", "Bình Phước", "Đắk Nông",
]

CATEGORIES = [
    "Bảo vệ trẻ em", "Bình đẳng giới", "Phòng chống đuối nước", "Tập huấn",
    "Chính sách pháp luật", "Hoạt động địa phương", "Chăm sóc sức khỏe",
    "Tin tổng hợp",
]

TAGS = [
    "trẻ em", "đuối nước", "bình đẳng giới", "tập huấn", "kỹ năng sống",
    "dạy bơi", "xâm hại trẻ em", "bạo lực gia đình", "bạo lực học đường",
    "tảo hôn", "lao động trẻ em", "quyền trẻ em", "an toàn mạng",
    "tổng đài 111", "sơ cứu", "phụ nữ", "nữ lãnh đạo", "thanh niên",
    "học sinh", "giáo viên", "phụ huynh", "cộng tác viên", "cán bộ cơ sở",
    "vùng cao", "dân tộc thiểu số", "mùa hè", "mùa mưa lũ", "nhà văn hóa",
    "trường học", "ngôi nhà an toàn", "bể bơi", "áo phao", "biển cảnh báo",
    "dinh dưỡng", "tiêm chủng", "sức khỏe sinh sản", "tâm lý", "công tác xã hội",
    "chính sách", "Luật Trẻ em", "Luật Bình đẳng giới", "nghị định",
    "thông tư", "kế hoạch", "tổng kết", "hội nghị", "hội thi", "truyền thông",
    "tháng hành động", "ngày Quốc tế Thiếu nhi", "Tết Trung thu", "học bổng",
    "trẻ mồ côi", "trẻ khuyết tật", "trẻ em nghèo", "đồng bằng sông Cửu Long",
    "miền Trung", "Tây Nguyên", "Tây Bắc", "Đông Bắc",
]

AUTHORS = [
    "Nguyễn Thị Lan", "Trần Văn Đức", "Lê Thị Hồng", "Phạm Minh Đạt",
    "Hoàng Thu Hà", "Đặng Quốc Bảo", "Vũ Thị Ngọc", "Đỗ Thanh Tùng",
]

SOURCES = [
    "Báo Lao động và Xã hội", "Cổng thông tin điện tử tỉnh",
    "Báo Phụ nữ Việt Nam", "Thông tấn xã Việt Nam", "Đài Phát thanh – Truyền hình tỉnh",
]

PAGES = [
    ("gioi-thieu", "Giới thiệu", 1,
     "Cổng thông tin về bảo vệ trẻ em, bình đẳng giới và phòng chống đuối nước."),
    ("lien-he", "Liên hệ", 2,
     "Mọi ý kiến đóng góp xin gửi về Văn phòng. Đường dây nóng: 111."),
    ("chinh-sach-bao-mat", "Chính sách bảo mật", 3,
     "Chúng tôi không thu thập dữ liệu cá nhân của người đọc."),
]


# --- Small text helpers -----------------------------------------------------

def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated slug (đ has no decomposition)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def yaml_string(value: str) -> str:
    """Double-quoted scalar; JSON escaping is valid YAML and survives ':' etc."""
    return json.dumps(value, ensure_ascii=False)


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Sentence and block builders --------------------------------------------

def make_sentence(rng: random.Random) -> str:
    if rng.random() < 0.15:
        template = rng.choice(FIGURE_SENTENCES)
        return template.format(n=f"{rng.randrange(20, 5000):,}".replace(",", "."),
                               p=rng.randrange(10, 95))
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS),
             rng.choice(MODIFIERS)]
    sentence = " ".join(words)
    if rng.random() < 0.3:
        return f"{rng.choice(CONNECTORS)} {sentence}."
    return capitalize_first(sentence) + "."


def make_paragraph(rng: random.Random, max_bytes: int) -> str:
    """Three to six sentences, stopping early once *max_bytes* is reached."""
    sentences = [make_sentence(rng)]
    for _ in range(rng.randint(2, 5)):
        if len(" ".join(sentences).encode()) >= max_bytes:
            break
        sentences.append(next_distinct_sentence(rng, sentences[-1]))
    return " ".join(sentences)


def next_distinct_sentence(rng: random.Random, previous: str) -> str:
    """Avoid back-to-back sentences with the same opening; they read as a bug."""
    sentence = make_sentence(rng)
    while sentence[:12] == previous[:12]:
        sentence = make_sentence(rng)
    return sentence


def make_bullet_list(rng: random.Random) -> str:
    items = rng.sample(OBJECTS, rng.randint(3, 5))
    return "\n".join(f"- {capitalize_first(item)} {rng.choice(MODIFIERS)};"
                     for item in items)


def make_table(rng: random.Random) -> str:
    rows = ["| Địa phương | Số lớp | Số người tham gia |", "|---|---:|---:|"]
    for place in rng.sample(PLACES, rng.randint(3, 5)):
        rows.append(f"| {place} | {rng.randrange(2, 40)} | {rng.randrange(50, 3000)} |")
    return "\n".join(rows)


def make_body(rng: random.Random) -> str:
    """2–5 ``##`` sections, one bullet list, sometimes a table, ~4 KB total."""
    headings = rng.sample(HEADINGS, rng.randint(2, 5))
    extras = [make_bullet_list(rng)]
    if rng.random() < TABLE_PROBABILITY:
        extras.append(make_table(rng))
    intro = make_paragraph(rng, 400)
    fixed = len(intro.encode()) + sum(len(e.encode()) for e in extras)
    per_section = max(200, (BODY_TARGET_BYTES - fixed) // len(headings))

    blocks = [intro]
    extra_slots = rng.sample(range(len(headings)), min(len(extras), len(headings)))
    for index, heading in enumerate(headings):
        blocks.append(f"## {heading}")
        blocks.extend(fill_section(rng, per_section - len(heading) - 4))
        if index in extra_slots:
            blocks.append(extras[extra_slots.index(index)])
    return "\n\n".join(blocks) + "\n"


def fill_section(rng: random.Random, budget: int) -> list[str]:
    paragraphs: list[str] = []
    used = 0
    while used < budget - 120:  # stop when the remainder is under a sentence
        paragraph = make_paragraph(rng, budget - used)
        paragraphs.append(paragraph)
        used += len(paragraph.encode()) + 2
    return paragraphs


# --- Front matter -----------------------------------------------------------

def unique_title(rng: random.Random, used: set[str]) -> str:
    """Random combination; the space is ~50k, so retry then add a round number."""
    for _ in range(20):
        title = " ".join([rng.choice(TITLE_ACTIONS), rng.choice(TITLE_TOPICS),
                          rng.choice(TITLE_AUDIENCES), "tại", rng.choice(PLACES)])
        if title not in used:
            used.add(title)
            return title
    round_number = 2
    while f"{title} (đợt {round_number})" in used:
        round_number += 1
    title = f"{title} (đợt {round_number})"
    used.add(title)
    return title


def random_date(rng: random.Random) -> datetime:
    span_minutes = int((DATE_END - DATE_START).total_seconds() // 60)
    return DATE_START + timedelta(minutes=rng.randrange(span_minutes + 1))


def front_matter(fields: list[tuple[str, str]]) -> str:
    lines = [f"{key}: {value}" for key, value in fields]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def make_article(rng: random.Random, title: str) -> tuple[datetime, str]:
    date = random_date(rng)
    tags = rng.sample(TAGS, TAGS_PER_ITEM)
    fields = [
        ("title", yaml_string(title)),
        ("date", date.strftime("%Y-%m-%d %H:%M")),
        ("category", yaml_string(rng.choice(CATEGORIES))),
        ("tags", "[" + ", ".join(yaml_string(t) for t in tags) + "]"),
    ]
    if rng.random() < SUMMARY_PROBABILITY:
        fields.append(("summary", yaml_string(make_sentence(rng))))
    if rng.random() < 0.5:
        fields.append(("author", yaml_string(rng.choice(AUTHORS))))
    if rng.random() < 0.3:
        fields.append(("source", yaml_string(rng.choice(SOURCES))))
    return date, front_matter(fields) + make_body(rng)


# --- Writers ----------------------------------------------------------------

def write_text(path: Path, text: str) -> None:
    # Explicit encoding and newline: the output must not depend on the platform.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_config(root: Path) -> None:
    write_text(root / "config.yaml", "\n".join([
        "title: " + yaml_string("Cổng thông tin Bảo vệ trẻ em (benchmark)"),
        "base_url: https://example.gov.vn/",
        "language: vi",
        "per_page: 20",
    ]) + "\n")


def write_pages(root: Path) -> None:
    for slug, title, menu_order, text in PAGES:
        fields = [("title", yaml_string(title)), ("menu", str(menu_order))]
        write_text(root / "content" / "pages" / f"{slug}.md",
                   front_matter(fields) + text + "\n")


def write_news(root: Path, n: int, rng: random.Random) -> None:
    used_titles: set[str] = set()
    used_slugs: set[str] = set()
    for _ in range(n):
        title = unique_title(rng, used_titles)
        date, text = make_article(rng, title)
        slug = unique_slug(slugify(title), used_slugs)
        write_text(root / "content" / "news" / str(date.year) / f"{slug}.md", text)


def unique_slug(slug: str, used: set[str]) -> str:
    """Distinct titles can still share a slug once diacritics are stripped, and
    URLs omit the year folder, so slugs must be unique across the corpus."""
    candidate, suffix = slug, 2
    while candidate in used:
        candidate, suffix = f"{slug}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def write_new_item(root: Path, number: int) -> Path:
    """One more article, dated after every generated one, so that it becomes the
    newest item: on the home page, first in its category, in the sidebar's latest
    news and in the feeds, as a new item in the CI case would be."""
    date = DATE_END + timedelta(days=number)
    title = f"Tin mới số {number} về phòng chống đuối nước cho trẻ em trong dịp hè"
    fields = [("title", yaml_string(title)), ("date", date.strftime("%Y-%m-%d %H:%M")),
              ("category", yaml_string(CATEGORIES[0])),
              ("tags", "[" + yaml_string(TAGS[0]) + "]")]
    path = root / "content" / "news" / str(date.year) / f"tin-moi-so-{number}.md"
    write_text(path, front_matter(fields) + f"Nội dung tin mới {number}: tập huấn phòng chống "
               "đuối nước cho học sinh tiểu học trước mùa mưa lũ.\n")
    return path


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write config, 3 pages and *n* news articles under *root*."""
    root = Path(root)
    rng = random.Random(seed)
    write_config(root)
    write_pages(root)
    write_news(root, n, rng)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: corpus.py ROOT N [SEED]")
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
