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

Pagefind's Python API answers one call per 0.1 s (its reader polls), so pages are not
added one by one: the indexed copies are written to a temporary folder and added as
one directory. The bundle is cached under `.cache/search/bundles/<key>/`, the key naming
every indexed page's content key and Pagefind's version: a build whose pages did not
change links the previous bundle instead of running Pagefind. Each page's tail is
cached too (`.cache/search/tails/`, by the page's key), so that after an edit only the
changed pages are read again; Pagefind itself indexes the whole site each time.

If Pagefind is missing or fails, the site is built without search and the build says
why (a warning, not an error): a broken search box is better than no new site.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .cache import Cache, content_key
from .render import RenderJob
from .search_copy import folded_words_of, indexed_copy
from .urls import output_file
from .write import Writer

if TYPE_CHECKING:
    from .collection import Site

SEARCH_FORMAT = "3"  # bump when the bundle or the indexed copy changes shape
# Filter name -> the start of its words; search.html hands them to search.js.
FILTER_WORDS = {"type": "zzloai", "year": "zznam"}
KINDS = ("news", "document", "page")  # the values of the type filter
# Bundle files for Pagefind's ready-made interfaces; our search page uses its JS API only.
UNUSED_BUNDLE_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.",
                       "pagefind-highlight.")
SECONDS_PER_PAGE = 0.02  # with a fixed minute, how long Pagefind may take before it is given up


@dataclass(frozen=True)
class SearchablePage:
    url: str  # site-relative, as on the page's RenderJob
    rel: str  # its file in the site
    key: str  # what its indexed region shows: an unchanged key means an unchanged entry
    filters: tuple[str, ...] = ()  # its filter words: its type and year


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
    pages = [SearchablePage(url, output_file(url), content_key(frame, url, digest), filters)
             for url, digest, filters in searchable(site)]
    return write_search_index(pages, site.urls.search_bundle(), writer, cache_folder)


def search_page(site: Site, frame: str) -> RenderJob:
    """The search page: its year filter lists the site's years, so its key holds them."""
    years = filter_years(site)
    return RenderJob(site.urls.search_page(), "search.html",
                     {"years": years, "filter_words": FILTER_WORDS, "kinds": KINDS},
                     content_key(frame, "search", repr(years)))


def searchable(site: Site) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """URL, source digest and filter words of every page to index."""
    zone = site.config.zone
    for item in site.news:
        yield item.url, item.digest, filter_words("news", item.date.astimezone(zone).year)
    for doc in site.library.documents:
        yield doc.url, doc.digest, filter_words("document", doc.issued.astimezone(zone).year)
    for page in site.pages:
        yield page.url, page.digest, filter_words("page")


def filter_words(kind: str, year: int | None = None) -> tuple[str, ...]:
    year_words = (f"{FILTER_WORDS['year']}{year}",) if year else ()
    return (f"{FILTER_WORDS['type']}{kind}", *year_words)


def filter_years(site: Site) -> list[int]:
    """The years the year filter offers, newest first."""
    zone = site.config.zone
    years = {item.date.astimezone(zone).year for item in site.news}
    years.update(doc.issued.astimezone(zone).year for doc in site.library.documents)
    return sorted(years, reverse=True)


def index_key(pages: list[SearchablePage]) -> str:
    """Names the index: the same pages with the same content give the same index."""
    return content_key(SEARCH_FORMAT, _pagefind_version(),
                       *(f"{page.url}\0{page.key}\0{' '.join(page.filters)}" for page in pages))


