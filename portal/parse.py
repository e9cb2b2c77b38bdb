"""Stage 3: read a source file and split it into front matter and Markdown body.

Accepts a BOM and CRLF line endings. Every way a file can be unreadable becomes a
`ContentError` with the line where it went wrong; nothing is silently skipped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import yaml
from frontmatter.default_handlers import YAMLHandler

from .discover import SourceFile
from .errors import ErrorLog
from .schema import type_name
from .yamlload import error_line, error_problem, load_yaml

_HANDLER = YAMLHandler()


@dataclass(frozen=True)
class RawEntry:
    source: SourceFile
    meta: dict
    front_matter: str  # the YAML text, kept to find a field's line when reporting
    body: str
    digest: str  # hash of the whole file: the cache key of everything derived from it


def read_source(source: SourceFile, errors: ErrorLog) -> RawEntry | None:
    data = source.path.read_bytes()
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
    try:
        meta = load_yaml(front_matter)
    except yaml.YAMLError as error:
        # the YAML text starts on the opening --- line, so its lines are the file's
        errors.add(source.path, "yaml_syntax", line=error_line(error), problem=error_problem(error))
        return None
    if not isinstance(meta, dict):
        errors.add(source.path, "not_mapping", line=2, got=type_name(meta))
        return None
    digest = hashlib.sha1(data).hexdigest()
    return RawEntry(source, {str(k): v for k, v in meta.items()}, front_matter, body, digest)


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
