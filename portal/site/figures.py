"""The pictures each page shows, handed to its job with their facts (`Picture`): so a
page's template can write `srcset`, `width` and `height`, and a page's cache key covers
every picture it shows (a photo replaced under the same name re-renders its pages).

What a page shows: its own cover and the pictures its body names, and the covers of
the cards it lists. A body's pictures are found in its Markdown text (pictures.py,
`mentioned_in`), which every model has at hand; its HTML may be not converted yet."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..models import NewsItem, RenderJob
from ..pictures import Picture, Pictures, mentioned_in


def shown_pictures(job: RenderJob, pictures: Pictures) -> dict[str, Picture]:
    """The facts of the pictures `job`'s page shows, by site path."""
    if not pictures:
        return {}
    context = job.context
    own = context.get("item") or context.get("page") or context.get("doc")
    paths = set(mentioned_in(own.body)) if hasattr(own, "body") else set()
    paths.update(item.image for item in _cards(context) if item.image)
    return {path: pictures[path] for path in sorted(paths) if path in pictures}


def _cards(context: dict) -> Iterator[NewsItem]:
    """The news items whose covers the page shows: its own, a listing's, the home page's."""
    if isinstance(context.get("item"), NewsItem):
        yield context["item"]
    pager = context.get("pager")
    if pager is not None:
        yield from _news(pager.items)
    yield from _news(context.get("featured", ()))
    for _, items in context.get("sections", ()):
        yield from _news(items)


def _news(items: Iterable) -> Iterator[NewsItem]:
    return (item for item in items if isinstance(item, NewsItem))