def write_search_index(pages: list[SearchablePage], bundle: str, writer: Writer,
                       cache_folder: Path | None) -> SearchOutcome:
    """Write the Pagefind bundle into the site under `bundle` (e.g. "tim-kiem/pagefind/")."""
    key = index_key(pages)
    bundles = cache_folder / "bundles" if cache_folder else None
    if bundles is not None and (bundles / key).is_dir():
        return _link_bundle(bundles / key, key, bundle, writer, len(pages), reused=True)
    if not pages or writer.read(pages[0].rel) is None:  # nothing to index, or a check
        return SearchOutcome(len(pages), 0, 0, False)
    tails = Cache(cache_folder / "tails" if cache_folder else None)
    try:
        files = _run_pagefind(_indexed_copies(pages, writer, tails))
    except Exception as failure:  # noqa: BLE001 (a missing binary, a crash, an error it
        # reported, a broken install: any of them costs the search, never the site)
        return SearchOutcome(len(pages), 0, 0, False, _describe(failure))
    tails.prune()
    if bundles is None:
        for name, data in files.items():
            writer.write(bundle + name, data)
        return SearchOutcome(len(pages), len(files), sum(map(len, files.values())), False)
    return _link_bundle(_store(bundles, key, files), key, bundle, writer, len(pages), reused=False)


def _indexed_copies(pages: list[SearchablePage], writer: Writer, tails: Cache
                    ) -> Iterator[tuple[str, str]]:
    """Each page's file and indexed copy; its `đ` words from the cache when it is unchanged."""
    for page in pages:
        html = writer.read(page.rel).decode("utf-8")
        folded = tails.get(page.key)
        if folded is None:
            folded = " ".join(folded_words_of(html)).encode("utf-8")
            tails.put(page.key, folded)
        yield page.rel, indexed_copy(html, [*page.filters, *folded.decode("utf-8").split()])


def _link_bundle(folder: Path, key: str, bundle: str, writer: Writer, pages: int,
                 reused: bool) -> SearchOutcome:
    """Link a cached bundle into the site; unchanged files of the previous site stay as
    they are (their keys name the index and the file)."""
    files = size = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            writer.link(bundle + name, path, content_key(key, name))
            files, size = files + 1, size + path.stat().st_size
    return SearchOutcome(pages, files, size, reused)


def _run_pagefind(copies: Iterable[tuple[str, str]]) -> dict[str, bytes]:
    """Index the copies (site path, HTML) and return the bundle's files by name."""
    _check_binary()
    with tempfile.TemporaryDirectory(prefix="portal-search-") as folder:
        pages, bundle = Path(folder, "pages"), Path(folder, "bundle")
        count = 0
        for rel, html in copies:
            path = pages / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
            count += 1
        limit = 60 + SECONDS_PER_PAGE * count
        asyncio.run(asyncio.wait_for(_index_folder(pages, bundle), timeout=limit))
        return {name: data for name, data in _cached_files(bundle).items()
                if not name.startswith(UNUSED_BUNDLE_FILES)}


def _check_binary() -> None:
    """Fail at once on a missing or broken binary; the API would wait for its answer."""
    from pagefind.service import get_executable  # here, so that a broken install fails search only

    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("no pagefind binary (the pagefind[bin] package is not installed)")
    done = subprocess.run([str(binary), "--version"], capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{binary} --version exited with status {done.returncode}")


async def _index_folder(pages: Path, bundle: Path) -> None:
    # The service is used directly: `PagefindIndex`'s own context would write the files
    # into the current folder. They are written to `bundle` rather than returned by
    # `get_files`, whose one answer outgrows the API's 2 MiB pipe buffer on large sites.
    from pagefind.service import PagefindService

    # When Pagefind dies, its reader task dies too and asyncio would print that task's
    # traceback; the failure is reported once, as the build's warning.
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    async with PagefindService() as service:
        index = await service.create_index()
        await index.add_directory(str(pages))
        await index.write_files(output_path=str(bundle))


def _cached_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _store(cache_folder: Path, key: str, files: dict[str, bytes]) -> Path:
    """Keep this index as the only one: written under a temporary name, then renamed, so
    that a killed build never leaves half an index under a real key."""
    cache_folder.mkdir(parents=True, exist_ok=True)
    for old in cache_folder.iterdir():
        shutil.rmtree(old, ignore_errors=True)
    temporary = cache_folder / f"{key}.{os.getpid()}.tmp"
    for name, data in files.items():
        path = temporary / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    os.replace(temporary, cache_folder / key)
    return cache_folder / key


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def _describe(failure: BaseException) -> str:
    if isinstance(failure, asyncio.TimeoutError):
        return "Pagefind did not answer in time"
    return f"{type(failure).__name__}: {failure}".rstrip(": ")
