"""Typed content: builds `NewsItem`, `Page` and `Document` from a parsed entry and its
converted body, each field read and checked by its kind (fields.py). A model is complete
when it is made: its HTML, its summary, where its fields are written, and a document's
status on the build's date."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from ..config import LANGUAGES
from ..errors import ErrorLog
from ..models import (UNCONVERTIBLE_BODY, Attachment, BodyHtml, Document, NewsItem, Page, Target, Term,
                      status_on)
from ..urls import UrlScheme, slugify, unsafe_slug
from ..paths import site_file_problem
from .fields import FieldReader
from .markup import Converted
from .parse import RawEntry, field_line
from .video_lines import check_video_lines


@dataclass(frozen=True)
class ModelContext:
    """What building a model needs besides the entry itself."""

    errors: ErrorLog
    zone: zoneinfo.ZoneInfo
    static_dir: Path
    urls: UrlScheme
    now: dt.datetime  # the build's date, on which a document is in force or not


def make_models(entries: list[RawEntry], bodies: list[Converted], ctx: ModelContext) -> list:
    """The model of each entry whose fields and video lines are right; every wrong field
    or line is an error."""
    made = ((MODEL_BUILDERS[entry.source.kind](entry, body, ctx),
             check_video_lines(entry, ctx.errors, ctx.static_dir)) for entry, body in zip(entries, bodies))
    return [model for model, videos_shown in made if model is not None and videos_shown]


# The bodies of portal/commands/scaffolds/, which `new` writes for the editor to replace
# (a document's is an HTML comment, never published); tests/test_editor_traps.py keeps
# the two in step.
SCAFFOLD_PLACEHOLDERS = ("Viết nội dung bài ở đây", "Viết nội dung trang ở đây")


def news_from(entry: RawEntry, body: Converted, ctx: ModelContext) -> NewsItem | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    title = read.text("title", required=True)
    date = read.date("date", required=True)
    category = _term(read, "category", read.text("category", required=True), ctx.urls.category_page)
    tags = tuple(_term(read, "tags", tag, ctx.urls.tag_page) for tag in read.strings("tags"))
    slug = _slug(read, title)
    item = dict(
        **_summary(read, body), image=read.site_file("image"),
        image_alt=read.text("image_alt"), image_caption=read.text("image_caption"),
        author=read.text("author"), source=read.text_or_url("source"),
        documents=read.strings("documents"),
        draft=read.flag("draft"), featured=read.flag("featured"),
        lang=read.choice("lang", LANGUAGES), updated=_updated(read, date),
        video=read.video("video"), aliases=read.aliases("aliases"),
    )
    extra = read.extra()  # read last, when every known key is marked used
    if read.failed or date is None or not _converted(entry, body, ctx) or \
            not _written(entry, ctx, item["draft"]):
        return None
    return NewsItem(
        path=entry.source.rel, title=title, date=date, slug=slug, url=ctx.urls.news_item(slug),
        category=category, tags=tags, extra=extra, url_from=_url_from(entry), **_source(entry, body),
        **item)


def page_from(entry: RawEntry, body: Converted, ctx: ModelContext) -> Page | None:
    read = FieldReader(entry, ctx.errors, ctx.zone, ctx.static_dir)
    title = read.text("title", required=True)
    slug = _slug(read, title)
    if slug in ctx.urls.reserved():
        read.report("slug", "reserved_slug", value=slug)
    menu, summary, draft = read.number("menu"), _summary(read, body), read.flag("draft")
    language = dict(lang=read.choice("lang", LANGUAGES), translation_of=read.text("translation_of"),
                    show_organization=read.flag("show_organization"))
    aliases = read.aliases("aliases")
    extra = read.extra()
    if read.failed or not _converted(entry, body, ctx) or not _written(entry, ctx, draft):
        return None
    return Page(path=entry.source.rel, title=title, slug=slug, url=ctx.urls.static_page(slug),
                menu=menu, draft=draft, extra=extra, url_from=_url_from(entry), aliases=aliases,
                **_source(entry, body), **summary, **language)


def _updated(read: FieldReader, date: dt.datetime | None) -> dt.datetime | None:
    """`updated:`, the last change the editor made: not before the item's date."""
    updated = read.date("updated")
    if updated and date and updated < date:
        read.report("updated", "updated_before_date", date=date.date(), value=updated.date())
        return None
    return updated


def _summary(read: FieldReader, body: Converted) -> dict:
    """The editor's summary, else the body's first paragraph."""
    written = read.text("summary")
    return dict(summary=written or body.first_paragraph, summary_written=bool(written))


def _source(entry: RawEntry, body: Converted) -> dict:
    """What a model keeps of its file: the body, its HTML, the digest, the field lines."""
    return dict(body=entry.body, body_html=BodyHtml(body.html), digest=entry.digest,
                lines=entry.lines, body_line=entry.body_line)


def _converted(entry: RawEntry, body: Converted, ctx: ModelContext) -> bool:
    """False, and an error, for a body the Markdown converter could not finish."""
    if body.html != UNCONVERTIBLE_BODY:
        return True
    ctx.errors.add(entry.source.path, "unconvertible_body")
    return False


def _written(entry: RawEntry, ctx: ModelContext, draft: bool) -> bool:
    """False, and an error on its line, for a published body that still holds the text
    `python build.py new` wrote for the editor to replace (a draft may keep it)."""
    if draft:
        return True
    for offset, line in enumerate(entry.body.split("\n")):
        if any(placeholder in line for placeholder in SCAFFOLD_PLACEHOLDERS):
            ctx.errors.add(entry.source.path, "placeholder_left", line=entry.body_line + offset,
                           value=line.strip()[:80])
            return False
    return True


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


def document_from(entry: RawEntry, body: Converted, ctx: ModelContext) -> Document | None:
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
                   targets=_targets(read), aliases=read.aliases("aliases"), **_summary(read, body))
    extra = read.extra()
    if read.failed or issued is None or not _converted(entry, body, ctx) or \
            not _written(entry, ctx, draft=False):
        return None
    return Document(path=entry.source.rel, number=number, slug=slug, url=ctx.urls.document(slug),
                    type=kind, title=title, issuer=issuer, issued=issued, effective=effective,
                    expires=expires, extra=extra, status=status_on(issued, effective, expires, ctx.now),
                    url_from=_url_from(entry, default="number"), **_source(entry, body), **details)



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


MODEL_BUILDERS = {"news": news_from, "page": page_from, "document": document_from}
