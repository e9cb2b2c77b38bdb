"""Parse: read the source files (their digests, and under `serve` only the ones that
changed) and split each into front matter, with the line of each field, and Markdown body.

Accepts a BOM and CRLF line endings. Every way a file can be unreadable becomes a
`ContentError` with the line where it went wrong; nothing is silently skipped.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

import yaml
from frontmatter.default_handlers import YAMLHandler

from ..cache import Stamp
from .discover import SourceFile
from ..errors import ErrorLog
from .markdown_limits import body_problem
from ..schema import type_name
from ..text import strip_unwanted
from ..yamlload import error_key, error_line, error_problem, load_yaml_with_lines

_HANDLER = YAMLHandler()


@dataclass(frozen=True)
class RawEntry:
    source: SourceFile
    meta: dict
    lines: dict[str, int]  # the file line of each top-level field, for the editor's messages
    body: str
    body_line: int  # the file line the body starts on
    digest: str  # hash of the whole file: the cache key of everything derived from it


MAX_FILE_BYTES = 1_000_000  # past this, an article belongs in an attached file

# What the YAML reader refuses; found first, so that the editor gets the line.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class SourceRead:
    """A content file's digest, and its bytes when they had to be read for it."""

    source: SourceFile
    digest: str
    data: bytes | None


def read_sources(sources: list[SourceFile], errors: ErrorLog,
                 known: dict[str, tuple[Stamp, str]] | None = None,
                 changed: frozenset[str] | set[str] = frozenset()) -> list[SourceRead]:
    """Each file's digest. `known` (kept by `serve` between builds) spares reading a file
    that looks on disk as it did (size, time, inode) and that watchdog did not name in
    `changed`; it is brought up to date. A file too large to be an article is left out,
    with an error."""
    found = []
    for source in sources:
        stamp = Stamp.of(os.stat(source.path)) if known is not None else None
        kept = known.get(source.rel) if known is not None else None
        if kept and kept[0] == stamp and source.rel not in changed:
            found.append(SourceRead(source, kept[1], None))
            continue
        data = read_bytes(source, errors)
        if data is None:
            continue
        found.append(SourceRead(source, file_digest(data), data))
        if known is not None:
            known[source.rel] = (stamp, found[-1].digest)
    return found


def parse_all(reads: list[SourceRead], errors: ErrorLog) -> list[RawEntry]:
    """The entries of the files that parse; every problem of the others is an error."""
    entries = []
    for read in reads:
        data = read.data if read.data is not None else read_bytes(read.source, errors)
        entry = parse_source(read.source, data, errors) if data is not None else None
        if entry is not None:
            entries.append(entry)
    return entries


def read_source(source: SourceFile, errors: ErrorLog) -> RawEntry | None:
    data = read_bytes(source, errors)
    return parse_source(source, data, errors) if data is not None else None


def read_bytes(source: SourceFile, errors: ErrorLog) -> bytes | None:
    """The file's bytes, or None (and an error) when it is too large to be an article."""
    data = source.path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        errors.add(source.path, "file_too_large", line=1, size=len(data) // 1000,
                   max=MAX_FILE_BYTES // 1000)
        return None
    return data


def file_digest(data: bytes) -> str:
    """The cache key of everything derived from a file."""
    return hashlib.sha1(data).hexdigest()


def body_of(data: bytes) -> str:
    """The body of a file that parsed before (a model snapshot names it by its digest),
    as `parse_source` makes it, without reading the front matter again."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    return strip_unwanted(_HANDLER.split(text)[1])


def parse_source(source: SourceFile, data: bytes, errors: ErrorLog) -> RawEntry | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        errors.add(source.path, "not_utf8", line=data[:error.start].count(b"\n") + 1, offset=error.start)
        return None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        errors.add(source.path, "empty_file", line=1)
        return None
    split = _split(text, source, errors)
    if split is None:
        return None
    front_matter, body = split
    body_start = text[:len(text) - len(body)].count("\n")  # lines before the body's first
    body = strip_unwanted(body)  # invisible, and forbidden in the feeds; lines stay put
    if not _readable_front_matter(front_matter, source, errors) or \
            not _digestible_body(body, body_start, source, errors):
        return None
    try:
        meta, key_lines = load_yaml_with_lines(front_matter)
    except yaml.YAMLError as error:
        # the YAML text starts on the opening --- line, so its lines are the file's
        errors.add(source.path, error_key(error, front_matter), line=error_line(error), problem=error_problem(error))
        return None
    if not isinstance(meta, dict):
        errors.add(source.path, "not_mapping", line=2, got=type_name(meta))
        return None
    digest = file_digest(data)
    lines = {path[0]: line for path, line in key_lines.items() if len(path) == 1}
    return RawEntry(source, {str(k): v for k, v in meta.items()}, lines, body, body_start + 1, digest)


def _readable_front_matter(front_matter: str, source: SourceFile, errors: ErrorLog) -> bool:
    """False, and an error on its line, when the front matter holds a character that YAML
    refuses (a NUL byte, an escape code): PyYAML would name only a character position."""
    bad = _NOT_YAML.search(front_matter)
    if bad is None:
        return True
    # the YAML text starts on the opening --- line, so its lines are the file's
    errors.add(source.path, "control_character", line=front_matter[:bad.start()].count("\n") + 1,
               code=f"{ord(bad.group()):04X}")
    return False


def _digestible_body(body: str, body_start: int, source: SourceFile, errors: ErrorLog) -> bool:
    """False, and an error on its line, for a body the Markdown converter would choke on."""
    problem = body_problem(body)
    if problem is None:
        return True
    errors.add(source.path, problem.key, line=body_start + problem.line, **dict(problem.params))
    return False


def _split(text: str, source: SourceFile, errors: ErrorLog) -> tuple[str, str] | None:
    if not _HANDLER.detect(text):
        errors.add(source.path, "no_front_matter", line=1)
        return None
    try:
        return _HANDLER.split(text)
    except ValueError:
        errors.add(source.path, "unclosed_front_matter", line=1)
        return None


def field_line(entry: RawEntry, field: str) -> int:
    """The file line of a top-level front-matter field, or 1 (the opening ---) if absent."""
    return entry.lines.get(field, 1)
