"""Typed content: builds `NewsItem`, `Page` and `Document` from parsed entries, each
field read and checked by its kind (fields.py)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from ..errors import ErrorLog
from ..models import Attachment, Document, NewsItem, Page, Target, Term
from ..urls import UrlScheme, slugify, unsafe_slug
from .fields import FieldReader, site_file_problem
from .parse import RawEntry, field_line


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
