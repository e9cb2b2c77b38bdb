"""Old addresses (issue 14, section 2): a title edit never silently breaks links.

`aliases: [/old/path/]` on a news item, a page or a document writes a redirect page at
each old address (meta refresh, canonical, noindex, a plain link; no script), left out of
the sitemap, the feeds and the search index; every bad or colliding alias is an error on
its line, and the previous site is untouched. `check` compares with what was published
(the previous site/, or a sitemap over HTTP with --published) and names, for every
address that would disappear, the item that moved and the line to add.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (EPOCH, MINIMAL_CONFIG, REPO, SiteDir, assert_refused, local_http_server,
                      make_site, news)
from portal.aliases import read_alias, reserved_alias
from portal.commands import published as published_module
from portal.content.codec import Unreadable, decode_model, encode_model
from portal.urls import UrlScheme

NEWS = "content/news/2024/hoi-nghi.md"
PAGE = "content/pages/gioi-thieu.md"
DOCUMENT = "content/documents/606.md"
NEW_NEWS_URL = "tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em/"
DOCUMENT_TEXT = ("---\nnumber: 606/KH-UBND\ntype: Kế hoạch\ntitle: Thực hiện công tác trẻ em\n"
                 "issuer: UBND tỉnh Minh Giang\nissued: 2023-03-07\naliases: [/van-ban/606-cu/]\n"
                 "---\nNội dung văn bản.\n")
FILES = {
    NEWS: news("Hội nghị triển khai công tác trẻ em", tags="[trẻ em]",
               aliases="[/tin-tuc/hoi-nghi-cu/, /tin-tuc/2019/hoi-nghi.html, /Trang-Cu/hoi-nghi]",
               body="Hội nghị bàn về công tác bảo vệ trẻ em trong năm."),
    "content/news/2024/boi.md": news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                     body="Lớp dạy bơi miễn phí cho trẻ em trong mùa hè năm nay."),
    PAGE: "---\ntitle: Giới thiệu\nmenu: 1\naliases: /gioi-thieu-cu/\n---\nVề chúng tôi.\n",
    DOCUMENT: DOCUMENT_TEXT,
    "content/news/2024/nhap.md": news("Bản nháp", "2024-05-01", draft="true", aliases="[/nhap-cu/]"),
}
REDIRECTS = {"tin-tuc/hoi-nghi-cu/index.html": NEW_NEWS_URL,
             "tin-tuc/2019/hoi-nghi.html": NEW_NEWS_URL,
             "Trang-Cu/hoi-nghi/index.html": NEW_NEWS_URL,
             "gioi-thieu-cu/index.html": "gioi-thieu/",
             "van-ban/606-cu/index.html": "van-ban/606-kh-ubnd/"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("aliases"), FILES)
    run = site.build()
    assert run.code == 0, run.stderr
    return site


def build(site: SiteDir, *args: str):
    return site.build("--offline", *args)


def check(site: SiteDir, *args: str):
    return site.command("check", *args, env={"SOURCE_DATE_EPOCH": EPOCH})


def with_news_aliases(site: SiteDir, aliases: str, run=build, *args: str):
    """`run` (a build or a check) with the news item given `aliases:`, then the item as it
    was, so that the module's built portal serves the next test unchanged."""
    site.write(NEWS, news("Hội nghị triển khai công tác trẻ em", aliases=aliases))
    try:
        return run(site, *args)
    finally:
        site.write(NEWS, FILES[NEWS])


# --- the redirect pages ------------------------------------------------------------------

@pytest.mark.parametrize("rel", sorted(REDIRECTS))
def test_each_old_address_gets_a_redirect_page_to_the_new_one(built: SiteDir, rel: str):
    page = built.read(rel)
    target = REDIRECTS[rel]
    assert f'<meta http-equiv="refresh" content="0; url=/{target}">' in page
    assert f'<link rel="canonical" href="https://example.gov.vn/{target}">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert re.search(rf'<a href="/{re.escape(target)}">[^<]+</a>', page)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert re.search(r"<title>[^<]+</title>", page) and "<h1>" in page
    assert "<script" not in page  # works with JavaScript off; nothing to run
    assert "data-pagefind-body" not in page


