"""The first screen on a phone (issue 13, section 6) and no layout shift on /van-ban/
(section 7), in a real headless Chromium: a small portal with every page kind and the
sample portal, each built in a temp folder, served on 127.0.0.1 and looked at by
tests/browser/phone.js at 390×844 (device scale 3, a phone's user agent), at 320 wide,
and on a 1366×768 desktop for the menu.

Chromium is Debian's /usr/bin/chromium; playwright-core is the judges' (conftest's
BROWSER_ENV). Everything is looked at in one browser launch per portal, once for the run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, SiteDir, made_once, make_site, news, needs_browser, run_driver, served_folder

DRIVER = Path(__file__).resolve().parent / "browser" / "phone.js"
PHONE_WIDTH, PHONE_HEIGHT, SMALL_WIDTH = 390, 844, 320
HEADING_BY = 320  # px from the top of a phone's screen: the page's own h1 starts above it

pytestmark = [needs_browser, pytest.mark.early]

# A portal as long-winded as a real one: a long agency name (and its English name), a
# title on two lines, a theme banner, six entries in the menu, an English page.
CONFIG = """\
title: Cổng thông tin Bảo vệ trẻ em và Bình đẳng giới tỉnh Hải Dương
base_url: https://example.gov.vn/
per_page: 2
organization:
  name: Sở Lao động - Thương binh và Xã hội tỉnh Hải Dương
  name_en: Department of Labour, Invalids and Social Affairs of Hai Duong Province
  email: soldtbxh.baovetreem.binhdanggioi@haiduong.example.gov.vn
theme_of_year: "Chủ đề năm 2026: Chung tay xây dựng môi trường sống an toàn, thân thiện cho trẻ em và thúc đẩy bình đẳng giới"
hotlines:
  - {number: "111", name: Tổng đài điện thoại quốc gia bảo vệ trẻ em, note: "Miễn phí, 24/7"}
weather:
  provider: none
