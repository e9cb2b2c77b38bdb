"""Stage 3: read a source file and split it into front matter and Markdown body.

Accepts a BOM and CRLF line endings. Every way a file can be unreadable becomes a
`ContentError` with the line where it went wrong; nothing is silently skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import yaml
from frontmatter.default_handlers import YAMLHandler

from .discover import SourceFile
from ..errors import ErrorLog
from .markdown_limits import body_problem
from ..schema import type_name
from ..text import strip_unwanted
from ..yamlload import error_key, error_line, error_problem, load_yaml

_HANDLER = YAMLHandler()


@dataclass(frozen=True)
class RawEntry:
    source: SourceFile
    meta: dict
    front_matter: str  # the YAML text, kept to find a field's line when reporting
    body: str
    digest: str  # hash of the whole file: the cache key of everything derived from it


MAX_FILE_BYTES = 1_000_000  # past this, an article belongs in an attached file

# What the YAML reader refuses; found first, so that the editor gets the line.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
        meta = load_yaml(front_matter)
    except yaml.YAMLError as error:
        # the YAML text starts on the opening --- line, so its lines are the file's
        errors.add(source.path, error_key(error), line=error_line(error), problem=error_problem(error))
        return None
    if not isinstance(meta, dict):
        errors.add(source.path, "not_mapping", line=2, got=type_name(meta))
        return None
    digest = file_digest(data)
    return RawEntry(source, {str(k): v for k, v in meta.items()}, front_matter, body, digest)


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
    for number, line in enumerate(entry.front_matter.split("\n"), start=1):
        if line.startswith(f"{field}:"):
            return number
    return 1
