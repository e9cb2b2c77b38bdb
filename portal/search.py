"""Post-processing: the in-browser search index, built with Pagefind.

Every published news item, document and page is indexed (listings, drafts and
scheduled items have no such page in this build, so they cannot be). The templates
mark what Pagefind reads: the region (`data-pagefind-body`) and the metadata shown
with a result (date, type). The index goes into the site under the search page.

Pagefind folds tone and vowel marks but not `đ`: "duoi nuoc" would not find "đuối
nước". So Pagefind is given an *indexed copy* of each page (search_copy.py): the page
as served, plus a tail of its words that hold `đ`/`Đ`, spelled with `d`. Citizens never
see the tail: the search page cuts it off and builds its excerpts from the page's own
words. Document numbers need nothing of ours: Pagefind indexes "606/KH-UBND" whole and
as "606", "kh", "ubnd".

The filters (type, year) are words in the same tail ("zzloainews", "zznam2024") that
the search page adds to the query, not Pagefind filters: Pagefind 1.5 writes its filter
files in a different order on every run, and this site must be the same bytes for the
same input.

Pagefind cannot update an index in place, so a large site's index is split into
shards: groups of years of `search_shard_pages` pages (the pages go with the newest),
each a Pagefind bundle of its own (`tim-kiem/pagefind/<first year>/`) that the search
page merges with `mergeIndex`. Each shard is cached under `.cache/search/bundles/<key>/`,
the key naming its pages' content keys and Pagefind's version, with a manifest of its
files' checksums: a build copies the shards whose pages did not change (after checking
every file) and runs Pagefind for the others only, so an edit re-indexes one shard, not
the site. Each page's tail is cached too (`.cache/search/tails/`, by the page's key).

Pagefind is run as its command line (`pagefind --site … --output-path …`), one process
per shard needing it, two at a time, on the indexed copies written to a temporary
folder. Its Python API was tried first: it answers one call per 0.1 s (its reader
polls), which is seconds for a dozen shards, and its `get_files` answer outgrows the
API's 2 MiB pipe buffer on a large site. Only the primary shard (the newest) keeps
Pagefind's own code (`pagefind.js`, its worker and wasm); the others are merged into it.

If Pagefind is missing or fails, the site is built without search and the build says
why (a warning, not an error): a broken search box is better than no new site.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .cache import Bundles, Cache, content_key
from .render import RenderJob
from .search_copy import folded_words_of, indexed_copy
from .urls import output_file
from .write import Writer

if TYPE_CHECKING:
    from .collection import Site
    from .models import Document, NewsItem

SEARCH_FORMAT = "5"  # bump when the bundle or the indexed copy changes shape (5: checksums)
# The index is split into groups of years (config `search_shard_pages` pages each; the
# pages go with the newest), each its own Pagefind bundle that the search page merges
# (`mergeIndex`): an edit re-indexes its group only (Pagefind cannot update an index in
# place). SHARD_PAGES names the one shard of a site with pages and no dated items.
SHARD_PAGES = "trang"
# Filter name -> the start of its words; search.html hands them to search.js.
FILTER_WORDS = {"type": "zzloai", "year": "zznam"}
KINDS = ("news", "document", "page")  # the values of the type filter
# Bundle files for Pagefind's ready-made interfaces; our search page uses its JS API only.
UNUSED_BUNDLE_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.",
                       "pagefind-highlight.")
# Pagefind's code, which the search page loads from the primary shard only: the others
# are merged into it (their entry, meta, index and fragments are read).
RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.")
PAGEFIND_PROCESSES = 2  # shards indexed at once
SECONDS_PER_PAGE = 0.02  # with a fixed minute, how long Pagefind may take before it is given up


@dataclass(frozen=True)
class SearchablePage:
    url: str  # site-relative, as on the page's RenderJob
    rel: str  # its file in the site
    key: str  # what its indexed region shows: an unchanged key means an unchanged entry
    filters: tuple[str, ...] = ()  # its filter words: its type and year
    shard: str = SHARD_PAGES  # the part of the index it is in: named by its first year


@dataclass(frozen=True)
class SearchOutcome:
    pages: int  # pages in the index
    files: int  # index files written into the site
    size: int  # their bytes
    reused: bool  # taken from the cache, Pagefind not run
    problem: str = ""  # why there is no index (Pagefind missing or failing); empty when built


def index_site(site: Site, frame: str, writer: Writer, cache_folder: Path | None) -> SearchOutcome:
    """Index the published news, documents and pages this build has just written.

    `frame` names what shapes the indexed region besides the item itself (templates,
    config, engine), not the page's frame: new weather readings or a new latest-news list
    change every page but not what search finds, and must not cost a reindex."""
    pages = [SearchablePage(url, output_file(url), content_key(frame, url, digest), filters, shard)
             for url, digest, filters, shard in searchable(site)]
    return write_search_index(pages, site.urls.search_bundle(), writer, cache_folder,
                              primary=next(iter(shards_of(site)), ""))


def search_page(site: Site, frame: str) -> RenderJob:
    """The search page: its year filter lists the site's years and its script the parts
    of the index, so its key holds both."""
    years = filter_years(site)
    shards = shards_of(site)
    return RenderJob(site.urls.search_page(), "search.html",
                     {"years": years, "filter_words": FILTER_WORDS, "kinds": KINDS,
                      "shards": shards},
                     content_key(frame, "search", repr(years), repr(shards)))


def searchable(site: Site) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
    """URL, source digest, filter words and shard of every page to index."""
    shard_of, newest = _shards_by_year(site)
    for kind, item, year in _dated(site):
        yield item.url, item.digest, filter_words(kind, year), shard_of[year]
    for page in site.pages:
        yield page.url, page.digest, filter_words("page"), newest


def shards_of(site: Site) -> list[str]:
    """The index's parts, the newest first (the search page loads Pagefind from it)."""
    shard_of, newest = _shards_by_year(site)
    return sorted(set(shard_of.values()) | {newest}, reverse=True)


