"""Splitting listings into pages, and the cache keys of what a listing shows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from .cache import content_key
from .render import RenderJob


@dataclass(frozen=True)
class Pager:
    """One page of a paginated listing."""

    number: int
    total: int
    items: tuple
    url_of: Callable[[int], str]

    @property
    def previous_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.total else None

    def urls(self) -> list[tuple[int, str]]:
        return [(n, self.url_of(n)) for n in range(1, self.total + 1)]


def paginate(items: Sequence, url_of: Callable[[int], str], template: str, context: dict,
             per_page: int, frame: str) -> list[RenderJob]:
    """One job a page of `items`; each page's key is the cards it shows."""
    total = max(1, math.ceil(len(items) / per_page))
    jobs = []
    for number in range(1, total + 1):
        shown = tuple(items[(number - 1) * per_page:number * per_page])
        pager = Pager(number, total, shown, url_of)
        key = content_key(frame, template, repr(sorted(context)), url_of(number), str(total),
                          *cards(shown))
        jobs.append(RenderJob(url_of(number), template, {**context, "pager": pager}, key))
    return jobs


def cards(items: Sequence) -> list[str]:
    return [item.card_key for item in items]
