"""What a good build produces: the SPEC's URLs, what a news page shows, the frame of
every page, safe HTML, sub-path deployment, reproducible output and the cache.

Sites that tests only read are built once per module (`small`, `portal`); tests that
change a site or its options make their own.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, REPO, SMALL_SITE, BuildRun, SiteDir, make_site, news

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- helpers -------------------------------------------------------------------------

def html_pages(folder: Path) -> list[Path]:
    """The pages citizens read, in the portal's frame: not the web editor at /admin/."""
    return sorted(page for page in folder.rglob("*.html") if "admin" not in page.relative_to(folder).parts)


def hrefs(html: str) -> list[str]:
    return re.findall(r'\bhref="([^"]*)"', html)


def links_after(html: str, heading: str) -> list[str]:
    """The links of the block that starts with `heading` (up to the next heading or end)."""
    start = html.index(heading)
    ends = [html.find(mark, start) for mark in ("<h2", "</section>", "</main>")]
    return hrefs(html[start:min(end for end in ends if end != -1)])


def main_of(html: str) -> str:
    """The page's own content, without the header, sidebar and footer every page has."""
    return html[html.index("<main"):html.index("</main>")]


def summary(run: BuildRun) -> tuple[int, int]:
    """(pages, reused) from the non-quiet summary line `Đã tạo N trang … (M dùng lại …)`."""
    found = re.search(r"([\d.]+) trang\b.*\(([\d.]+) dùng lại", run.stdout)
    assert found, f"no summary line in: {run.stdout!r}"
    return int(found[1].replace(".", "")), int(found[2].replace(".", ""))


def page_url(site: SiteDir, url: str) -> str:
    """The HTML of the page at a site URL such as /tin-tuc/abc/."""
    return site.read(url.strip("/") + "/index.html" if url != "/" else "index.html")


# --- the small site: the SPEC's URLs ----------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory) -> SiteDir:
    """The conftest `site` (3 items, per_page 2, one page), built once."""
    site = make_site(tmp_path_factory.mktemp("small"), SMALL_SITE)
    run = site.build()
    assert run.code == 0, run.stderr
    return site


@pytest.mark.parametrize("path", [
    "index.html",
    "tin-tuc/index.html",
    "tin-tuc/trang/2/index.html",
    "tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/index.html",
    "tin-tuc/day-boi-an-toan-cho-tre-em/index.html",
    "tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/index.html",
    "chuyen-muc/bao-ve-cham-soc-tre-em/index.html",
    "chuyen-muc/bao-ve-cham-soc-tre-em/feed.xml",
    "chuyen-muc/phong-chong-duoi-nuoc/index.html",
    "chuyen-muc/phong-chong-duoi-nuoc/feed.xml",
    "chuyen-muc/binh-dang-gioi/index.html",
    "chuyen-muc/binh-dang-gioi/feed.xml",
    "the/tre-em/index.html",
    "the/tap-huan/index.html",
    "the/duoi-nuoc/index.html",
    "the/binh-dang-gioi/index.html",
    "gioi-thieu/index.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
])
def test_spec_url_exists(small: SiteDir, path: str):
    assert small.exists(path)


def test_news_list_is_paginated_newest_first(small: SiteDir):
    first = main_of(small.read("tin-tuc/index.html"))
    second = main_of(small.read("tin-tuc/trang/2/index.html"))

    assert "/tin-tuc/day-boi-an-toan-cho-tre-em/" in first  # 2024-06-01
    assert "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/" in first  # 2024-04-12
    assert "/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/" not in first
    assert "/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/" in second  # 2023-11-15
    assert 'href="/tin-tuc/trang/2/"' in first
    assert 'href="/tin-tuc/"' in second
    assert not small.exists("tin-tuc/trang/3/index.html")


def test_category_page_lists_only_its_category(small: SiteDir):
    html = main_of(small.read("chuyen-muc/phong-chong-duoi-nuoc/index.html"))
    assert "/tin-tuc/day-boi-an-toan-cho-tre-em/" in html
    assert "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/" not in html


