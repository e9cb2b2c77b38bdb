"""Splitting listings into pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from ..fingerprint import Fingerprinted
from ..models import RenderJob


@dataclass(frozen=True)
class PageLinks(Fingerprinted):
    """The address of each page of one listing, first to last: shared by its pages, so
    that a 500-page listing hashes its 500 addresses once, not once a page."""

    urls: tuple[str, ...]


@dataclass(frozen=True)
class Pager:
    """One page of a paginated listing: its items and the addresses of all its pages
    (plain data, so that the page's key covers everything the pager shows)."""

    number: int
    total: int
    items: tuple
    links: PageLinks

    @property
    def previous_url(self) -> str | None:
        return self.links.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.links.urls[self.number] if self.number < self.total else None

    def urls(self) -> list[tuple[int, str]]:
        return list(enumerate(self.links.urls, start=1))


def paginate(items: Sequence, url_of: Callable[[int], str], template: str, context: dict,
             per_page: int) -> list[RenderJob]:
    """One job a page of `items`."""
    total = max(1, math.ceil(len(items) / per_page))
    links = PageLinks(tuple(url_of(number) for number in range(1, total + 1)))
    return [RenderJob(links.urls[number - 1], template,
                      {**context, "pager": Pager(number, total, tuple(items[(number - 1) * per_page:
                                                                               number * per_page]),
                                                 links)})
            for number in range(1, total + 1)]