def test_the_link_names_the_item_and_a_document_redirects_too(built: SiteDir):
    assert ">Hội nghị triển khai công tác trẻ em</a>" in built.read("tin-tuc/hoi-nghi-cu/index.html")
    assert ">Thực hiện công tác trẻ em</a>" in built.read("van-ban/606-cu/index.html")


def test_redirect_pages_are_not_in_the_sitemap_feeds_or_search(built: SiteDir):
    sitemap, feed = built.read("sitemap.xml"), built.read("feed.xml")
    for rel in REDIRECTS:
        old = rel.removesuffix("index.html")
        assert old not in sitemap and old not in feed
    assert f"https://example.gov.vn/{NEW_NEWS_URL}" in sitemap
    indexed = _indexed_urls(built)
    assert f"/{NEW_NEWS_URL}" in indexed
    assert not any("cu/" in url or "Cu/" in url or url.endswith(".html") for url in indexed)


def _indexed_urls(site: SiteDir) -> set[str]:
    urls = set()
    for path in (site.root / "site" / "tim-kiem" / "pagefind").rglob("*.pf_fragment"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        urls.add(json.loads(text[text.index("{"):])["url"])
    return urls


def test_a_draft_s_old_address_gets_no_redirect(built: SiteDir):
    assert not built.exists("nhap-cu/index.html")


def test_under_a_sub_path_the_redirect_and_canonical_keep_the_base(tmp_path: Path):
    config = MINIMAL_CONFIG.replace("https://example.gov.vn/", "https://example.gov.vn/treem/")
    site = make_site(tmp_path, {NEWS: FILES[NEWS]}, config)
    assert build(site).code == 0
    page = site.read("tin-tuc/hoi-nghi-cu/index.html")
    assert f'content="0; url=/treem/{NEW_NEWS_URL}"' in page
    assert f'href="https://example.gov.vn/treem/{NEW_NEWS_URL}"' in page
    assert f'<a href="/treem/{NEW_NEWS_URL}">' in page


def test_an_english_page_s_redirect_is_in_english(tmp_path: Path):
    site = make_site(tmp_path, {"content/pages/about.md":
                                "---\ntitle: About us\nlang: en\naliases: [/about-old/]\n---\nText.\n"})
    assert build(site).code == 0
    page = site.read("about-old/index.html")
    assert '<html lang="en">' in page and "This page has moved" in page


def test_a_warm_build_keeps_the_redirects_from_the_kept_models(built: SiteDir, tmp_path: Path):
    site = SiteDir(tmp_path / "portal")
    shutil.copytree(built.root, site.root, symlinks=True)
    shutil.rmtree(site.root / "site")
    assert build(site).code == 0
    for rel in REDIRECTS:
        assert site.exists(rel), rel


@pytest.mark.judges
def test_redirect_pages_pass_the_html_link_and_accessibility_judges(built: SiteDir, tmp_path: Path):
    """The judges that hold the sample portal, on a site with redirect pages. For axe,
    each page's policy <meta> is left out (as tests/test_judges.py does), and so is the
    refresh of the redirect pages: axe reads a page where it stays, and one that moves
    on at once leaves it reading nothing; what it checks (lang, title, landmarks, the
    link's name) is all still there."""
    judges = REPO.parent / "shared" / "judges"
    for judge in ("html_valid", "links"):
        done = subprocess.run(["bash", str(judges / f"{judge}.sh"), str(built.root / "site")],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    still = tmp_path / "site"
    shutil.copytree(built.root / "site", still)
    for page in still.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'<meta http-equiv="(?:Content-Security-Policy|refresh)"[^>]*>\n', "", text),
                        encoding="utf-8")
    done = subprocess.run(["bash", str(judges / "a11y.sh"), str(still)], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


# --- aliases that are refused, each on its line, the previous site untouched ---------------

BAD = [
    ("https://example.gov.vn/tin-tuc/cu/", "là địa chỉ đầy đủ", "aliases: [/tin-tuc/cu/]"),
    ("//evil.example/x/", "là địa chỉ đầy đủ", "aliases: [/x/]"),
    ("tin-tuc/cu/", "phải bắt đầu bằng /", "aliases: [/tin-tuc/cu/]"),
    ("/tin-tuc/cu/?page=2", "có phần ? hoặc #", "aliases: [/tin-tuc/cu/]"),
    ("/tin-tuc/cu#muc", "có phần ? hoặc #", "aliases: [/tin-tuc/cu/]"),
    ("/tin-tuc/../admin/", "có '..'", "aliases: [/tin-tuc/ten-cu/]"),
    ("/tin-tuc//cu/", "hai dấu / liền nhau", "aliases: [/tin-tuc/ten-cu/]"),
    ("/tin-tức/cũ/", "chữ có dấu", "aliases: [/tin-tuc/ten-cu/]"),
    ("/tin%20tuc/", "ký tự không dùng được", "aliases: [/tin-tuc/ten-cu/]"),
    ("/.git/config/", "ký tự không dùng được", "aliases: [/tin-tuc/ten-cu/]"),
    ("/", "là trang chủ", "aliases: [/tin-tuc/ten-cu/]"),
    ("/files/ke-hoach.pdf", "không phải trang web", "aliases: [/tin-tuc/ten-cu/]"),
    ("/" + "a" * 201 + "/", "quá dài", "aliases: [/tin-tuc/ten-cu/]"),
]


@pytest.mark.parametrize("value, says, write", BAD, ids=[value[:30] for value, _, _ in BAD])
def test_a_bad_alias_is_refused_with_its_line_and_what_to_write(built: SiteDir, value: str, says: str,
                                                               write: str):
    before = built.tree_digest()
    run = with_news_aliases(built, f'["{value}"]')
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: aliases:",), says=(says, write))
    assert built.tree_digest() == before


COLLIDING = [
    ("/gioi-thieu/", f"đang là địa chỉ của {PAGE}"),  # a page's own address
    ("/Gioi-Thieu/", f"đang là địa chỉ của {PAGE}"),  # the same folder on a case-blind disk
    (f"/{NEW_NEWS_URL}", f"đang là địa chỉ của {NEWS}"),  # its own
    ("/chuyen-muc/bao-ve-cham-soc-tre-em/", "là trang /chuyen-muc/bao-ve-cham-soc-tre-em/ do cổng tự tạo"),
    ("/feed.xml/", "thuộc phần do cổng tự tạo"),
    ("/tin-tuc/", "thuộc phần do cổng tự tạo"),
    ("/tin-tuc/trang/7/", "thuộc phần do cổng tự tạo"),  # a listing's page, once the site grows
    ("/tim-kiem/cu/", "thuộc phần do cổng tự tạo"),
    ("/admin/", "thuộc phần do cổng tự tạo"),
    ("/media/anh/", "trùng chỗ với tệp static/media/anh/index.html"),
    ("/tai-lieu/", "trùng chỗ với tệp static/tai-lieu"),  # a file where the redirect needs a folder
]


@pytest.mark.parametrize("value, says", COLLIDING, ids=[value for value, _ in COLLIDING])
def test_an_alias_that_takes_another_s_place_is_refused_with_its_line(built: SiteDir, value: str, says: str):
    built.write("static/media/anh/index.html", "<p>Ảnh</p>")
    built.write("static/tai-lieu", "một tệp")
    before = built.tree_digest()
    try:
        run = with_news_aliases(built, f'["{value}"]')
    finally:
        shutil.rmtree(built.root / "static")
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: aliases:",), says=(says,))
    assert built.tree_digest() == before


def test_an_old_address_claimed_twice_is_refused_in_the_second_file(built: SiteDir):
    """Files are taken in path order: the page's old address is the news item's first."""
    before = built.tree_digest()
    run = with_news_aliases(built, "[/gioi-thieu-cu/]")
    assert_refused(run, codes=(1,), names=(f"{PAGE}:4: aliases:",),
                   says=(f"địa chỉ cũ /gioi-thieu-cu/ đã có trong aliases của {NEWS}",))
    assert built.tree_digest() == before


def test_a_wrong_kind_of_value_is_refused_with_an_example(built: SiteDir):
    before = built.tree_digest()
    run = with_news_aliases(built, "{cu: /tin-tuc/cu/}")
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: aliases:",), says=("aliases: [/tin-tuc/ten-cu/]",))
    assert built.tree_digest() == before


def test_english_messages_say_what_to_write(tmp_path: Path):
    site = make_site(tmp_path, {NEWS: news("Hội nghị", aliases="[https://example.gov.vn/old/]")},
                     MINIMAL_CONFIG + "language: en\n")
    run = build(site)
    assert_refused(run, codes=(1,), names=(f"{NEWS}:5: aliases:",),
                   says=("is a full address", "aliases: [/old/]"))
    assert not site.exists("")


def test_check_reports_a_bad_alias_as_an_error(built: SiteDir):
    run = with_news_aliases(built, "[/tin-tuc/cu?x=1]", check, "--format", "json")
    assert run.code == 1
    assert {(f["level"], f["file"], f["line"], f["code"]) for f in json.loads(run.stdout)} == {
        ("error", NEWS, 5, "alias_query")}


# --- the reading of an alias, and the kept models ------------------------------------------

@pytest.mark.parametrize("written, url", [("/tin-tuc/cu", "tin-tuc/cu/"), ("/tin-tuc/cu/", "tin-tuc/cu/"),
                                          ("  /a/b.html ", "a/b.html"), ("/A_b.c~d/", "A_b.c~d/"),
                                          ("/2019/bai.HTM", "2019/bai.HTM")])
def test_an_alias_is_read_as_a_site_path_with_its_slash(written: str, url: str):
    assert read_alias(written).url == url and not read_alias(written).problem


@pytest.mark.parametrize("url, reserved", [("tin-tuc/", True), ("tin-tuc/cu/", False),
                                           ("chuyen-muc/x/trang/2/", True), ("van-ban/loai/x/", True),
                                           ("van-ban/606-cu/", False), ("assets/x/", True),
                                           ("_headers/", True), ("trang/2/", False)])
def test_reserved_addresses(url: str, reserved: bool):
    assert reserved_alias(url, UrlScheme()) is reserved


def test_the_snapshot_keeps_aliases_and_refuses_a_tampered_one(built: SiteDir):
    from portal.models import Page
    page = Page(path=PAGE, title="Giới thiệu", slug="gioi-thieu", url="gioi-thieu/", body="", digest="d",
                aliases=("gioi-thieu-cu/", "cu/trang.html"))
    kept = encode_model(page)
    now = None
    assert decode_model(json.loads(json.dumps(kept)), now, body="").aliases == page.aliases
    for bad in ("../x/", "/abs/", "a b/", "x.pdf", 3):
        tampered = [*kept]
        tampered[kept.index(["gioi-thieu-cu/", "cu/trang.html"])] = [bad]
        with pytest.raises(Unreadable):
            decode_model(tampered, now, body="")


# --- check: addresses that would disappear -------------------------------------------------

MOVING = {
    NEWS: news("Hội nghị triển khai công tác trẻ em",
               body="Hội nghị bàn về công tác bảo vệ trẻ em năm nay."),
    "content/news/2024/boi.md": news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                     body="Lớp dạy bơi miễn phí cho trẻ em trong mùa hè năm nay."),
    PAGE: "---\ntitle: Giới thiệu\nmenu: 1\n---\nVề chúng tôi.\n",
}
RETITLED = news("Hội nghị triển khai công tác trẻ em năm 2024",
                body="Hội nghị bàn về công tác bảo vệ trẻ em năm nay.")
