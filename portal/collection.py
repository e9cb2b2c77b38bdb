"""Stage 5: the site as a whole: what is published, listings, taxonomies, neighbours,
related items, and URL collisions.

Every derived list is computed once here, in one pass or by index, so that no page
has to scan the whole site while it renders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .config import SiteConfig
from .errors import ErrorLog
from .documents import Library, collect_library
from .models import UNCONVERTIBLE_BODY, Document, Listing, NewsItem, Page, group_by_term
from .urls import UrlScheme

# How far along a tag's date-ordered list to look for related items: enough to find
# the closest matches, bounded so a tag on thousands of items costs the same as one on ten.
RELATED_WINDOW = 25


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    urls: UrlScheme
    news: tuple[NewsItem, ...]  # published, newest first
    pages: tuple[Page, ...]
    categories: tuple[Listing, ...]
    tags: tuple[Listing, ...]
    library: Library = field(default_factory=Library)
    newer: dict[str, tuple[NewsItem, ...]] = field(default_factory=dict)  # by item URL
    older: dict[str, tuple[NewsItem, ...]] = field(default_factory=dict)
    related: dict[str, tuple[NewsItem, ...]] = field(default_factory=dict)

    @property
    def latest_news(self) -> tuple[NewsItem, ...]:
        """The sidebar's "latest news": on every page, so part of every page's key."""
        return self.news[:self.config.sidebar_items]

    @property
    def latest_documents(self) -> tuple[Document, ...]:
        return self.library.documents[:self.config.sidebar_items]

    @property
    def menu(self) -> tuple[Page, ...]:
        return tuple(sorted((p for p in self.pages if p.menu is not None),
                            key=lambda p: (p.menu, p.title)))


@dataclass(frozen=True)
class Visibility:
    drafts: bool
    future: bool
    now: dt.datetime


def collect(news: list[NewsItem], pages: list[Page], documents: list[Document], config: SiteConfig,
            visibility: Visibility, errors: ErrorLog) -> Site:
    _check_converted([*news, *pages, *documents], errors)
    published = sorted((n for n in news if _visible(n, visibility)), key=_newest_first)
    shown_pages = sorted((p for p in pages if visibility.drafts or not p.draft), key=lambda p: p.url)
    library = collect_library(documents, tuple(published), news, config.urls, config.plan_type,
                              visibility.now, errors)
    # After the library: two documents with one number are reported once, as such.
    documents_by_file = sorted(library.documents, key=lambda d: d.path)
    _check_collisions([*published, *shown_pages, *documents_by_file], errors)
    categories = group_by_term(published, lambda item: (item.category,))
    tags = group_by_term(published, lambda item: item.tags)
    newer, older = _neighbours(categories, config.neighbour_items)
    return Site(config=config, urls=config.urls, news=tuple(published), pages=tuple(shown_pages),
                categories=categories, tags=tags, library=library, newer=newer, older=older,
                related=_related(published, tags, config.related_items))


def _check_converted(entries: list, errors: ErrorLog) -> None:
    for entry in entries:
        if entry.html == UNCONVERTIBLE_BODY:
            errors.add(entry.path, "unconvertible_body")


def _visible(item: NewsItem, visibility: Visibility) -> bool:
    if item.draft and not visibility.drafts:
        return False
    return visibility.future or item.date <= visibility.now


def _newest_first(item: NewsItem) -> tuple:
    return (-item.date.timestamp(), item.url)


def _check_collisions(entries: list, errors: ErrorLog) -> None:
    owner: dict[str, str] = {}
    for entry in entries:
        if entry.url in owner:
            field, line = entry.url_from
            errors.add(entry.path, "duplicate_url", line=line, field=field, url="/" + entry.url,
                       other=owner[entry.url])
        else:
            owner[entry.url] = entry.path


def _neighbours(categories: tuple[Listing, ...], count: int) -> tuple[dict, dict]:
    """The seed portals' "newer" / "older" lists: the closest items of the same category."""
    newer, older = {}, {}
    for listing in categories:
        items = listing.items
        for index, item in enumerate(items):
            newer[item.url] = tuple(reversed(items[max(0, index - count):index]))
            older[item.url] = items[index + 1:index + 1 + count]
    return newer, older


def _related(news: list[NewsItem], tags: tuple[Listing, ...], count: int) -> dict:
    """Items sharing the most tags, then the closest in date; searched near each item
    in each tag's list rather than across the whole site."""
    position = {slug: {item.url: i for i, item in enumerate(listing.items)}
                for slug, listing in ((l.term.slug, l) for l in tags)}
    by_slug = {listing.term.slug: listing.items for listing in tags}
    related = {}
    for item in news:
        shared: dict[str, int] = defaultdict(int)
        candidates: dict[str, NewsItem] = {}
        for tag in item.tags:
            items, at = by_slug[tag.slug], position[tag.slug][item.url]
            for other in items[max(0, at - RELATED_WINDOW):at + RELATED_WINDOW + 1]:
                if other.url != item.url:
                    shared[other.url] += 1
                    candidates[other.url] = other
        ranked = sorted(candidates.values(), key=lambda o: (
            -shared[o.url], abs((o.date - item.date).total_seconds()), o.url))
        related[item.url] = tuple(ranked[:count])
    return related
