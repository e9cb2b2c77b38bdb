"""What a build prints for people: one closing line in the portal's language, with
numbers written the way that language writes them; nothing with --quiet; the time of
each stage with --verbose."""

from __future__ import annotations

import re

import pytest

from conftest import MINIMAL_CONFIG, SMALL_SITE, make_site
from portal.locale import load_locale


@pytest.mark.parametrize("language, line", [
    ("vi", "Đã tạo 1.234 trang trong 3,2 s (1.180 dùng lại từ bộ nhớ đệm)"),
    ("en", "Built 1,234 pages in 3.2 s (1,180 reused from the cache)"),
])
def test_the_summary_line_writes_numbers_as_the_language_does(language: str, line: str):
    assert load_locale(language).say("summary", pages=1234, seconds=3.2, reused=1180) == line


def test_a_build_ends_with_the_summary_in_the_config_language(tmp_path):
    site = make_site(tmp_path, SMALL_SITE, config=MINIMAL_CONFIG + "language: en\n")

    first, second = site.build(quiet=False), site.build(quiet=False)

    assert first.code == second.code == 0
    assert re.fullmatch(r"Built (\d+) pages in [\d.]+ s \(0 reused from the cache\)\n", first.stdout)
    pages = first.stdout.split()[1]
    assert re.fullmatch(rf"Built {pages} pages in [\d.]+ s \({pages} reused from the cache\)\n",
                        second.stdout)


def test_quiet_prints_nothing_and_verbose_prints_each_stage(tmp_path):
    site = make_site(tmp_path, SMALL_SITE)

    quiet, verbose = site.build("--quiet"), site.build("--verbose", quiet=False)

    assert quiet.code == verbose.code == 0
    assert quiet.stdout == ""
    stages = verbose.stdout.splitlines()[:-1]
    assert any(line.split()[0] == "markdown" for line in stages)
    assert all(re.search(r"\d+\.\d{3} s$", line) for line in stages)
    assert verbose.stdout.splitlines()[-1].startswith("Đã tạo ")
