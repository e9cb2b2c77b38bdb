"""Attack suite, issue 10 items 5 (content), 7, 8, 9 (bodies) and 13: what an editor can
write in a news item or a document.

Each bad input is planted in a portal built once already. The build must refuse it with
exit 1, no traceback, a message naming the file, the line and the field, and `site/`
left as it was; or, where the engine strips the input (control characters in a body),
build a correct site whose pages and feeds are well-formed.
"""

from __future__ import annotations

import inspect
import io
import pickle
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import SMALL_SITE, SiteDir, assert_refused, copy_site, make_site, news, run_cli

from portal.content.markdown_limits import body_problem
from portal.content.markup import clean_html, to_html, to_html_many
from portal.models import UNCONVERTIBLE_BODY

NEWS = "content/news/2024/tan-cong.md"
DOCUMENT = "content/documents/tan-cong.md"
# Markdown that exhausts Python-Markdown's stack or takes it minutes, as the issue found it.
DEEP_DASHES = "- " * 500 + "x\n"
DEEP_INDENTED = "".join("    " * depth + "- x\n" for depth in range(300))
DEEP_BRACKETS = "[" * 20000 + "x" + "]" * 20000 + "\n"
BOMB_SECONDS = 10  # a guard against minutes-long builds, not a benchmark
NOT_ALLOWED = "không được phép"  # the unsafe_url message, not "must be a site path"


