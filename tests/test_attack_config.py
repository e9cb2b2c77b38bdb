"""Attacks through config.yaml and YAML itself (issue 10, items 5, 6, 9 and 12).

Config is code, but it is still edited by hand and merged from requests: a link that
runs script, a section address that climbs out of site/, characters that make a feed
invalid XML, or aliases that expand a billion times must give the editor a message
with the file and line, and leave the published site alone.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import (MINIMAL_CONFIG, SMALL_SITE, SiteDir, assert_refused, copy_site, make_site, news,
                      run_cli)
from portal.yamlload import MAX_DEPTH, error_key, error_line, key_lines, load_yaml, strip_unwanted

CONFIG_LINES = MINIMAL_CONFIG.count("\n")  # what we append starts on the next line
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
LAUGHS = "\n".join(
    ["extra:", '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"  {name}: &{name} [{', '.join(['*' + prev] * 9)}]"
       for prev, name in zip("abcdefgh", "bcdefghi")]) + "\n"  # 9**9 values once expanded


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> SiteDir:
    site = make_site(tmp_path_factory.mktemp("built"), SMALL_SITE)
    assert build(site).code == 0
    return site


@pytest.fixture
def portal(built_once: SiteDir, tmp_path: Path) -> SiteDir:
    """The small site, built (a copy of its own for each test): a refused build must
    leave this site/ as it is."""
    return copy_site(built_once, tmp_path)


def build(site: SiteDir):
    return run_cli("build", "--source", str(site.root), "--quiet")


def refuse_config(site: SiteDir, appended: str, *, says: tuple[str, ...] = (),
                  line: int | None = None):
    """Append `appended` to the config, build, and check the build was refused as an
    editor should see it, with the site left as it was."""
    before = site.tree_digest()
    site.write("config.yaml", MINIMAL_CONFIG + appended)
    run = build(site)
    where = f"config.yaml:{line}:" if line else "config.yaml"
    assert_refused(run, codes=(1,), names=(where,), says=says)
    assert site.tree_digest() == before
    return run


# --- item 5: links in config ---------------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\\tscript:alert(1)",  # a YAML escape: a real tab, which browsers drop
    "java\\0script:alert(1)",  # a NUL, stripped on loading: still javascript:
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
])
def test_config_link_that_is_not_a_plain_address_is_refused(portal: SiteDir, url: str):
    links = ('links:\n  - title: Good\n    url: https://chinhphu.vn\n'
             f'  - title: Bad\n    url: "{url}"\n')
    refuse_config(portal, links, says=("links.1.url", "https://"), line=CONFIG_LINES + 5)


def test_favicon_on_another_host_is_refused(portal: SiteDir):
    refuse_config(portal, 'favicon: "//evil.example/x.svg"\n', says=("favicon",),
                  line=CONFIG_LINES + 1)


def test_safe_config_links_are_published(portal: SiteDir):
    portal.write("config.yaml", MINIMAL_CONFIG + "links:\n"
                 "  - {title: Chính phủ, url: https://chinhphu.vn}\n"
                 "  - {title: Thư, url: 'mailto:a@example.gov.vn'}\n"
                 "  - {title: Gọi, url: 'tel:111'}\n"
                 "  - {title: Giới thiệu, url: /gioi-thieu/}\n")
    assert build(portal).code == 0
    home = portal.read("index.html")
    for url in ("https://chinhphu.vn", "mailto:a@example.gov.vn", "tel:111", "/gioi-thieu/"):
        assert f'href="{url}"' in home


# --- item 6: section addresses ---------------------------------------------------------

@pytest.mark.parametrize("urls, field, write", [
    ('  news: "../../escape"\n', "urls.news", "news: escape"),
    ('  news: ""\n', "urls.news", "news: tin-tuc"),
    ("  news: /abs\n", "urls.news", "news: abs"),
    ('  plans: "."\n', "urls.plans", "plans: ke-hoach"),
    ("  news: van-ban\n", "urls.news", "news: tin-tuc"),  # documents keeps van-ban
    ('  page: "../x"\n', "urls.page", "page: x"),
    ("  page: loai\n", "urls.page", "page: trang"),  # van-ban/loai/ is the document types
    ("  news: Tin Tức\n", "urls.news", "news: tin-tuc"),
    ("  news: api\n", "urls.news", "news: tin-tuc"),
    ("  news: tim-kiem\n", "urls.news", "news: tin-tuc"),
])
def test_section_address_must_be_one_slug_of_its_own(portal: SiteDir, urls: str, field: str,
                                                     write: str):
    refuse_config(portal, "urls:\n" + urls, says=(field, write), line=CONFIG_LINES + 2)


def test_two_sections_with_one_address_name_the_second_line(portal: SiteDir):
    run = refuse_config(portal, "urls:\n  news: x\n  tag: x\n",
                        says=("urls.tag", "urls.news", "tag: the"), line=CONFIG_LINES + 3)
    assert "urls.news:" not in run.stderr  # the first one is fine


def test_every_bad_address_is_reported_in_one_run(portal: SiteDir):
    run = refuse_config(portal, 'urls:\n  news: "../a"\n  category: ""\n  tag: /b\n  plans: "."\n')
    fields = ("urls.news", "urls.category", "urls.tag", "urls.plans")
    for offset, field in enumerate(fields, start=2):
        assert f"config.yaml:{CONFIG_LINES + offset}: {field}:" in run.stderr


def test_sections_may_swap_their_addresses(portal: SiteDir):
    portal.write("config.yaml", MINIMAL_CONFIG + "urls:\n  news: van-ban\n  documents: tin-tuc\n"
                 "  category: muc\n  page: p\n")
    assert build(portal).code == 0
    assert "Dạy bơi an toàn cho trẻ em" in portal.read("van-ban/index.html")
    assert portal.exists("van-ban/p/2/index.html")  # three news, two a page
    assert portal.exists("tin-tuc/chi-muc.json")  # the documents' filter index
    assert portal.exists("muc/bao-ve-cham-soc-tre-em/index.html")


# --- item 9: control characters from YAML escapes ------------------------------------------

DIRTY = "\\0\\x01\\x1b\\x7f\\x85\\x9f\\uFFFE\\uFFFF\\uFDD0\\U0001FFFE\\U0010FFFF"


def test_control_characters_are_stripped_from_config_and_front_matter(tmp_path: Path):
    config = MINIMAL_CONFIG.replace("title: Cổng thông tin thử nghiệm",
                                    f'title: "Cổng{DIRTY}Sạch"')
    config += f'description: "Mô{DIRTY}tả"\nextra:\n  "khoá{DIRTY}": "giá{DIRTY}trị"\n'
    files = dict(SMALL_SITE)
    files["content/news/2024/ban.md"] = news(
        f'"Tin{DIRTY}Bẩn"', category=f'"Chuyên{DIRTY}Mục"',
        tags=f'["Thẻ{DIRTY}Lạ", bình thường]',
        summary=f'"Tóm{DIRTY}Tắt a\\tb"', body="Nội dung.")
    site = make_site(tmp_path, files, config=config)
    run = build(site)
    assert run.code == 0, run.stderr
    texts = {path: path.read_text(encoding="utf-8") for path in (site.root / "site").rglob("*")
             if path.suffix in (".html", ".xml", ".json", ".txt", ".js") and path.is_file()}
    for path, text in texts.items():
        assert not UNWANTED.search(text), path
    home = site.read("index.html")
    assert "CổngSạch" in home and "TinBẩn" in home
    feeds = [path for path in texts if path.name == "feed.xml"]
    assert len(feeds) >= 2  # the site's feed and the category feeds
    for feed in feeds:
        ET.parse(feed)  # well-formed XML
    entry = ET.parse(site.root / "site" / "feed.xml").getroot()
    words = " ".join(entry.itertext())
    assert "TinBẩn" in words and "TómTắt" in words and "CổngSạch" in words
    assert site.exists("chuyen-muc/chuyenmuc/feed.xml") and site.exists("the/thela/index.html")
    categories = entry.iter("{http://www.w3.org/2005/Atom}category")
    assert any(term.get("label") == "ChuyênMục" for term in categories)


def test_lone_surrogate_escape_is_an_error_with_its_line(portal: SiteDir):
    """libyaml refuses `\\ud800` itself: a syntax error with the line, never a crash."""
    refuse_config(portal, 'description: "a \\ud800 b"\n', line=CONFIG_LINES + 1)


def test_strip_keeps_text_and_layout():
    assert strip_unwanted("a\tb\nc\r\nđ😀\u2028") == "a\tb\nc\r\nđ😀\u2028"
    assert strip_unwanted("a\x00\x1b\x7f\x85\ud800\udfff\ufffe\ufdd0\U0001fffe\U0010ffffb") == "ab"
    assert load_yaml('"k\\0ey": [{"v\\x1b": "\\x00x"}]') == {"key": [{"v": "x"}]}


# --- item 12: aliases that expand without bound ---------------------------------------------

def test_billion_laughs_in_config_fails_fast_with_its_line(portal: SiteDir):
    started = time.perf_counter()
    run = refuse_config(portal, LAUGHS, says=("extra.i",), line=CONFIG_LINES + 10)
    assert time.perf_counter() - started < 5
    assert "MemoryError" not in run.stderr


def test_billion_laughs_in_front_matter_fails_fast_with_its_line(portal: SiteDir):
    before = portal.tree_digest()
    portal.write("content/news/2024/cuoi.md", "---\ntitle: Cười\ndate: 2024-04-12\ncategory: X\n"
                 + LAUGHS + "---\nNội dung.\n")
    started = time.perf_counter()
    run = build(portal)
    assert time.perf_counter() - started < 5
    assert_refused(run, codes=(1,), names=("content/news/2024/cuoi.md:14",))
    assert "MemoryError" not in run.stderr
    assert portal.tree_digest() == before


@pytest.mark.parametrize("text", ["r: &r [1, *r]", "m: &m {k: *m}"])
def test_alias_inside_its_own_anchor_is_refused(text: str):
    with pytest.raises(yaml.YAMLError) as refused:
        load_yaml(text)
    assert error_key(refused.value, text) == "yaml_aliases" and error_line(refused.value) == 1


def test_recursive_alias_in_config_is_an_error(portal: SiteDir):
    refuse_config(portal, "extra:\n  me: &me [1, *me]\n", line=CONFIG_LINES + 2)


def test_a_few_aliases_still_load(portal: SiteDir):
    portal.write("config.yaml", MINIMAL_CONFIG + "extra:\n  base: &base {colour: xanh, size: 2}\n"
                 "  copy: *base\n  merged: {<<: *base, size: 3}\n  list: [*base, *base]\n")
    assert build(portal).code == 0
    data = load_yaml((portal.root / "config.yaml").read_text(encoding="utf-8"))
    assert data["extra"]["merged"] == {"colour": "xanh", "size": 3}


def test_key_lines_does_not_follow_aliases():
    started = time.perf_counter()
    lines = key_lines("title: x\n" + LAUGHS)
    assert time.perf_counter() - started < 1
    assert lines[("extra", "i")] == 11 and len(lines) < 200


@pytest.mark.parametrize("where", ["config", "front matter"])
def test_nesting_too_deep_is_an_error_not_a_crash(portal: SiteDir, where: str):
    """libyaml's composer recurses in C: 100,000 brackets crashed the interpreter."""
    deep = "x: " + "[" * 100_000 + "]" * 100_000 + "\n"
    before = portal.tree_digest()
    if where == "config":
        portal.write("config.yaml", MINIMAL_CONFIG + "extra:\n  " + deep)
        name = f"config.yaml:{CONFIG_LINES + 2}"
    else:
        portal.write("content/news/2024/sau.md", "---\ntitle: Sâu\n" + deep + "---\nx\n")
        name = "content/news/2024/sau.md:3"
    run = portal.build(cli_process=True)  # a crash must not take the test run with it
    assert_refused(run, codes=(1,), names=(name,))
    assert portal.tree_digest() == before