def _shards_by_year(site: Site) -> tuple[dict[int, str], str]:
    """Year -> shard, and the newest shard (which also holds the pages). Years are grouped
    from the oldest on until a group holds `search_shard_pages` pages: old years rarely
    change, so new items move only the newest group's bounds. Each shard costs a first
    query its own index chunks, so shards are few and large, not one a year."""
    counts = Counter(year for _, _, year in _dated(site))
    shard_of: dict[int, str] = {}
    name, size = "", 0
    for year in sorted(counts):
        if not name or size >= site.config.search_shard_pages:
            name, size = str(year), 0
        shard_of[year] = name
        size += counts[year]
    return shard_of, name or SHARD_PAGES


def filter_words(kind: str, year: int | None = None) -> tuple[str, ...]:
    year_words = (f"{FILTER_WORDS['year']}{year}",) if year else ()
    return (f"{FILTER_WORDS['type']}{kind}", *year_words)


def filter_years(site: Site) -> list[int]:
    """The years the year filter offers, newest first."""
    return sorted({year for _, _, year in _dated(site)}, reverse=True)


def _dated(site: Site) -> Iterator[tuple[str, NewsItem | Document, int]]:
    """News and documents, each with its kind and the year it is filed under (a news
    item's date, a document's issue date, in the portal's time zone)."""
    zone = site.config.zone
    for item in site.news:
        yield "news", item, item.date.astimezone(zone).year
    for doc in site.library.documents:
        yield "document", doc, doc.issued.astimezone(zone).year


def index_key(pages: list[SearchablePage]) -> str:
    """Names an index: the same pages with the same content give the same index."""
    return content_key(SEARCH_FORMAT, _pagefind_version(),
                       *(f"{page.url}\0{page.key}\0{' '.join(page.filters)}" for page in pages))


def write_search_index(pages: list[SearchablePage], bundle: str, writer: Writer,
                       cache_folder: Path | None, primary: str) -> SearchOutcome:
    """Write the index into the site, one Pagefind bundle per shard under `bundle`
    (e.g. "tim-kiem/pagefind/2024/"). Only shards whose pages changed, or whose cached
    bundle fails its checksums, are indexed again."""
    shards: dict[str, list[SearchablePage]] = {}
    for page in pages:
        shards.setdefault(page.shard, []).append(page)
    keys = {shard: index_key(members) for shard, members in shards.items()}
    bundles = Bundles(cache_folder / "bundles" if cache_folder else None)
    cached = {shard: bundles.load(key) for shard, key in keys.items()}
    missing = {shard: members for shard, members in shards.items() if cached[shard] is None}
    tails = Cache(cache_folder / "tails" if cache_folder else None)
    try:
        made = _run_pagefind({shard: _indexed_copies(members, writer, tails)
                              for shard, members in missing.items()})
    except Exception as failure:  # noqa: BLE001 (a missing binary, a crash, an error it
        # reported, a broken install: any of them costs the search, never the site)
        return SearchOutcome(len(pages), 0, 0, False, _describe(failure))
    for shard, files in made.items():
        bundles.store(keys[shard], files)
    bundles.keep_only(set(keys.values()))
    files = size = 0
    for shard, key in keys.items():
        written, written_size = _write_bundle(cached[shard] or made[shard], key,
                                              f"{bundle}{shard}/", writer, runtime=shard == primary)
        files, size = files + written, size + written_size
    _keep_tails(tails, [page for shard in shards if shard not in missing for page in shards[shard]])
    return SearchOutcome(len(pages), files, size, reused=not missing)


