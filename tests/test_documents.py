"""The document library ("văn bản"): a document's address and page, its status on the
build date, the listings (all, by type, year and issuer; plans by year), the links both
ways between news and the documents they name, the open-data JSON, and the cache.

The library site below is built once and only read; tests that change a site or the
build date make their own. Bad documents are in test_bad_input.py (fixtures doc_*).
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import zoneinfo
from pathlib import Path

import pytest

from conftest import SiteDir, make_site, news

BASE = "https://example.gov.vn/"
ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def document(number: str, type: str, title: str, issued: str, issuer: str = "UBND tỉnh Hải Dương",
             body: str = "", **fields: str) -> str:
    """A document file's text; extra keyword arguments become front-matter lines as given."""
    lines = [f"number: {number}", f"type: {type}", f"title: {title}", f"issuer: {issuer}",
             f"issued: {issued}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def epoch(local_time: str) -> str:
    """SOURCE_DATE_EPOCH for a wall-clock time in Hải Dương, e.g. "2024-04-01 00:00"."""
    return str(int(dt.datetime.fromisoformat(local_time).replace(tzinfo=ZONE).timestamp()))


# --- reading the built pages ------------------------------------------------------------

def page(site: SiteDir, url: str) -> str:
    """The HTML of the page at a site URL such as /van-ban/606-kh-ubnd/."""
    return site.read(url.strip("/") + "/index.html" if url != "/" else "index.html")


def main_of(html: str) -> str:
    """The page's own content, without the header, sidebar and footer every page has."""
    return html[html.index("<main"):html.index("</main>")]


def text_of(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def document_slugs(html: str) -> list[str]:
    """The documents a block links to, in order: /van-ban/<slug>/ (one segment, so not
    the listings under /van-ban/loai/…, /van-ban/nam/…, /van-ban/trang/…)."""
    return list(dict.fromkeys(re.findall(r'href="/van-ban/([^/"]+)/"', html)))


def block_after(html: str, heading: str) -> str:
    """The block that starts with `heading`, up to the next heading or section end."""
    start = html.index(heading)
    ends = [html.find(mark, start + len(heading)) for mark in ("<h2", "</section>", "</main>")]
    return html[start:min(end for end in ends if end != -1)]


def meta_rows(html: str) -> dict[str, str]:
    """The document page's details table: row heading -> the cell's text."""
    return {text_of(th): text_of(td) for th, td in
            re.findall(r"<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", html, re.S)}


def menu_links(html: str) -> list[tuple[str, str]]:
    header = html[html.index("<header"):html.index("</header>")]
    return [(href, text_of(text)) for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', header)]


def data(site: SiteDir, rel: str):
    return json.loads(site.read(rel))


# --- the library site ---------------------------------------------------------------------

PDF = b"%PDF-1.4\n" + b"0" * (2048 - 9)  # 2,048 bytes: "2 KB"
DOCX = b"PK" + b"0" * (1572864 - 2)  # 1.5 MiB: "1,5 MB"

D606 = document(
    "606/KH-UBND", "Kế hoạch", "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023", "2023-03-07",
    body="Mục tiêu: **giảm** số trẻ em bị tai nạn, thương tích.",
    effective="2023-03-10", signer="Phó Chủ tịch Lương Văn Cầu", field="Trẻ em",
    files="\n  - {path: /files/606-kh-ubnd.pdf, title: Toàn văn}"
          "\n  - {path: /files/606-phu-luc.docx, title: Phụ lục chỉ tiêu}",
    targets="\n  - {label: Trẻ em có hoàn cảnh đặc biệt được trợ giúp, value: 85%}"
            "\n  - {label: Xã phường phù hợp với trẻ em, value: 70%}")
D25 = document("25/2022/NQ-HĐND", "Nghị quyết", "Quy định mức hỗ trợ trẻ em có hoàn cảnh đặc biệt",
               "2022-12-09", issuer="HĐND tỉnh Hải Dương")
D12 = document("12/KH-UBND", "Kế hoạch", "Phòng, chống đuối nước trẻ em năm 2024", "2024-01-15",
               expires="2025-01-01",
               targets="\n  - {label: Trẻ em từ 6 tuổi trở lên biết bơi, value: 45%}")
D45 = document("45/QĐ-UBND", "Quyết định", "Công nhận xã, phường phù hợp với trẻ em", "2025-12-20",
               effective="2026-02-01")
D07 = document("07/CT-UBND", "Chỉ thị", "Tăng cường bảo vệ trẻ em dịp hè", "2025-05-20")

NEWSLIKE_BODY = """\
Ngày 20/3, Sở triển khai Kế hoạch số 606/KH-UBND của UBND tỉnh và Nghị quyết số 25/2022/NQ-HĐND của HĐND tỉnh.

Trong mã: `606/KH-UBND`; đã có đường dẫn: [văn bản 25/2022/NQ-HĐND](https://vanban.example.vn/25).

## Tóm tắt 12/KH-UBND

Kế hoạch số 999/KH-UBND của huyện chưa được đăng.
"""

LIBRARY = {
    "content/documents/2023/606-kh-ubnd.md": D606,
    "content/documents/2022/25-2022-nq-hdnd.md": D25,
    "content/documents/2024/12-kh-ubnd.md": D12,
    "content/documents/2025/45-qd-ubnd.md": D45,
    "content/documents/2025/07-ct-ubnd.md": D07,
    "static/files/606-kh-ubnd.pdf": PDF,
    "static/files/606-phu-luc.docx": DOCX,
    "content/news/2023/trien-khai.md": news("Triển khai kế hoạch công tác trẻ em năm 2023", "2023-03-20 08:00",
                                            documents="[606/KH-UBND]", body=NEWSLIKE_BODY),
    "content/news/2024/duoi-nuoc.md": news("Hội nghị phòng chống đuối nước trẻ em", "2024-02-01 09:00",
                                           "Phòng chống đuối nước",
                                           body="Các huyện thực hiện Kế hoạch 12/KH-UBND ngay từ đầu hè."),
    "content/news/2024/nhap.md": news("Bản nháp về kế hoạch đuối nước", "2024-02-02",
                                      documents="[12/KH-UBND]", draft="true"),
    "content/news/2027/sap-dang.md": news("Tin hẹn giờ về kế hoạch năm 2023", "2027-01-05",
                                          documents="[606/KH-UBND]"),
    "content/news/2025/ky-nang.md": news("Tập huấn kỹ năng sống cho trẻ em", "2025-06-01",
                                         body="Văn bản 1606/KH-UBND của tỉnh bạn được giới thiệu."),
    "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\nmenu: 1\n---\nVề chúng tôi.\n",
}
N1 = "tin-tuc/trien-khai-ke-hoach-cong-tac-tre-em-nam-2023/"
N2 = "tin-tuc/hoi-nghi-phong-chong-duoi-nuoc-tre-em/"
N_DRAFT = "tin-tuc/ban-nhap-ve-ke-hoach-duoi-nuoc/"
N_FUTURE = "tin-tuc/tin-hen-gio-ve-ke-hoach-nam-2023/"
N5 = "tin-tuc/tap-huan-ky-nang-song-cho-tre-em/"
NEWEST_FIRST = ["45-qd-ubnd", "07-ct-ubnd", "12-kh-ubnd", "606-kh-ubnd", "25-2022-nq-hdnd"]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> SiteDir:
    """Five documents (two plans, one expired, one not yet in force), news naming them,
    built on 2026-01-01 with per_page 2."""
    site = make_site(tmp_path_factory.mktemp("library"), LIBRARY)
    run = site.build()
    assert run.code == 0, run.stderr
    return site


# --- addresses ------------------------------------------------------------------------------

@pytest.mark.parametrize("heading, url", [
    ("Kế hoạch 606/KH-UBND", "/van-ban/606-kh-ubnd/"),
    ("Nghị quyết 25/2022/NQ-HĐND", "/van-ban/25-2022-nq-hdnd/"),
    ("Quyết định 45/QĐ-UBND", "/van-ban/45-qd-ubnd/"),
])
def test_document_address_is_the_slug_of_its_number(library: SiteDir, heading: str, url: str):
    assert re.search(rf"<h1[^>]*>{re.escape(heading)}</h1>", page(library, url))


@pytest.mark.parametrize("path", [
    "van-ban/index.html", "van-ban/trang/2/index.html", "van-ban/trang/3/index.html",
    "van-ban/loai/ke-hoach/index.html", "van-ban/loai/nghi-quyet/index.html",
    "van-ban/loai/quyet-dinh/index.html", "van-ban/loai/chi-thi/index.html",
    "van-ban/nam/2025/index.html", "van-ban/nam/2024/index.html",
    "van-ban/nam/2023/index.html", "van-ban/nam/2022/index.html",
    "van-ban/co-quan/ubnd-tinh-hai-duong/index.html", "van-ban/co-quan/hdnd-tinh-hai-duong/index.html",
    "ke-hoach/index.html", "van-ban/chi-muc.json", "api/news.json", "api/documents.json",
])
def test_library_url_exists(library: SiteDir, path: str):
    assert library.exists(path)


# --- status on the build date ---------------------------------------------------------------

STATUS_WORDS = {"in_force": "Còn hiệu lực", "expired": "Hết hiệu lực", "not_yet": "Chưa có hiệu lực"}


@pytest.mark.parametrize("now, with_dates, issued_only", [
    ("2024-02-29 23:59", "not_yet", "not_yet"),  # before the issue date
    ("2024-03-01 00:00", "not_yet", "in_force"),  # issued; no `effective`: in force from the issue date
    ("2024-03-31 23:59", "not_yet", "in_force"),
    ("2024-04-01 00:00", "in_force", "in_force"),  # `effective` reached
    ("2024-12-31 23:59", "in_force", "in_force"),
    ("2025-01-01 00:00", "expired", "in_force"),  # on the day of `expires`
])
def test_status_is_decided_on_the_build_date(tmp_path: Path, now: str, with_dates: str, issued_only: str):
    site = make_site(tmp_path, {
        "content/documents/a.md": document("10/QĐ-UBND", "Quyết định", "Có ngày hiệu lực và hết hiệu lực",
                                           "2024-03-01", effective="2024-04-01", expires="2025-01-01"),
        "content/documents/b.md": document("11/QĐ-UBND", "Quyết định", "Chỉ có ngày ban hành", "2024-03-01"),
    })

    run = site.build(env={"SOURCE_DATE_EPOCH": epoch(now)})

    assert run.code == 0, run.stderr
    api = {d["number"]: d["status"] for d in data(site, "api/documents.json")["items"]}
    index = {d["n"]: d["s"] for d in data(site, "van-ban/chi-muc.json")}
    for number, slug, status in (("10/QĐ-UBND", "10-qd-ubnd", with_dates),
                                 ("11/QĐ-UBND", "11-qd-ubnd", issued_only)):
        assert meta_rows(page(site, f"/van-ban/{slug}/"))["Tình trạng"] == STATUS_WORDS[status], number
        assert api[number] == status
        assert index[number] == status


def test_status_is_shown_in_listings(library: SiteDir):
    def row(url: str, number: str) -> str:
        html = main_of(page(library, url))
        start = html.index(f">{number}<")
        return text_of(html[start:html.index("</li>", start)])

    assert "Chưa có hiệu lực" in row("/van-ban/", "45/QĐ-UBND")
    assert "Còn hiệu lực" in row("/van-ban/", "07/CT-UBND")
    assert "Hết hiệu lực" in row("/van-ban/trang/2/", "12/KH-UBND")


# --- the document page ------------------------------------------------------------------------

def test_document_page_shows_every_detail(library: SiteDir):
    rows = meta_rows(main_of(page(library, "/van-ban/606-kh-ubnd/")))

    assert rows["Số ký hiệu"] == "606/KH-UBND"
    assert rows["Loại văn bản"] == "Kế hoạch"
    assert rows["Cơ quan ban hành"] == "UBND tỉnh Hải Dương"
    assert rows["Ngày ban hành"] == "07/03/2023"
    assert rows["Ngày hiệu lực"] == "10/03/2023"
    assert rows["Người ký"] == "Phó Chủ tịch Lương Văn Cầu"
    assert rows["Lĩnh vực"] == "Trẻ em"
    assert rows["Trích yếu"] == "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023"
    assert rows["Tình trạng"] == "Còn hiệu lực"


def test_document_page_links_its_type_and_issuer_listings(library: SiteDir):
    html = main_of(page(library, "/van-ban/606-kh-ubnd/"))
    assert 'href="/van-ban/loai/ke-hoach/"' in html
    assert 'href="/van-ban/co-quan/ubnd-tinh-hai-duong/"' in html


def test_expired_document_shows_its_expiry_date(library: SiteDir):
    rows = meta_rows(main_of(page(library, "/van-ban/12-kh-ubnd/")))
    assert rows["Ngày hết hiệu lực"] == "01/01/2025"
    assert rows["Tình trạng"] == "Hết hiệu lực"


def test_attachments_show_title_type_and_size_and_are_published(library: SiteDir):
    html = main_of(page(library, "/van-ban/606-kh-ubnd/"))
    attachments = text_of(block_after(html, "Tệp đính kèm"))

    assert 'href="/files/606-kh-ubnd.pdf"' in html
    assert 'href="/files/606-phu-luc.docx"' in html
    assert re.search(r"Toàn văn \(PDF, 2 KB\)", attachments), attachments
    assert re.search(r"Phụ lục chỉ tiêu \(DOCX, 1,5 MB\)", attachments), attachments
    assert (library.root / "site/files/606-kh-ubnd.pdf").read_bytes() == PDF


def test_targets_table_lists_label_and_value_in_order(library: SiteDir):
    html = main_of(page(library, "/van-ban/606-kh-ubnd/"))
    cells = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", block_after(html, "Chỉ tiêu"), re.S)
    assert cells == [("Trẻ em có hoàn cảnh đặc biệt được trợ giúp", "85%"),
                     ("Xã phường phù hợp với trẻ em", "70%")]


def test_document_body_is_shown_as_html(library: SiteDir):
    assert "Mục tiêu: <strong>giảm</strong> số trẻ em" in main_of(page(library, "/van-ban/606-kh-ubnd/"))


def test_document_without_optional_fields_has_no_empty_sections(library: SiteDir):
    html = main_of(page(library, "/van-ban/25-2022-nq-hdnd/"))
    assert "Tệp đính kèm" not in html
    assert "Chỉ tiêu" not in html
    assert meta_rows(html)["Ngày ban hành"] == "09/12/2022"


# --- listings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, slugs", [
    ("/van-ban/", NEWEST_FIRST[0:2]),
    ("/van-ban/trang/2/", NEWEST_FIRST[2:4]),
    ("/van-ban/trang/3/", NEWEST_FIRST[4:5]),
    ("/van-ban/loai/ke-hoach/", ["12-kh-ubnd", "606-kh-ubnd"]),
    ("/van-ban/loai/nghi-quyet/", ["25-2022-nq-hdnd"]),
    ("/van-ban/nam/2025/", ["45-qd-ubnd", "07-ct-ubnd"]),
    ("/van-ban/nam/2023/", ["606-kh-ubnd"]),
    ("/van-ban/co-quan/hdnd-tinh-hai-duong/", ["25-2022-nq-hdnd"]),
    ("/van-ban/co-quan/ubnd-tinh-hai-duong/", ["45-qd-ubnd", "07-ct-ubnd"]),
    ("/van-ban/co-quan/ubnd-tinh-hai-duong/trang/2/", ["12-kh-ubnd", "606-kh-ubnd"]),
])
def test_listing_shows_its_documents_newest_first_a_page_at_a_time(library: SiteDir, url: str, slugs: list):
    assert document_slugs(main_of(page(library, url))) == slugs


def test_document_list_pages_link_each_other(library: SiteDir):
    first, second = main_of(page(library, "/van-ban/")), main_of(page(library, "/van-ban/trang/2/"))
    assert 'href="/van-ban/trang/2/"' in first
    assert 'href="/van-ban/"' in second and 'href="/van-ban/trang/3/"' in second
    assert not library.exists("van-ban/trang/4/index.html")


def test_document_list_links_every_type_year_and_issuer(library: SiteDir):
    html = main_of(page(library, "/van-ban/"))
    for listing in ("loai/ke-hoach", "loai/nghi-quyet", "loai/quyet-dinh", "loai/chi-thi", "nam/2025",
                    "nam/2024", "nam/2023", "nam/2022", "co-quan/ubnd-tinh-hai-duong",
                    "co-quan/hdnd-tinh-hai-duong"):
        assert f'href="/van-ban/{listing}/"' in html, listing


def test_plans_page_groups_plans_by_year_newest_first_with_targets(library: SiteDir):
    html = main_of(page(library, "/ke-hoach/"))
    year_2024, year_2023 = html.split("Kế hoạch năm 2023")

    assert "Kế hoạch năm 2024" in year_2024
    assert document_slugs(year_2024) == ["12-kh-ubnd"]
    assert "Trẻ em từ 6 tuổi trở lên biết bơi" in year_2024 and "45%" in year_2024
    assert document_slugs(year_2023) == ["606-kh-ubnd"]
    assert "Trẻ em có hoàn cảnh đặc biệt được trợ giúp" in year_2023 and "85%" in year_2023


def test_main_menu_links_documents_and_plans(library: SiteDir):
    links = menu_links(page(library, "/"))
    assert ("/van-ban/", "Văn bản") in links
    assert ("/ke-hoach/", "Kế hoạch") in links


def test_sidebar_lists_the_latest_documents_on_every_page(library: SiteDir):
    pages = sorted(path for path in (library.root / "site").rglob("*.html")
                   if not path.relative_to(library.root / "site").parts[0] == "admin")  # the CMS
    assert len(pages) > 25
    for path in pages:
        html = path.read_text(encoding="utf-8")
        aside = html[html.index("<aside"):html.index("</aside>")]
        box = block_after(aside, "Văn bản mới")
        assert document_slugs(box) == NEWEST_FIRST, path


def test_home_page_lists_the_latest_documents(library: SiteDir):
    assert document_slugs(main_of(page(library, "/"))) == NEWEST_FIRST


def test_site_without_documents_has_no_library_in_the_menu(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/a.md": news("Tập huấn cán bộ")})

    assert site.build().code == 0

    hrefs = [href for href, _ in menu_links(page(site, "/"))]
    assert "/van-ban/" not in hrefs and "/ke-hoach/" not in hrefs
    assert not site.exists("van-ban/index.html")
    assert data(site, "api/documents.json") == {"items": []}


# --- news and documents, both ways ---------------------------------------------------------

def test_news_page_lists_the_documents_it_names(library: SiteDir):
    related = block_after(main_of(page(library, N1)), "Văn bản liên quan")
    # `documents:` names 606/KH-UBND; the text names 25/2022/NQ-HĐND too.
    assert document_slugs(related) == ["606-kh-ubnd", "25-2022-nq-hdnd"]
    assert "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023" in related


@pytest.mark.parametrize("slug, news_urls", [
    ("606-kh-ubnd", [N1]),  # by `documents:`; the scheduled item is not published yet
    ("25-2022-nq-hdnd", [N1]),  # by number in the text
    ("12-kh-ubnd", [N2]),  # by number in the text; the draft is not published
])
def test_document_page_lists_the_news_that_name_it(library: SiteDir, slug: str, news_urls: list):
    html = main_of(page(library, f"/van-ban/{slug}/"))
    naming = block_after(html, "Tin bài nhắc đến văn bản này")
    assert re.findall(r'href="/(tin-tuc/[^"]+)"', naming) == news_urls


def test_document_named_by_no_news_has_no_news_section(library: SiteDir):
    assert "Tin bài nhắc đến văn bản này" not in page(library, "/van-ban/45-qd-ubnd/")


def test_numbers_in_the_text_link_to_their_documents(library: SiteDir):
    html = main_of(page(library, N1))
    assert re.search(r'Kế hoạch số <a [^>]*href="/van-ban/606-kh-ubnd/"[^>]*>606/KH-UBND</a> của UBND', html)
    assert re.search(r'Nghị quyết số <a [^>]*href="/van-ban/25-2022-nq-hdnd/"[^>]*>25/2022/NQ-HĐND</a> của HĐND',
                     html)


def test_numbers_in_code_links_and_headings_are_left_alone(library: SiteDir):
    html = main_of(page(library, N1))
    assert "<code>606/KH-UBND</code>" in html
    assert '<a href="https://vanban.example.vn/25">văn bản 25/2022/NQ-HĐND</a>' in html
    assert re.search(r"<h2[^>]*>Tóm tắt 12/KH-UBND</h2>", html)
    assert "/van-ban/12-kh-ubnd/" not in html  # named only in the heading: not linked, not related


def test_unknown_number_in_the_text_stays_plain_text(library: SiteDir):
    # A document not (yet) on the portal is not an error: the build above passed.
    assert "Kế hoạch số 999/KH-UBND của huyện" in main_of(page(library, N1))


def test_number_inside_a_longer_number_is_not_linked(library: SiteDir):
    html = main_of(page(library, N5))
    assert "Văn bản 1606/KH-UBND của tỉnh bạn" in html
    assert "606-kh-ubnd" not in html


def test_number_with_an_ampersand_links_too(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/documents/a.md": document("15/KH-BVCSTE&BĐG", "Kế hoạch", "Truyền thông bình đẳng giới",
                                           "2024-03-01", issuer="Phòng BVCSTE&BĐG"),
        "content/news/a.md": news("Truyền thông bình đẳng giới", body="Theo Kế hoạch số 15/KH-BVCSTE&BĐG."),
    })

    assert site.build().code == 0

    assert 'href="/van-ban/15-kh-bvcste-bdg/"' in main_of(page(site, "/tin-tuc/truyen-thong-binh-dang-gioi/"))


