"""Collect: the site as a whole: what is published, listings, taxonomies, neighbours,
related items, and URL collisions.

Every derived list is computed once here, in one pass or by index, so that no page
has to scan the whole site while it renders.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..config import SiteConfig
from ..errors import ErrorLog
from .documents import Mentions, collect_library, numbers_in_body
from .languages import collect_translations
from ..models import Document, Listing, NewsItem, Page, Site, Visibility, group_by_term

# How far along a tag's date-ordered list to look for related items: enough to find
# the closest matches, bounded so a tag on thousands of items costs the same as one on ten.
RELATED_WINDOW = 25


def collect(news: list[NewsItem], pages: list[Page], documents: list[Document], config: SiteConfig,
            visibility: Visibility, errors: ErrorLog, mentions: Mentions = numbers_in_body) -> Site:
    """`mentions` finds the known document numbers in an item's text (see documents.py)."""
    published = sorted((n for n in news if _visible(n, visibility)), key=_newest_first)
    shown_pages = sorted((p for p in pages if visibility.drafts or not p.draft), key=lambda p: p.url)
    library = collect_library(documents, tuple(published), news, config.urls, config.plan_type,
                              errors, mentions)
    # After the library: two documents with one number are reported once, as such.
    documents_by_file = sorted(library.documents, key=lambda d: d.path)
    _check_collisions([*published, *shown_pages, *documents_by_file], errors)
    categories = group_by_term(published, lambda item: (item.category,))
    tags = group_by_term(published, lambda item: item.tags)
    newer, older = _neighbours(categories, config.neighbour_items)
    return Site(config=config, urls=config.urls, news=tuple(published), pages=tuple(shown_pages),
                categories=categories, tags=tags, library=library, newer=newer, older=older,
                related=_related(published, tags, config.related_items),
                translations=collect_translations(tuple(shown_pages), config, errors))


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
    """Items sharing the most tags, then the closest in date, then by URL; searched near
    each item in each tag's list rather than across the whole site.

    At 10,000 items the windows hold 1.5 million candidates, and ranking each costs
    seconds. But a tag's list is in date order, so the nearest candidates in one window
    stand next to the item: the ranking reads those few, and sets find the candidates
    in more than one window. Portals where that does not hold are ranked pair by pair."""
    places = _TagPlaces.of(news, tags)
    if places is None or count < 1:
        return _related_by_pairs(news, tags, count)
    ranking = _Ranking(places.stamps, _url_ranks(news))
    lists, position = places.lists, places.position
    related = {}
    for me, item in enumerate(news):
        near = [(lists[tag.slug], position[tag.slug][me]) for tag in item.tags]
        related[item.url] = tuple(news[n] for n in ranking.best(me, near, count))
    return related


@dataclass(frozen=True)
class _TagPlaces:
    """Each tag's list as item numbers (places in the news list), where each item stands
    in each, and each item's time: what the fast ranking reads."""

    lists: dict[str, list[int]]  # by tag slug
    position: dict[str, dict[int, int]]  # by tag slug: an item's place in that list
    stamps: list[int]  # by number, see `_clock`

    @classmethod
    def of(cls, news: list[NewsItem], tags: tuple[Listing, ...]) -> _TagPlaces | None:
        """None when the fast ranking does not hold: two items with one URL (a build
        that fails), an item twice in a tag's list (two spellings of one tag), or
        dates `_clock` cannot order as the lists are."""
        number_of = {item.url: number for number, item in enumerate(news)}
        lists = {listing.term.slug: [number_of[item.url] for item in listing.items]
                 for listing in tags}
        position = {slug: {number: at for at, number in enumerate(ids)} for slug, ids in lists.items()}
        stamps = _clock([item.date for item in news])
        if (stamps is None or len(number_of) < len(news)
                or any(len(position[slug]) < len(ids) for slug, ids in lists.items())
                or not _in_time_order(lists.values(), stamps)):
            return None
        return cls(lists, position, stamps)


def _in_time_order(lists: Iterable[list[int]], stamps: list[int]) -> bool:
    """True when each tag's list runs from the latest time to the earliest on `stamps`,
    as it does unless a zone's offset changed between two items' dates."""
    for numbers in lists:
        times = [stamps[n] for n in numbers]
        if not all(map(operator.ge, times, times[1:])):
            return False
    return True


def _url_ranks(news: list[NewsItem]) -> list[int]:
    ranks = [0] * len(news)
    for rank, number in enumerate(sorted(range(len(news)), key=lambda n: news[n].url)):
        ranks[number] = rank
    return ranks