def test_tag_page_lists_the_items_with_that_tag(small: SiteDir):
    html = main_of(small.read("the/tre-em/index.html"))
    assert "/tin-tuc/day-boi-an-toan-cho-tre-em/" in html
    assert "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/" in html
    assert "/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/" not in html


def test_feeds_are_atom_with_absolute_links(small: SiteDir):
    site_feed = ET.fromstring(small.read("feed.xml").encode())
    category_feed = ET.fromstring(small.read("chuyen-muc/binh-dang-gioi/feed.xml").encode())

    links = [e.find(f"{ATOM}link").get("href") for e in site_feed.iter(f"{ATOM}entry")]
    assert links == ["https://example.gov.vn/tin-tuc/day-boi-an-toan-cho-tre-em/",
                     "https://example.gov.vn/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/",
                     "https://example.gov.vn/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/"]
    titles = [e.findtext(f"{ATOM}title") for e in category_feed.iter(f"{ATOM}entry")]
    assert titles == ["Tháng hành động vì bình đẳng giới"]


def test_sitemap_lists_existing_pages_and_robots_names_it(small: SiteDir):
    locs = [loc.text for loc in ET.fromstring(small.read("sitemap.xml").encode()).iter(f"{SITEMAP}loc")]

    for url in ("https://example.gov.vn/", "https://example.gov.vn/gioi-thieu/",
                "https://example.gov.vn/tin-tuc/day-boi-an-toan-cho-tre-em/"):
        assert url in locs
    for url in locs:
        assert url.startswith("https://example.gov.vn/")
        assert small.exists(url.removeprefix("https://example.gov.vn/") + "index.html"), url
    assert "Sitemap: https://example.gov.vn/sitemap.xml" in small.read("robots.txt")


def test_404_page_links_home(small: SiteDir):
    html = small.read("404.html")
    assert 'href="/"' in html
    assert "noindex" in html


# --- the portal: a richer site for what pages show -------------------------------------

PORTAL_CONFIG = """\
title: Cổng thông tin Bảo vệ trẻ em thử nghiệm
base_url: https://example.gov.vn/
per_page: 2
organization:
  name: Sở Lao động - Thương binh và Xã hội tỉnh Hải Dương
  address: Số 8 Phạm Sư Mệnh, Phường Quang Trung, TP Hải Dương
  phone: 02203.853.734
  email: soldtbxh@haiduong.gov.vn
  editor_in_chief: Ông Bùi Thanh Tùng, Giám đốc Sở
hotlines:
  - {number: "111", name: Tổng đài điện thoại quốc gia bảo vệ trẻ em, note: "Miễn phí, 24/7"}
"""

LEAD_BODY = """\
Sáng 12/4, Sở tổ chức hội nghị triển khai Chương trình.

## Mục tiêu chính

Giảm số trẻ em bị xâm hại, xem [giới thiệu](/gioi-thieu/).

![Toàn cảnh](/media/2024/hoi-nghi.jpg)

<script>alert(2)</script>
<a href="javascript:alert(3)" onclick="alert(4)">bấm vào đây</a>
<img src="/media/2024/hoi-nghi.jpg" onerror="alert(5)" alt="ảnh">
<abbr title="Bảo vệ chăm sóc trẻ em">BVCSTE</abbr>
<iframe src="https://evil.example/"></iframe><style>body{display:none}</style>

[liên kết lạ](javascript:alert(6))

| Chỉ tiêu | Kết quả |
|---|---|
| Trẻ em được trợ giúp | 85% |
"""

LEAD = "/tin-tuc/hoi-nghi-trien-khai-chuong-trinh-bao-ve-tre-em-nam-2024/"
DROWNING = [f"/tin-tuc/boi-an-toan-so-{n:02}/" for n in range(13)]  # oldest first


