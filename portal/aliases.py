"""Old addresses (`aliases: [/tin-tuc/ten-cu/]`): the site paths at which a news item, a
page or a document was published before it moved. Each gets a redirect page there
(site/redirects.py), so that links and bookmarks to the old address still lead to it.

Read in the data layer, because two stages ask the same questions: the model stage
checks what an editor wrote, and `check` (commands/moved.py) writes the line to add for
an address that would disappear, which must be one the model stage accepts.

An alias is a plain path of the site: no scheme or host (a redirect page can only stand
on this site), no `?` or `#` (a static host serves one file whatever follows them), no
`.` or `..` segments, and only characters every web server and file system takes alike
(letters without marks, digits, `-`, `_`, `.`, `~`). A folder address gets its trailing
slash; a file address must be a page (`.html`, `.htm`), for only a page can redirect.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .paths import inside
from .urls import BUILT_IN_PATHS, DOCUMENT_FOLDERS, SLUG_LENGTH, UrlScheme, output_file

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
PAGE_SUFFIXES = (".html", ".htm")
MAX_ALIAS_LENGTH = 1000  # characters: far above any real address, well below what disks take
EXAMPLE = "/tin-tuc/ten-cu/"


@dataclass(frozen=True)
class AliasReading:
    """What an editor wrote, read: the site-relative address ("tin-tuc/ten-cu/"), or the
    key of the problem with, when it can tell, the path that was probably meant."""

    url: str = ""
    problem: str = ""
    meant: str = ""  # a site path ("/tin-tuc/ten-cu/") to suggest instead


def read_alias(written: str) -> AliasReading:
    """`written` as an alias of this site, or the reason it is not one."""
    text = written.strip()
    if not text.isprintable() or any(ch.isspace() for ch in text) or "\\" in text:
        return AliasReading(problem="alias_characters")
    parts = urllib.parse.urlsplit(text) if _splittable(text) else None
    if parts is None or parts.scheme or parts.netloc or text.startswith("//"):
        return AliasReading(problem="alias_address", meant=_meant(parts.path if parts else ""))
    if "?" in text or "#" in text:
        return AliasReading(problem="alias_query", meant=_meant(re.split(r"[?#]", text, 1)[0]))
    if not text.startswith("/"):
        return AliasReading(problem="alias_relative", meant=_meant("/" + text))
    return _read_path(text)


def _splittable(text: str) -> bool:
    try:
        urllib.parse.urlsplit(text)
    except ValueError:  # "http://[::1" and the like
        return False
    return True


def _meant(path: str) -> str:
    """`path` as an alias, when it would be a good one; else nothing to suggest."""
    url = _read_path(path).url if path.startswith("/") else ""
    return "/" + url if url else ""


def _read_path(path: str) -> AliasReading:
    if path == "/":
        return AliasReading(problem="alias_home")
    if len(path) > MAX_ALIAS_LENGTH:
        return AliasReading(problem="alias_too_long")
    segments = path[1:].split("/")
    folder = segments[-1] == ""
    if folder:
        segments.pop()
    if any(segment in ("", ".", "..") for segment in segments):
        return AliasReading(problem="alias_dots")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        return AliasReading(problem="alias_characters")
    if any(len(segment) > SLUG_LENGTH for segment in segments):
        return AliasReading(problem="alias_too_long")
    last = segments[-1]
    if not folder and "." in last:
        if not last.lower().endswith(PAGE_SUFFIXES):
            return AliasReading(problem="alias_not_page")
        return AliasReading(url=path[1:])
    return AliasReading(url=path[1:].rstrip("/") + "/")


def is_alias(url: str) -> bool:
    """Whether a site-relative address is one `read_alias` gives (a kept model's check)."""
    return bool(url) and read_alias("/" + url).url == url


def alias_line(urls: Iterable[str]) -> str:
    """The front-matter line that lists these addresses: `aliases: [/a/, /b/]`."""
    return "aliases: [" + ", ".join("/" + url for url in dict.fromkeys(urls)) + "]"


def reserved_alias(url: str, urls: UrlScheme) -> bool:
    """An address in a part of the site the engine fills itself, now or as it grows: its
    own paths (search, assets, feeds, the web editor), a section's first page, any
    numbered page of a listing, and the folders of the document library."""
    segments = url.casefold().rstrip("/").split("/")
    sections = {urls.news, urls.category, urls.tag, urls.documents, urls.plans}
    if segments[0] in BUILT_IN_PATHS or segments[0] == "_headers":
        return True
    if len(segments) == 1 and segments[0] in sections:
        return True
    if segments[0] == urls.documents and len(segments) > 1 and segments[1] in DOCUMENT_FOLDERS:
        return True
    return any(word == urls.page and number.isdigit()  # inside a section: not at the root
               for word, number in zip(segments[1:], segments[2:]))


def static_in_the_way(url: str, static_dir: Path) -> str | None:
    """The file of static/ (as "old/index.html") that the redirect page at `url` would
    replace, or a file where the redirect needs a folder; None when the way is clear.
    Only looks (never reads), and only inside static/."""
    rel = output_file(url)
    parts = rel.split("/")
    for end in range(1, len(parts) + 1):
        here = "/".join(parts[:end])
        path = static_dir / here
        if not os.path.lexists(path) or not inside(path, static_dir):
            return None
        if end == len(parts) or not path.is_dir():
            return here
    return None
