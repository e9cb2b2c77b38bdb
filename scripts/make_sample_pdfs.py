"""Make the sample PDF attachments of the documents in content/documents/.

For every document whose front matter lists `files:`, write one small PDF per
entry into static/files/ (the site path /files/x.pdf is static/files/x.pdf):

* a path ending in `-phu-luc.pdf` is an annex ("Phụ lục"): a table of the
  plan's `targets`, or the table given for that number in ANNEX_TABLES below;
* any other path is the "Toàn văn": a header in the usual Vietnamese layout
  (issuer, number, place and date), the type and title, the document's body
  (its summary in the Markdown file) as paragraphs, the plan's targets when it
  has no annex, and the signature block.

Every page says in its footer that the document is a sample: the province of
Minh Giang does not exist and the PDFs have no legal value.

fpdf2 is NOT a dependency of the portal; it is needed only to run this script,
for instance in a throw-away virtual environment:

    python3 -m venv /tmp/pdfenv
    /tmp/pdfenv/bin/pip install fpdf2 pyyaml
    apt-get install -y fonts-dejavu-core      # only if DejaVuSans.ttf is missing
    /tmp/pdfenv/bin/python scripts/make_sample_pdfs.py          # write the PDFs
    /tmp/pdfenv/bin/python scripts/make_sample_pdfs.py --check  # compare only

Vietnamese text needs a Unicode font: DejaVu Sans (regular and bold) from
Debian's fonts-dejavu-core is embedded as a subset, which keeps each file
well under 40 KB. The output is deterministic: the creation date is the
document's date of issue, the producer is fixed and fpdf2 derives the file
/ID from the content, so running the script again gives identical bytes
(with the same fpdf2 and font versions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from pathlib import Path

import yaml
from fpdf import FPDF
from fpdf.fonts import FontFace

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
PLACE = "Minh Giang"
TIMEZONE = dt.timezone(dt.timedelta(hours=7))
TWO_LEVEL_GOVERNMENT = dt.date(2025, 7, 1)  # no more districts (huyện) after this day
SAMPLE_NOTICE = "Văn bản mẫu minh họa: tỉnh Minh Giang là tỉnh giả định, văn bản không có giá trị pháp lý."

# issuer -> (parent body, issuing body, formal name used in "của ...")
ISSUERS = {
    "UBND tỉnh Minh Giang": ("", "ỦY BAN NHÂN DÂN\nTỈNH MINH GIANG", "Ủy ban nhân dân tỉnh Minh Giang"),
    "HĐND tỉnh Minh Giang": ("", "HỘI ĐỒNG NHÂN DÂN\nTỈNH MINH GIANG", "Hội đồng nhân dân tỉnh Minh Giang"),
    "Sở Lao động - Thương binh và Xã hội tỉnh Minh Giang": (
        "UBND TỈNH MINH GIANG",
        "SỞ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI",
        "Sở Lao động - Thương binh và Xã hội tỉnh Minh Giang",
    ),
}

# annexes that are not a table of targets
ANNEX_TABLES = {
    "25/2022/NQ-HĐND": {
        "heading": "ĐỐI TƯỢNG, NỘI DUNG VÀ MỨC HỖ TRỢ",
        "columns": ("STT", "Đối tượng", "Nội dung hỗ trợ", "Mức hỗ trợ"),
        "widths": (12, 58, 45, 50),
        "rows": [
            ("Trẻ em mồ côi cả cha và mẹ đang đi học", "Học bổng",
             "500.000 đồng/tháng, tối đa 9 tháng/năm học"),
            ("Trẻ em khuyết tật nặng, khuyết tật đặc biệt nặng",
             "Phục hồi chức năng, dụng cụ trợ giúp", "2.000.000 đồng/năm"),
            ("Trẻ em bị xâm hại, bị bạo lực", "Tư vấn, trị liệu tâm lý",
             "Tối đa 5.000.000 đồng/trường hợp"),
            ("Trẻ em thuộc hộ nghèo, cận nghèo mắc bệnh hiểm nghèo",
             "Chi phí điều trị ngoài phần bảo hiểm y tế chi trả", "3.000.000 đồng/năm"),
        ],
        "notes": [
            "Một trẻ em thuộc nhiều nhóm đối tượng được hưởng tất cả các khoản hỗ trợ tương ứng. "
            "Riêng khoản học bổng, nếu trẻ đang hưởng một học bổng khác từ ngân sách nhà nước "
            "thì được chọn mức cao hơn.",
            "Hồ sơ gồm đơn đề nghị của gia đình hoặc người chăm sóc trẻ và giấy tờ chứng minh "
            "hoàn cảnh của trẻ, nộp tại Ủy ban nhân dân cấp xã. Thời gian giải quyết không quá "
            "15 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ.",
        ],
    },
}


def read_document(path: Path) -> tuple[dict, str]:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    for key in ("issued", "effective", "expires"):
        if isinstance(meta.get(key), str):
            meta[key] = dt.date.fromisoformat(meta[key])
    return meta, body.strip()


def long_date(day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def signature_roles(meta: dict) -> tuple[list[str], str]:
    """The lines above the signature ("TM. ỦY BAN NHÂN DÂN", ...) and the signer's name."""
    signer = meta.get("signer", "")
    for role in ("Phó Chủ tịch", "Chủ tịch", "Phó Giám đốc", "Giám đốc"):
        if signer.startswith(role + " "):
            name = signer[len(role) + 1:]
            break
    else:
        raise SystemExit(f"{meta['number']}: cannot read the role in signer {signer!r}")
    if meta["issuer"].startswith("UBND") and meta["type"] != "Chỉ thị":
        lines = ["TM. ỦY BAN NHÂN DÂN"]
        lines += ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if role == "Phó Chủ tịch" else ["CHỦ TỊCH"]
    elif role == "Phó Giám đốc":
        lines = ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    else:
        lines = [role.upper()]
    return lines, name


