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
page merges with `mergeIndex`. A group larger than `PAGEFIND_PAGES` (one year of a
large portal) is cut into pieces by a hash of each page's URL (`<first year>-<piece>/`):
Pagefind holds about 330 KB a page while it indexes (1.5.2 and 1.6.0 alike, measured), so
a piece's size bounds its memory, and an edit or a new item re-indexes one piece. A
group's piece count changes only when it grows past a multiple of `PAGEFIND_PAGES` (hash
pieces, not ranges: a deleted or back-dated item moves no other page). Each shard is
cached under `.cache/search/bundles/<key>/`, the key naming its pages' content keys and
Pagefind's version, with a manifest of its files' checksums: a build copies the shards
whose pages did not change (after checking every file) and runs Pagefind for the others
only, so an edit re-indexes one shard, not the site. Each page's tail is cached too
(`.cache/search/tails/`, by the page's key).

Pagefind is run as its command line (`pagefind --site … --output-path …`), one process
per shard needing it, one at a time (its memory, not its speed, is the limit: it uses both
cores itself), on the indexed copies written to a temporary folder, the next shard's
copies written while the last is indexed. Each bundle is stored and written into the site
as soon as it is made, so that only one is held at a time. (If Pagefind fails on a later
shard, the earlier ones stay in the site, unused: the search page cannot merge the
missing ones and says that search failed, as with no index.) Pagefind's Python API was
tried first: it answers one call per 0.1 s (its reader polls), which is seconds for a
dozen shards, and its `get_files` answer outgrows the API's 2 MiB pipe buffer on a large
site. Only the primary shard (the newest) keeps
Pagefind's own code (`pagefind.js`, its worker and wasm); the others are merged into it.

A warm build does not even read a cached bundle when the site being replaced holds all
its files already (`writer.expect`): each bundle's file names and sizes are kept in a
small sealed entry (`.cache/search/lists/`), the bundle itself only read when a file is
missing.

If Pagefind is missing or fails, the site is built without search and the build says
why (a warning, not an error): a broken search box is better than no new site.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from ..cache import Cache, content_key
from .bundles import Bundles
from ..models import RenderJob
from .copy import folded_words_of, indexed_copy
from ..urls import output_file
from ..writer import Writer

if TYPE_CHECKING:
    from ..models import Site
    from ..models import Document, NewsItem

SEARCH_FORMAT = "6"  # bump when the bundle or the indexed copy changes shape (6: minimal copies)
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
# The most pages one Pagefind run is given: it holds ~330 KB a page (1,000 pages: 330 MB,
# 5,000: 1.5 GB), and each shard costs a first query some index chunks of its own (at
# 10,000 pages, ten shards: 1.5 MB for "bao ve tre em" with Pagefind 1.6, but 8.2 MB with
# 1.5.2, whose shards each cost ~0.5 MB more). So with an older Pagefind the shards stay
# as large as `search_shard_pages` makes them: the citizen's download before the memory.
PAGEFIND_PAGES = 1000
SMALL_SHARDS_SINCE = (1, 6)
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


def search_page(site: Site) -> RenderJob:
    """The search page: its year filter lists the site's years and its script the parts
    of the index."""
    return RenderJob(site.urls.search_page(), "search.html",
                     {"years": filter_years(site), "filter_words": FILTER_WORDS, "kinds": KINDS,
                      "shards": shards_of(site)})


def searchable(site: Site) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
    """URL, source digest, filter words and shard of every page to index."""
    group_of, newest = _shards_by_year(site)
    pieces = _pieces(site, group_of)
    for kind, item, year in _dated(site):
        shard = _piece(group_of[year], pieces, item.url)
        yield item.url, item.digest, filter_words(kind, year), shard
    for page in site.pages:
        yield page.url, page.digest, filter_words("page"), _piece(newest, pieces, page.url)


def shards_of(site: Site) -> list[str]:
    """The index's parts, the newest first (the search page loads Pagefind from it)."""
    shards = {shard for _, _, _, shard in searchable(site)}
    return sorted(shards or {SHARD_PAGES}, reverse=True)


def _pieces(site: Site, group_of: dict[int, str]) -> dict[str, int]:
    """How many pieces each group of years is cut into, so that none has more than
    PAGEFIND_PAGES news items and documents (nor `search_shard_pages`); the few pages
    ride with the newest group, as they always have, uncounted."""
    most = max(1, min(PAGEFIND_PAGES, site.config.search_shard_pages)
               if _version_tuple(_pagefind_version()) >= SMALL_SHARDS_SINCE
               else site.config.search_shard_pages)
    sizes = Counter(group_of[year] for _, _, year in _dated(site))
    return {group: -(-size // most) for group, size in sizes.items()}


def _piece(group: str, pieces: dict[str, int], url: str) -> str:
    """A page's shard: its group, or a piece of it chosen by its URL's hash (stable across
    builds and machines, unlike Python's own hash)."""
    count = pieces.get(group, 1)
    return group if count <= 1 else f"{group}-{zlib.crc32(url.encode('utf-8')) % count}"


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


def index_key(pages: list[SearchablePage], version: str) -> str:
    """Names an index: the same pages with the same content give the same index."""
    return content_key(SEARCH_FORMAT, version,
                       *(f"{page.url}\0{page.key}\0{' '.join(page.filters)}" for page in pages))


def write_search_index(pages: list[SearchablePage], bundle: str, writer: Writer,
                       cache_folder: Path | None, primary: str) -> SearchOutcome:
    """Write the index into the site, one Pagefind bundle per shard under `bundle`
    (e.g. "tim-kiem/pagefind/2024/"). Shards whose files the site holds already are
    left as they are; the others come from the cache, checked; only shards whose pages
    changed, or whose cached bundle fails its checksums, are indexed again."""
    shards: dict[str, list[SearchablePage]] = {}
    for page in pages:
        shards.setdefault(page.shard, []).append(page)
    version = _pagefind_version()
    keys = {shard: index_key(members, version) for shard, members in shards.items()}
    bundles = Bundles(cache_folder / "bundles" if cache_folder else None)
    lists = Cache(cache_folder / "lists" if cache_folder else None)
    tails = Cache(cache_folder / "tails" if cache_folder else None)
    written = [0, 0]  # files, bytes
    missing: dict[str, list[SearchablePage]] = {}
    for shard, key in keys.items():
        folder, runtime = f"{bundle}{shard}/", shard == primary
        listed = _in_place(lists, key, folder, writer, runtime)
        cached = None if listed is not None else bundles.load(key)
        if listed is None and cached is None:
            missing[shard] = shards[shard]
            continue
        if cached is not None:
            listed = _write_bundle(cached, key, folder, writer, runtime)
            lists.put(key, json.dumps(_sizes(cached)).encode("utf-8"))
        written = [written[0] + listed[0], written[1] + listed[1]]
    try:
        for shard, files in _run_pagefind({shard: _indexed_copies(members, writer, tails)
                                           for shard, members in missing.items()}):
            bundles.store(keys[shard], files)
            lists.put(keys[shard], json.dumps(_sizes(files)).encode("utf-8"))
            made = _write_bundle(files, keys[shard], f"{bundle}{shard}/", writer, shard == primary)
            written = [written[0] + made[0], written[1] + made[1]]
    except Exception as failure:  # noqa: BLE001 (a missing binary, a crash, an error it
        # reported, a broken install: any of them costs the search, never the site)
        return SearchOutcome(len(pages), 0, 0, False, _describe(failure))
    bundles.keep_only(set(keys.values()))
    lists.prune()
    _keep_tails(tails, [page for shard in shards if shard not in missing for page in shards[shard]])
    return SearchOutcome(len(pages), written[0], written[1], reused=not missing)


def _sizes(files: dict[str, bytes]) -> dict[str, int]:
    return {name: len(data) for name, data in sorted(files.items())}


def _in_place(lists: Cache, key: str, folder: str, writer: Writer, runtime: bool
              ) -> tuple[int, int] | None:
    """When the site being replaced holds every file of the bundle `key` (as listed in its
    sealed entry), the files and bytes it holds; None when a file is missing or the list
    is (so the bundle must be read, checked and written)."""
    try:
        sizes = json.loads(lists.get_text(key) or "null")
    except ValueError:
        return None
    if not isinstance(sizes, dict) or not sizes:
        return None
    names = [name for name in sorted(sizes) if runtime or not name.startswith(RUNTIME_FILES)]
    if not all(writer.expect(folder + name, content_key(key, name)) for name in names):
        return None
    lists.keep(key)
    return len(names), sum(int(sizes[name]) for name in names)


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


def _run_pagefind(shards: dict[str, Iterable[tuple[str, str]]]
                  ) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Index each shard's copies (site path, HTML), one Pagefind at a time, while the next
    shard's copies are written; yield each shard's bundle files by name once made."""
    if not shards:
        return
    binary = _pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="portal-search-") as folder:
        running: tuple[str, subprocess.Popen, float] | None = None
        try:
            for shard, copies in [*shards.items(), ("", ())]:
                count = _write_copies(Path(folder, "pages", shard), copies) if shard else 0
                if running:
                    yield running[0], _finish(running[1], running[2], Path(folder), running[0])
                running = (shard, _start_pagefind(binary, Path(folder), shard),
                           time.monotonic() + 60 + SECONDS_PER_PAGE * count) if shard else None
        finally:  # the build failed meanwhile: no Pagefind is left running
            if running and running[1].poll() is None:
                running[1].kill()
                running[1].wait()


def _start_pagefind(binary: str, folder: Path, shard: str) -> subprocess.Popen:
    """Pagefind's command line on one shard's copies. (Its Python API waits ~0.1 s per
    call: seconds for a dozen shards.)"""
    return subprocess.Popen([binary, "--site", str(folder / "pages" / shard),
                             "--output-path", str(folder / "bundles" / shard), "--silent"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen, deadline: float, folder: Path, shard: str
            ) -> dict[str, bytes]:
    """Wait for a shard's Pagefind; its bundle's files, and its temporary files removed."""
    try:
        _, problem = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise TimeoutError("Pagefind did not answer in time") from None
    if process.returncode != 0:
        last = (problem.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        status = f"{process.args[0]} exited with status {process.returncode} {last}"
        raise RuntimeError(status.strip())
    files = {name: data for name, data in _made_files(folder / "bundles" / shard).items()
             if not name.startswith(UNUSED_BUNDLE_FILES)}
    shutil.rmtree(folder / "pages" / shard, ignore_errors=True)
    shutil.rmtree(folder / "bundles" / shard, ignore_errors=True)
    return files


def _write_copies(folder: Path, copies: Iterable[tuple[str, str]]) -> int:
    count = 0
    for rel, html in copies:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        count += 1
    return count


def _pagefind_binary() -> str:
    """The binary of the `pagefind[bin]` package (or $PAGEFIND_BINARY_PATH)."""
    from pagefind.service import get_executable  # here, so that a broken install fails search only

    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("no pagefind binary (the pagefind[bin] package is not installed)")
    return str(binary)


def _made_files(folder: Path) -> dict[str, bytes]:
    """The files Pagefind wrote into our temporary folder, by their path in the bundle."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _version_tuple(version: str) -> tuple[int, ...]:
    """(1, 6, 0) from "1.6.0" or "pagefind 1.6.0"; () when it says no version."""
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    return tuple(int(part) for part in found.groups() if part is not None) if found else ()


def _pagefind_version() -> str:
    """The version of the binary that would run: it names the cached bundles. That of the
    `pagefind_bin` package, or, when $PAGEFIND_BINARY_PATH names another binary (Pagefind
    1.6 from npm, say), what that binary says (importing the `pagefind` package to ask it
    would cost a warm build 0.1 s)."""
    return _version_of(os.environ.get("PAGEFIND_BINARY_PATH"))


@functools.lru_cache(maxsize=4)  # asked for by the shards and the index keys of every build
def _version_of(other: str | None) -> str:
    if not other:
        try:
            return metadata.version("pagefind_bin")
        except metadata.PackageNotFoundError:
            return "unknown"
    try:
        done = subprocess.run([other, "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):  # no such binary: indexing will say why
        return "unknown"
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else "unknown"


def _describe(failure: BaseException) -> str:
    return f"{type(failure).__name__}: {failure}".rstrip(": ")
