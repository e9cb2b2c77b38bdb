"""`python build.py check`: every validation the build does, then what only a finished
site shows (links and #anchors in what editors wrote, images and attachments that
exist) and what is legal but probably a slip (the same title twice on one day, a
summary too long or too short for the listings). Nothing is written to `site/`.

The build itself runs, into a writer that keeps only the names of the files and the
ids of each page, so a check can never disagree with a build about what is wrong.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from ..models import Site
from ..errors import BuildFailed, ContentError, ErrorLog
from ..locale import Locale, load_locale
from ..content.markup import SUMMARY_LENGTH, summary_of
from ..paths import inside
from ..pipeline import BuildOptions, build
from ..urls import output_file
from ..writer import Writer

FORMATS = ("text", "github", "json")
SUMMARY_MIN = 30  # characters; shorter cards say nothing to a reader scanning a listing
_LINK = re.compile(r'<(a|img)\b[^>]*?\s(?:href|src)="([^"]*)"')
_ID = re.compile(rb'\s(?:id|name)="([^"]+)"')


@dataclass(frozen=True)
class Finding:
    level: str  # "error" fails the check; "warning" only with --strict
    error: ContentError


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    pages: int
    locale: Locale

    def count(self, level: str) -> int:
        return sum(1 for finding in self.findings if finding.level == level)

    def failed(self, strict: bool) -> bool:
        return bool(self.count("error") or strict and self.count("warning"))


class SiteIndex(Writer):
    """A writer that keeps what a check needs instead of the files: their names, and the
    ids each HTML page has."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self._ids: dict[str, frozenset[str]] = {}

    def write(self, rel: str, data: bytes, key: str | None = None) -> None:
        self.files.add(rel)
        if rel.endswith(".html"):
            self._ids[rel] = _ids_in(data)

    def copy(self, rel: str, source: Path) -> None:
        self.files.add(rel)  # a static file: only that it exists matters

    def ids(self, rel: str) -> frozenset[str]:
        return self._ids.get(rel, frozenset())


def _ids_in(page: bytes) -> frozenset[str]:
    return frozenset(html.unescape(match.decode("utf-8", "replace")) for match in _ID.findall(page))


def check(options: BuildOptions) -> CheckReport:
    index = SiteIndex()
    try:
        # No search index: the index writer keeps no pages to read back, and a check
        # publishes nothing anyone could search.
        result = build(replace(options, search=False), index)
    except BuildFailed as failure:
        return CheckReport(tuple(Finding("error", e) for e in failure.errors), 0,
                           failure.locale or load_locale("vi"))
    log, warnings = ErrorLog(options.root), ErrorLog(options.root)
    sources = SourceLines(options.root)
    _check_links(result.site, index, sources, log)
    _check_titles(result.site, sources, warnings)
    _check_summaries(result.site, sources, warnings)
    findings = [Finding("error", e) for e in log.sorted()]
    findings += [Finding("warning", e) for e in warnings.sorted()]
    return CheckReport(tuple(findings), result.pages, result.locale)


class SourceLines:
    """Finds the line of a source file where something is written, for the message."""

    def __init__(self, root: Path):
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def line_of(self, path: str, text: str, start: str = "") -> int | None:
        """The first line that contains `text` (and starts with `start`)."""
        if path not in self._lines:
            file = self.root / path
            # The build refused links out of the portal; never read through one here either.
            readable = inside(file, self.root)
            source = file.read_text(encoding="utf-8-sig", errors="replace") if readable else ""
            self._lines[path] = source.replace("\r\n", "\n").split("\n")
        for number, line in enumerate(self._lines[path], start=1):
            if text in line and line.startswith(start):
                return number
        return None


def _bodies(site: Site) -> Iterator:
    """Everything whose Markdown the site shows: news, pages, documents."""
    yield from site.news
    yield from site.pages
    yield from site.library.documents


def _check_links(site: Site, index: SiteIndex, sources: SourceLines, log: ErrorLog) -> None:
    for entry in _bodies(site):
        for tag, url in _LINK.findall(entry.html):
            problem = _link_problem(tag, html.unescape(url), entry.url, index)
            if problem:
                key, params = problem
                written = html.unescape(url)
                line = sources.line_of(entry.path, written) or sources.line_of(entry.path, unquote(written))
                log.add(sources.root / entry.path, key, line=line, url=written, **params)