def recipients(meta: dict) -> list[str]:
    issuer, issued = meta["issuer"], meta["issued"]
    if issuer.startswith("HĐND"):
        return ["- Ủy ban Thường vụ Quốc hội;", "- Chính phủ;",
                "- Thường trực Tỉnh ủy, HĐND, UBND tỉnh;", "- Đại biểu HĐND tỉnh;", "- Lưu: VT."]
    if issuer.startswith("Sở"):
        return ["- Như trên;", "- UBND tỉnh (để báo cáo);", "- Giám đốc Sở;", "- Lưu: VT, TE."]
    local = ("- UBND các xã, phường;" if issued >= TWO_LEVEL_GOVERNMENT
             else "- UBND các huyện, thị xã, thành phố;")
    return ["- Các sở, ban, ngành cấp tỉnh;", local, "- Chủ tịch, các PCT UBND tỉnh;",
            "- Lưu: VT, KGVX."]


class SamplePDF(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(110)
        self.multi_cell(0, 3.6, f"{SAMPLE_NOTICE}  Trang {self.page_no()}/{{nb}}", align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)


def new_pdf(meta: dict, title: str) -> SamplePDF:
    pdf = SamplePDF(format="A4")
    pdf.set_margins(25, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    for style, name in FONT_FILES.items():
        font = FONT_DIR / name
        if not font.exists():
            raise SystemExit(f"missing {font}: apt-get install -y fonts-dejavu-core")
        pdf.add_font("DejaVu", style, str(font))
    issued = dt.datetime.combine(meta["issued"], dt.time(8, 0), TIMEZONE)
    pdf.set_creation_date(issued)
    pdf.set_title(title)
    pdf.set_author(meta["issuer"])
    pdf.set_subject(f"{meta['type']} số {meta['number']}")
    pdf.set_creator("scripts/make_sample_pdfs.py")
    pdf.set_producer("fpdf2")
    pdf.set_lang("vi")
    pdf.add_page()
    return pdf


def rule(pdf: FPDF, x_center: float, width: float) -> None:
    y = pdf.get_y() + 0.8
    pdf.line(x_center - width / 2, y, x_center + width / 2, y)
    pdf.set_y(y + 2)


def header(pdf: FPDF, meta: dict) -> None:
    """The two header columns: issuer and number on the left, national motto and date on the right."""
    parent, body, _ = ISSUERS[meta["issuer"]]
    left_x, left_w, right_x, right_w, top = 20, 72, 95, 100, pdf.get_y()
    pdf.set_xy(left_x, top)
    if parent:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(left_w, 5, parent, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(left_x)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(left_w, 5, body, align="C", new_x="LMARGIN", new_y="NEXT")
    rule(pdf, left_x + left_w / 2, 22)
    pdf.set_x(left_x)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(left_w, 5, f"Số: {meta['number']}", align="C", new_x="LMARGIN", new_y="NEXT")
    if meta["type"] == "Công văn":
        pdf.set_x(left_x)
        pdf.set_font("DejaVu", "", 9)
        subject = meta["title"].removeprefix("Về việc ")
        pdf.multi_cell(left_w, 4.5, f"V/v {subject}", align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    pdf.set_xy(right_x, top)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(right_w, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(right_x)
    pdf.multi_cell(right_w, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    rule(pdf, right_x + right_w / 2, 48)
    pdf.set_x(right_x)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(right_w, 5, f"{PLACE}, {long_date(meta['issued'])}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)


def heading(pdf: FPDF, meta: dict) -> None:
    if meta["type"] == "Công văn":
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(0, 6, "Kính gửi:", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(pdf.l_margin + 60)
        for line in ("- Ủy ban nhân dân các xã, phường;", "- Các sở, ngành liên quan."):
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(pdf.l_margin + 60)
        pdf.ln(4)
        return
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 7, meta["type"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, meta["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    rule(pdf, pdf.l_margin + pdf.epw / 2, 40)
    pdf.ln(3)


def paragraphs(pdf: FPDF, markdown: str) -> None:
    """Write the body: plain paragraphs, "- " bullets and "1. " numbered items."""
    for block in markdown.split("\n\n"):
        for line in block.splitlines():
            line = line.replace("**", "").strip()
            marker, _, rest = line.partition(" ")
            if marker == "-" or (marker[:-1].isdigit() and marker.endswith(".")):
                bullet = "–" if marker == "-" else marker
                pdf.set_x(pdf.l_margin + 6)
                pdf.cell(6, 6, bullet)
                pdf.multi_cell(pdf.epw - 12, 6, rest, align="J", new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.multi_cell(0, 6, line, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def targets_table(pdf: FPDF, targets: list[dict]) -> None:
    rows = [(str(i), t["label"], str(t["value"])) for i, t in enumerate(targets, 1)]
    table(pdf, ("STT", "Chỉ tiêu", "Mục tiêu"), (12, 118, 35), rows, ("CENTER", "LEFT", "CENTER"))


def table(pdf: FPDF, columns, widths, rows, align=None) -> None:
    pdf.set_font("DejaVu", "", 10)
    bold = FontFace(emphasis="BOLD", fill_color=(230, 236, 244))
    with pdf.table(col_widths=widths, line_height=5.5, headings_style=bold,
                   text_align=align or "LEFT", padding=1.5) as grid:
        grid.row(columns)
        for row in rows:
            grid.row(row)
    pdf.ln(4)


def signature(pdf: FPDF, meta: dict) -> None:
    roles, name = signature_roles(meta)
    lines = recipients(meta)
    if pdf.will_page_break(45):
        pdf.add_page()
    top = pdf.get_y() + 2
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(70, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    for line in lines:
        pdf.cell(70, 4.3, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(105, top)
    pdf.set_font("DejaVu", "B", 10.5)
    for line in roles:
        pdf.cell(80, 5.5, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(80, 14, "(Đã ký)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(80, 6, name, align="C", new_x="LEFT", new_y="NEXT")


def full_text(meta: dict, body: str, has_annex: bool) -> bytes:
    pdf = new_pdf(meta, f"{meta['type']} số {meta['number']}: {meta['title']}")
    header(pdf, meta)
    heading(pdf, meta)
    pdf.set_font("DejaVu", "", 11)
    paragraphs(pdf, body)
    if meta.get("targets"):
        if has_annex:
            if "phụ lục" not in body.lower():
                pdf.multi_cell(0, 6, "Các chỉ tiêu cụ thể được giao tại Phụ lục kèm theo văn bản này.",
                               new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
        else:
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(0, 7, "Các chỉ tiêu chủ yếu", new_x="LMARGIN", new_y="NEXT")
            targets_table(pdf, meta["targets"])
    signature(pdf, meta)
    return bytes(pdf.output())


def annex(meta: dict) -> bytes:
    special = ANNEX_TABLES.get(meta["number"])
    what = special["heading"] if special else "CHỈ TIÊU CHỦ YẾU"
    pdf = new_pdf(meta, f"Phụ lục {meta['type'].lower()} số {meta['number']}")
    formal = ISSUERS[meta["issuer"]][2]
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 7, "PHỤ LỤC", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, what, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, meta["title"].upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5.5, f"(Kèm theo {meta['type']} số {meta['number']} ngày "
                           f"{short_date(meta['issued'])} của {formal})", align="C", new_x="LMARGIN", new_y="NEXT")
    rule(pdf, pdf.l_margin + pdf.epw / 2, 40)
    pdf.ln(4)
    if special:
        rows = [(str(i), *row) for i, row in enumerate(special["rows"], 1)]
        table(pdf, special["columns"], special["widths"], rows, ("CENTER", "LEFT", "LEFT", "LEFT"))
        notes = special["notes"]
    else:
        targets_table(pdf, meta["targets"])
        year = meta["issued"].year
        notes = [
            f"Các tỷ lệ được tính tại thời điểm ngày 30/11/{year} trên toàn tỉnh; các sở, ngành "
            "và địa phương giao chỉ tiêu cụ thể cho đơn vị mình, không thấp hơn chỉ tiêu chung.",
            "Sở Lao động - Thương binh và Xã hội hướng dẫn cách thu thập, tổng hợp số liệu; "
            "kết quả thực hiện được báo cáo định kỳ sáu tháng và một năm.",
        ]
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(0, 6, "Ghi chú", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    for number, note in enumerate(notes, 1):
        pdf.multi_cell(0, 5.5, f"{number}. {note}", align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def planned_files(root: Path) -> dict[Path, bytes]:
    """Every attachment that the documents list, with the bytes it should hold."""
    out: dict[Path, bytes] = {}
    for path in sorted((root / "content" / "documents").glob("**/*.md")):
        meta, body = read_document(path)
        entries = meta.get("files") or []
        has_annex = any(e["path"].endswith("-phu-luc.pdf") for e in entries)
        for entry in entries:
            site_path = entry["path"]
            target = root / "static" / site_path.lstrip("/")
            if site_path.endswith("-phu-luc.pdf"):
                out[target] = annex(meta)
            else:
                out[target] = full_text(meta, body, has_annex)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="site root (default: this repository)")
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args()
    stale = 0
    for target, data in planned_files(args.root).items():
        same = target.exists() and target.read_bytes() == data
        if args.check:
            stale += not same
            print(f"{'ok   ' if same else 'STALE'} {target.relative_to(args.root)}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not same:
            target.write_bytes(data)
        print(f"{len(data):>6} B  {target.relative_to(args.root)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
