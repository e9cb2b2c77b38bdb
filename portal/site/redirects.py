"""Redirect pages: one at each old address (`aliases:`) of a published news item, page or
document, sending the reader on to where it lives now (templates/redirect.html: a meta
refresh and a plain link, no script; a canonical link and `noindex`, so that search
engines move the page's standing to the new address).

Planned after every other page, so that an old address can be checked against all of
them: one that names a page the site makes, a part of the site the engine fills
(aliases.reserved_alias), or another item's old address, is an error on its line.
Neither the sitemap, nor the feeds, nor the search index list a redirect page.
"""

from __future__ import annotations

from ..aliases import reserved_alias
from ..errors import ErrorLog
from ..models import Document, NewsItem, Page, RenderJob, Site
from ..urls import output_file
from .languages import language_of

REDIRECT_TEMPLATE = "redirect.html"


def redirect_pages(site: Site, planned: list[RenderJob], errors: ErrorLog | None) -> list[RenderJob]:
    """A redirect page for each old address that takes no one else's place; each one
    that would is reported to `errors` (and left out when there is no log to tell)."""
    moved = _moved(site)
    if not moved:  # nearly every build
        return []
    made = _MadeFiles(planned)
    claimed: dict[str, str] = {}  # an old address (casefolded) -> the file that claims it
    jobs = []
    for entry in moved:
        for alias in entry.aliases:
            problem = _problem(alias, made, claimed, site)
            if problem is None:
                claimed[alias.casefold()] = entry.path
                jobs.append(_redirect(alias, entry, site))
            elif errors is not None:
                key, other = problem
                errors.add(errors.root / entry.path, key, line=entry.lines.get("aliases"),
                           field="aliases", value="/" + alias, other=other)
    return jobs


class _MadeFiles:
    """The files the planned pages are written to, as a case-blind disk sees them (a
    redirect at Gioi-Thieu/ would replace gioi-thieu/ on Windows or macOS), each with
    the page's owner."""

    def __init__(self, planned: list[RenderJob]):
        self.owners: dict[str, str] = {}
        for job in planned:
            self.owners.setdefault(output_file(job.url).casefold(), _owner(job))

    def in_the_way(self, rel: str) -> str | None:
        """The owner of the made file that `rel` would replace, or that stands where `rel`
        needs a folder."""
        parts = rel.casefold().split("/")
        for end in range(len(parts), 0, -1):
            owner = self.owners.get("/".join(parts[:end]))
            if owner is not None:
                return owner
        return None


def _owner(job: RenderJob) -> str:
    """Whose an address is, as an editor finds it: the item's file, else the address."""
    own = job.context.get("item") or job.context.get("page") or job.context.get("doc")
    return getattr(own, "path", "") or "/" + job.url


def _moved(site: Site) -> list[NewsItem | Page | Document]:
    """What is shown and has old addresses, by file, so that the first file to claim an
    address keeps it."""
    return sorted((entry for entries in (site.news, site.pages, site.library.documents)
                   for entry in entries if entry.aliases), key=lambda entry: entry.path)


def _problem(alias: str, made: _MadeFiles, claimed: dict[str, str],
             site: Site) -> tuple[str, str] | None:
    """The error key and whose the address is, when it is not free."""
    if reserved_alias(alias, site.urls):
        return "alias_reserved", ""
    owner = made.in_the_way(output_file(alias))
    if owner is not None:  # an item's file, or the address of a page the engine makes
        return ("alias_built" if owner.startswith("/") else "alias_taken"), owner
    if alias.casefold() in claimed:
        return "alias_twice", claimed[alias.casefold()]
    return None


def _redirect(alias: str, entry: NewsItem | Page | Document, site: Site) -> RenderJob:
    return RenderJob(alias, REDIRECT_TEMPLATE, {"target": entry.url, "title": entry.title,
                                                 "lang": language_of(entry, site.config)})