def _keep_tails(tails: Cache, reused: list[SearchablePage]) -> None:
    """The `đ` words of pages in reused shards are still wanted for their next change."""
    for page in reused:
        tails.keep(page.key)
    tails.prune()


def _indexed_copies(pages: list[SearchablePage], writer: Writer, tails: Cache
                    ) -> Iterator[tuple[str, str]]:
    """Each page's file and indexed copy; its `đ` words from the cache when it is unchanged
    (a damaged or undecodable entry is made again)."""
    for page in pages:
        html = writer.read(page.rel).decode("utf-8")
        folded = tails.get_text(page.key)
        if folded is None:
            folded = " ".join(folded_words_of(html))
            tails.put(page.key, folded.encode("utf-8"))
        yield page.rel, indexed_copy(html, [*page.filters, *folded.split()])


def _write_bundle(files: dict[str, bytes], key: str, bundle: str, writer: Writer,
                  runtime: bool) -> tuple[int, int]:
    """Write a shard's bundle (cached and checked, or just made) into the site; unchanged
    files of the previous site stay as they are (their keys name the index and the file).
    Copied, never linked, so that the cache cannot change the site. Pagefind's own code
    (`runtime`) only for the primary shard. Returns the files and bytes written."""
    count = size = 0
    for name, data in sorted(files.items()):
        if runtime or not name.startswith(RUNTIME_FILES):
            writer.write(bundle + name, data, content_key(key, name))
            count, size = count + 1, size + len(data)
    return count, size


def _run_pagefind(shards: dict[str, Iterable[tuple[str, str]]]) -> dict[str, dict[str, bytes]]:
    """Index each shard's copies (site path, HTML); return each bundle's files by name."""
    if not shards:
        return {}
    binary = _pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="portal-search-") as folder:
        count = 0
        for shard, copies in shards.items():
            for rel, html in copies:
                path = Path(folder, "pages", shard, rel)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(html, encoding="utf-8")
                count += 1
        _index_folders(binary, Path(folder), list(shards), timeout=60 + SECONDS_PER_PAGE * count)
        return {shard: {name: data for name, data in _made_files(Path(folder, "bundles", shard)).items()
                        if not name.startswith(UNUSED_BUNDLE_FILES)}
                for shard in shards}


def _pagefind_binary() -> str:
    """The binary of the `pagefind[bin]` package (or $PAGEFIND_BINARY_PATH)."""
    from pagefind.service import get_executable  # here, so that a broken install fails search only

    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("no pagefind binary (the pagefind[bin] package is not installed)")
    return str(binary)


def _index_folders(binary: str, folder: Path, shards: list[str], timeout: float) -> None:
    """Pagefind's command line, once per shard, two at a time: `folder/pages/<shard>` is
    indexed into `folder/bundles/<shard>`. (Its Python API waits ~0.1 s per call: seconds
    for a dozen shards.)"""
    deadline = time.monotonic() + timeout
    waiting = list(shards)
    running: list[subprocess.Popen] = []
    try:
        while waiting or running:
            while waiting and len(running) < PAGEFIND_PROCESSES:
                shard = waiting.pop(0)
                running.append(subprocess.Popen(
                    [binary, "--site", str(folder / "pages" / shard),
                     "--output-path", str(folder / "bundles" / shard), "--silent"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            process = running.pop(0)
            _, problem = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
            if process.returncode != 0:
                last = (problem.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
                raise RuntimeError(f"{binary} exited with status {process.returncode} {last}".strip())
    except subprocess.TimeoutExpired:
        raise TimeoutError("Pagefind did not answer in time") from None
    finally:
        for process in running:
            process.kill()


def _made_files(folder: Path) -> dict[str, bytes]:
    """The files Pagefind wrote into our temporary folder, by their path in the bundle."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def _describe(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}".rstrip(": ")