def test_address_clash_between_documents_gives_advice_that_works(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/documents/a.md": document("15/QĐ-UBND", "Quyết định", "Của tỉnh", "2023-01-05"),
        "content/documents/b.md": document("15/QD-UBND", "Quyết định", "Của huyện", "2023-02-05",
                                           issuer="UBND huyện Gia Lộc"),
    })
    run = site.build()
    assert run.code == 1 and "content/documents/b.md:2: number:" in run.stderr
    if "slug:" not in run.stderr:
        return  # the message asks for something else, e.g. another number

    site.write("content/documents/b.md", document("15/QD-UBND", "Quyết định", "Của huyện", "2023-02-05",
                                                  issuer="UBND huyện Gia Lộc", slug="15-qd-ubnd-gia-loc"))
    assert site.build().code == 0


# --- the cache keeps both ways of the links fresh --------------------------------------------

def _fresh_copy_matches(site: SiteDir, tmp_path: Path) -> bool:
    fresh = site.build("--no-cache", "--output", str(tmp_path / "fresh"))
    assert fresh.code == 0, fresh.stderr
    return site.tree_digest() == SiteDir(tmp_path).tree_digest("fresh")


def test_editing_a_document_title_updates_the_news_that_link_it(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/documents/606.md": D606, "static/files/606-kh-ubnd.pdf": PDF,
        "static/files/606-phu-luc.docx": b"PK",
        "content/news/a.md": news("Triển khai kế hoạch", documents="[606/KH-UBND]",
                                  body="Theo Kế hoạch số 606/KH-UBND."),
    })
    assert site.build().code == 0
    site.write("content/documents/606.md", D606.replace("Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023",
                                                        "Bảo vệ, chăm sóc trẻ em năm 2023"))

    assert site.build().code == 0

    html = main_of(page(site, "/tin-tuc/trien-khai-ke-hoach/"))
    assert "Bảo vệ, chăm sóc trẻ em năm 2023" in block_after(html, "Văn bản liên quan")
    assert 'title="Kế hoạch: Bảo vệ, chăm sóc trẻ em năm 2023"' in html  # the link in the text
    assert "Thực hiện công tác trẻ em" not in html
    assert _fresh_copy_matches(site, tmp_path)


