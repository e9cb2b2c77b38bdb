"""Typed readers for front-matter fields; each problem is reported with the field's line."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

from .errors import ErrorLog
from .parse import RawEntry, field_line
from .schema import type_name

_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$")


class FieldReader:
    """Reads the fields of one entry; `used` records which keys were read, so the rest
    can be handed to templates as `extra`."""

    def __init__(self, entry: RawEntry, errors: ErrorLog, zone: zoneinfo.ZoneInfo, static_dir: Path):
        self.entry = entry
        self.errors = errors
        self.zone = zone
        self.static_dir = static_dir
        self.used: set[str] = set()
        self.failed = False

    def report(self, field: str, key: str, **params: object) -> None:
        self.failed = True
        self.errors.add(self.entry.source.path, key, line=field_line(self.entry, field),
                        field=field, **params)

    def _get(self, name: str, required: bool) -> object:
        self.used.add(name)
        value = self.entry.meta.get(name)
        if value is None and required:
            self.report(name, "required")
        return value

    def text(self, name: str, required: bool = False, default: str = "") -> str:
        value = self._get(name, required)
        if value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.report(name, "wrong_type", expected="text", got=type_name(value))
            return default
        if required and not value.strip():
            self.report(name, "empty_value")
        return value.strip()

    def flag(self, name: str) -> bool:
        value = self._get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.report(name, "wrong_type", expected="true/false", got=type_name(value))
            return False
        return value

    def number(self, name: str) -> int | None:
        value = self._get(name, False)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.report(name, "wrong_type", expected="integer", got=type_name(value))
        return None

    def strings(self, name: str) -> tuple[str, ...]:
        """A list of texts; a single text is accepted as a list of one."""
        value = self._get(name, False)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.report(name, "wrong_type", expected="list", got=type_name(value))
            return ()
        return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))

    def mappings(self, name: str, keys: tuple[str, ...]) -> list[dict]:
        """A list of mappings that each have `keys`, e.g. targets: [{label: …, value: …}]."""
        value = self._get(name, False)
        if value is None:
            return []
        shape = "{" + ", ".join(keys) + "}"
        if not isinstance(value, list):
            self.report(name, "not_list_of", shape=shape, got=type_name(value))
            return []
        good = []
        for index, item in enumerate(value, start=1):
            if not isinstance(item, dict) or any(item.get(key) in (None, "") for key in keys):
                self.report(name, "bad_list_item", index=index, shape=shape)
            else:
                good.append(item)
        return good

    def date(self, name: str, required: bool = False) -> dt.datetime | None:
        value = self._get(name, required)
        if value is None:
            return None
        parsed = parse_date(str(value), self.zone) if isinstance(value, (str, int)) else None
        if parsed is None:
            self.report(name, "bad_date", value=value)
        return parsed

    def site_file(self, name: str) -> str:
        """A site path such as /media/a.jpg that must exist under static/."""
        path = self.text(name)
        problem = check_site_file(path, self.static_dir) if path else None
        if problem:
            self.report(name, problem, value=path)
            return ""
        return path

    def extra(self) -> dict:
        return {k: v for k, v in self.entry.meta.items() if k not in self.used}


def check_site_file(path: str, static_dir: Path) -> str | None:
    """None when `path` names a file under static/, else the error key."""
    if not path.startswith("/") or ".." in path.split("/"):
        return "not_site_path"
    return None if (static_dir / path.lstrip("/")).is_file() else "missing_file"


def parse_date(text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """ISO dates (2024-04-12, 2024-04-12 08:30, with an offset or not) and the
    day-first form Vietnamese editors write (12/04/2024 08:30). Naive times are in `zone`."""
    text = text.strip()
    match = _DAY_FIRST.match(text)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            value = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        else:
            value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# Browsers drop these anywhere in a URL before reading its scheme ("java\tscript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def url_problem(url: str) -> str | None:
    """None when a URL an editor wrote is safe to publish as a link or an image:
    http(s), mailto:, tel:, or a path within the site; else the error key."""
    seen = _IGNORED_BY_BROWSERS.sub("", url)
    if seen.startswith(("//", "\\\\", "/\\", "\\/")):  # another host, without a scheme
        return "unsafe_url"
    scheme = _SCHEME.match(seen)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return "unsafe_url"
    return None