def _related_by_pairs(news: list[NewsItem], tags: tuple[Listing, ...], count: int) -> dict:
    """The same ranking, candidate by candidate: for the portals `_TagPlaces.of` turns
    down. At 10,000 items it takes seconds."""
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


_MICROSECOND = dt.timedelta(microseconds=1)
_WALL_EPOCH = dt.datetime(1970, 1, 1)
_UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# Below this span (2**33 s, 272 years) two distances a microsecond apart stay apart as
# the float `timedelta.total_seconds()` gives, so whole microseconds rank them the same.
_EXACT_SPAN = 2 ** 33 * 10 ** 6


def _clock(dates: list[dt.datetime]) -> list[int] | None:
    """Each date in microseconds on one line, such that the distance between any two is
    what Python's `b - a` gives: wall-clock time when they share a tzinfo object, UTC
    time when not. None when no single line does that (a zone whose offset changed,
    mixed with other zones), or when the dates are too far apart for the float of
    `total_seconds()`, which the ranking must match tie for tie."""
    if len({id(date.tzinfo) for date in dates}) <= 1:
        stamps = [(date.replace(tzinfo=None) - _WALL_EPOCH) // _MICROSECOND for date in dates]
    elif _one_offset_per_zone(dates):
        stamps = [(date - _UTC_EPOCH) // _MICROSECOND for date in dates]
    else:
        return None
    return stamps if not stamps or max(stamps) - min(stamps) < _EXACT_SPAN else None


def _one_offset_per_zone(dates: list[dt.datetime]) -> bool:
    """True when all dates are aware and those sharing a tzinfo share its offset: then
    their wall-clock distance is their UTC distance."""
    offsets: dict[int, dt.timedelta] = {}
    for date in dates:
        offset = date.utcoffset()
        if offset is None or offsets.setdefault(id(date.tzinfo), offset) != offset:
            return False
    return True


@dataclass(frozen=True)
class _Ranking:
    """Ranks candidates for items numbered by their place in the news list; a place in
    a tag's list is (that list of numbers, the item's position in it)."""

    stamps: list[int]  # by number: microseconds, see `_clock`
    url_rank: list[int]  # by number: place of the item's URL in URL order

    def best(self, me: int, places: list[tuple[list[int], int]], count: int) -> list[int]:
        """The `count` best candidates near `me` in its tags' lists: those in the most
        windows first, then the nearest in time, then by URL."""
        again = self._repeats(me, places)
        by_times: dict[int, list[int]] = defaultdict(list)
        for number, times in again.items():
            by_times[times].append(number)
        chosen: list[int] = []
        for times in sorted(by_times, reverse=True):
            chosen += self._nearest(me, by_times[times])[:count - len(chosen)]
            if len(chosen) >= count:
                return chosen
        need = count - len(chosen)
        return chosen + self._nearest(me, self._near_once(me, places, again, need))[:need]

    def _repeats(self, me: int, places: list[tuple[list[int], int]]) -> dict[int, int]:
        """The candidates in more than one window, with how many windows beyond the first."""
        again: dict[int, int] = defaultdict(int)
        if len(places) < 2:
            return again
        seen: set[int] = set()
        for numbers, at in places:
            window = numbers[max(0, at - RELATED_WINDOW):at + RELATED_WINDOW + 1]
            for number in seen.intersection(window):
                again[number] += 1
            seen.update(window)
        again.pop(me, None)
        return again

    def _near_once(self, me: int, places: list[tuple[list[int], int]], again: dict[int, int],
                   need: int) -> list[int]:
        """Candidates in one window only, enough to hold the `need` nearest to `me`: on
        each side of `me` in a window, times only grow apart, so the nearest are the
        `need` next to it (plus those skipped as in another window, plus those at the
        same time as the last one taken, which may come first by URL)."""
        reach, stamps, near = need + len(again), self.stamps, []
        for numbers, at in places:
            low, high = max(0, at - RELATED_WINDOW), min(len(numbers), at + RELATED_WINDOW + 1)
            start, end = max(low, at - reach), min(high, at + 1 + reach)
            while start > low and stamps[numbers[start - 1]] == stamps[numbers[start]]:
                start -= 1
            while end < high and stamps[numbers[end]] == stamps[numbers[end - 1]]:
                end += 1
            near += numbers[start:at]
            near += numbers[at + 1:end]
        return [number for number in near if number not in again]

    def _nearest(self, me: int, candidates: list[int]) -> list[int]:
        """`candidates` nearest in time to `me` first, ties by URL."""
        mine, stamps, url_rank = self.stamps[me], self.stamps, self.url_rank
        # plain tuples sorted, not a key function: one call per candidate is what costs
        return [n for _, _, n in sorted([(abs(stamps[n] - mine), url_rank[n], n) for n in candidates])]