def test_editing_a_news_title_updates_the_documents_it_names(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/documents/25.md": D25,
        "content/news/a.md": news("Triển khai nghị quyết", body="Theo Nghị quyết số 25/2022/NQ-HĐND."),
    })
    assert site.build().code == 0
    site.write("content/news/a.md", news("Triển khai Nghị quyết hỗ trợ trẻ em", slug="trien-khai-nghi-quyet",
                                         body="Theo Nghị quyết số 25/2022/NQ-HĐND."))

    assert site.build().code == 0

    naming = block_after(main_of(page(site, "/van-ban/25-2022-nq-hdnd/")), "Tin bài nhắc đến văn bản này")
    assert "Triển khai Nghị quyết hỗ trợ trẻ em" in naming
    assert _fresh_copy_matches(site, tmp_path)


def test_adding_a_document_links_the_number_in_older_news(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/a.md": news("Triển khai kế hoạch", body="Theo Kế hoạch số 606/KH-UBND."),
    })
    assert site.build().code == 0
    assert "606-kh-ubnd" not in page(site, "/tin-tuc/trien-khai-ke-hoach/")
    site.write("content/documents/606.md", document("606/KH-UBND", "Kế hoạch", "Công tác trẻ em năm 2023",
                                                    "2023-03-07"))

    assert site.build().code == 0

    html = main_of(page(site, "/tin-tuc/trien-khai-ke-hoach/"))
    assert re.search(r'<a [^>]*href="/van-ban/606-kh-ubnd/"[^>]*>606/KH-UBND</a>', html)
    assert _fresh_copy_matches(site, tmp_path)