def test_nesting_up_to_the_limit_loads():
    depth = MAX_DEPTH - 1
    assert load_yaml("[" * depth + "]" * depth) is not None


# --- found by trying, after the items above ----------------------------------------------

@pytest.mark.parametrize("base_url", [
    "'https://x.example/\"><script>alert(1)</script>/'",
    "'https://x.example/a b/'",
    "'https://x.example/?q=1'",
    "'https://bad host/'",
])
def test_a_base_url_that_would_change_the_markup_is_refused(portal: SiteDir, base_url: str):
    config = MINIMAL_CONFIG.replace("base_url: https://example.gov.vn/", f"base_url: {base_url}")
    before = portal.tree_digest()
    portal.write("config.yaml", config)

    run = build(portal)

    assert_refused(run, codes=(1,), names=("config.yaml:2:",), says=("base_url",))
    assert portal.tree_digest() == before


def test_a_config_that_is_not_utf8_is_an_error_with_its_line(portal: SiteDir):
    before = portal.tree_digest()
    portal.write("config.yaml", MINIMAL_CONFIG.encode("utf-8") + b"extra:\n  x: \xff\xfe\n")

    run = build(portal)

    assert_refused(run, codes=(1,), names=("config.yaml:9:",), says=("UTF-8",))
    assert portal.tree_digest() == before


def test_a_sub_path_is_escaped_where_body_links_are_rebased():
    from portal.urls import rebase

    assert rebase('<a href="/x/">x</a>', '/a"b/') == '<a href="/a&quot;b/x/">x</a>'