OLD = "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em/"
NEW = "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/"


@pytest.fixture
def published(tmp_path: Path) -> SiteDir:
    """A small portal, built (its site/ is what was published)."""
    site = make_site(tmp_path, MOVING)
    assert build(site).code == 0
    return site


def findings(run) -> list[dict]:
    return json.loads(run.stdout)


def test_a_retitled_item_is_named_with_the_alias_to_add(published: SiteDir):
    published.write(NEWS, RETITLED)

    run = check(published, "--format", "json")

    assert run.code == 0, run.stderr  # a warning
    [found] = [f for f in findings(run) if f["code"] == "moved_to"]
    assert (found["level"], found["file"], found["line"], found["field"]) == ("warning", NEWS, 2, "aliases")
    assert OLD in found["message"] and NEW in found["message"]
    assert f"aliases: [{OLD}]" in found["message"]
    assert "Hội nghị triển khai công tác trẻ em" in found["message"]  # the old page's title
    assert check(published, "--strict").code == 1


def test_the_line_to_add_keeps_the_aliases_already_there_and_once_added_all_is_quiet(published: SiteDir):
    body = "Hội nghị bàn về công tác bảo vệ trẻ em năm nay."
    published.write(NEWS, news("Hội nghị triển khai công tác trẻ em năm 2024",
                               aliases="[/tin-tuc/rat-cu/]", body=body))
    [found] = [f for f in findings(check(published, "--format", "json")) if f["code"] == "moved_to"]
    assert found["line"] == 5 and f"aliases: [/tin-tuc/rat-cu/, {OLD}]" in found["message"]

    published.write(NEWS, news("Hội nghị triển khai công tác trẻ em năm 2024",
                               aliases=f"[/tin-tuc/rat-cu/, {OLD}]", body=body))
    run = check(published, "--strict")
    assert run.code == 0 and "Không có lỗi nào" in run.stdout, run.stdout