# --- open data --------------------------------------------------------------------------------

NEWS_KEYS = {"title", "url", "date", "category", "tags", "summary", "author", "source", "image", "documents"}
DOCUMENT_KEYS = {"number", "type", "title", "issuer", "issued", "effective", "expires", "status", "signer",
                 "field", "url", "files", "targets", "news"}


def test_news_json_lists_published_news_with_typed_fields(library: SiteDir):
    payload = data(library, "api/news.json")

    assert set(payload) == {"items"}
    items = payload["items"]
    assert [item["url"] for item in items] == [BASE + N5, BASE + N2, BASE + N1]  # no draft, no future item
    for item in items:
        assert set(item) == NEWS_KEYS
        for key in ("title", "url", "date", "category", "summary"):
            assert isinstance(item[key], str), key
        for key in ("author", "source"):  # absent is null, as in documents.json
            assert item[key] is None or isinstance(item[key], str), key
        assert item["url"].startswith(BASE)
        assert dt.datetime.fromisoformat(item["date"]).utcoffset() is not None
        assert all(isinstance(tag, str) for tag in item["tags"])
        assert all(isinstance(number, str) for number in item["documents"])
        assert item["image"] is None or item["image"].startswith(BASE)
    first = items[-1]
    assert first["title"] == "Triển khai kế hoạch công tác trẻ em năm 2023"
    assert first["date"] == "2023-03-20T08:00:00+07:00"
    assert first["category"] == "Bảo vệ chăm sóc trẻ em"
    assert sorted(first["documents"]) == sorted(["606/KH-UBND", "25/2022/NQ-HĐND"])
    assert items[0]["documents"] == []


