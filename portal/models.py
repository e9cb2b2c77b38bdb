"""Stage 4: typed content. Builds `NewsItem` and `Page` from parsed entries.

Front-matter keys the engine does not know are kept in `extra` and reach templates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Callable, Iterable
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ErrorLog
from .fingerprint import SKIP, Fingerprinted
from .content.fields import FieldReader, site_file_problem
from .content.parse import RawEntry, field_line
from .urls import UrlScheme, slugify, unsafe_slug


# What the markup stage gives a body the Markdown converter could not finish (it ran out
# of stack on nesting that markdown_limits.body_problem did not foresee). A plain string
# that the sanitizer leaves as it is (word joiners, no markup), so that it comes back
# unchanged from a worker process and from the markup cache, which is sanitized again;
# the collection reports it as a content error, so it never reaches a page.
UNCONVERTIBLE_BODY = "\u2060portal: unconvertible Markdown body\u2060"


class BodyHtml:
    """A body as safe HTML: given by the markup stage, or fetched on first use for a model
    read back from the snapshot, so that a build which renders few pages converts (and
    sanitizes) few bodies. Not part of a model's fingerprint: it follows from the body."""

    def __init__(self, text: str | None = None, load: Callable[[], str] | None = None):
        self._text, self._load = text, load

    def text(self) -> str:
        if self._text is None:
            self._text = self._load() if self._load else ""
        return self._text


def _html_field():
    return field(default_factory=BodyHtml, metadata=SKIP, compare=False, repr=False)