def test_a_deleted_item_is_reported_on_the_sitemap_with_a_line_to_add(published: SiteDir):
    (published.root / "content/news/2024/boi.md").unlink()

    [found] = findings(check(published, "--format", "json"))

    assert (found["file"], found["line"], found["code"]) == ("site/sitemap.xml", None, "moved_gone")
    assert "aliases: [/tin-tuc/day-boi-an-toan-cho-tre-em/]" in found["message"]


def test_a_site_folder_linked_out_of_the_portal_is_not_read(published: SiteDir, tmp_path: Path):
    """site/ is the portal's: a link from it to another folder (whose sitemap lists pages
    this portal never had) is not followed; with nothing read, nothing is said."""
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(published.root / "site"), elsewhere)
    (published.root / "site").symlink_to(elsewhere, target_is_directory=True)
    (published.root / "content/news/2024/boi.md").unlink()

    run = check(published, "--format", "json")

    assert run.code == 0 and findings(run) == [], run.stdout


def test_a_retitled_page_is_named_too(published: SiteDir):
    published.write(PAGE, "---\ntitle: Giới thiệu chung\nmenu: 1\n---\nVề chúng tôi.\n")
    [found] = findings(check(published, "--format", "json"))
    assert (found["file"], found["code"]) == (PAGE, "moved_to")
    assert "aliases: [/gioi-thieu/]" in found["message"] and "/gioi-thieu-chung/" in found["message"]