def _jpeg(width: int, height: int) -> bytes:
    """A real JPEG: the build decodes every picture, and refuses a file that is not one."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


def _portal_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "static/media/2024/hoi-nghi.jpg": _jpeg(800, 450),
        "content/news/2024/hoi-nghi.md": news(
            "Hội nghị triển khai Chương trình Bảo vệ trẻ em năm 2024", "2024-04-11 20:15+00:00",
            body=LEAD_BODY, tags="[trẻ em, Hải Dương]", image="/media/2024/hoi-nghi.jpg",
            image_alt="Đại biểu dự hội nghị", image_caption="Toàn cảnh hội nghị tại Hải Dương",
            author="Nguyễn Hữu Thanh", source="Phòng BVCSTE&BĐG"),
        "content/news/2024/tap-huan.md": news("Tập huấn kỹ năng sống", "2024-05-06 12:00",
                                              "Bình đẳng giới", tags="[Hải Dương, trẻ em]"),
        "content/news/2024/dien-dan.md": news("Diễn đàn trẻ em tỉnh", "2024-03-01", tags="[trẻ em]"),
        "content/news/2024/khong-lien-quan.md": news("Tin không liên quan", "2024-04-10",
                                                     tags="[giao thông]"),
        "content/news/2024/dai-hoi.md": news("Đại hội Đoàn thanh niên", "2024-02-01",
                                             "Bình đẳng giới", tags="[Đuối nước]"),
        "content/news/2024/escape.md": news("<script>alert(1)</script> Tin thử",
                                            "2024-01-15", slug="tin-thu-escape", tags="[kiểm thử]"),
        "content/pages/chinh-sach.md": "---\ntitle: Chính sách riêng tư\n---\nKhông có trong menu.\n",
        "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\nmenu: 1\n---\nVề chúng tôi.\n",
        "content/pages/lien-he.md": "---\ntitle: Liên hệ\nmenu: 3\n---\nĐịa chỉ liên hệ.\n",
        "content/pages/tong-dai-111.md": "---\ntitle: Tổng đài 111\nmenu: 2\n---\nGọi 111.\n",
    }
    for n in range(13):  # one category, a day apart: neighbours of #06 are #01-#05 and #07-#11
        files[f"content/news/2024/boi-{n:02}.md"] = news(
            f"Bơi an toàn số {n:02}", f"2024-05-{n + 1:02} 09:00", "Phòng chống đuối nước")
    return files


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("portal"), _portal_files(), config=PORTAL_CONFIG)
    run = site.build()
    assert run.code == 0, run.stderr
    return site


def test_news_page_shows_posting_date_in_local_time(portal: SiteDir):
    html = page_url(portal, LEAD)
    assert "Ngày đăng" in html
    assert "12/04/2024 03:15" in html  # 2024-04-11 20:15 UTC is 03:15 next day in Hà Nội (+07)


def test_news_page_shows_author_and_source(portal: SiteDir):
    html = page_url(portal, LEAD)
    assert re.search(r"Người đăng:?\s*(<[^>]+>\s*)*Nguyễn Hữu Thanh", html)
    assert re.search(r"Nguồn tin:?\s*(<[^>]+>\s*)*Phòng BVCSTE&amp;BĐG", html)


def test_news_page_shows_cover_with_alt_and_caption(portal: SiteDir):
    html = page_url(portal, LEAD)
    cover = re.search(r'<img[^>]*src="/media/2024/hoi-nghi.jpg"[^>]*>', html)
    assert cover and 'alt="Đại biểu dự hội nghị"' in cover[0]
    assert "Toàn cảnh hội nghị tại Hải Dương" in html
    assert portal.exists("media/2024/hoi-nghi.jpg")


def test_news_page_tags_link_to_tag_pages(portal: SiteDir):
    html = page_url(portal, LEAD)
    assert re.search(r'<a [^>]*href="/the/tre-em/"[^>]*>trẻ em</a>', html)
    assert re.search(r'<a [^>]*href="/the/hai-duong/"[^>]*>Hải Dương</a>', html)
    assert LEAD in page_url(portal, "/the/hai-duong/")


def test_related_news_share_tags_most_shared_first(portal: SiteDir):
    related = links_after(page_url(portal, LEAD), "Tin liên quan")
    assert related[:2] == ["/tin-tuc/tap-huan-ky-nang-song/", "/tin-tuc/dien-dan-tre-em-tinh/"]
    assert "/tin-tuc/tin-khong-lien-quan/" not in related


def test_newer_and_older_lists_show_five_of_the_same_category(portal: SiteDir):
    html = page_url(portal, DROWNING[6])
    newer, older = links_after(html, "Các tin mới hơn"), links_after(html, "Các tin cũ hơn")

    assert sorted(newer) == DROWNING[7:12]
    assert sorted(older) == DROWNING[1:6]
    assert "/tin-tuc/tap-huan-ky-nang-song/" not in newer  # 2024-05-06, another category


def test_news_page_has_print_button(portal: SiteDir):
    html = page_url(portal, LEAD)
    assert re.search(r"<button[^>]*>[^<]*In bài viết", html)


def test_hotline_tel_link_is_on_every_html_page(portal: SiteDir):
    pages = html_pages(portal.root / "site")
    assert len(pages) > 20
    for page in pages:
        assert 'href="tel:111"' in page.read_text(encoding="utf-8"), page


def test_footer_shows_the_organization(portal: SiteDir):
    for html in (portal.read("index.html"), page_url(portal, LEAD), portal.read("404.html")):
        footer = html[html.rindex("<footer"):]
        assert "Sở Lao động - Thương binh và Xã hội tỉnh Hải Dương" in footer
        assert "Số 8 Phạm Sư Mệnh, Phường Quang Trung, TP Hải Dương" in footer
        assert 'href="tel:02203853734"' in footer and "02203.853.734" in footer
        assert 'href="mailto:soldtbxh@haiduong.gov.vn"' in footer
        assert "Ông Bùi Thanh Tùng, Giám đốc Sở" in footer


def test_main_menu_lists_pages_with_menu_in_order(portal: SiteDir):
    html = portal.read("index.html")
    menu = [href for href in hrefs(html) if href in ("/gioi-thieu/", "/tong-dai-111/", "/lien-he/")]
    assert menu[:3] == ["/gioi-thieu/", "/tong-dai-111/", "/lien-he/"]
    assert "/chinh-sach-rieng-tu/" not in html
    assert portal.exists("chinh-sach-rieng-tu/index.html")


def test_category_and_tag_pages_are_paginated(portal: SiteDir):
    assert portal.exists("chuyen-muc/phong-chong-duoi-nuoc/trang/7/index.html")  # 13 items, 2 a page
    assert not portal.exists("chuyen-muc/phong-chong-duoi-nuoc/trang/8/index.html")
    assert portal.exists("the/tre-em/trang/2/index.html")  # 3 items


def test_vietnamese_names_make_plain_slugs(portal: SiteDir):
    assert portal.exists("tin-tuc/dai-hoi-doan-thanh-nien/index.html")
    assert portal.exists("chuyen-muc/binh-dang-gioi/index.html")
    assert portal.exists("the/duoi-nuoc/index.html")
    assert portal.exists("tong-dai-111/index.html")


def test_front_matter_text_is_escaped(portal: SiteDir):
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; Tin thử"
    assert escaped in page_url(portal, "/tin-tuc/tin-thu-escape/")
    assert escaped in main_of(portal.read("the/kiem-thu/index.html"))
    assert escaped in portal.read("feed.xml")
    for path in (portal.root / "site").rglob("*"):
        if path.suffix in (".html", ".xml"):
            assert "<script>alert(1)" not in path.read_text(encoding="utf-8"), path


def test_raw_html_in_the_body_is_sanitized(portal: SiteDir):
    html = page_url(portal, LEAD)
    body = html[html.index("Sáng 12/4"):]

    for unsafe in ("alert(2)", "alert(3)", "alert(4)", "alert(5)", "alert(6)", "javascript:",
                   "onclick", "onerror", "evil.example", "display:none"):
        assert unsafe not in html, unsafe
    assert "bấm vào đây" in body
    assert '<abbr title="Bảo vệ chăm sóc trẻ em">BVCSTE</abbr>' in body
    assert "<table" in body and re.search(r"<td[^>]*>Trẻ em được trợ giúp</td>", body)


def test_headings_in_the_body_get_ids(portal: SiteDir):
    assert re.search(r'<h2 id="muc-tieu-chinh">Mục tiêu chính</h2>', page_url(portal, LEAD))


def test_sub_path_base_url_prefixes_every_internal_link(portal: SiteDir, tmp_path: Path):
    out = tmp_path / "treem"
    run = portal.build("--base-url", "https://example.gov.vn/treem/", "--output", str(out), "--no-cache")
    assert run.code == 0, run.stderr

    files = [p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".txt")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r'\b(?:href|src|action)="(/[^"]*)"', text):
            assert url.startswith("/treem/") or url.startswith("//"), f"{path}: {url}"
        for url in re.findall(r"https?://example\.gov\.vn[^\s\"'<]*", text):
            assert url.startswith("https://example.gov.vn/treem/"), f"{path}: {url}"
    body = (out / LEAD.strip("/") / "index.html").read_text(encoding="utf-8")
    assert 'href="/treem/gioi-thieu/"' in body and 'src="/treem/media/2024/hoi-nghi.jpg"' in body


# --- options: drafts, future, output, base templates --------------------------------------

def test_drafts_are_left_out_unless_asked_for(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/xong.md": news("Tin đã duyệt"),
        "content/news/nhap.md": news("Tin còn nháp", draft="true"),
    })

    assert site.build().code == 0
    assert not site.exists("tin-tuc/tin-con-nhap/index.html")
    for listing in ("index.html", "tin-tuc/index.html", "feed.xml", "sitemap.xml"):
        assert "tin-con-nhap" not in site.read(listing)

    assert site.build("--drafts").code == 0
    assert site.exists("tin-tuc/tin-con-nhap/index.html")
    assert "tin-con-nhap" in site.read("tin-tuc/index.html")


def test_future_items_wait_for_their_date_unless_asked_for(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/hom-nay.md": news("Tin hôm nay", "2024-12-31 08:00"),
        "content/news/hen-gio.md": news("Tin hẹn giờ", "2025-06-01 08:00"),
    })
    before, after = {"SOURCE_DATE_EPOCH": "1735689600"}, {"SOURCE_DATE_EPOCH": "1751328000"}  # 2025-01-01, 2025-07-01

    assert site.build(env=before).code == 0
    assert not site.exists("tin-tuc/tin-hen-gio/index.html")
    assert "tin-hen-gio" not in site.read("tin-tuc/index.html") + site.read("feed.xml")

    assert site.build("--future", env=before).code == 0
    assert site.exists("tin-tuc/tin-hen-gio/index.html")

    assert site.build(env=after).code == 0
    assert site.exists("tin-tuc/tin-hen-gio/index.html")


def test_output_option_writes_the_site_there(site: SiteDir, tmp_path: Path):
    out = tmp_path / "public" / "treem"
    assert site.build("--output", str(out)).code == 0
    assert (out / "index.html").is_file()
    assert (out / "tin-tuc" / "day-boi-an-toan-cho-tre-em" / "index.html").is_file()
    assert not (site.root / "site").exists()
    assert not any(p.name.endswith(".staging") for p in out.parent.iterdir())


def test_unknown_front_matter_keys_reach_templates(tmp_path: Path):
    site = make_site(tmp_path, {
        "content/news/dien-dan.md": news("Diễn đàn trẻ em", location="Nhà văn hoá tỉnh Hải Dương",
                                         participants="[Sở LĐTBXH, Tỉnh đoàn]"),
        "content/pages/lien-he.md": "---\ntitle: Liên hệ\nmap: https://maps.example/hd\n---\nX\n",
    })
    site.write("templates/news.html", """\
{% extends "base.html" %}
{% block content %}
<p id="location">{{ item.extra.location }}</p>
<p id="participants">{{ item.extra.participants|join(" + ") }}</p>
{% endblock %}
""")
    site.write("templates/page.html", """\
{% extends "base.html" %}
{% block content %}<p id="map">{{ page.extra.map }}</p>{% endblock %}
""")

    run = site.build()

    assert run.code == 0, run.stderr
    html = site.read("tin-tuc/dien-dan-tre-em/index.html")
    assert '<p id="location">Nhà văn hoá tỉnh Hải Dương</p>' in html
    assert '<p id="participants">Sở LĐTBXH + Tỉnh đoàn</p>' in html
    assert '<p id="map">https://maps.example/hd</p>' in site.read("lien-he/index.html")


def test_file_with_bom_and_crlf_is_accepted(tmp_path: Path):
    text = "---\r\ntitle: Tin từ Windows\r\ndate: 12/04/2024 08:28\r\ncategory: Bình đẳng giới\r\n---\r\n" \
           "Dòng một.\r\n\r\nDòng hai.\r\n"
    site = make_site(tmp_path, {"content/news/windows.md": b"\xef\xbb\xbf" + text.encode("utf-8")})

    run = site.build()

    assert run.code == 0, run.stderr
    html = site.read("tin-tuc/tin-tu-windows/index.html")
    assert "<p>Dòng một.</p>" in html and "<p>Dòng hai.</p>" in html
    assert "12/04/2024 08:28" in html
    assert "\r" not in html
    assert site.exists("chuyen-muc/binh-dang-gioi/index.html")


def test_site_without_news_builds(tmp_path: Path):
    site = make_site(tmp_path, {"content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nX\n"})

    run = site.build()

    assert run.code == 0, run.stderr
    for path in ("index.html", "tin-tuc/index.html", "gioi-thieu/index.html", "404.html",
                 "sitemap.xml", "robots.txt"):
        assert site.exists(path), path
    assert list(ET.fromstring(site.read("feed.xml").encode()).iter(f"{ATOM}entry")) == []


def test_site_with_no_content_folder_builds(tmp_path: Path):
    site = make_site(tmp_path)
    run = site.build()
    assert run.code == 0, run.stderr
    assert site.exists("index.html") and 'href="tel:111"' in site.read("index.html")


# --- errors that are not content -----------------------------------------------------------

def test_misuse_exits_2_without_traceback(site: SiteDir):
    run = site.build("--nonsense")
    assert run.code == 2
    assert "--nonsense" in run.stderr and "Traceback" not in run.stderr

    unknown = subprocess.run([sys.executable, str(REPO / "build.py"), "frobnicate"],
                             capture_output=True, text=True, cwd=site.root)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_template_syntax_error_names_template_and_line(site: SiteDir):
    assert site.build().code == 0
    before = site.tree_digest()
    site.write("templates/news.html", "{% extends 'base.html' %}\n{% block content %}\n"
                                      "{{ item.title }\n{% endblock %}\n")

    run = site.build()

    assert run.code == 1
    assert "templates/news.html:3:" in run.stderr
    assert "Traceback" not in run.stderr
    assert site.tree_digest() == before
    assert not (site.root / ".site.staging").exists()


def test_template_render_error_names_template_and_line(site: SiteDir):
    site.write("templates/news.html", "{% extends 'base.html' %}\n{% block content %}\n"
                                      "{{ item.no_such_field }}\n{% endblock %}\n")

    run = site.build()

    assert run.code == 1 and "Traceback" not in run.stderr
    assert "templates/news.html:3:" in run.stderr


# --- reproducible output -------------------------------------------------------------------

def test_clean_builds_are_byte_identical_and_a_deleted_cache_is_fine(site: SiteDir):
    first = site.build(quiet=False)
    assert first.code == 0
    digest = site.tree_digest()
    shutil.rmtree(site.root / ".cache")

    second = site.build(quiet=False)

    assert second.code == 0, second.stderr
    assert site.tree_digest() == digest
    assert summary(second) == (summary(first)[0], 0)


def test_output_does_not_depend_on_folder_timezone_or_locale(site: SiteDir, tmp_path: Path):
    elsewhere = SiteDir(tmp_path / "somewhere" / "else")
    shutil.copytree(site.root, elsewhere.root)

    assert site.build().code == 0
    # A process of its own: the zone and locale a process starts with are what may leak.
    elsewhere_env = {"TZ": "America/New_York", "LC_ALL": "C", "LANG": "C"}
    assert elsewhere.build(env=elsewhere_env, cli_process=True).code == 0
    assert elsewhere.tree_digest() == site.tree_digest()


def test_parallel_build_gives_the_same_bytes_as_serial(tmp_path: Path):
    """250 items: enough for the Markdown and rendering stages to use worker processes."""
    files = {f"content/news/{n:03}.md": news(f"Tin số {n}", f"2024-{n % 12 + 1:02}-{n % 28 + 1:02} 08:{n % 60:02}",
                                             ("Bảo vệ chăm sóc trẻ em", "Bình đẳng giới")[n % 2],
                                             body=f"Đoạn một của tin {n}.\n\n## Phần {n}\n\nĐoạn hai.",
                                             tags=f"[thẻ {n % 3}]")
             for n in range(250)}
    site = make_site(tmp_path, files, config=MINIMAL_CONFIG.replace("per_page: 2", "per_page: 100"))
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"

    # Processes of their own: workers are forked, and the test process has xdist's threads
    # (a fork may copy a lock one of them holds).
    assert site.build("--jobs", "1", "--no-cache", "--output", str(serial), cli_process=True).code == 0
    run = site.build("--jobs", "2", "--no-cache", "--output", str(parallel), cli_process=True)

    assert run.code == 0, run.stderr
    assert len(html_pages(serial)) > 250
    assert site.tree_digest("parallel") == site.tree_digest("serial")


# --- the cache ----------------------------------------------------------------------------

def test_second_build_reuses_every_page(site: SiteDir):
    first = site.build(quiet=False)
    second = site.build(quiet=False)

    pages, reused = summary(first)
    assert pages > 10 and reused == 0
    assert summary(second) == (pages, pages)


def test_editing_one_body_renders_only_the_pages_given_that_item(site: SiteDir, tmp_path: Path):
    assert site.build().code == 0
    item = site.root / "content/news/2024/hoi-nghi.md"
    item.write_text(item.read_text(encoding="utf-8") + "\nĐoạn bổ sung sau hội nghị.\n", encoding="utf-8")

    run = site.build(quiet=False)

    # Its page, its neighbours' and the listings, feeds and data files that list it;
    # every other page is reused.
    pages, reused = summary(run)
    assert 1 <= pages - reused <= 12 and reused >= pages // 2
    assert "Đoạn bổ sung sau hội nghị." in site.read(
        "tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/index.html")
    fresh = site.build("--no-cache", "--output", str(tmp_path / "fresh"))
    assert fresh.code == 0
    assert site.tree_digest() == SiteDir(tmp_path).tree_digest("fresh")


def test_changing_a_template_renders_every_page_again(site: SiteDir):
    assert site.build().code == 0
    base = site.root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</body>", "<p>Bản thử nghiệm giao diện mới</p>\n</body>"), encoding="utf-8")

    run = site.build(quiet=False)

    assert summary(run)[1] == 0
    for page in html_pages(site.root / "site"):
        assert "Bản thử nghiệm giao diện mới" in page.read_text(encoding="utf-8"), page


def test_editing_an_author_updates_the_feeds(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/a.md": news("Tập huấn cán bộ", author="Nguyễn Văn An")})
    assert site.build().code == 0
    item = site.root / "content/news/a.md"
    item.write_text(item.read_text(encoding="utf-8").replace("Nguyễn Văn An", "Trần Thị Bình"),
                    encoding="utf-8")

    assert site.build().code == 0
    assert site.build("--no-cache", "--output", str(tmp_path / "fresh")).code == 0

    assert "Trần Thị Bình" in site.read("feed.xml")
    assert site.tree_digest() == SiteDir(tmp_path).tree_digest("fresh")


def test_changing_the_engine_ui_strings_renders_pages_again(tmp_path: Path):
    engine = tmp_path / "engine"  # a copy, so that the real engine is not touched
    shutil.copytree(REPO / "portal", engine / "portal", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "build.py", engine / "build.py")
    site = make_site(tmp_path, {"content/news/a.md": news("Tập huấn cán bộ")})

    def build() -> int:
        return subprocess.run([sys.executable, str(engine / "build.py"), "build", "--source",
                               str(site.root), "--quiet"], cwd=site.root).returncode

    assert build() == 0
    strings = engine / "portal/locale/vi.yaml"
    text = strings.read_text(encoding="utf-8")
    assert "posted_on: Ngày đăng" in text
    strings.write_text(text.replace("posted_on: Ngày đăng", "posted_on: Thời gian đăng"), encoding="utf-8")

    assert build() == 0
    assert "Thời gian đăng" in site.read("tin-tuc/tap-huan-can-bo/index.html")
