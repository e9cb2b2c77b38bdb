"""The search stage: which pages Pagefind indexes, the đ tail, the cache, and a build
that goes on without search when Pagefind is missing."""

from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL_CONFIG, SMALL_SITE, make_site, news
from portal.search.plan import filter_words
from portal.search.copy import folded_words, folded_words_of, indexed_copy, indexed_text

BUNDLE = "site/tim-kiem/pagefind"
# Small shards, so that this small site has two: 2023 (two items) and 2024 (two, and the page).
SHARDED = MINIMAL_CONFIG + "search_shard_pages: 2\n"

FILES = {
    **SMALL_SITE,
    "content/news/2024/nhap.md": news("Bản nháp", "2024-05-01", draft="true", body="xylophonema"),
    "content/news/2030/sap-toi.md": news("Tin hẹn giờ", "2030-01-01", body="vibraphonema"),
    "content/documents/606.md": ("---\nnumber: 606/KH-UBND\ntype: Kế hoạch\ntitle: Công tác trẻ em\n"
                                 "issuer: UBND tỉnh Minh Giang\nissued: 2023-03-07\n---\nĐuối nước.\n"),
}


def bundle_files(site) -> dict[str, bytes]:
    root = site.root / BUNDLE
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def indexed_urls(site) -> set[str]:
    """The URLs in the index's fragments (each holds one page, gzipped JSON)."""
    import gzip
    import json
    urls = set()
    for name, data in bundle_files(site).items():
        if "/fragment/" in name:
            text = gzip.decompress(data).decode("utf-8")
            urls.add(json.loads(text[text.index("{"):])["url"])
    return urls


def test_published_news_documents_and_pages_are_indexed_and_nothing_else(tmp_path):
    site = make_site(tmp_path, FILES, SHARDED)
    assert site.build().code == 0
    assert indexed_urls(site) == {
        "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/", "/tin-tuc/day-boi-an-toan-cho-tre-em/",
        "/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/", "/gioi-thieu/", "/van-ban/606-kh-ubnd/"}
    names = set(bundle_files(site))
    # One bundle per group of years (the pages with the newest), merged by the search page.
    assert {"2024/pagefind.js", "2024/pagefind-worker.js", "2024/wasm.unknown.pagefind"} <= names
    for shard in ("2024", "2023"):  # merged into the newest, which has Pagefind's code
        assert f"{shard}/pagefind-entry.json" in names
        assert shard == "2024" or not any(n.startswith(f"{shard}/pagefind.js") for n in names)
    assert {name.split("/")[0] for name in names} == {"2024", "2023"}
    assert 'data-shards="2024 2023"' in site.read("tim-kiem/index.html")
    assert not any("/pagefind-ui" in name for name in names)  # the ready-made UI is not used
    assert not any("/filter/" in name for name in names)  # filters are words: see search.py
    assert "data-pagefind-body" not in site.read("tin-tuc/index.html")  # listings are not indexed


def test_a_small_site_has_one_shard(tmp_path):
    site = make_site(tmp_path, FILES)  # the default: 2,500 pages a shard
    assert site.build().code == 0
    assert {name.split("/")[0] for name in bundle_files(site)} == {"2023"}
    assert 'data-shards="2023"' in site.read("tim-kiem/index.html")


def test_the_served_page_has_no_tail_and_the_indexed_copy_folds_d(tmp_path):
    site = make_site(tmp_path, FILES)
    assert site.build().code == 0
    served = site.read("van-ban/606-kh-ubnd/index.html")
    assert "¦" not in served
    copy = indexed_copy(served, [*filter_words("document", 2023), *folded_words_of(served)])
    tail = copy[copy.index("¦"):]
    assert copy.count("¦") == 1 and "duối" in tail
    assert "zzloaidocument zznam2023" in tail  # the filters, as words