def test_documents_json_lists_every_document_with_typed_fields(library: SiteDir):
    payload = data(library, "api/documents.json")

    assert set(payload) == {"items"}
    items = payload["items"]
    assert [item["url"] for item in items] == [f"{BASE}van-ban/{slug}/" for slug in NEWEST_FIRST]
    for item in items:
        assert set(item) == DOCUMENT_KEYS
        assert item["status"] in STATUS_WORDS
        for key in ("number", "type", "title", "issuer", "issued", "url"):
            assert isinstance(item[key], str), key
        for key in ("effective", "expires", "signer", "field"):
            assert item[key] is None or isinstance(item[key], str), key
        assert all(set(f) == {"title", "url", "type", "size"} for f in item["files"])
        assert all(set(t) == {"label", "value"} for t in item["targets"])
        assert all(url.startswith(BASE) for url in item["news"])

    plan = items[NEWEST_FIRST.index("606-kh-ubnd")]
    assert plan == {
        "number": "606/KH-UBND", "type": "Kế hoạch",
        "title": "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023", "issuer": "UBND tỉnh Hải Dương",
        "issued": "2023-03-07", "effective": "2023-03-10", "expires": None, "status": "in_force",
        "signer": "Phó Chủ tịch Lương Văn Cầu", "field": "Trẻ em", "url": BASE + "van-ban/606-kh-ubnd/",
        "files": [{"title": "Toàn văn", "url": BASE + "files/606-kh-ubnd.pdf", "type": "PDF", "size": 2048},
                  {"title": "Phụ lục chỉ tiêu", "url": BASE + "files/606-phu-luc.docx", "type": "DOCX",
                   "size": len(DOCX)}],
        "targets": [{"label": "Trẻ em có hoàn cảnh đặc biệt được trợ giúp", "value": "85%"},
                    {"label": "Xã phường phù hợp với trẻ em", "value": "70%"}],
        "news": [BASE + N1],
    }
    bare = items[NEWEST_FIRST.index("25-2022-nq-hdnd")]
    assert (bare["effective"], bare["expires"], bare["signer"], bare["field"]) == (None, None, None, None)
    assert items[NEWEST_FIRST.index("12-kh-ubnd")]["status"] == "expired"
    assert items[NEWEST_FIRST.index("45-qd-ubnd")]["status"] == "not_yet"


