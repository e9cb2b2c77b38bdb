"""Visitor statistics, the "Lượt xem" box and trust badges (issue 13, section 5).

`analytics:` names a real service the office runs or chose (GoatCounter, Matomo,
Plausible, Umami): each page loads that service's own script from its origin, configured
by data- attributes (no inline script), and the security policy allows that one origin to
give scripts and take counts. With nothing configured: no script, no policy change,
nothing on the page. The counter box shows GoatCounter's public counts, fetched in the
browser, and nothing at all when they do not come. `badges:` go in the footer.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
from pathlib import Path

import pytest

from conftest import (MINIMAL_CONFIG, SMALL_SITE, SiteDir, assert_refused, copy_site, made_once, make_site,
                      needs_browser, run_driver, served_folder)

DRIVER = Path(__file__).resolve().parent / "browser" / "counter_box.js"
UUID = "94db1cb1-74f4-4a40-ad6c-962362670409"
GOAT = "https://treem-thu.goatcounter.com"


def png(width: int = 120, height: int = 48) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def policy_of(page: str) -> dict[str, list[str]]:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    return {name: sources for name, *sources in
            (part.split() for part in html.unescape(meta).split(";") if part.strip())}


def header_policy(site: SiteDir) -> dict[str, list[str]]:
    line = next(line for line in site.read("_headers").splitlines()
                if line.strip().startswith("Content-Security-Policy:"))
    return {name: sources for name, *sources in
            (part.split() for part in line.split(":", 1)[1].split(";"))}


def scripts_of(page: str) -> list[dict[str, str]]:
    """The attributes of each script a page runs (not its JSON data blocks)."""
    tags = [dict(re.findall(r'([a-z-]+)(?:="([^"]*)")?', tag)) for tag in re.findall(r"<script ([^>]*)>", page)]
    return [tag for tag in tags if "src" in tag]


def build(tmp_path: Path, config: str, files: dict | None = None) -> SiteDir:
    site = make_site(tmp_path, {**SMALL_SITE, **(files or {})}, MINIMAL_CONFIG + config)
    run = site.build("--offline")
    assert run.code == 0, run.stderr
    return site


# --- each provider ---------------------------------------------------------------------------

PROVIDERS = {
    "goatcounter": ("analytics:\n  provider: goatcounter\n  code: treem-thu\n", GOAT,
                    {"src": f"{GOAT}/count.js", "data-goatcounter": f"{GOAT}/count"}, True),
    "goatcounter self-hosted": ("analytics:\n  provider: goatcounter\n  url: https://thongke.example.gov.vn/\n",
                                "https://thongke.example.gov.vn",
                                {"src": "https://thongke.example.gov.vn/count.js",
                                 "data-goatcounter": "https://thongke.example.gov.vn/count"}, True),
    "matomo": ("analytics:\n  provider: matomo\n  url: https://example.gov.vn/matomo/\n  site_id: 3\n",
               "https://example.gov.vn", {"src": "https://example.gov.vn/matomo/matomo.js"}, True),
    "plausible": ("analytics:\n  provider: plausible\n  domain: treem.example.gov.vn\n", "https://plausible.io",
                  {"src": "https://plausible.io/js/script.js", "data-domain": "treem.example.gov.vn"}, False),
    "plausible self-hosted": ("analytics:\n  provider: plausible\n  domain: treem.example.gov.vn\n"
                              "  script: https://plausible.example.gov.vn:8443/js/script.js\n",
                              "https://plausible.example.gov.vn:8443",
                              {"src": "https://plausible.example.gov.vn:8443/js/script.js"}, False),
    "umami": (f"analytics:\n  provider: umami\n  url: https://cloud.umami.is\n  website_id: {UUID}\n",
              "https://cloud.umami.is", {"src": "https://cloud.umami.is/script.js",
                                         "data-website-id": UUID,
                                         "data-host-url": "https://cloud.umami.is"}, False),
}


@pytest.mark.parametrize("name", PROVIDERS)
def test_each_service_loads_its_own_script_and_the_policy_allows_only_its_origin(tmp_path: Path, name: str):
    config, origin, attributes, pixel = PROVIDERS[name]
    site = build(tmp_path, config)
    for page in ("index.html", "tin-tuc/index.html", "gioi-thieu/index.html"):
        text = site.read(page)
        foreign = [s for s in scripts_of(text) if not s["src"].startswith("/")]
        assert len(foreign) == 1, (page, foreign)
        assert attributes.items() <= foreign[0].items(), foreign[0]
        policy = policy_of(text)
        assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'", origin]
        assert policy["connect-src"] == ["'self'", origin]
        assert policy["img-src"] == ["'self'", "https:", *([origin] if pixel else [])]
    header = header_policy(site)
    assert header["script-src"] == policy["script-src"] and header["connect-src"] == policy["connect-src"]


def test_matomo_is_configured_by_a_site_script_before_its_own(tmp_path: Path):
    site = build(tmp_path, PROVIDERS["matomo"][0])
    scripts = scripts_of(site.read("index.html"))
    setup = next(i for i, s in enumerate(scripts) if s["src"].startswith("/assets/analytics."))
    assert scripts[setup]["data-matomo"] == "https://example.gov.vn/matomo/"
    assert scripts[setup]["data-site-id"] == "3"
    assert scripts[setup + 1]["src"] == "https://example.gov.vn/matomo/matomo.js"
    assert "defer" in scripts[setup] and "defer" in scripts[setup + 1]  # so they run in order
    setup_js = site.read(scripts[setup]["src"].lstrip("/"))
    assert "setSiteId" in setup_js and "trackPageView" in setup_js


def test_nothing_configured_means_no_script_no_policy_change_nothing_on_the_page(site: SiteDir):
    assert site.build("--offline").code == 0
    page = site.read("index.html")
    assert all(s["src"].startswith("/assets/") for s in scripts_of(page))
    policy = policy_of(page)
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"] and policy["connect-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "https:"]
    assert "box-counter" not in page and "badges" not in page and "/assets/analytics." not in page
    assert header_policy(site)["script-src"] == policy["script-src"]


# --- the counter box -------------------------------------------------------------------------

COUNTER = "analytics:\n  provider: goatcounter\n  code: treem-thu\n  counter: true\n"


def test_the_counter_box_is_in_the_sidebar_hidden_and_empty_until_counts_come(tmp_path: Path):
    site = build(tmp_path, COUNTER)
    for page in ("index.html", "tin-tuc/index.html"):
        text = site.read(page)
        box = re.search(r'<section class="box box-counter"[^>]*>.*?</section>', text, re.S).group(0)
        assert f'data-counter="{GOAT}"' in box and " hidden>" in box.split("\n")[0]
        assert not re.search(r"\d", re.sub(r"<[^>]+>", "", box)), "no number is written in"


def test_no_counter_box_without_counter_true(tmp_path: Path):
    site = build(tmp_path, PROVIDERS["goatcounter"][0])
    assert "box-counter" not in site.read("index.html")


@pytest.fixture(scope="module")
def counted(tmp_path_factory) -> dict:
    return made_once(tmp_path_factory, "counter-browser", build_and_drive)


COUNTS = {"/tin-tuc/": [200, json.dumps({"count": "1,234"})], "TOTAL": [200, json.dumps({"count": "56 789"})]}
CASES = {
    "counted": (COUNTS, ""),
    "failing": ({"/tin-tuc/": [500, "oops"], "TOTAL": [503, "busy"]}, ""),
    "page unknown": ({"TOTAL": [200, json.dumps({"count": "56 789"})]}, ""),
    "junk": ({"/tin-tuc/": [200, json.dumps({"count": "<img src=x onerror=alert(1)>"})],
              "TOTAL": [200, "not json"]}, ""),
    "no javascript": (COUNTS, "nojs"),
}


def build_and_drive(folder: Path) -> dict:
    site = make_site(folder, SMALL_SITE, MINIMAL_CONFIG + COUNTER)
    assert site.build("--offline").code == 0
    with served_folder(site.root / "site") as base:
        return {name: run_driver(DRIVER, base + "tin-tuc/", json.dumps(answers), mode, timeout=60)
                for name, (answers, mode) in CASES.items()}

@needs_browser
def test_the_box_shows_the_counts_goatcounter_gives(counted: dict):
    reading = counted["counted"]
    assert reading["box"]["hidden"] is False and reading["box"]["visible"] is True
    rows = reading["box"]["rows"]
    assert rows["page"] == {"hidden": False, "text": "Trang này\n1.234"}
    assert rows["total"] == {"hidden": False, "text": "Toàn cổng\n56.789"}
    assert sorted(reading["requests"]) == sorted([f"{GOAT}/count.js", f"{GOAT}/counter/%2Ftin-tuc%2F.json",
                                                  f"{GOAT}/counter/TOTAL.json"])


@needs_browser
def test_a_count_that_does_not_come_is_not_shown(counted: dict):
    assert counted["failing"]["box"]["hidden"] is True
    assert counted["junk"]["box"]["hidden"] is True
    partial = counted["page unknown"]["box"]
    assert partial["hidden"] is False and partial["rows"]["page"]["hidden"] is True
    assert partial["rows"]["total"]["text"] == "Toàn cổng\n56.789"


@needs_browser
def test_without_javascript_the_box_shows_nothing_and_nothing_is_asked(counted: dict):
    reading = counted["no javascript"]
    assert reading["box"]["visible"] is False and reading["requests"] == []


# --- badges ----------------------------------------------------------------------------------

BADGES = """\
badges:
  - image: /media/tin-nhiem-mang.png
    alt: Chứng nhận Tín nhiệm mạng
    url: https://tinnhiemmang.vn/danh-ba-tin-nhiem/treem-example-gov-vn-1234
  - {image: /media/iso.png, alt: ISO 27001}
