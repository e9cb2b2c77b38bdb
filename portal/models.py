"""The data the stages hand each other: the typed content (`NewsItem`, `Page`,
`Document`), the collected site, and the jobs pages are rendered from. Built by
content/model.py from parsed entries; front-matter keys the engine does not know are
kept in `extra` and reach templates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Callable, Iterable
from dataclasses import dataclass, field

from .fingerprint import SKIP, Fingerprinted
from .config import SiteConfig
from .urls import UrlScheme
from .video import Video, video_from


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


def _lines_field():
    """Where each front-matter field is written in the file, for the editor's messages; no
    part of what a page shows, so not of the model's fingerprint."""
    return field(default_factory=dict, metadata=SKIP, compare=False, repr=False)


def _body_line_field():
    return field(default=1, metadata=SKIP, compare=False, repr=False)


IN_FORCE, EXPIRED, NOT_YET = "in_force", "expired", "not_yet"  # a document's status
SUMMARY_LENGTH = 280  # characters of a summary the listings show


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
    lang: str = ""  # "vi" or "en"; "" is the portal's language
    updated: dt.datetime | None = None  # when the editor last changed it, if said
    video: str = ""  # `video:`, a YouTube address or a site path of an .mp4 (checked)
    aliases: tuple[str, ...] = ()  # old addresses ("tin-tuc/ten-cu/"), each a redirect page
    extra: dict = field(default_factory=dict)
    body_html: BodyHtml = _html_field()  # from the markup stage
    summary_written: bool = False  # else `summary` is the body's first paragraph
    url_from: tuple[str, int] = ("title", 1)  # the field and line the URL comes from, for errors
    lines: dict[str, int] = _lines_field()
    body_line: int = _body_line_field()

    @property
    def html(self) -> str:
        return self.body_html.text()

    @property
    def video_link(self) -> Video | None:
        """The video of `video:`, which the page shows in place of its cover."""
        return video_from(self.video) if self.video else None

    @property
    def documents_line(self) -> int:
        """Where `documents:` is, for an error about a number in it."""
        return self.lines.get("documents", 1)


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
    lang: str = ""  # "vi" or "en"; "" is the portal's language
    translation_of: str = ""  # the slug of the page this one translates
    show_organization: bool = False  # the agency's facts from config, under the body
    aliases: tuple[str, ...] = ()  # old addresses, each a redirect page (aliases.py)
    extra: dict = field(default_factory=dict)
    body_html: BodyHtml = _html_field()
    summary_written: bool = False
    url_from: tuple[str, int] = ("title", 1)
    lines: dict[str, int] = _lines_field()
    body_line: int = _body_line_field()

    @property
    def html(self) -> str:
        return self.body_html.text()


@dataclass(frozen=True)
class Attachment(Fingerprinted):
    path: str  # site path, e.g. /files/606-kh-ubnd.pdf
    title: str
    size: int  # bytes
    kind: str  # what citizens see: "PDF", "DOCX"


def status_on(issued: dt.datetime, effective: dt.datetime | None, expires: dt.datetime | None,
              now: dt.datetime) -> str:
    """In force from `effective` (else the issue date) until the day `expires`, when it
    ceases ("hết hiệu lực kể từ ngày …")."""
    if now < (effective or issued):
        return NOT_YET
    if expires is not None and now >= expires:
        return EXPIRED
    return IN_FORCE


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
    aliases: tuple[str, ...] = ()  # old addresses, each a redirect page (aliases.py)
    extra: dict = field(default_factory=dict)
    body_html: BodyHtml = _html_field()
    summary: str = ""
    summary_written: bool = False
    status: str = IN_FORCE  # IN_FORCE, EXPIRED or NOT_YET on the build's date
    url_from: tuple[str, int] = ("number", 1)
    lines: dict[str, int] = _lines_field()
    body_line: int = _body_line_field()

    @property
    def html(self) -> str:
        return self.body_html.text()

    @property
    def year(self) -> int:
        return self.issued.year


# --- what the collection makes of the models, and what the pages are made from -------

@dataclass(frozen=True)
class Library:
    documents: tuple[Document, ...] = ()  # newest issued first
    by_type: tuple[Listing, ...] = ()
    by_year: tuple[Listing, ...] = ()  # newest year first
    by_issuer: tuple[Listing, ...] = ()
    plans_by_year: tuple[Listing, ...] = ()
    named_by: dict[str, tuple[NewsItem, ...]] = field(default_factory=dict)  # doc URL -> news
    names: dict[str, tuple[Document, ...]] = field(default_factory=dict)  # news URL -> docs


@dataclass(frozen=True)
class Translations:
    """Which page translates which (`translation_of:`), by URL, and the page the header's
    "English" link leads to when a page has no translation of its own."""

    english: dict[str, str] = field(default_factory=dict)  # a Vietnamese page -> its English one
    original: dict[str, str] = field(default_factory=dict)  # an English page -> the Vietnamese one
    main_english: str | None = None


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
    translations: Translations = field(default_factory=Translations)

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


@dataclass(frozen=True)
class RenderJob:
    url: str  # site-relative; the output file is derived from it
    template: str
    context: dict  # all the page's template may show of the site (besides the frame)