def _jpeg() -> bytes:
    """A real JPEG: the build decodes every picture, and refuses a file that is not one."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("built"),
                     {**SMALL_SITE, "static/media/anh.jpg": _jpeg()})
    assert build(site).code == 0
    return site


@pytest.fixture
def built(built_once: SiteDir, tmp_path: Path) -> SiteDir:
    """The portal built once, a copy of its own for each test to plant its input in."""
    return copy_site(built_once, tmp_path)


def build(site: SiteDir):
    return run_cli("build", "--source", str(site.root), "--quiet", "--offline")


def document(**fields: str) -> str:
    values = {"number": "12/KH-UBND", "type": "Kế hoạch", "issuer": "UBND tỉnh",
              "title": "Kế hoạch thử", "issued": "2024-03-07", **fields}
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in values.items()) + "---\nNội dung.\n"


def assert_refused_untouched(site: SiteDir, before: str, run, where: str, *says: str) -> None:
    assert_refused(run, codes=(1,), names=(where,), says=says)
    assert site.tree_digest() == before


# --- item 5: addresses written in front matter -------------------------------------------

UNSAFE = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "java\\tscript:alert(1)",
          "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
          "//evil.example/x.jpg"]


@pytest.mark.parametrize("value", UNSAFE)
def test_unsafe_image_is_refused_with_its_line(built: SiteDir, value: str) -> None:
    before = built.tree_digest()
    built.write(NEWS, news("Tin có ảnh lạ", image=f'"{value}"'))
    shown = value.replace("\\t", "\t")
    assert_refused_untouched(built, before, build(built), f"{NEWS}:5: image:", shown, NOT_ALLOWED)


@pytest.mark.parametrize("value", UNSAFE[:4])
def test_unsafe_source_address_is_refused(built: SiteDir, value: str) -> None:
    before = built.tree_digest()
    built.write(NEWS, news("Tin có nguồn lạ", source=f'"{value}"'))
    assert_refused_untouched(built, before, build(built), f"{NEWS}:5: source:", NOT_ALLOWED)


def test_source_that_is_a_name_or_a_web_address_is_kept(built: SiteDir) -> None:
    built.write(NEWS, news("Tin có nguồn", source='"VTV: bản tin 19 giờ"'))
    built.write("content/news/2024/nguon-web.md",
                news("Tin có nguồn web", source="https://baochinhphu.vn/tin-1.htm"))
    assert build(built).code == 0
    pages = "".join(path.read_text(encoding="utf-8") for path in (built.root / "site").rglob("*.html"))
    assert "VTV: bản tin 19 giờ" in pages and "https://baochinhphu.vn/tin-1.htm" in pages


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:application/pdf;base64,JVBERi0="])
def test_unsafe_attachment_is_refused(built: SiteDir, value: str) -> None:
    before = built.tree_digest()
    built.write(DOCUMENT, document(files=f'[{{path: "{value}", title: Toàn văn}}]'))
    assert_refused_untouched(built, before, build(built), f"{DOCUMENT}:7: files:", value, NOT_ALLOWED)


@pytest.mark.parametrize("key", ["link", "video_url", "website", "links"])
def test_unsafe_address_in_an_extra_field_is_refused(built: SiteDir, key: str) -> None:
    """A theme may put any extra field in an href; those named like addresses are checked."""
    before = built.tree_digest()
    value = '[{title: Xem, url: "javascript:alert(1)"}]' if key == "links" else '"javascript:alert(1)"'
    built.write(NEWS, news("Tin có liên kết", **{key: value}))
    assert_refused_untouched(built, before, build(built), f"{NEWS}:5: {key}:", "javascript:alert(1)")


def test_safe_addresses_in_extra_fields_pass(built: SiteDir) -> None:
    built.write(NEWS, news("Tin có liên kết", link="https://example.gov.vn/a", website="/gioi-thieu/",
                           contact_link="mailto:a@example.gov.vn", note="\"ghi chú: javascript là gì\""))
    built.write("content/pages/lien-he.md", "---\ntitle: Liên hệ\nhotline_link: tel:111\n---\nGọi.\n")
    assert build(built).code == 0


def test_aliases_in_an_extra_field_are_walked_once(built: SiteDir) -> None:
    """Checking extra fields must not expand nested YAML aliases (billion laughs)."""
    lines = ['a0: &a0 ["https://example.gov.vn/"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 25)]
    built.write(NEWS, news("Tin nhiều bí danh", links="[" + ", ".join(f"*a{i}" for i in range(24)) + "]")
                .replace("---\ntitle", "---\n" + "\n".join(lines) + "\ntitle", 1))
    started = time.monotonic()
    run = build(built)
    assert time.monotonic() - started < BOMB_SECONDS
    assert "Traceback" not in run.stderr


# --- item 7: dates near the ends of the calendar -----------------------------------------

def test_news_date_in_year_one_is_refused(built: SiteDir) -> None:
    before = built.tree_digest()
    built.write(NEWS, news("Tin năm 1", date="0001-01-01 00:00+05:00"))
    assert_refused_untouched(built, before, build(built), f"{NEWS}:3: date:",
                             "0001-01-01 00:00+05:00", "1900", "2200", "2024-04-12 08:30")


@pytest.mark.parametrize("field", ["issued", "expires", "effective"])
def test_document_date_in_year_9999_is_refused(built: SiteDir, field: str) -> None:
    before = built.tree_digest()
    built.write(DOCUMENT, document(**{field: "9999-12-31 23:59-05:00"}))
    line = 6 if field == "issued" else 7
    assert_refused_untouched(built, before, build(built), f"{DOCUMENT}:{line}: {field}:",
                             "9999-12-31 23:59-05:00", "2200")


def test_dates_at_the_ends_of_the_range_build(built: SiteDir) -> None:
    built.write(NEWS, news("Tin năm 1900", date="1900-01-01 00:00+14:00"))
    built.write(DOCUMENT, document(issued="1900-01-01", expires="2200-12-31 23:59-12:00"))
    assert build(built).code == 0


# --- item 8: Markdown that recurses or explodes ------------------------------------------

@pytest.mark.parametrize("body, line, says", [
    (DEEP_DASHES, 6, "32"),
    (DEEP_INDENTED, 6 + 32, "32"),
    (DEEP_BRACKETS, 6, "["),
    ("```\n" + DEEP_DASHES, 6, "```"),  # an unclosed fence does not hide what follows
    ("Mở đầu.\n\n" + "<a" * 3000 + "\n" + "chữ " * 50_000, 8, "<"),
], ids=["dashes", "indented", "brackets", "unclosed-fence", "open-tags"])
def test_markdown_bomb_is_a_content_error(built: SiteDir, body: str, line: int, says: str) -> None:
    before = built.tree_digest()
    built.write(NEWS, news("Tin lồng nhau", body="").rstrip("\n") + "\n" + body)
    started = time.monotonic()
    run = build(built)
    assert time.monotonic() - started < BOMB_SECONDS
    assert_refused_untouched(built, before, run, f"{NEWS}:{line}:", says)


def test_markdown_bomb_in_a_document_names_its_line(built: SiteDir) -> None:
    before = built.tree_digest()
    built.write(DOCUMENT, document().replace("Nội dung.\n", "Nội dung.\n\n" + DEEP_INDENTED))
    assert_refused_untouched(built, before, build(built), f"{DOCUMENT}:{10 + 32}:")


def _pathological(unit: str, size: int) -> str:
    return (unit * (size // len(unit)))[:size]


# Shapes that made Python-Markdown quadratic or slow (see markdown_limits.py); each body
# is either refused with its line or built, within the time bound, at 100 KB and 1 MB.
SHAPES = {
    "emphasis": "*a", "underscores": "_a_ ", "backticks": "`a", "code-runs": "``a`",
    "angle": "<a", "autolinks": "<http://a", "entities": "&amp;", "backslashes": "\\",
    "open-links": "[a](", "images": "![a](b) ", "links": "[a](b) ", "brackets": "[a",
    "headings": "# a\n", "setext": "a\n=\n", "list": "- a\n", "ordered": "1. a\n",
    "paragraphs": "a\n\n", "table-rows": "|a|b|\n", "fences": "```\n", "quotes": "> a\n",
    "rules": "***\n", "html": "<div>\n", "abbreviations": "*[A]: x\n",
}


@pytest.mark.parametrize("size", [100_000, 999_000], ids=["100KB", "1MB"])
@pytest.mark.parametrize("unit", SHAPES.values(), ids=SHAPES.keys())
def test_pathological_body_finishes_in_seconds(built: SiteDir, unit: str, size: int) -> None:
    body = _pathological(unit, size)
    if unit == "|a|b|\n":
        body = "|h|k|\n|-|-|\n" + body
    built.write(NEWS, news("Tin nặng", body=""))
    with (built.root / NEWS).open("a", encoding="utf-8") as file:
        file.write(body)
    started = time.monotonic()
    run = build(built)
    assert time.monotonic() - started < BOMB_SECONDS
    assert run.code in (0, 1) and "Traceback" not in run.stderr, run.stderr
    if run.code == 1:
        assert f"{NEWS}:" in run.stderr


def test_worst_bodies_that_pass_the_limits_render_in_seconds() -> None:
    """Bodies packed to just under the limits, converted directly."""
    for unit in ("*a", "``a`", "[a](b) ", "<a>", "# a\n", "|a|b|\n", "*[A]: x\n"):
        paragraph = unit
        while body_problem(paragraph * 2) is None and len(paragraph) < 500_000:
            paragraph *= 2
        body = ((paragraph + "\n\n") * (999_000 // (len(paragraph) + 2)))
        while body_problem(body) is not None:
            body = body[:len(body) * 3 // 4].rsplit("\n\n", 1)[0]
        started = time.monotonic()
        to_html(body)
        assert time.monotonic() - started < BOMB_SECONDS, (unit, len(body))


def test_body_over_one_megabyte_is_refused(built: SiteDir) -> None:
    before = built.tree_digest()
    built.write(NEWS, news("Tin quá dài", body="Một câu văn bình thường. " * 50_000))
    assert_refused_untouched(built, before, build(built), f"{NEWS}:1:", "1000 KB")


def test_converter_recursion_is_returned_not_raised() -> None:
    """The last resort behind the pre-scan: in a worker process too, a RecursionError
    becomes a value (the collection reports it with the file), not a traceback."""
    assert to_html(DEEP_INDENTED) == UNCONVERTIBLE_BODY
    bodies = ["Đoạn văn."] * 70 + [DEEP_INDENTED]
    converted = to_html_many(bodies, jobs=2)
    assert converted[-1] == UNCONVERTIBLE_BODY and converted[0] == "<p>Đoạn văn.</p>"
    assert pickle.loads(pickle.dumps(converted[-1])) == UNCONVERTIBLE_BODY
    assert clean_html(UNCONVERTIBLE_BODY) == UNCONVERTIBLE_BODY  # as read back from the cache


def test_converter_recursion_in_a_build_names_the_file(built: SiteDir) -> None:
    """The same last resort end to end: a stack made short enough that a list 30 deep
    (within the limits) exhausts it inside the converter. The build reports the file."""
    before = built.tree_digest()
    built.write(NEWS, news("Tin sâu", body="".join("    " * depth + "- x\n" for depth in range(30))))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 120)  # the stages before Markdown need less
    try:
        run = run_cli("build", "--source", str(built.root), "--quiet", "--offline", "--no-cache")
    finally:
        sys.setrecursionlimit(limit)
    assert_refused_untouched(built, before, run, f"{NEWS}: ", "lồng nhau quá sâu")


# --- item 9 (bodies): control characters -------------------------------------------------

CONTROLS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f\ufffe\uffff\U0001fffe\ufdd0"


def test_control_characters_in_a_body_are_stripped(built: SiteDir) -> None:
    body = f"Đầu{CONTROLS}cuối, **đậm\x1b[31m**.\n\nĐoạn\x0chai\ttab.\n"
    built.write(NEWS, news("Tin có ký tự lạ", body=body))
    built.write(DOCUMENT, document().replace("Nội dung.", "Văn\x00bản\x1b."))
    run = build(built)
    assert run.code == 0, run.stderr
    output = built.root / "site"
    for path in output.rglob("*"):
        if path.suffix in (".html", ".xml", ".json"):
            text = path.read_text(encoding="utf-8")
            assert not any(char in text for char in CONTROLS.replace("\x85", "")), path
    article = next(p for p in output.rglob("index.html") if "Tin có ký tự lạ" in p.read_text("utf-8")
                   and "<h1>Tin có ký tự lạ</h1>" in p.read_text("utf-8"))
    assert "Đầucuối" in article.read_text(encoding="utf-8")
    feeds = list(output.rglob("*.xml"))
    assert len([f for f in feeds if "<feed" in f.read_text(encoding="utf-8")]) >= 2
    for feed in feeds:
        ElementTree.parse(feed)  # raises on a character XML forbids


# --- item 13: a NUL byte in front matter -------------------------------------------------

@pytest.mark.parametrize("char, code", [("\x00", "0000"), ("\x1b", "001B"), ("\ufffe", "FFFE")])
def test_control_character_in_front_matter_names_its_line(built: SiteDir, char: str, code: str) -> None:
    before = built.tree_digest()
    text = news("Tin hỏng").replace("category:", f"author: An{char}Bình\ncategory:")
    built.write(NEWS, text)
    assert_refused_untouched(built, before, build(built), f"{NEWS}:4:", f"U+{code}")


# --- found by trying, after the items above ----------------------------------------------

@pytest.mark.parametrize("field", ["title", "slug", "category", "tags"])
def test_a_very_long_name_still_fits_a_file_name(built: SiteDir, field: str) -> None:
    """A slug names a folder, and disks refuse names over 255 bytes: slugs are cut
    between words at 200 characters instead of crashing the write stage."""
    long_name = " ".join(["tre-em"] * 60)  # 419 characters
    if field == "title":
        built.write(NEWS, news(long_name))
    else:
        built.write(NEWS, news("Tin thử", **{field: f"[{long_name}]" if field == "tags" else long_name}))

    run = build(built)

    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    names = [path.name for path in (built.root / "site").rglob("*")]
    assert all(len(name.encode()) <= 255 for name in names)


def test_a_document_with_a_very_long_number_builds(built: SiteDir) -> None:
    built.write(DOCUMENT, document(number="1/" + "KH-" * 100 + "UBND"))

    run = build(built)

    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr


@pytest.mark.parametrize("reference", ["&#x1;", "&#0;", "&#x1F;", "&#xFFFE;", "&#xD800;", "&#x9f;"])
def test_character_references_to_control_characters_never_reach_pages_or_feeds(
        built: SiteDir, reference: str) -> None:
    built.write(NEWS, news("Tin thử", category="Thử", body=f"A {reference} B"))

    run = build(built)

    assert run.code == 0, run.stderr
    site = built.root / "site"
    for feed in ("feed.xml", "chuyen-muc/thu/feed.xml"):
        ElementTree.parse(site / feed)  # raises on a control character
    for page in ("index.html", "api/news.json", "tin-tuc/tin-thu/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text), page


def test_thousands_of_tags_are_refused_not_built_for_minutes(built: SiteDir) -> None:
    before = built.tree_digest()
    tags = ", ".join(f"t{number}" for number in range(20_000))
    built.write(NEWS, news("Tin thử", tags=f"[{tags}]"))

    started = time.monotonic()
    run = build(built)

    assert time.monotonic() - started < BOMB_SECONDS
    assert_refused_untouched(built, before, run, f"{NEWS}:5: tags:", "20000", "100")