"""


def test_badges_are_in_every_pages_footer(tmp_path: Path):
    site = build(tmp_path, BADGES, {"static/media/tin-nhiem-mang.png": png(), "static/media/iso.png": png(48, 48)})
    for page in ("index.html", "gioi-thieu/index.html", "404.html"):
        footer = site.read(page).split('<footer class="site-footer">', 1)[1]
        badges = re.search(r'<ul class="badges"[^>]*>(.*?)</ul>', footer, re.S).group(1)
        assert ('<a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem/treem-example-gov-vn-1234">'
                '<img src="/media/tin-nhiem-mang.png" alt="Chứng nhận Tín nhiệm mạng"') in badges
        assert '<li><img src="/media/iso.png" alt="ISO 27001"' in badges
    assert site.exists("media/tin-nhiem-mang.png")


# --- bad config ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("analytics"), {**SMALL_SITE, "static/media/badge.png": png()})
    assert site.build("--offline").code == 0
    return site


@pytest.mark.parametrize("config, where, says", [
    ("analytics:\n  provider: statcounter\n", "config.yaml:9: analytics.provider:", "goatcounter, matomo, plausible, umami"),
    ("analytics:\n  code: treem\n", "config.yaml:8: analytics.provider:", "thiếu trường bắt buộc"),
    ("analytics:\n  provider: goatcounter\n", "config.yaml:8: analytics.code:", "code: treem-example"),
    ("analytics:\n  provider: goatcounter\n  code: Trẻ Em\n", "config.yaml:10: analytics.code:", "chữ thường"),
    ("analytics:\n  provider: goatcounter\n  code: treem\n  url: https://gc.example.gov.vn/\n",
     "config.yaml:11: analytics.url:", "chỉ ghi một trong hai"),
    ("analytics:\n  provider: matomo\n  url: http://stats.example.gov.vn/\n  site_id: 3\n",
     "config.yaml:10: analytics.url:", "https://"),
    ("analytics:\n  provider: matomo\n  url: 'https://stats.example.gov.vn/\"onload=\"x'\n  site_id: 3\n",
     "config.yaml:10: analytics.url:", "https://"),
    ("analytics:\n  provider: matomo\n  url: javascript:alert(1)\n  site_id: 3\n",
     "config.yaml:10: analytics.url:", "https://"),
    ("analytics:\n  provider: matomo\n  url: https://stats.example.gov.vn/\n", "config.yaml:8: analytics.site_id:",
     "site_id: 3"),
    ("analytics:\n  provider: matomo\n  url: https://stats.example.gov.vn/\n  site_id: 3; evil\n",
     "config.yaml:11: analytics.site_id:", "Matomo"),
    ("analytics:\n  provider: plausible\n  domain: https://treem.example.gov.vn/\n",
     "config.yaml:10: analytics.domain:", "không có https://"),
    ("analytics:\n  provider: plausible\n  domain: treem.example.gov.vn\n  counter: true\n",
     "config.yaml:11: analytics.counter:", "không dùng cho dịch vụ plausible"),
    (f"analytics:\n  provider: umami\n  url: https://cloud.umami.is\n  website_id: {UUID}x\n",
     "config.yaml:11: analytics.website_id:", "8-4-4-4-12"),
    ("badges:\n  - {image: /media/khong-co.png, alt: Tín nhiệm mạng}\n", "config.yaml:9: badges.0.image:",
     "không có tệp static/media/khong-co.png"),
    ("badges:\n  - {image: /media/badge.png, alt: Tín nhiệm mạng, url: 'http://tinnhiemmang.vn/'}\n",
     "config.yaml:9: badges.0.url:", "https://"),
    ("badges:\n  - {image: /media/badge.png, alt: Tín nhiệm mạng, url: 'javascript:alert(1)'}\n",
     "config.yaml:9: badges.0.url:", "https://"),
    ("badges:\n  - {image: /media/badge.png, alt: ' '}\n", "config.yaml:9: badges.0.alt:", "không được để trống"),
    ("badges:\n  - {image: /media/badge.png}\n", "config.yaml:9: badges.0.alt:", "thiếu trường bắt buộc"),
])
def test_a_bad_setting_is_refused_with_its_line_and_the_site_untouched(built_once: SiteDir, tmp_path: Path,
                                                                        config: str, where: str, says: str):
    site = copy_site(built_once, tmp_path)
    before = site.tree_digest()
    site.write("config.yaml", MINIMAL_CONFIG + config)
    run = site.build("--offline")
    assert_refused(run, codes=(1,), names=(where,), says=(says,))
    assert site.tree_digest() == before


def test_a_badge_that_links_out_of_the_portal_is_refused(built_once: SiteDir, tmp_path: Path):
    site = copy_site(built_once, tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    os.symlink(secret, site.root / "static" / "media" / "ngoai.png")
    before = site.tree_digest()
    site.write("config.yaml", MINIMAL_CONFIG + "badges:\n  - {image: /media/ngoai.png, alt: Ngoài}\n")
    run = site.build("--offline")
    assert_refused(run, codes=(1,), names=("config.yaml:9: badges.0.image:",), says=("liên kết (symlink)",))
    assert site.tree_digest() == before
