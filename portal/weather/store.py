"""Readings kept in files inside the portal: the cache in `data/` (the last good reading of
every place, written after each answer of the source) and an editor's file (the `file`
provider, in the cache's format).

Both are read only when they are regular files inside the portal's folder, and both are
checked value by value (readings.py). A damaged cache is simply empty; a problem with an
editor's file is a warning that names the file. Nothing here stops the build.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import tempfile
from pathlib import Path

from ..config import WeatherConfig
from ..errors import ContentError, ErrorLog
from ..forecast import Reading
from ..paths import leads_out
from .readings import WeatherUnavailable, decode_json, kept_window, reading_json, stored_readings

CACHE_FILE = "data/weather-cache.json"
MAX_FILE_BYTES = 2 * 1024 * 1024  # the largest cache or editor's file read


def read_cache(root: Path, settings: WeatherConfig, now: dt.datetime | None = None) -> tuple[Reading, ...]:
    """The usable cached readings of the configured places. A missing or damaged cache,
    or one that is not a file inside the portal, is simply empty; a damaged reading is
    left out, and a reading older than `STALE_LIMIT` too (see readings.py)."""
    try:
        data = read_json_file(root / CACHE_FILE, root)
        return stored_readings(data, settings.locations, kept_window(now, settings.max_age_hours)).readings
    except WeatherUnavailable:
        return ()


def write_cache(root: Path, readings: tuple[Reading, ...]) -> None:
    """Write a new file and rename it over the old one, so that a killed job never leaves
    half a cache. Raises WeatherUnavailable when the cache cannot be written (the build
    goes on): a `data/` that leads outside the portal, a folder in the cache's place, a
    read-only disk.

    The new file is created under a fresh name (never opened through a link someone
    left there), and the rename replaces a link in the cache's place, not its target."""
    path = root / CACHE_FILE
    if leads_out(path.parent, root):  # outside, or into .git / .cache
        raise WeatherUnavailable("weather_cache_outside", file=CACHE_FILE)
    text = json.dumps({"readings": [reading_json(r) for r in readings]}, ensure_ascii=False, indent=1)
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.fchmod(descriptor, 0o644)  # an ordinary file, as the cache always was
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        os.replace(partial, path)
    except OSError:
        if partial:
            Path(partial).unlink(missing_ok=True)
        raise WeatherUnavailable("weather_cache_not_saved", file=CACHE_FILE) from None


def read_data_file(root: Path, settings: WeatherConfig,
                   now: dt.datetime | None = None) -> tuple[tuple[Reading, ...], tuple[ContentError, ...]]:
    """The `file` provider: the editor's readings, checked as the cache's are, and the
    warnings that name the file: one it cannot read, or the places whose entry is
    unusable (those places say there is no data)."""
    path, log = root / settings.file, ErrorLog(root)
    try:
        found = stored_readings(read_json_file(path, root), settings.locations,
                                kept_window(now, settings.max_age_hours))
    except WeatherUnavailable as failure:
        log.add(path, failure.key, field="weather", **failure.params)
        return (), tuple(log.errors)
    if found.rejected:
        log.add(path, "weather_file_incomplete", field="weather", places=", ".join(found.rejected))
    return found.readings, tuple(log.errors)


def read_json_file(path: Path, root: Path) -> object:
    """The JSON value of `path`, which must be a regular file of at most MAX_FILE_BYTES
    inside the portal's folder (links resolved): a cache or an editor's file linked to
    /etc/passwd, a folder or a pipe in its place is refused without reading it."""
    if leads_out(path, root):  # outside, or into .git / .cache
        raise WeatherUnavailable("weather_file_outside")
    try:
        # Non-blocking, so that opening a named pipe cannot hang the build.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise WeatherUnavailable("weather_file_not_a_file")
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise WeatherUnavailable("weather_file_missing") from None
    except OSError:
        raise WeatherUnavailable("weather_file_unreadable") from None
    if len(raw) > MAX_FILE_BYTES:
        raise WeatherUnavailable("weather_file_too_large", max=MAX_FILE_BYTES // 1024)
    try:
        return decode_json(raw)
    except ValueError:  # not UTF-8, not JSON, nested too deep
        raise WeatherUnavailable("weather_file_malformed") from None