def _link_problem(tag: str, url: str, page_url: str, index: SiteIndex) -> tuple[str, dict] | None:
    """The message key and its parameters when an internal link or image leads nowhere."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None  # external: the build cannot know; linkchecker with LINKS_EXTERNAL=1 can
    target = _file_of(unquote(parts.path), page_url, index.files)
    if target is None:
        wanted = _site_path(unquote(parts.path), page_url)
        if tag == "img":
            return "check_missing_image", {"target": wanted}
        if posixpath.splitext(wanted)[1] not in ("", ".html"):
            return "check_missing_file", {"target": wanted}
        return "check_broken_link", {}
    anchor = unquote(parts.fragment)
    if anchor and target.endswith(".html") and anchor not in index.ids(target):
        return "check_missing_anchor", {"anchor": anchor}
    return None


def _site_path(path: str, page_url: str) -> str:
    """`path` resolved against the page it is on, as a site path ("/a/b/")."""
    if not path:
        return "/" + page_url
    joined = path if path.startswith("/") else posixpath.join("/" + page_url, path)
    resolved = posixpath.normpath(joined)
    return resolved + "/" if path.endswith("/") and resolved != "/" else resolved


def _file_of(path: str, page_url: str, files: set[str]) -> str | None:
    """The output file a link's path reaches, as a web server would find it."""
    rel = _site_path(path, page_url).lstrip("/")  # "/../x" is "/x", as browsers read it
    for candidate in (output_file(rel) if rel else "index.html", rel + "/index.html"):
        if candidate in files:
            return candidate
    return None


def _check_titles(site: Site, sources: SourceLines, warnings: ErrorLog) -> None:
    """Two news items with one title on one day are usually one story posted twice;
    the later one is reported, naming the first."""
    first: dict[tuple[str, str], str] = {}
    for item in sorted(site.news, key=lambda n: (n.date, n.path)):
        day = item.date.astimezone(site.config.zone).date().isoformat()
        key = (" ".join(item.title.casefold().split()), day)
        if key in first:
            warnings.add(sources.root / item.path, "check_duplicate_title", field="title",
                         line=sources.line_of(item.path, "", "title:"), other=first[key], day=day)
        else:
            first[key] = item.path


def _check_summaries(site: Site, sources: SourceLines, warnings: ErrorLog) -> None:
    for item in site.news:
        written = item.summary != summary_of(item.html)  # else the first paragraph stands in
        length = len(item.summary)
        if written and length > SUMMARY_LENGTH:
            key, limit = "check_summary_long", SUMMARY_LENGTH
        elif length < SUMMARY_MIN:
            key, limit = "check_summary_short", SUMMARY_MIN
        else:
            continue
        line = sources.line_of(item.path, "", "summary:") if written else None
        warnings.add(sources.root / item.path, key, field="summary", line=line, length=length,
                     limit=limit)


# --- the three ways to tell -----------------------------------------------------------

def message_of(error: ContentError, locale: Locale) -> str:
    """The message alone, without the `path:line: field:` that `format_error` puts first."""
    full = locale.format_error(error)
    where = f"{error.path}:{error.line}" if error.line else error.path
    prefix = f"{where}: {error.field}: " if error.field else f"{where}: "
    return full[len(prefix):] if full.startswith(prefix) else full


def as_text(report: CheckReport) -> Iterable[str]:
    locale = report.locale
    for level, header in (("error", "check_errors"), ("warning", "check_warnings")):
        found = [f.error for f in report.findings if f.level == level]
        if found:
            yield locale.say(header)
            yield from (locale.format_error(error) for error in found)
    yield _closing_line(report)


def _closing_line(report: CheckReport) -> str:
    if not report.findings:
        return report.locale.say("check_ok", pages=report.pages)
    return report.locale.say("check_counts", errors=report.count("error"),
                             warnings=report.count("warning"))


def as_github(report: CheckReport) -> Iterable[str]:
    """Workflow commands that GitHub shows on the lines of the pull request."""
    for finding in report.findings:
        error = finding.error
        where = [f"file={_escape_property(error.path)}"]
        if error.line:
            where.append(f"line={error.line}")
        if error.field:
            where.append(f"title={_escape_property(error.field)}")
        yield f"::{finding.level} {','.join(where)}::{_escape_data(message_of(error, report.locale))}"
    yield _closing_line(report)


def as_json(report: CheckReport) -> Iterable[str]:
    yield json.dumps([{"level": f.level, "file": f.error.path, "line": f.error.line,
                       "field": f.error.field, "code": f.error.key,
                       "message": message_of(f.error, report.locale)} for f in report.findings],
                     ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATTERS = {"text": as_text, "github": as_github, "json": as_json}