def test_check_reads_the_output_folder_it_is_given(published: SiteDir, tmp_path: Path):
    elsewhere = tmp_path / "public"
    shutil.move(published.root / "site", elsewhere)
    published.write(NEWS, RETITLED)
    assert findings(check(published, "--format", "json")) == []  # no site/: a first build
    [found] = findings(check(published, "--format", "json", "--output", str(elsewhere)))
    assert found["code"] == "moved_to" and OLD in found["message"]


def test_a_first_build_and_an_unchanged_site_say_nothing(tmp_path: Path, published: SiteDir):
    fresh = make_site(tmp_path / "fresh", MOVING)
    assert findings(check(fresh, "--format", "json")) == []
    assert findings(check(published, "--format", "json")) == []


def test_a_sitemap_that_is_a_link_out_of_the_site_is_not_read(published: SiteDir, tmp_path: Path):
    outside = tmp_path / "outside.xml"
    outside.write_text(published.read("sitemap.xml").replace("</urlset>",
                       "<url><loc>https://example.gov.vn/bi-mat/</loc></url></urlset>"), encoding="utf-8")
    sitemap = published.root / "site" / "sitemap.xml"
    sitemap.unlink()
    sitemap.symlink_to(outside)
    assert findings(check(published, "--format", "json")) == []


# --- check --published: the live sitemap over HTTP ------------------------------------------