"""


def document(number: str, type: str, title: str, issued: str) -> str:
    return f"---\nnumber: {number}\ntype: {type}\ntitle: {title}\nissuer: UBND tỉnh Hải Dương\nissued: {issued}\n---\n"


def page(title: str, menu: int | None = None, **fields: str) -> str:
    lines = [f"title: {title}", *([f"menu: {menu}"] if menu else []), *(f"{k}: {v}" for k, v in fields.items())]
    return "---\n" + "\n".join(lines) + "\n---\nNội dung trang.\n"


FILES = {
    "content/news/2024/hoi-nghi.md": news(
        "Hội nghị triển khai nhiệm vụ trọng tâm công tác bảo vệ, chăm sóc trẻ em và bình đẳng giới năm 2024",
        tags="[trẻ em, tập huấn]"),
    "content/news/2024/boi.md": news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00", "Phòng chống đuối nước",
                                     tags="[trẻ em]"),
    "content/documents/606.md": document("606/KH-UBND", "Kế hoạch", "Thực hiện công tác trẻ em năm 2023",
                                         "2023-03-07"),
    "content/documents/45.md": document("45/QĐ-UBND", "Quyết định", "Công nhận xã phù hợp với trẻ em",
                                        "2025-12-20"),
    "content/pages/gioi-thieu.md": page("Giới thiệu", 1),
    "content/pages/tong-dai-111.md": page("Tổng đài 111", 2),
    "content/pages/lien-he.md": page("Liên hệ", 3),
    "content/pages/about-us.md": page("About us and contact", slug="about-us", lang="en",
                                      translation_of="gioi-thieu", show_organization="true"),
}
# Every page kind, by the name a failure shows.
SMALL_PAGES = {
    "home": "/",
    "news list": "/tin-tuc/",
    "category": "/chuyen-muc/bao-ve-cham-soc-tre-em/",
    "news item": "/tin-tuc/hoi-nghi-trien-khai-nhiem-vu-trong-tam-cong-tac-bao-ve-cham-soc-tre-em-va-binh-dang-gioi-nam-2024/",
    "documents": "/van-ban/",
    "document": "/van-ban/606-kh-ubnd/",
    "plans": "/ke-hoach/",
    "page": "/gioi-thieu/",
    "search": "/tim-kiem/",
    "tag": "/the/tre-em/",
    "not found": "/404.html",
    "english page": "/about-us/",
}
SAMPLE_PAGES = {
    "home": "/",
    "news list": "/tin-tuc/",
    "category": "/chuyen-muc/bao-ve-cham-soc-tre-em/",
    "news item": "/tin-tuc/hoi-nghi-trien-khai-nhiem-vu-trong-tam-2024/",
    "documents": "/van-ban/",
    "document": "/van-ban/08-ct-ubnd/",
    "plans": "/ke-hoach/",
    "page": "/gioi-thieu/",
    "search": "/tim-kiem/",
    "tag": "/the/tre-em/",
    "not found": "/404.html",
    "english page": "/about-us/",
}
PORTALS = {"small": SMALL_PAGES, "sample": SAMPLE_PAGES}
EVERY_PAGE = [(portal, kind) for portal, pages in PORTALS.items() for kind in pages]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    """What Chromium saw on each portal (phone.js's readings), by portal."""
    return made_once(tmp_path_factory, "phone-layout", look_at_both)


def look_at_both(folder: Path) -> dict:
    small = make_site(folder / "small", FILES, CONFIG)
    sample = SiteDir(folder / "sample" / "portal")
    for part in ("content", "static", "templates"):
        shutil.copytree(REPO / part, sample.root / part)
    shutil.copy(REPO / "config.yaml", sample.root / "config.yaml")
    readings = {}
    for name, site in (("small", small), ("sample", sample)):
        run = site.build("--offline")
        assert run.code == 0, run.stderr
        for path in PORTALS[name].values():
            assert (site.root / "site" / (path.lstrip("/") or ".")).exists(), path
        with served_folder(site.root / "site") as base:
            readings[name] = run_driver(DRIVER, base, json.dumps(list(PORTALS[name].values())))
    return readings


def screen(seen: dict, portal: str, kind: str, profile: str = "phone") -> dict:
    return seen[portal]["pages"][PORTALS[portal][kind]][profile]


@pytest.mark.parametrize("portal, kind", EVERY_PAGE)
def test_the_page_heading_starts_in_the_top_320_px_of_a_phone(seen: dict, portal: str, kind: str):
    phone = screen(seen, portal, kind)
    assert phone["viewport_width"] == PHONE_WIDTH and phone["viewport_height"] == PHONE_HEIGHT
    assert phone["h1"] is not None, "no <h1> in <main>"
    assert phone["h1"]["top"] <= HEADING_BY, (phone["h1_text"], phone["h1"])


@pytest.mark.parametrize("portal, kind", EVERY_PAGE)
def test_the_111_bar_is_on_the_first_screen(seen: dict, portal: str, kind: str):
    hotline = screen(seen, portal, kind)["hotline"]
    assert hotline and hotline["shown"]
    assert 0 <= hotline["top"] and hotline["bottom"] <= 80  # one slim bar at the very top


@pytest.mark.parametrize("portal, kind", EVERY_PAGE)
def test_no_page_scrolls_sideways_on_a_phone_or_a_small_phone(seen: dict, portal: str, kind: str):
    assert screen(seen, portal, kind)["scroll_width"] <= PHONE_WIDTH
    assert screen(seen, portal, kind, "small")["scroll_width"] <= SMALL_WIDTH


@pytest.mark.parametrize("portal, kind", EVERY_PAGE)
def test_the_search_field_is_on_the_first_screen(seen: dict, portal: str, kind: str):
    search = screen(seen, portal, kind)["search"]
    assert search["shown"] and search["bottom"] <= HEADING_BY
    assert search["right"] - search["left"] >= 120  # room to type a document number


@pytest.mark.parametrize("portal", PORTALS)
def test_the_menu_is_a_button_that_opens_without_javascript_on_a_phone(seen: dict, portal: str):
    menu = seen[portal]["menu"]
    assert menu["summary"] == {"text": "Danh mục", "shown": True}
    assert not menu["phone_closed"]
    assert menu["phone_opened"] and menu["phone_links"] == menu["desktop_links"]


@pytest.mark.parametrize("portal", PORTALS)
def test_the_desktop_shows_the_whole_menu_without_a_click(seen: dict, portal: str):
    menu = seen[portal]["menu"]
    assert menu["desktop"] and not menu["desktop_summary_shown"]
    # home, news, documents, plans and the pages with `menu:`
    assert menu["desktop_links"] == 7


@pytest.mark.parametrize("portal", PORTALS)
def test_the_tab_key_goes_through_the_header_in_reading_order(seen: dict, portal: str):
    # skip link, the 111 call, "English", the portal's title, the menu's button, the search
    assert seen[portal]["menu"]["focus_order"] == [
        "a.skip", "a.hotline-call", "a.", "a.site-title", "summary.", "input.q", "button."]


@pytest.mark.parametrize("portal", PORTALS)
def test_the_document_list_does_not_move_when_its_script_arrives_late(seen: dict, portal: str):
    # The filter form is in the page from the start (it used to appear when documents.js
    # ran and push the list down: CLS 0.15 in Lighthouse).
    assert seen[portal]["late_scripts"]["/van-ban/"] == {"phone": 0, "desktop": 0}


@pytest.mark.parametrize("portal, kind", EVERY_PAGE)
def test_no_page_shifts_while_it_loads_on_a_phone(seen: dict, portal: str, kind: str):
    assert screen(seen, portal, kind)["layout_shift"] <= 0.01


def test_the_menu_button_speaks_the_page_language(tmp_path: Path):
    site = make_site(tmp_path, FILES, CONFIG)
    assert site.build("--offline").code == 0
    assert ">Danh mục</summary>" in site.read("index.html")
    assert ">Menu</summary>" in site.read("about-us/index.html")