def test_filter_index_has_short_keys_for_every_document(library: SiteDir):
    index = data(library, "van-ban/chi-muc.json")

    assert [entry["u"] for entry in index] == [f"/van-ban/{slug}/" for slug in NEWEST_FIRST]
    assert all(set(entry) == {"n", "t", "k", "y", "i", "u", "d", "s"} for entry in index)
    assert index[NEWEST_FIRST.index("606-kh-ubnd")] == {
        "n": "606/KH-UBND", "t": "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023", "k": "Kế hoạch",
        "y": 2023, "i": "UBND tỉnh Hải Dương", "u": "/van-ban/606-kh-ubnd/", "d": "07/03/2023", "s": "in_force",
    }


def test_json_urls_follow_a_sub_path_base_url(library: SiteDir, tmp_path: Path):
    base = "https://example.gov.vn/treem/"
    run = library.build("--base-url", base, "--output", str(tmp_path / "sub"), "--no-cache")
    assert run.code == 0, run.stderr

    def read(rel: str):
        return json.loads((tmp_path / "sub" / rel).read_text(encoding="utf-8"))

    assert all(entry["u"].startswith("/treem/van-ban/") for entry in read("van-ban/chi-muc.json"))
    documents = read("api/documents.json")["items"]
    assert all(d["url"].startswith(base + "van-ban/") for d in documents)
    assert all(f["url"].startswith(base + "files/") for d in documents for f in d["files"])
    assert all(n["url"].startswith(base + "tin-tuc/") for n in read("api/news.json")["items"])
    listing = (tmp_path / "sub/van-ban/index.html").read_text(encoding="utf-8")
    assert 'data-index="/treem/van-ban/chi-muc.json"' in listing
