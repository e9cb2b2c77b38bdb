"""English pages for the agency's basic information (issue 13, section 3): `lang: en`,
`translation_of:`, the header's link to the other language and hreflang alternates."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MINIMAL_CONFIG, SMALL_SITE, make_site, news

CONFIG = MINIMAL_CONFIG.replace("  name: Cơ quan thử nghiệm\n",
                                "  name: Cơ quan thử nghiệm\n  name_en: Test Agency\n"
                                "  phone: 0230.3.000.000\n  address: Số 1 đường A\n")
ABOUT = "content/pages/gioi-thieu.md"
ENGLISH = """---
title: About us
slug: about-us
lang: en
translation_of: gioi-thieu
show_organization: true
---
The agency in English.
"""


def english_site(tmp_path: Path, **extra: str):
    return make_site(tmp_path, {**SMALL_SITE, "content/pages/about-us.md": ENGLISH, **extra}, config=CONFIG)


def switch(html: str) -> tuple[str, str] | None:
    """The header's link to the other language: (href, text)."""
    found = re.search(r'<p class="language-switch"><a href="([^"]*)"[^>]*>([^<]*)</a>', html)
    return found.groups() if found else None


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_an_english_page_speaks_english_and_links_back(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    html = site.read("about-us/index.html")
    assert '<html lang="en">' in html
    assert switch(html) == ("/gioi-thieu/", "Tiếng Việt")
    assert ">Home<" in html and ">Trang chủ<" not in html  # the English words, the menu included
    assert "Test Agency" in html and "0230.3.000.000" in html  # the agency's facts from config
    assert 'content="en_US"' in html


def test_every_vietnamese_page_links_to_the_english_one(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    for rel in ("index.html", "tin-tuc/index.html", "gioi-thieu/index.html",
                "tin-tuc/day-boi-an-toan-cho-tre-em/index.html"):
        html = site.read(rel)
        assert '<html lang="vi">' in html, rel
        assert switch(html) == ("/about-us/", "English"), rel


def test_hreflang_only_where_a_page_has_its_translation(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    expected = {"vi": "https://example.gov.vn/gioi-thieu/", "en": "https://example.gov.vn/about-us/",
                "x-default": "https://example.gov.vn/gioi-thieu/"}
    assert alternates(site.read("gioi-thieu/index.html")) == expected
    assert alternates(site.read("about-us/index.html")) == expected
    assert alternates(site.read("tin-tuc/index.html")) == {}


def test_english_sidebar_and_footer_are_rendered_in_english(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    english, vietnamese = site.read("about-us/index.html"), site.read("gioi-thieu/index.html")
    footer = re.compile(r"<footer.*?</footer>", re.S)
    assert footer.search(english).group() != footer.search(vietnamese).group()


def test_a_portal_without_english_pages_shows_no_language_link(site):
    assert site.build().code == 0
    html = site.read("index.html")
    assert switch(html) is None and 'hreflang="' not in html


def test_a_news_item_in_english_is_an_english_page(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/2024/en.md": news("Training in water safety", lang="en")})
    assert site.build().code == 0
    html = site.read("tin-tuc/training-in-water-safety/index.html")
    assert '<html lang="en">' in html and '"inLanguage": "en"' in html


def refused(site, *says: str) -> None:
    before = site.tree_digest()
    run = site.build()
    assert run.code != 0 and "Traceback" not in run.stderr, run.stderr
    for text in says:
        assert text in run.stderr, (text, run.stderr)
    assert site.tree_digest() == before, "a refused build leaves the published site alone"


def test_a_translation_of_no_page_is_refused_with_its_line(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    site.write("content/pages/about-us.md", ENGLISH.replace("translation_of: gioi-thieu",
                                                            "translation_of: gioi-thieu-cu"))
    refused(site, "content/pages/about-us.md:5: translation_of:", "gioi-thieu-cu",
            "translation_of: gioi-thieu")


def test_a_translation_of_an_english_page_is_refused(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    site.write("content/pages/contact.md", ENGLISH.replace("slug: about-us", "slug: contact")
               .replace("translation_of: gioi-thieu", "translation_of: about-us"))
    refused(site, "content/pages/contact.md:5: translation_of:", "about-us")


def test_a_second_translation_of_a_page_is_refused(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    site.write("content/pages/contact.md", ENGLISH.replace("slug: about-us", "slug: contact"))
    refused(site, "content/pages/contact.md:5: translation_of:", "/about-us/")


def test_an_unknown_language_is_refused_with_the_choices(tmp_path: Path):
    site = english_site(tmp_path)
    assert site.build().code == 0
    site.write("content/pages/about-us.md", ENGLISH.replace("lang: en", "lang: fr"))
    refused(site, "content/pages/about-us.md:4: lang:", "fr", "en")
