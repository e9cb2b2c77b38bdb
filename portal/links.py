"""Links and images in what editors wrote, held against the files a build publishes.

One logic for two callers, so that they can never disagree: the build, which says what
it finds as warnings (an editor who only builds still learns of a broken link), and
`check`, which calls the same findings errors and also looks at #anchors (those need
the written pages' ids, which only `check` keeps).

The files are the ones the build knows it writes (its pages, the theme's assets, the
pictures, the favicon, static/, the search index's folder): nothing is read back. What
the build remembers of the links between builds is in link_memo.py.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import SplitResult, unquote, urlsplit

from .errors import ContentError, ErrorLog
from .models import Document, NewsItem, Page, Site

_LINK = re.compile(r'<(a|img)\b[^>]*?\s(?:href|src)="([^"]*)"')
# A site path with nothing to decode, split off or resolve ("/tin-tuc/bai-viet/").
_PLAIN = re.compile(r"/(?:[\w-]+/)*(?:[\w-][\w.-]*)?")
_UNSEEN = object()  # a link not looked at yet (None: it leads somewhere)

Body = NewsItem | Page | Document
Link = tuple[str, str]  # ("a" or "img", the address as written, unescaped)
LinksOf = Callable[[Body], tuple[Link, ...]]
IdsOf = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class SiteFiles:
    """The files a build publishes, by their path in the site ("tin-tuc/index.html"),
    and the folders it fills whole ("tim-kiem/pagefind/", the search index)."""

    names: frozenset[str]
    folders: tuple[str, ...] = ()

    def has(self, rel: str) -> bool:
        return rel in self.names or rel.startswith(self.folders)


def bodies(site: Site) -> Iterator[Body]:
    """Everything whose Markdown the site shows: news, pages, documents."""
    yield from site.news
    yield from site.pages
    yield from site.library.documents


def links_in(body_html: str) -> tuple[Link, ...]:
    """The links and images of a body that stay on the site (external ones are for
    linkchecker: the build cannot know them)."""
    found = []
    for tag, written in _LINK.findall(body_html):
        url = html.unescape(written)
        if _internal_parts(url) is not None:
            found.append((tag, url))
    return tuple(found)


def _internal_parts(url: str) -> SplitResult | None:
    """The parts of a link to this site; None for any other (a scheme, a host)."""
    if url.startswith("//"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "//[bad", "http://[::1": a host urlsplit cannot read
        return None
    return None if parts.scheme or parts.netloc else parts


def links_from_html(entry: Body) -> tuple[Link, ...]:
    return links_in(entry.html)


def broken_links(site: Site, files: SiteFiles, root: Path, links_of: LinksOf = links_from_html,
                 ids: IdsOf | None = None) -> list[ContentError]:
    """Every internal link or image in the bodies that leads nowhere, at its file and
    line; with `ids` (the ids of each written page), also every #anchor its page lacks."""
    absolute: dict = {}
    found = [problem for entry in bodies(site)
             for problem in entry_problems(entry, links_of(entry), files, root, ids, absolute)]
    return in_order(found)


def in_order(found: list[ContentError]) -> list[ContentError]:
    """By file and line, each once, in the same order on every run."""
    return sorted(set(found), key=lambda error: (*error.sort_key(), error.key, error.params))


def entry_problems(entry: Body, links: tuple[Link, ...], files: SiteFiles, root: Path,
                   ids: IdsOf | None = None, absolute: dict | None = None) -> list[ContentError]:
    """What `broken_links` finds in one body. `absolute` holds what each site path was
    found to lead to among these same `files` (and `ids`): the same from every page, and
    a portal's bodies link to the same listings and pages again and again."""
    log = None  # made for the few bodies that need one
    absolute = {} if absolute is None else absolute
    for link in links:
        if ids is None and link[1].startswith("#"):
            continue  # the page itself: only its ids could be wrong
        problem = absolute.get(link, _UNSEEN)
        if problem is _UNSEEN:
            problem = link_problem(*link, entry.url, files, ids)
            if link[1].startswith("/") and not link[1].startswith("//"):
                absolute[link] = problem
        if problem:
            key, params = problem
            url = link[1]
            line = body_line(entry, url) or body_line(entry, unquote(url))
            log = log or ErrorLog(root)
            log.add(root / entry.path, key, line=line, url=url, **params)
    return log.errors if log else []


def body_line(entry: Body, text: str) -> int | None:
    """The file line of the first line of the body that holds `text`."""
    for number, line in enumerate(entry.body.split("\n")):
        if text in line:
            return entry.body_line + number
    return None


def link_problem(tag: str, url: str, page_url: str, files: SiteFiles,
                 ids: IdsOf | None = None) -> tuple[str, dict] | None:
    """The message key and its parameters when an internal link or image leads nowhere."""
    if _PLAIN.fullmatch(url):  # most links: what urlsplit and unquote would give back
        path, anchor = url, ""
    else:
        parts = _internal_parts(url)
        if parts is None:
            return None  # external: the build cannot know; linkchecker with LINKS_EXTERNAL=1 can
        path, anchor = unquote(parts.path), unquote(parts.fragment)
    wanted = _site_path(path, page_url)
    target = _file_of(wanted, files)
    if target is None:
        if tag == "img":
            return "check_missing_image", {"target": wanted}
        if posixpath.splitext(wanted)[1] not in ("", ".html"):
            return "check_missing_file", {"target": wanted}
        return "check_broken_link", {}
    if ids is not None and anchor and target.endswith(".html") and anchor not in ids(target):
        return "check_missing_anchor", {"anchor": anchor}
    return None


def _site_path(path: str, page_url: str) -> str:
    """`path` resolved against the page it is on, as a site path ("/a/b/")."""
    if not path:
        return "/" + page_url
    if path.startswith("/") and "//" not in path and "/." not in path:
        return path  # as normpath would give it back: nothing to resolve
    joined = path if path.startswith("/") else posixpath.join("/" + page_url, path)
    resolved = posixpath.normpath(joined)
    return resolved + "/" if path.endswith("/") and resolved != "/" else resolved


def _file_of(site_path: str, files: SiteFiles) -> str | None:
    """The output file a site path reaches, as a web server would find it."""
    rel = site_path.lstrip("/")  # "/../x" is "/x", as browsers read it
    # A site path is normal already: its file is what `urls.output_file` would make of it.
    for candidate in (rel + "index.html" if not rel or rel.endswith("/") else rel, rel + "/index.html"):
        if files.has(candidate):
            return candidate
    return None