def test_folded_words_come_from_the_indexed_region_only():
    html = ('<html><body><nav>Điều hướng</nav><article data-pagefind-body><h1>Đuối nước</h1>'
            '<nav data-pagefind-ignore>Đường dẫn</nav><p>Bình đẳng giới, HĐND.</p>'
            '<footer>Đăng bởi</footer></article><aside>Đà Nẵng</aside></body></html>')
    assert folded_words(indexed_text(html)) == ["duối", "dẳng", "hdnd."]


def test_a_warm_build_reuses_the_index_and_an_edit_rebuilds_it(tmp_path):
    site = make_site(tmp_path, FILES, SHARDED)
    assert site.build().code == 0
    first = bundle_files(site)
    warm = site.build("--verbose", quiet=False)
    assert warm.code == 0 and bundle_files(site) == first
    assert _lap(warm.stdout, "search index") < 0.05  # Pagefind was not run
    assert len(list((site.root / ".cache" / "search" / "bundles").iterdir())) == 2  # 2023, 2024
    site.write("content/news/2024/boi-an-toan.md", news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                                           body="Từ mới: marimbaphone."))
    assert site.build().code == 0
    after = bundle_files(site)
    changed = {name.split("/")[0] for name in first.keys() | after.keys() if first.get(name) != after.get(name)}
    assert changed == {"2024"}, "only the edited item's shard is indexed again"
    assert len(list((site.root / ".cache" / "search" / "bundles").iterdir())) == 2  # the old 2024 is dropped


def test_the_same_input_gives_the_same_index(tmp_path):
    """Pagefind 1.5 writes its own filter files in a new order each run; ours are words."""
    one = make_site(tmp_path / "one", FILES)
    two = make_site(tmp_path / "two", FILES)
    assert one.build("--no-cache").code == 0 and two.build().code == 0
    assert bundle_files(one) == bundle_files(two)


def test_without_pagefind_the_site_is_built_without_search_and_the_build_says_why(tmp_path):
    site = make_site(tmp_path, FILES)
    run = site.build(env={"PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")}, quiet=False)
    assert run.code == 0
    assert "chỉ mục tìm kiếm" in run.stderr and "no-such-pagefind" in run.stderr
    assert site.exists("tim-kiem/index.html") and not site.exists("tim-kiem/pagefind")
    assert site.exists("tin-tuc/day-boi-an-toan-cho-tre-em/index.html")


def test_a_pagefind_that_dies_costs_the_search_only(tmp_path):
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    site = make_site(tmp_path, FILES)
    run = site.build(env={"PAGEFIND_BINARY_PATH": str(broken)}, quiet=False)
    assert run.code == 0, run.stderr
    assert "chỉ mục tìm kiếm" in run.stderr and "(mã 3)" in run.stderr
    assert not site.exists("tim-kiem/pagefind")


def test_why_search_failed_is_a_record_worded_for_the_editor(tmp_path, monkeypatch):
    from portal.search.index import write_search_index
    from portal.search.plan import SearchablePage
    from portal.writer import MemoryWriter

    def problems(binary: Path) -> list[tuple[str, dict[str, str]]]:
        monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
        writer = MemoryWriter()
        writer.write("a/index.html", "<html><body><main data-pagefind-body>Nước</main></body></html>"
                     .encode("utf-8"))
        outcome = write_search_index([SearchablePage("/a/", "a/index.html", "k", ("zzloaipage",))],
                                     "tim-kiem/pagefind/", writer, None, primary="trang")
        assert outcome.files == 0 and not outcome.reused
        return [(problem.key, dict(problem.params)) for problem in outcome.problems]

    for name, script in (("silent", "exit 3"), ("says", "echo 'Error: disk full' >&2; exit 2"),
                         ("not-a-program", None)):
        (tmp_path / name).write_text(f"#!/bin/sh\n{script}\n" if script else "text")
        (tmp_path / name).chmod(0o755 if script else 0o644)
    missing = str(tmp_path / "missing")
    assert problems(tmp_path / "missing") == [("search_index_pagefind_missing", {"binary": missing})]
    assert problems(tmp_path / "silent") == [("search_index_pagefind_failed_silently", {"status": "3"})]
    assert problems(tmp_path / "says") == [
        ("search_index_pagefind_failed", {"status": "2", "output": "Error: disk full"})]
    assert problems(tmp_path / "not-a-program")[0][0] == "search_index_pagefind_not_started"


