"""`python build.py check`: every validation the build does, then what only a finished
site shows (links and #anchors in what editors wrote, images and attachments that
exist) and what is legal but probably a slip (the same title twice on one day, a
summary too long or too short for the listings). Nothing is written to `site/`.

The build itself runs, into a writer that keeps only the names of the files and the
ids of each page, so a check can never disagree with a build about what is wrong. The
links and images that lead nowhere are the build's own findings (portal/links.py; the
build says them as warnings); only the #anchors are looked at here, in the same pass.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from ..errors import BuildFailed, ErrorLog
from ..links import bodies, body_line, broken_links
from ..locale import load_locale
from ..models import SUMMARY_LENGTH, Site
from ..pictures import Picture, Pictures
from ..pipeline import BuildOptions, build
from ..writer import Writer
from .moved import moved_pages
from .report import CheckReport, Finding

SUMMARY_MIN = 30  # characters; shorter cards say nothing to a reader scanning a listing
HEAVY_IMAGE = 5 * 1024 * 1024  # bytes: a camera's photo; the editor's upload is slow, the repo grows
NARROW_IMAGE = 480  # pixels: a picture narrower than a phone's screen is blurred on it
_IMG = re.compile(r"<img\b[^>]*>")
_IMG_ATTRIBUTE = re.compile(r'\s(src|alt)="([^"]*)"')
_ID = re.compile(rb'\s(?:id|name)="([^"]+)"')


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


def check(options: BuildOptions, published: str | None = None) -> CheckReport:
    index = SiteIndex()
    try:
        # No search index: the index writer keeps no pages to read back, and a check
        # publishes nothing anyone could search.
        result = build(replace(options, search=False), index)
    except BuildFailed as failure:
        return CheckReport(tuple(Finding("error", e) for e in failure.errors), 0,
                           failure.locale or load_locale("vi"))
    log, warnings = ErrorLog(options.root), ErrorLog(options.root)
    # The same findings as the build's warnings (and the same files), with the #anchors.
    log.errors += broken_links(result.site, result.files, options.root, ids=index.ids)
    _check_titles(result.site, warnings)
    _check_summaries(result.site, warnings)
    _check_pictures(result.site, result.pictures, log, warnings)
    warnings.errors += result.warnings  # the build's own (the weather service, search)
    warnings.errors += moved_pages(options, published, result.site, index.files)  # vs the last site
    findings = [Finding("error", e) for e in log.sorted()]
    findings += [Finding("warning", e) for e in warnings.sorted()]
    return CheckReport(tuple(findings), result.pages, result.locale)


def _check_titles(site: Site, warnings: ErrorLog) -> None:
    """Two news items with one title on one day are usually one story posted twice;
    the later one is reported, naming the first."""
    first: dict[tuple[str, str], str] = {}
    for item in sorted(site.news, key=lambda n: (n.date, n.path)):
        day = item.date.astimezone(site.config.zone).date().isoformat()
        key = (" ".join(item.title.casefold().split()), day)
        if key in first:
            warnings.add(warnings.root / item.path, "check_duplicate_title", field="title",
                         line=item.lines.get("title"), other=first[key], day=day)
        else:
            first[key] = item.path


def _check_summaries(site: Site, warnings: ErrorLog) -> None:
    for item in site.news:
        written = item.summary_written  # else the first paragraph stands in
        length = len(item.summary)
        if written and length > SUMMARY_LENGTH:
            key, limit = "check_summary_long", SUMMARY_LENGTH
        elif length < SUMMARY_MIN:
            key, limit = "check_summary_short", SUMMARY_MIN
        else:
            continue
        line = item.lines.get("summary") if written else None
        warnings.add(warnings.root / item.path, key, field="summary", line=line, length=length,
                     limit=limit)


def _check_pictures(site: Site, pictures: Pictures, log: ErrorLog, warnings: ErrorLog) -> None:
    """A cover needs its description for readers who cannot see it (an error, as a
    missing file is); a body's picture should have one; a photo over 5 MB or under 480 px
    wide is worth replacing."""
    for item in site.news:
        if not item.image:
            continue
        line = item.lines.get("image")
        if not item.image_alt:
            log.add(log.root / item.path, "check_cover_without_alt", field="image_alt", line=line,
                    value=item.image)
        _check_picture_size(pictures.get(item.image), warnings, item.path, line, "image")
    for entry in bodies(site):
        for tag in _IMG.findall(entry.html):
            attributes = dict(_IMG_ATTRIBUTE.findall(tag))
            src = html.unescape(attributes.get("src", ""))
            line = body_line(entry, src) or body_line(entry, unquote(src))
            if not html.unescape(attributes.get("alt", "")).strip():
                warnings.add(warnings.root / entry.path, "check_image_without_alt", line=line, value=src)
            _check_picture_size(pictures.get(src) or pictures.get(unquote(src)), warnings, entry.path, line)


def _check_picture_size(picture: Picture | None, warnings: ErrorLog, path: str, line: int | None,
                        field: str | None = None) -> None:
    if picture is None:
        return
    if picture.size > HEAVY_IMAGE:
        warnings.add(warnings.root / path, "check_image_heavy", field=field, line=line, value=picture.path,
                     size=picture.size // 1024, max=HEAVY_IMAGE // 1024 // 1024)
    if picture.width < NARROW_IMAGE:
        warnings.add(warnings.root / path, "check_image_narrow", field=field, line=line, value=picture.path,
                     width=picture.width, min=NARROW_IMAGE)
