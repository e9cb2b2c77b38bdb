"""The filter form on /van-ban/ in a real headless Chromium: a small built site served on
127.0.0.1, driven by tests/browser/filter.js (playwright-core from Node).

Chromium is Debian's /usr/bin/chromium; playwright-core is installed under
$JUDGES_HOME/node (default /opt/judges) by shared/judges/install.sh. All scenarios run in
one browser launch, once for the run; each test checks one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import made_once, make_site, needs_browser, run_driver, served_folder

DRIVER = Path(__file__).resolve().parent / "browser" / "filter.js"

pytestmark = [needs_browser, pytest.mark.early]


def document(number: str, type: str, title: str, issued: str, issuer: str = "UBND tỉnh Hải Dương") -> str:
    return (f"---\nnumber: {number}\ntype: {type}\ntitle: {title}\nissuer: {issuer}\n"
            f"issued: {issued}\n---\n")


# Titles as the SPEC and the portals write them: a plan's "trích yếu" need not say "Kế hoạch".
DOCUMENTS = {
    "content/documents/606.md": document("606/KH-UBND", "Kế hoạch",
                                         "Thực hiện công tác trẻ em tỉnh Hải Dương năm 2023", "2023-03-07"),
    "content/documents/12.md": document("12/KH-UBND", "Kế hoạch", "Phòng, chống đuối nước trẻ em năm 2024",
                                        "2024-01-15"),
    "content/documents/25.md": document("25/2022/NQ-HĐND", "Nghị quyết",
                                        "Quy định mức hỗ trợ trẻ em có hoàn cảnh đặc biệt", "2022-12-09",
                                        issuer="HĐND tỉnh Hải Dương"),
    "content/documents/45.md": document("45/QĐ-UBND", "Quyết định", "Công nhận xã, phường phù hợp với trẻ em",
                                        "2025-12-20"),
    "content/documents/07.md": document("07/CT-UBND", "Chỉ thị", "Tăng cường bảo vệ trẻ em dịp hè",
                                        "2025-05-20"),
}
PLANS = ["12/KH-UBND", "606/KH-UBND"]

SCENARIOS = [
    {"goto": "/van-ban/"}, {"read": "start"},
    {"fill": "ke hoach"}, {"read": "ke hoach"},
    {"fill": "606"}, {"read": "606"},
    {"fill": "duoi nuoc"}, {"read": "duoi nuoc"},
    {"fill": "hdnd"}, {"read": "hdnd"},
    {"fill": "không có văn bản này"}, {"read": "nothing"},
    {"reset": True}, {"read": "reset"},
    {"select": "loai", "value": "Kế hoạch"}, {"read": "type"},
    {"reset": True},
    {"select": "nam", "value": "2025"}, {"read": "year"},
    {"select": "loai", "value": "Quyết định"}, {"read": "year and type"},
    {"goto": "/van-ban/?q=606"}, {"read": "query in the address"},
    {"goto": "/van-ban/", "javascript": False}, {"read": "without javascript"},
]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    """What the page shows after each scenario step, by the step's `read` label; made
    once for the run (conftest's `made_once`)."""
    return made_once(tmp_path_factory, "filter-browser", build_and_drive)


def build_and_drive(folder: Path) -> dict:
    """The small site, built in `folder`, served on a free port of 127.0.0.1 and driven
    through every scenario in one browser launch."""
    site = make_site(folder, DOCUMENTS)
    run = site.build()
    assert run.code == 0, run.stderr
    with served_folder(site.root / "site") as base:
        return run_driver(DRIVER, base, json.dumps(SCENARIOS), timeout=60)


def numbers(rows: list[dict]) -> list[str]:
    return [row["number"] for row in rows]


def test_form_appears_with_javascript_and_lists_nothing_until_asked(seen: dict):
    start = seen["start"]
    assert start["form"] and start["listing"]
    assert start["results"] == [] and start["count"] == ""
    assert "Bộ lọc cần JavaScript" not in start["text"]
    assert numbers(start["listed"]) == ["45/QĐ-UBND", "07/CT-UBND"]  # per_page 2, newest first


def test_typing_a_number_shows_that_document_and_hides_the_listing(seen: dict):
    found = seen["606"]
    assert numbers(found["results"]) == ["606/KH-UBND"]
    assert found["results"][0]["href"] == "/van-ban/606-kh-ubnd/"
    assert found["count"] == "1 văn bản phù hợp"
    assert not found["listing"]
    assert found["url"].endswith("/van-ban/?q=606")  # the address can be shared


@pytest.mark.parametrize("words, expected", [
    ("duoi nuoc", ["12/KH-UBND"]),  # "đuối nước" without marks
    ("hdnd", ["25/2022/NQ-HĐND"]),  # "Đ" typed as "d"
])
def test_words_without_diacritics_find_titles_and_numbers_with_them(seen: dict, words: str, expected: list):
    assert numbers(seen[words]["results"]) == expected
    assert seen[words]["count"] == f"{len(expected)} văn bản phù hợp"


def test_typing_ke_hoach_without_diacritics_shows_only_the_plans(seen: dict):
    assert numbers(seen["ke hoach"]["results"]) == PLANS


def test_no_match_says_so(seen: dict):
    assert seen["nothing"]["results"] == []
    assert seen["nothing"]["count"] == "Không có văn bản phù hợp."
    assert not seen["nothing"]["listing"]


@pytest.mark.parametrize("step, expected", [
    ("type", PLANS),
    ("year", ["45/QĐ-UBND", "07/CT-UBND"]),
    ("year and type", ["45/QĐ-UBND"]),
])
def test_choosing_a_type_or_a_year_filters(seen: dict, step: str, expected: list):
    assert numbers(seen[step]["results"]) == expected
    assert not seen[step]["listing"]


def test_reset_brings_the_static_listing_back(seen: dict):
    reset = seen["reset"]
    assert reset["listing"] and reset["results"] == [] and reset["count"] == ""
    assert reset["words"] == ""
    assert numbers(reset["listed"]) == ["45/QĐ-UBND", "07/CT-UBND"]
    assert reset["url"].endswith("/van-ban/")


def test_query_in_the_address_fills_the_form_and_filters(seen: dict):
    shared = seen["query in the address"]
    assert shared["words"] == "606"
    assert numbers(shared["results"]) == ["606/KH-UBND"]
    assert not shared["listing"]


def test_without_javascript_the_form_stays_hidden_and_the_listings_do_the_job(seen: dict):
    plain = seen["without javascript"]
    assert not plain["form"]
    assert "Bộ lọc cần JavaScript" in plain["text"]  # and says why
    assert plain["listing"]
    assert numbers(plain["listed"]) == ["45/QĐ-UBND", "07/CT-UBND"]
    # by type (4), by year (4), by issuer (2), plans and all documents
    assert plain["browse"] >= 10