def _lap(stdout: str, stage: str) -> float:
    line = next(line for line in stdout.splitlines() if line.strip().startswith(stage))
    return float(line.split()[-2])


def test_pagefind_is_given_the_indexed_regions_not_the_page_frame(tmp_path):
    site = make_site(tmp_path, FILES)
    assert site.build().code == 0
    served = site.read("tin-tuc/day-boi-an-toan-cho-tre-em/index.html")
    copy = indexed_copy(served, ["zzloainews"])
    assert copy.startswith('<!DOCTYPE html><html lang="vi">')
    assert "<header" not in copy and "<aside" not in copy and 'class="site-footer"' not in copy
    assert indexed_text(copy) == indexed_text(served) + " ¦ zzloainews"  # the same words, the tail
    assert 'data-pagefind-meta="type:' in copy and 'data-pagefind-meta="date:' in copy
    assert len(copy) < len(served) / 2


def test_a_large_year_is_cut_into_pieces_and_an_edit_reindexes_one(tmp_path):
    site = make_site(tmp_path, FILES, MINIMAL_CONFIG + "search_shard_pages: 1\n")
    assert site.build().code == 0
    shards = {name.split("/")[0] for name in bundle_files(site)}
    assert shards <= {"2023-0", "2023-1", "2024-0", "2024-1"} and len(shards) >= 3
    assert indexed_urls(site) == {
        "/tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/", "/tin-tuc/day-boi-an-toan-cho-tre-em/",
        "/tin-tuc/thang-hanh-dong-vi-binh-dang-gioi/", "/gioi-thieu/", "/van-ban/606-kh-ubnd/"}
    first = bundle_files(site)
    site.write("content/news/2024/boi-an-toan.md", news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                                           body="Từ mới: marimbaphone."))
    assert site.build().code == 0
    after = bundle_files(site)
    changed = {name.split("/")[0] for name in first.keys() | after.keys() if first.get(name) != after.get(name)}
    assert len(changed) == 1 and changed < shards, "one piece of 2024 is indexed again"


def test_a_warm_build_leaves_the_index_in_place_without_reading_the_cached_bundles(tmp_path):
    import shutil
    site = make_site(tmp_path, FILES, SHARDED)
    assert site.build().code == 0 and site.build().code == 0  # builds alternate two trees
    first = bundle_files(site)
    shutil.rmtree(site.root / ".cache" / "search" / "bundles")  # the site holds every file
    warm = site.build("--verbose", quiet=False)
    assert warm.code == 0 and bundle_files(site) == first
    assert _lap(warm.stdout, "search index") < 0.05  # Pagefind was not run


def test_a_damaged_list_of_files_is_a_miss_and_the_bundle_is_read(tmp_path):
    site = make_site(tmp_path, FILES, SHARDED)
    assert site.build().code == 0
    first = bundle_files(site)
    lists = [path for path in (site.root / ".cache" / "search" / "lists").rglob("*") if path.is_file()]
    assert lists
    for path in lists:
        path.write_bytes(path.read_bytes()[:-3] + b"!!!")
    (site.root / BUNDLE / "2024" / "pagefind-entry.json").unlink()  # and the site lacks a file
    warm = site.build("--verbose", quiet=False)
    assert warm.code == 0 and bundle_files(site) == first
    assert _lap(warm.stdout, "search index") < 0.5  # from the checked bundles, Pagefind not run
