"""Search on the sample portal in a real headless Chromium: the repository's own portal is
built into a temp folder, served on 127.0.0.1 and driven by tests/browser/search.js
(playwright-core from Node), all scenarios in one browser launch.

What the right pages are is worked out here from the built pages' own text (the region
Pagefind indexes), independently of the search page's code: a query with marks finds the
pages that hold it as written, one without marks the pages that hold it with any marks.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import REPO, made_once, needs_browser, run_cli, run_driver, served_folder

DRIVER = Path(__file__).resolve().parent / "browser" / "search.js"

pytestmark = [needs_browser, pytest.mark.early]

QUERIES = ["bảo vệ trẻ em", "bao ve tre em", "đuối nước", "duoi nuoc", "bình đẳng giới",
           "binh dang gioi", "606/KH-UBND", "kh-ubnd 606", "606", "111", "bình đẳ", "xylophonema"]
SCENARIOS = [{"goto": "/tin-tuc/"}, {"read": "news list"},
             {"goto": "/tim-kiem/"}, {"read": "empty search page"},
             {"header": "duoi nuoc"}, {"read": "from the header"}]
for query in QUERIES:
    SCENARIOS += [{"search": query}, {"more": True}, {"read": query}]
SCENARIOS += [
    {"search": "trẻ em"}, {"select": "loai", "value": "document"}, {"more": True}, {"read": "documents only"},
    {"select": "nam", "value": "2023"}, {"read": "documents of 2023"},
    {"goto": "/tim-kiem/?q=606%2FKH-UBND"}, {"read": "link"},
    {"goto": "/tim-kiem/"}, {"type": "duoi nuoc"}, {"more": True}, {"read": "typed, then Enter"},
    {"goto": "/tim-kiem/?q=duoi+nuoc", "javascript": False}, {"read": "without javascript"},
]


def fold(text: str) -> str:
    text = text.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> dict:
    """The sample portal built and driven in Chromium once for the run (conftest's
    `made_once`): {"site": its folder, "seen": what each scenario read}."""
    return made_once(tmp_path_factory, "search-browser", build_and_drive)


@pytest.fixture(scope="module")
def built(portal: dict) -> Path:
    return Path(portal["site"])


@pytest.fixture(scope="module")
def seen(portal: dict) -> dict:
    return portal["seen"]


@pytest.fixture(scope="module")
def texts(built: Path) -> dict[str, str]:
    """URL -> the text Pagefind indexes, for every published news item, document and page
    in Vietnamese: Pagefind keeps an index per <html lang>, and the search page asks the
    one of its own language (the English page is found from an English page)."""
    from portal.search.copy import indexed_text
    found = {}
    for path in built.rglob("index.html"):
        html = path.read_text(encoding="utf-8")
        if "data-pagefind-body" in html and '<html lang="vi"' in html:
            found["/" + path.parent.relative_to(built).as_posix() + "/"] = indexed_text(html)
    return found


def build_and_drive(folder: Path) -> dict:
    """The sample portal, built in `folder` with small search shards (10 pages) so that
    every scenario also checks that the merged shards answer as one index would, then
    served on 127.0.0.1 and driven through every scenario in one browser launch."""
    source = folder / "portal"
    for part in ("content", "static", "templates"):
        shutil.copytree(REPO / part, source / part)
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (source / "config.yaml").write_text(config + "\nsearch_shard_pages: 10\n", encoding="utf-8")
    output = source / "site"
    done = run_cli("build", "--source", str(source), "--output", str(output), "--quiet", "--no-cache",
                   "--offline", cwd=REPO)
    assert done.code == 0, done.stderr
    assert len(list((output / "tim-kiem" / "pagefind").iterdir())) >= 3, "several shards to merge"
    return {"site": str(output), "seen": drive(output)}


def drive(built: Path) -> dict:
    with served_folder(built) as base:
        return run_driver(DRIVER, base, json.dumps(SCENARIOS))


def expected(texts: dict[str, str], query: str) -> set[str]:
    """Pages holding the query's words side by side: as typed when it has marks, with any
    marks when it has none; the last word may be unfinished."""
    marked = fold(query) != query.lower()
    wanted = words(query) if marked else fold(words(query))
    return {url for url, text in texts.items()
            if re.search(r"(?<!\w)" + re.escape(wanted), words(text) if marked else fold(words(text)))}

def found(reading: dict) -> set[str]:
    return {result["href"] for result in reading["results"]}


@pytest.mark.parametrize("query", ["bảo vệ trẻ em", "bao ve tre em", "đuối nước", "duoi nuoc",
                                   "bình đẳng giới", "binh dang gioi", "bình đẳ", "606/KH-UBND", "111"])
def test_each_query_finds_the_right_pages_and_no_wrong_ones(seen: dict, texts: dict, query: str):
    right = expected(texts, query)
    assert right, f"the sample has no page for {query!r}: the test would prove nothing"
    assert found(seen[query]) == right
    assert len(seen[query]["results"]) == len(right)  # each page once


@pytest.mark.parametrize("plain, marked", [("bao ve tre em", "bảo vệ trẻ em"), ("duoi nuoc", "đuối nước"),
                                           ("binh dang gioi", "bình đẳng giới")])
def test_without_marks_finds_what_with_marks_finds(seen: dict, plain: str, marked: str):
    assert found(seen[marked]) <= found(seen[plain])
    assert "/tin-tuc/tang-cuong-phong-chong-duoi-nuoc-tre-em-trong-dip-he-nam-2020/" in found(seen["duoi nuoc"])


def test_document_numbers_are_found_as_typed(seen: dict):
    document = "/van-ban/606-kh-ubnd/"
    for query in ("606/KH-UBND", "606", "kh-ubnd 606"):
        assert document in found(seen[query]), query
    assert seen["606/KH-UBND"]["results"][0]["href"] == document
    assert found(seen["kh-ubnd 606"]) == found(seen["606/KH-UBND"])
    assert "/van-ban/607-kh-ubnd/" not in found(seen["606"])


def test_a_drafts_word_finds_nothing_and_says_so(seen: dict):
    nothing = seen["xylophonema"]
    assert nothing["results"] == []
    assert nothing["status"].startswith("Không tìm thấy trang nào")


def test_results_show_title_date_type_and_an_excerpt_in_proper_vietnamese(seen: dict):
    first = next(r for r in seen["duoi nuoc"]["results"] if r["href"].startswith("/tin-tuc/"))
    assert first["title"] and re.fullmatch(r"Tin tức · \d\d/\d\d/\d{4}", first["meta"])
    assert "đuối" in [mark.lower() for mark in first["marks"]]  # the page's word, marks and all
    assert "¦" not in first["excerpt"] and "duoi" not in first["excerpt"].lower()
    assert seen["duoi nuoc"]["status"].startswith("Có ")


def test_the_header_box_leads_to_the_search_page(seen: dict):
    header = seen["from the header"]
    assert "/tim-kiem/?q=duoi+nuoc" in header["url"]
    assert header["results"] and found(header) <= found(seen["duoi nuoc"])  # the first batch


def test_search_assets_load_on_the_search_page_only(seen: dict):
    plain = seen["news list"]
    assert plain["pagefindBytes"] == 0 and not any("search" in src for src in plain["scripts"])
    empty = seen["empty search page"]  # not even there, until the box is used
    assert empty["pagefindBytes"] == 0 and empty["filters"] and empty["status"] == ""
    assert seen["link"]["pagefindBytes"] > 0


def test_filters_by_type_and_year(seen: dict):
    documents = seen["documents only"]
    assert documents["results"] and all(r["meta"].startswith("Văn bản") for r in documents["results"])
    of_2023 = seen["documents of 2023"]
    assert of_2023["results"] and all(r["meta"].endswith("/2023") for r in of_2023["results"])
    assert "2023" in of_2023["years"] and of_2023["filters"]


def test_a_link_with_a_query_searches(seen: dict):
    assert seen["link"]["results"][0]["href"] == "/van-ban/606-kh-ubnd/"


def test_without_javascript_the_page_says_search_needs_it(seen: dict):
    plain = seen["without javascript"]
    assert "Tìm kiếm cần JavaScript" in plain["text"]
    assert not plain["filters"] and plain["results"] == []


def test_typing_then_enter_finds_what_a_pasted_query_finds(seen: dict):
    """Enter after a pause keeps the search the pause started (and the words were fetched
    while typing): the same pages, once each."""
    typed = seen["typed, then Enter"]
    assert found(typed) == found(seen["duoi nuoc"])
    assert len(typed["results"]) == len(seen["duoi nuoc"]["results"])
    assert "q=duoi+nuoc" in typed["url"]
