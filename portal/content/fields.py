"""Typed readers for front-matter fields; each problem is reported with the field's line."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path


from ..aliases import EXAMPLE, read_alias, static_in_the_way
from ..errors import ErrorLog
from .parse import RawEntry, field_line
from ..schema import type_name
from ..paths import site_file_problem
from ..schema import FIRST_YEAR, LAST_YEAR
from ..urls import looks_like_url, unsafe_urls_in, url_problem
from ..video import video_from, video_problem

MAX_LIST_ITEMS = 100  # tags, document numbers: far above any real item's needs
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

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """One of `choices` (`lang: en`), or "" when not given."""
        value = self.text(name)
        if value and value not in choices:
            self.report(name, "choice", value=value, choices=", ".join(choices))
            return ""
        return value

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
        if len(value) > MAX_LIST_ITEMS:  # each tag is a page: 20,000 tags cost minutes
            self.report(name, "too_many_items", count=len(value), max=MAX_LIST_ITEMS)
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
        elif not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            self.report(name, "date_out_of_range", value=value, min=FIRST_YEAR, max=LAST_YEAR)
            return None
        return parsed

    def site_file(self, name: str) -> str:
        """A site path such as /media/a.jpg that must exist under static/."""
        path = self.text(name)
        problem = site_file_problem(path, self.static_dir) if path else None
        if problem:
            self.report(name, problem, value=path)
            return ""
        return path

    def video(self, name: str) -> str:
        """A YouTube video's address, or the site path of an .mp4 under static/."""
        address = self.text(name)
        video = video_from(address) if address else None
        if address and video is None:
            problem = video_problem(address)
        else:
            problem = site_file_problem(video.file, self.static_dir) if video and video.file else None
        if problem:
            self.report(name, problem, value=address)
            return ""
        return address

    def aliases(self, name: str) -> tuple[str, ...]:
        """Old addresses of the item (`aliases: [/tin-tuc/ten-cu/]`, see aliases.py), each
        as a site-relative address; one that is no plain path of this site, or stands
        where a file of static/ is, is an error that says what to write."""
        found = []
        for written in self.strings(name):
            reading = read_alias(written)
            in_the_way = static_in_the_way(reading.url, self.static_dir) if reading.url else None
            if reading.problem or in_the_way:
                self.report(name, reading.problem or "alias_static", value=written,
                            file=in_the_way or "", write=f"{name}: [{reading.meant or EXAMPLE}]")
            else:
                found.append(reading.url)
        return tuple(dict.fromkeys(found))

    def text_or_url(self, name: str) -> str:
        """A text that may be an address (`source:`): when it is written as one, it must be
        an address that is safe to link to."""
        value = self.text(name)
        if looks_like_url(value) and url_problem(value):
            self.report(name, "unsafe_url", value=value)
            return ""
        return value

    def extra(self) -> dict:
        """The keys the engine does not know, for templates; those named like addresses
        (`link:`, `video_url:`) are checked as addresses, since a theme may link them."""
        left = {k: v for k, v in self.entry.meta.items() if k not in self.used}
        for key, value in left.items():
            bad = next(unsafe_urls_in(key, value), None)
            if bad is not None:
                self.report(key, "unsafe_url", value=bad)
        return left


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


# Years outside these make no sense on a portal, and near the ends of Python's calendar
# (year 1, year 9999) moving a time to the portal's zone overflows.
