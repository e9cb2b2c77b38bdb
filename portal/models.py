"""Stage 4: typed content. Builds `NewsItem` and `Page` from parsed entries.

Front-matter keys the engine does not know are kept in `extra` and reach templates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ErrorLog
from .fields import FieldReader
from .parse import RawEntry, field_line
from .urls import UrlScheme, slugify, unsafe_slug


@dataclass(frozen=True)
class Term:
    """A category or a tag as an item refers to it."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class NewsItem:
    path: str  # source file, relative to the site root
    title: str
    date: dt.datetime
    category: Term
    tags: tuple[Term, ...]
    slug: str
    url: str
    body: str
    digest: str
    summary: str = ""
    image: str = ""
    image_alt: str = ""
    image_caption: str = ""
    author: str = ""
    source: str = ""
    documents: tuple[str, ...] = ()
    draft: bool = False
    featured: bool = False
    extra: dict = field(default_factory=dict)
    html: str = ""  # the body as safe HTML, filled in by the markup stage
    url_from: tuple[str, int] = ("title", 1)  # the field and line the URL comes from, for errors

    @property
    def card_key(self) -> str:
        """What listings and feeds show of this item; their cache keys are made of these."""
        shown = (self.title, self.url, self.date.isoformat(), self.summary, self.image,
                 self.image_alt, self.category.name, self.featured, self.author)
        return hashlib.sha1(repr(shown).encode()).hexdigest()


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    slug: str
    url: str
    body: str
    digest: str
    menu: int | None = None
    summary: str = ""
    draft: bool = False
    extra: dict = field(default_factory=dict)
    html: str = ""
    url_from: tuple[str, int] = ("title", 1)


@dataclass(frozen=True)
class ModelContext:
    """What building a model needs besides the entry itself."""

    errors: ErrorLog
    zone: zoneinfo.ZoneInfo
    static_dir: Path
    urls: UrlScheme


def news_from(entry: RawEntry, ctx: ModelContext) -> NewsItem | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    title = read.text("title", required=True)
    date = read.date("date", required=True)
    category = _term(read, "category", read.text("category", required=True), ctx.urls.category_page)
    tags = tuple(_term(read, "tags", tag, ctx.urls.tag_page) for tag in read.strings("tags"))
    slug = _slug(read, title)
    item = dict(
        summary=read.text("summary"), image=read.site_file("image"),
        image_alt=read.text("image_alt"), image_caption=read.text("image_caption"),
        author=read.text("author"), source=read.text("source"), documents=read.strings("documents"),
        draft=read.flag("draft"), featured=read.flag("featured"),
    )
    if read.failed or date is None:
        return None
    return NewsItem(
        path=entry.source.rel, title=title, date=date, slug=slug, url=ctx.urls.news_item(slug),
        category=category, tags=tags, body=entry.body, digest=entry.digest, extra=read.extra(),
        url_from=_url_from(entry), **item)


def page_from(entry: RawEntry, ctx: ModelContext) -> Page | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    title = read.text("title", required=True)
    slug = _slug(read, title)
    if slug in ctx.urls.reserved():
        read.report("slug", "reserved_slug", value=slug)
    menu, summary, draft = read.number("menu"), read.text("summary"), read.flag("draft")
    if read.failed:
        return None
    return Page(path=entry.source.rel, title=title, slug=slug, url=ctx.urls.static_page(slug),
                body=entry.body, digest=entry.digest, menu=menu, summary=summary, draft=draft,
                extra=read.extra(), url_from=_url_from(entry))


def _slug(read: FieldReader, title: str) -> str:
    """The item's slug: its own `slug:` (checked for path tricks) or one made from the title."""
    given = read.text("slug")
    if given and unsafe_slug(given):
        read.report("slug", "bad_slug", value=given)
        return ""
    slug = slugify(given or title)
    if not slug and (given or title):
        read.report("slug" if given else "title", "empty_slug", value=given or title)
    return slug


def _url_from(entry: RawEntry) -> tuple[str, int]:
    name = "slug" if entry.meta.get("slug") else "title"
    return name, field_line(entry, name)


def _term(read: FieldReader, field: str, name: str, url_of) -> Term:
    """A category or tag; one whose name makes no address ("!!!") is an error."""
    slug = slugify(name)
    if name and not slug:
        read.report(field, "no_letters", value=name)
    return Term(name, slug, url_of(slug))
