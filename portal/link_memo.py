"""What a build remembers of the bodies' links (`.cache/links/`), so that its warnings
about links that lead nowhere cost next to nothing on a portal of ten thousand items.

- The findings of the last build, under a key that names everything they follow from
  (the engine, each body's file and address, the files the build writes): a build with
  nothing new says them again without looking at one link.
- The links of each body by its file's digest, in a few parts (one edit rewrites one):
  when something changed, every link is held against the files again, but only the
  bodies that changed have their HTML read, which a build that renders few pages would
  otherwise fetch for every item.
- Under `serve`, which keeps the memo between builds, each body's findings: while the
  files the build writes stay the same, only the edited bodies are looked at again.

The cache is data like the rest: anything not of the shape this engine writes is a
miss, and no text that content could not hold (control characters, which would reach
the editor's terminal) is used.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from .cache import Cache, content_key
from .errors import ContentError
from .links import Body, Link, SiteFiles, bodies, entry_problems, in_order, links_from_html
from .models import Site
from .text import strip_unwanted

MEMO_FORMAT = "1"
PARTS = 16  # entries the links are cut into: an edit rewrites a sixteenth of them
_TAGS = frozenset(("a", "img"))
_FINDINGS = frozenset(("check_broken_link", "check_missing_image", "check_missing_file"))


class LinkMemo:
    """The bodies' links and findings of the last build, for one engine and one cache."""

    def __init__(self, cache: Cache, engine: str):
        self.cache, self.engine = cache, engine
        self._parts: list[dict[str, list]] | None = None  # as read from the cache; checked on use
        self._kept: dict[str, list] = {}  # the parts as one, to look a body up
        self._changed: set[int] = set()
        self._files: SiteFiles | None = None  # what the findings below were held against
        self._absolute: dict = {}  # what each site path leads to among `_files`
        self._found: dict[str, tuple[str, str, list[ContentError]]] = {}  # digest, url, findings

    def broken_links(self, site: Site, files: SiteFiles, root: Path) -> list[ContentError]:
        """`links.broken_links(site, files, root)`, from what this memo remembers."""
        key = None
        if self._files is None:  # nothing in memory: the last build's findings may do
            key = content_key(MEMO_FORMAT, self.engine, _bodies_key(site), _files_key(files))
            found = _read_findings(self.cache.get_text(key))
            if found is not None:
                for number in range(PARTS):  # for the next build that changes something
                    self.cache.keep(self._part_key(number))
                return found
        if files != self._files:
            self._files, self._absolute, self._found = files, {}, {}
        now = {}
        for entry in bodies(site):
            known = self._found.get(entry.path)
            if known is None or known[0] != entry.digest or known[1] != entry.url:
                known = (entry.digest, entry.url, entry_problems(
                    entry, self._links_of(entry), files, root, absolute=self._absolute))
            now[entry.path] = known
        self._found = now
        self._save()
        found = in_order([problem for _, _, problems in now.values() for problem in problems])
        if key is not None:
            self.cache.put(key, _json([[e.path, e.line, e.key, [part for pair in e.params for part in pair]]
                                       for e in found]))
        return found

    def _links_of(self, entry: Body) -> tuple[Link, ...]:
        kept = self._read().get(entry.path)
        links = _kept_links(kept) if kept is not None and kept[0] == entry.digest else None
        if links is None:
            links = links_from_html(entry)
            kept = [entry.digest, *(piece for link in links for piece in link)]
            self._kept[entry.path] = self._parts[_part_of(entry.path)][entry.path] = kept
            self._changed.add(_part_of(entry.path))
        return links

    def _read(self) -> dict[str, list]:
        if self._parts is None:
            self._parts = [_read_part(self.cache.get_text(self._part_key(n))) for n in range(PARTS)]
            self._kept = {path: kept for part in self._parts for path, kept in part.items()}
        return self._kept

    def _save(self) -> None:
        """Keep this build's bodies only, so that the memo never grows beyond the portal;
        write the parts that changed."""
        self._read()
        for number, part in enumerate(self._parts):
            for path in [path for path in part if path not in self._found]:
                del part[path]
                self._kept.pop(path, None)  # (a forged part may name it twice)
                self._changed.add(number)
            if number in self._changed:
                self.cache.put(self._part_key(number), _json(part))
            else:
                self.cache.keep(self._part_key(number))
        self._changed = set()

    def _part_key(self, number: int) -> str:
        return content_key(MEMO_FORMAT, self.engine, "links", str(number))


def link_memo(cache: Cache, engine: str, kept: object = None) -> LinkMemo:
    """`kept` (the memo `serve` keeps between builds) if it is this engine's and cache's,
    else a new one, which reads what it needs from the cache."""
    if isinstance(kept, LinkMemo) and kept.engine == engine and kept.cache is cache:
        return kept
    return LinkMemo(cache, engine)


def _part_of(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % PARTS


def _bodies_key(site: Site) -> str:
    return content_key(*(f"{entry.path}\t{entry.digest}\t{entry.url}" for entry in bodies(site)))


def _files_key(files: SiteFiles) -> str:
    return content_key(*sorted(files.names), "", *files.folders)


def _read_findings(text: str | None) -> list[ContentError] | None:
    found = _json_of(text)
    if not isinstance(found, list):
        return None
    errors = []
    for finding in found:
        if not (type(finding) is list and len(finding) == 4 and type(finding[0]) is str
                and (finding[1] is None or type(finding[1]) is int) and finding[2] in _FINDINGS
                and type(finding[3]) is list and len(finding[3]) % 2 == 0 and _all_text(finding[3])):
            return None
        params = finding[3]
        errors.append(ContentError(finding[0], finding[1], None, finding[2],
                                   tuple(zip(params[::2], params[1::2]))))
    return errors


def _read_part(text: str | None) -> dict[str, list]:
    part = _json_of(text)
    if not isinstance(part, dict):
        return {}
    return {path: kept for path, kept in part.items() if type(kept) is list and len(kept) % 2}


def _kept_links(kept: list) -> tuple[Link, ...] | None:
    """The links of a body as the memo has them, [digest, tag, address, tag, address, …],
    checked in C (a join, a set) rather than link by link; None when it is not of that
    shape."""
    tags = kept[1::2]
    if _all_text(kept) and _TAGS.issuperset(tags):
        return tuple(zip(tags, kept[2::2]))
    return None


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _json_of(text: str | None) -> object:
    if text is None or _unwanted_in(text):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _unwanted_in(text: str) -> bool:
    """Content never holds control characters (text.py strips them), raw or escaped
    (JSON writes them as \\u…): a text that does is not one this engine wrote."""
    if "\\u" in text or "\x7f" in text:
        return True
    return not text.isascii() and strip_unwanted(text) != text  # (JSON refuses raw C0)


def _all_text(values: list) -> bool:
    try:
        "".join(values)
    except TypeError:
        return False
    return True
