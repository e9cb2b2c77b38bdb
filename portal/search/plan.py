"""What is indexed, and in which part of the index: the searchable pages, their shards
and filter words, and the search page that lists the shards and the years.

Every published news item, document and page is indexed (listings, drafts and
scheduled items have no such page in this build, so they cannot be).

The filters (type, year) are words in each indexed copy's tail ("zzloainews",
"zznam2024") that the search page adds to the query, not Pagefind filters: Pagefind 1.5
writes its filter files in a different order on every run, and this site must be the
same bytes for the same input.

Pagefind cannot update an index in place, so a large site's index is split into
shards: groups of years of `search_shard_pages` pages (the pages go with the newest),
each a Pagefind bundle of its own (`tim-kiem/pagefind/<first year>/`) that the search
page merges with `mergeIndex`. A group larger than `PAGEFIND_PAGES` (one year of a
large portal) is cut into pieces by a hash of each page's URL (`<first year>-<piece>/`):
Pagefind holds about 330 KB a page while it indexes (1.5.2 and 1.6.0 alike, measured), so
a piece's size bounds its memory, and an edit or a new item re-indexes one piece. A
group's piece count changes only when it grows past a multiple of `PAGEFIND_PAGES` (hash
pieces, not ranges: a deleted or back-dated item moves no other page).
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from ..models import RenderJob
from .pagefind import pagefind_version, version_tuple

if TYPE_CHECKING:
    from ..models import Document, NewsItem, Site

# SHARD_PAGES names the one shard of a site with pages and no dated items.
SHARD_PAGES = "trang"
# Filter name -> the start of its words; search.html hands them to search.js.
FILTER_WORDS = {"type": "zzloai", "year": "zznam"}
KINDS = ("news", "document", "page")  # the values of the type filter
# The most pages one Pagefind run is given: it holds ~330 KB a page (1,000 pages: 330 MB,
# 5,000: 1.5 GB), and each shard costs a first query some index chunks of its own (at
# 10,000 pages, ten shards: 1.5 MB for "bao ve tre em" with Pagefind 1.6, but 8.2 MB with
# 1.5.2, whose shards each cost ~0.5 MB more). So with an older Pagefind the shards stay
# as large as `search_shard_pages` makes them: the citizen's download before the memory.
PAGEFIND_PAGES = 1000
SMALL_SHARDS_SINCE = (1, 6)


@dataclass(frozen=True)
class SearchablePage:
    url: str  # site-relative, as on the page's RenderJob
    rel: str  # its file in the site
    key: str  # what its indexed region shows: an unchanged key means an unchanged entry
    filters: tuple[str, ...] = ()  # its filter words: its type and year
    shard: str = SHARD_PAGES  # the part of the index it is in: named by its first year


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
               if version_tuple(pagefind_version()) >= SMALL_SHARDS_SINCE
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