def sitemap_of(base: str, paths: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{base}{path}</loc></url>\n" for path in paths)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">\n{entries}</urlset>\n').encode("utf-8")


def serve(status: int, body: bytes, delay: float = 0.0, headers: dict | None = None):
    def respond(handler) -> None:
        time.sleep(delay)
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return respond


LIVE = ["", "tin-tuc/", "tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em/", "tin-tuc/day-boi-an-toan-cho-tre-em/",
        "gioi-thieu/", "tin-tuc/trang/2/"]


def live_site(tmp_path: Path, port: int) -> SiteDir:
    config = MINIMAL_CONFIG.replace("https://example.gov.vn/", f"http://127.0.0.1:{port}/")
    site = make_site(tmp_path, {**MOVING, NEWS: RETITLED}, config)
    return site


def test_published_compares_with_the_live_sitemap(tmp_path: Path):
    holder: dict = {}
    with local_http_server(lambda h: serve(200, holder["body"])(h)) as port:
        holder["body"] = sitemap_of(f"http://127.0.0.1:{port}/", LIVE)
        site = live_site(tmp_path, port)
        at_base = findings(check(site, "--format", "json", "--published"))
        named = findings(check(site, "--format", "json", "--published",
                               f"http://127.0.0.1:{port}/sitemap.xml"))
    for found in (at_base, named):
        assert [(f["file"], f["code"]) for f in found] == [(NEWS, "moved_to")], found
        assert f"aliases: [{OLD}]" in found[0]["message"]
    assert not site.exists("")  # check writes nothing


def test_published_under_another_address_maps_its_urls_back(tmp_path: Path):
    """A staging copy's sitemap lists its own addresses: its folder is the base."""
    holder: dict = {}
    with local_http_server(lambda h: serve(200, holder["body"])(h)) as port:
        holder["body"] = sitemap_of(f"http://127.0.0.1:{port}/ban-cu/", LIVE)
        site = make_site(tmp_path, {**MOVING, NEWS: RETITLED})
        found = findings(check(site, "--format", "json", "--published",
                               f"http://127.0.0.1:{port}/ban-cu/"))
    assert [(f["file"], f["code"]) for f in found] == [(NEWS, "moved_to")]


def test_a_site_not_yet_published_says_nothing(tmp_path: Path):
    with local_http_server(serve(404, b"not found")) as port:
        site = live_site(tmp_path, port)
        assert findings(check(site, "--format", "json", "--published")) == []


HOSTILE = {
    "not xml": (serve(200, b"\x00\xff" * 5000 + b"<html>hello</html>"), "moved_not_sitemap"),
    "a server error": (serve(500, b"oops"), "moved_http_error"),
    "entities": (serve(200, b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
                            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
                            b"<urlset><url><loc>&c;</loc></url><url><loc>&amp;&#x2F;</loc></url></urlset>"),
                 None),
    "other hosts": (serve(200, sitemap_of("https://evil.example/", LIVE)), None),
    "a redirect to ftp": (serve(302, b"", headers={"Location": "ftp://127.0.0.1/sitemap.xml"}),
                          "moved_http_error"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_sitemap_never_crashes_the_check(tmp_path: Path, name: str):
    respond, code = HOSTILE[name]
    with local_http_server(respond) as port:
        site = live_site(tmp_path, port)
        run = check(site, "--format", "json", "--published")
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    assert [f["code"] for f in findings(run)] == ([code] if code else [])


def test_a_huge_sitemap_is_cut_off_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(published_module, "MAX_SITEMAP_BYTES", 64 * 1024)
    with local_http_server(serve(200, b"<urlset>" + b" " * 200_000)) as port:
        run = check(live_site(tmp_path, port), "--format", "json", "--published")
    assert [f["code"] for f in findings(run)] == ["moved_too_large"]


def test_a_sitemap_that_never_comes_is_given_up_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(published_module, "TIMEOUT", 0.3)
    with local_http_server(serve(200, b"<urlset></urlset>", delay=3)) as port:
        started = time.monotonic()
        run = check(live_site(tmp_path, port), "--format", "json", "--published")
    assert time.monotonic() - started < 3
    [found] = findings(run)
    assert found["code"] == "moved_timeout" and "0.3" in found["message"]


def test_too_many_addresses_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from portal.commands import moved
    monkeypatch.setattr(moved, "MAX_ADDRESSES", 3)
    with local_http_server(lambda h: serve(200, sitemap_of(f"http://127.0.0.1:{h.server.server_address[1]}/",
                                                           LIVE))(h)) as port:
        run = check(live_site(tmp_path, port), "--format", "json", "--published")
    codes = [f["code"] for f in findings(run)]
    assert codes.count("moved_too_many") == 1 and "moved_to" in codes  # the first three compared


@pytest.mark.parametrize("address", ["ftp://example.gov.vn/sitemap.xml", "file:///etc/passwd", "sitemap.xml"])
def test_published_must_be_an_http_address(tmp_path: Path, address: str):
    run = check(make_site(tmp_path, MOVING), "--format", "json", "--published", address)
    assert [f["code"] for f in findings(run)] == ["moved_bad_address"]


def test_the_help_of_check_names_the_new_options_in_vietnamese(tmp_path: Path):
    run = check(make_site(tmp_path, MOVING), "--help")
    assert "--published [URL]" in run.stdout and "so sánh với cổng đang đăng" in run.stdout
    assert "--output" in run.stdout