@dataclass(frozen=True)
class Term(Fingerprinted):
    """A category or a tag as an item refers to it."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Listing(Fingerprinted):
    """Items under one term (a category, a tag, a document type, year or issuer), newest first."""

    term: Term
    items: tuple


def group_by_term(items: Iterable, terms_of: Callable[[object], Iterable[Term]]
                  ) -> tuple[Listing, ...]:
    """Group items by term slug, keeping their order; names differing only in case or
    marks share a listing, under the first spelling met."""
    grouped: dict[str, list] = defaultdict(list)
    first_term: dict[str, Term] = {}
    for item in items:
        for term in terms_of(item):
            grouped[term.slug].append(item)
            first_term.setdefault(term.slug, term)
    return tuple(Listing(first_term[slug], tuple(grouped[slug])) for slug in sorted(grouped))


@dataclass(frozen=True)
class NewsItem(Fingerprinted):
    path: str  # source file, relative to the site root
    title: str
    date: dt.datetime
    category: Term
    tags: tuple[Term, ...]
    slug: str
    url: str
    body: str = field(metadata=SKIP)  # what it shows follows from the file, hence its digest
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
    body_html: BodyHtml = _html_field()  # filled in by the markup stage
    url_from: tuple[str, int] = ("title", 1)  # the field and line the URL comes from, for errors
    documents_line: int = 1  # where `documents:` is, for an error about a number in it

    @property
    def html(self) -> str:
        return self.body_html.text()


@dataclass(frozen=True)
class Page(Fingerprinted):
    path: str
    title: str
    slug: str
    url: str
    body: str = field(metadata=SKIP)  # what it shows follows from the file, hence its digest
    digest: str
    menu: int | None = None
    summary: str = ""
    draft: bool = False
    extra: dict = field(default_factory=dict)
    body_html: BodyHtml = _html_field()
    url_from: tuple[str, int] = ("title", 1)

    @property
    def html(self) -> str:
        return self.body_html.text()


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
        author=read.text("author"), source=read.text_or_url("source"),
        documents=read.strings("documents"),
        draft=read.flag("draft"), featured=read.flag("featured"),
    )
    extra = read.extra()  # read last, when every known key is marked used
    if read.failed or date is None:
        return None
    return NewsItem(
        path=entry.source.rel, title=title, date=date, slug=slug, url=ctx.urls.news_item(slug),
        category=category, tags=tags, body=entry.body, digest=entry.digest, extra=extra,
        url_from=_url_from(entry), documents_line=field_line(entry, "documents"), **item)


def page_from(entry: RawEntry, ctx: ModelContext) -> Page | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    title = read.text("title", required=True)
    slug = _slug(read, title)
    if slug in ctx.urls.reserved():
        read.report("slug", "reserved_slug", value=slug)
    menu, summary, draft = read.number("menu"), read.text("summary"), read.flag("draft")
    extra = read.extra()
    if read.failed:
        return None
    return Page(path=entry.source.rel, title=title, slug=slug, url=ctx.urls.static_page(slug),
                body=entry.body, digest=entry.digest, menu=menu, summary=summary, draft=draft,
                extra=extra, url_from=_url_from(entry))


def _slug(read: FieldReader, text: str, source: str = "title") -> str:
    """The item's slug: its own `slug:` (checked for path tricks) or one made from `text`,
    the value of the `source` field (the title; a document's number)."""
    given = read.text("slug")
    if given and unsafe_slug(given):
        read.report("slug", "bad_slug", value=given)
        return ""
    slug = slugify(given or text)
    if not slug and (given or text):
        read.report("slug" if given else source, "empty_slug", value=given or text)
    return slug


def _url_from(entry: RawEntry, default: str = "title") -> tuple[str, int]:
    name = "slug" if entry.meta.get("slug") else default
    return name, field_line(entry, name)


def _term(read: FieldReader, field: str, name: str, url_of) -> Term:
    """A category or tag; one whose name makes no address ("!!!") is an error."""
    slug = slugify(name)
    if name and not slug:
        read.report(field, "no_letters", value=name)
    return Term(name, slug, url_of(slug))


@dataclass(frozen=True)
class Attachment(Fingerprinted):
    path: str  # site path, e.g. /files/606-kh-ubnd.pdf
    title: str
    size: int  # bytes
    kind: str  # what citizens see: "PDF", "DOCX"


@dataclass(frozen=True)
class Target:
    label: str
    value: str


@dataclass(frozen=True)
class Document(Fingerprinted):
    """A legal or administrative document ("văn bản"); a plan is one of type Kế hoạch."""

    path: str
    number: str
    slug: str
    url: str
    type: Term
    title: str
    issuer: Term
    issued: dt.datetime
    body: str = field(metadata=SKIP)
    digest: str
    effective: dt.datetime | None = None
    expires: dt.datetime | None = None
    signer: str = ""
    domain: str = ""  # the `field:` key, "Lĩnh vực" (named so as not to shadow dataclasses.field)
    files: tuple[Attachment, ...] = ()
    targets: tuple[Target, ...] = ()
    extra: dict = field(default_factory=dict)
    body_html: BodyHtml = _html_field()
    summary: str = ""
    status: str = ""  # in_force | expired | not_yet, decided at build time by the collection
    url_from: tuple[str, int] = ("number", 1)

    @property
    def html(self) -> str:
        return self.body_html.text()

    @property
    def year(self) -> int:
        return self.issued.year


def document_from(entry: RawEntry, ctx: ModelContext) -> Document | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    number = read.text("number", required=True)
    kind = _term(read, "type", read.text("type", required=True), ctx.urls.document_type)
    issuer = _term(read, "issuer", read.text("issuer", required=True), ctx.urls.document_issuer)
    title, issued = read.text("title", required=True), read.date("issued", required=True)
    effective, expires = read.date("effective"), read.date("expires")
    if issued and expires and expires < issued:
        read.report("expires", "expires_before_issued", issued=issued.date(), value=expires.date())
    slug = _slug(read, number, "number")
    details = dict(signer=read.text("signer"), domain=read.text("field"), files=_attachments(read),
                   targets=_targets(read), summary=read.text("summary"))
    extra = read.extra()
    if read.failed or issued is None:
        return None
    return Document(path=entry.source.rel, number=number, slug=slug, url=ctx.urls.document(slug),
                    type=kind, title=title, issuer=issuer, issued=issued, effective=effective,
                    expires=expires, body=entry.body, digest=entry.digest, extra=extra,
                    url_from=_url_from(entry, default="number"), **details)


def _attachments(read: FieldReader) -> tuple[Attachment, ...]:
    found = []
    for item in read.mappings("files", ("path", "title")):
        path, title = str(item.get("path") or ""), str(item.get("title") or "")
        problem = site_file_problem(path, read.static_dir)
        if problem:
            read.report("files", problem, value=path)
            continue
        size = (read.static_dir / path.lstrip("/")).stat().st_size
        kind = Path(path).suffix.lstrip(".").upper() or "?"
        found.append(Attachment(path, title or Path(path).name, size, kind))
    return tuple(found)


def _targets(read: FieldReader) -> tuple[Target, ...]:
    return tuple(Target(str(item["label"]), str(item["value"]))
                 for item in read.mappings("targets", ("label", "value")))
