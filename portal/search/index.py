"""Post-processing: the in-browser search index, written into the site.

The templates mark what Pagefind reads: the region (`data-pagefind-body`) and the
metadata shown with a result (date, type). Pagefind is given an *indexed copy* of each
page (copy.py), one Pagefind run per shard that changed (plan.py says which pages go in
which shard, pagefind.py runs it). The index goes into the site under the search page.

Each shard is cached under `.cache/search/bundles/<key>/` (bundles.py), the key naming
its pages' content keys and Pagefind's version, with a manifest of its files' checksums:
a build copies the shards whose pages did not change (after checking every file) and
runs Pagefind for the others only, so an edit re-indexes one shard, not the site. Each
page's tail of `đ` words is cached too (`.cache/search/tails/`, by the page's key). Each
bundle is stored and written into the site as soon as it is made, so that only one is
held at a time. (If Pagefind fails on a later shard, the earlier ones stay in the site,
unused: the search page cannot merge the missing ones and says that search failed, as
with no index.) Only the primary shard (the newest) keeps Pagefind's own code
(`pagefind.js`, its worker and wasm); the others are merged into it.

A warm build does not even read a cached bundle when the site being replaced holds all
its files already (`writer.expect`): each bundle's file names and sizes are kept in a
small sealed entry (`.cache/search/lists/`), the bundle itself only read when a file is
missing.

If Pagefind is missing or fails, the site is built without search and the outcome says
why, as records for the editor (a warning, not an error): a broken search box is better
than no new site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..cache import Cache, content_key
from ..errors import ContentError
from ..urls import output_file
from ..writer import Writer
from .bundles import Bundles
from .copy import folded_words_of, indexed_copy
from .pagefind import RUNTIME_FILES, PagefindFailure, pagefind_version, run_pagefind
from .plan import SearchablePage, searchable, shards_of

if TYPE_CHECKING:
    from ..models import Site

SEARCH_FORMAT = "6"  # bump when the bundle or the indexed copy changes shape (6: minimal copies)
# The portal's own problems (not one content file's) are filed under its config, as
# ErrorLog files them.
PROBLEM_PATH = "config.yaml"


@dataclass(frozen=True)
class SearchOutcome:
    pages: int  # pages in the index
    files: int  # index files written into the site
    size: int  # their bytes
    reused: bool  # taken from the cache, Pagefind not run
    problems: tuple[ContentError, ...] = ()  # why there is no index (Pagefind missing or failing)


def index_site(site: Site, frame: str, writer: Writer, cache_folder: Path | None) -> SearchOutcome:
    """Index the published news, documents and pages this build has just written.

    `frame` names what shapes the indexed region besides the item itself (templates,
    config, engine), not the page's frame: new weather readings or a new latest-news list
    change every page but not what search finds, and must not cost a reindex."""
    pages = [SearchablePage(url, output_file(url), content_key(frame, url, digest), filters, shard)
             for url, digest, filters, shard in searchable(site)]
    return write_search_index(pages, site.urls.search_bundle(), writer, cache_folder,
                              primary=next(iter(shards_of(site)), ""))


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
    version = pagefind_version()
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
        for shard, files in run_pagefind({shard: _indexed_copies(members, writer, tails)
                                          for shard, members in missing.items()}):
            bundles.store(keys[shard], files)
            lists.put(keys[shard], json.dumps(_sizes(files)).encode("utf-8"))
            made = _write_bundle(files, keys[shard], f"{bundle}{shard}/", writer, shard == primary)
            written = [written[0] + made[0], written[1] + made[1]]
    except Exception as failure:  # noqa: BLE001 (a missing binary, a crash, an error it
        # reported, a broken install, a full disk: any of them costs the search, never the site)
        return SearchOutcome(len(pages), 0, 0, False, (_problem_of(failure),))
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


def _problem_of(failure: Exception) -> ContentError:
    """What the editor is told: Pagefind's own failures by their message, anything else
    as it was raised."""
    if isinstance(failure, PagefindFailure):
        return _problem(failure.key, **failure.params)
    return _problem("search_index_failed", problem=f"{type(failure).__name__}: {failure}".rstrip(": "))


def _problem(key: str, **params: object) -> ContentError:
    return ContentError(PROBLEM_PATH, None, None, key,
                        tuple((name, str(value)) for name, value in params.items()))
