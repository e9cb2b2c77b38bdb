"""The weather box: readings for the configured places, taken at build time.

A static site has no server when a citizen opens it, so the readings are fetched when
the site is built (CI rebuilds hourly) and kept in a cache in `data/`. The weather must
never break or slow the build: every failure of the source (timeout, HTTP error,
malformed or incomplete JSON) falls back to the cached reading, and the box then says
when that reading was taken. A reading older than `max_age_hours` is shown as out of
date, never as current; with no reading at all the box says there is no data.

Every value from the source, the cache or an editor's file is checked before it is used
or kept (weather_readings.py), and reading the network or a file can only fail with a
warning (weather_source.py): whatever they hold, the build goes on.

Providers: `open-meteo` (one HTTP request for all places), `file` (a JSON file in the
cache's own format, written by an editor or another job), `none` (no box).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import Location, SiteConfig, WeatherConfig
from ..paths import leads_out
from ..forecast import PlaceWeather, WeatherBox, condition_of
from .readings import (Reading, WeatherUnavailable, fresh_window, kept_window, near,
                               reading_json, stored_readings)
from .source import fetch_open_meteo, read_json_file, within_budget

__all__ = ["CACHE_FILE", "Reading", "WeatherBox", "WeatherUnavailable", "fetch_and_cache", "weather_box"]

CACHE_FILE = "data/weather-cache.json"


@dataclass(frozen=True)
class Refresh:
    """The outcome of asking the source: the readings to show and, when the source
    failed, why (for a warning; the build goes on)."""
    readings: tuple[Reading, ...]
    problem: str | None = None
    fetched: bool = False  # the source answered and its readings are in the cache


# --- the box ---------------------------------------------------------------------------

def weather_box(root: Path, config: SiteConfig, now: dt.datetime, offline: bool = False) -> tuple[WeatherBox | None, list[str]]:
    """The box for this build and the warnings to print; None when the provider is `none`
    or no place is configured. Whatever the source, the cache or the editor's file
    holds, this returns: a failure is a warning, never an exception."""
    settings = config.weather
    if settings.provider == "none" or not settings.locations:
        return None, []
    if settings.provider == "file":
        refresh = read_data_file(root, settings, now)
    else:
        cached = read_cache(root, settings, now)
        fresh = offline or _cache_is_fresh(cached, settings, now)
        refresh = Refresh(cached) if fresh else fetch_and_cache(root, config, cached, now)
    warnings = [refresh.problem] if refresh.problem else []
    return _box(settings, config.timezone, refresh.readings, now), warnings


def _box(settings: WeatherConfig, timezone: str, readings: tuple[Reading, ...],
         now: dt.datetime) -> WeatherBox:
    places = tuple(_place(location, readings, settings.max_age_hours, now)
                   for location in settings.locations)
    current = [p.reading.taken for p in places if p.state == "current" and p.reading]
    return WeatherBox(places, settings.provider, max(current, default=None), settings.live,
                      settings.endpoint, timezone)


def _place(location: Location, readings: tuple[Reading, ...], max_age_hours: float,
           now: dt.datetime) -> PlaceWeather:
    reading = _reading_for(location, readings)
    if reading is None:
        return PlaceWeather(location.name, location.lat, location.lon, "missing")
    age = now - reading.taken  # both aware, and every reading's time was checked: no overflow
    state = "stale" if age > dt.timedelta(hours=max_age_hours) else "current"
    return PlaceWeather(location.name, location.lat, location.lon, state, reading,
                        condition_of(reading.code, reading.is_day))


def _reading_for(location: Location, readings: tuple[Reading, ...]) -> Reading | None:
    """The reading taken for this place: same name, and (within ~1 km) the same
    coordinates, so that moving a place never shows another place's weather."""
    for reading in readings:
        if reading.name == location.name and near(reading, location):
            return reading
    return None


def _cache_is_fresh(cached: tuple[Reading, ...], settings: WeatherConfig, now: dt.datetime) -> bool:
    """Rebuilds within `refresh_minutes` of the last reading (an editor's `serve` loop,
    a push right after the hourly job) reuse it instead of asking the network again."""
    limit = dt.timedelta(minutes=settings.refresh_minutes)
    found = [_reading_for(location, cached) for location in settings.locations]
    return all(r is not None and dt.timedelta(0) <= now - r.taken <= limit for r in found)


# --- sources ---------------------------------------------------------------------------

def fetch_and_cache(root: Path, config: SiteConfig, cached: tuple[Reading, ...] | None = None,
                    now: dt.datetime | None = None) -> Refresh:
    """Ask Open-Meteo; keep what it gave in the cache, falling back to the cache (read
    here unless given) for every place it did not give or gave implausible values for.

    `now` is the build time; readings far from it are refused. The `weather` command has
    none: it keeps any plausible reading, and the next build applies its own time."""
    settings = config.weather
    cached = read_cache(root, settings, now) if cached is None else cached
    try:
        fresh = tuple(within_budget(
            lambda: fetch_open_meteo(settings, config.timezone, _user_agent(config), fresh_window(now)),
            settings.timeout_seconds))
    except WeatherUnavailable as failure:
        return Refresh(cached, problem=str(failure))
    kept = _merged(fresh, cached, settings.locations)
    missing = [loc.name for loc in settings.locations if _reading_for(loc, fresh) is None]
    problems = [f"incomplete data for {', '.join(missing)}"] if missing else []
    not_saved = write_cache(root, kept)
    problems += [not_saved] if not_saved else []
    return Refresh(kept, problem="; ".join(problems) or None, fetched=not not_saved)


def _merged(fresh: tuple[Reading, ...], cached: tuple[Reading, ...],
            locations: tuple[Location, ...]) -> tuple[Reading, ...]:
    """One reading per configured place, the fresh one where there is one."""
    chosen = (_reading_for(loc, fresh) or _reading_for(loc, cached) for loc in locations)
    return tuple(reading for reading in chosen if reading is not None)


def _user_agent(config: SiteConfig) -> str:
    return f"cong-thong-tin/{__version__} (+{config.base_url})"


def read_data_file(root: Path, settings: WeatherConfig, now: dt.datetime | None = None) -> Refresh:
    """The `file` provider: the editor's file, in the cache's format, checked as the cache
    is. Its path must stay inside the portal; an unusable entry is named in a warning."""
    try:
        found = stored_readings(read_json_file(root / settings.file, root), settings.locations,
                                kept_window(now, settings.max_age_hours))
    except WeatherUnavailable as failure:
        return Refresh((), problem=f"{settings.file}: {failure}")
    problem = f"{settings.file}: incomplete data for {', '.join(found.rejected)}" if found.rejected else None
    return Refresh(found.readings, problem=problem)


# --- the cache -------------------------------------------------------------------------

def read_cache(root: Path, settings: WeatherConfig, now: dt.datetime | None = None) -> tuple[Reading, ...]:
    """The usable cached readings of the configured places. A missing or damaged cache,
    or one that is not a file inside the portal, is simply empty; a damaged reading is
    left out, and a reading older than `STALE_LIMIT` too (see weather_readings.py)."""
    try:
        data = read_json_file(root / CACHE_FILE, root)
        return stored_readings(data, settings.locations, kept_window(now, settings.max_age_hours)).readings
    except WeatherUnavailable:
        return ()


def write_cache(root: Path, readings: tuple[Reading, ...]) -> str | None:
    """Write a new file and rename it over the old one, so that a killed job never leaves
    half a cache. Returns why the cache could not be written (the build goes on): a
    `data/` that leads outside the portal, a folder in the cache's place, a read-only disk.

    The new file is created under a fresh name (never opened through a link someone
    left there), and the rename replaces a link in the cache's place, not its target."""
    path = root / CACHE_FILE
    if leads_out(path.parent, root):  # outside, or into .git / .cache
        return f"{CACHE_FILE}: outside the portal's folder"
    text = json.dumps({"readings": [reading_json(r) for r in readings]}, ensure_ascii=False, indent=1)
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.fchmod(descriptor, 0o644)  # an ordinary file, as the cache always was
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        os.replace(partial, path)
    except OSError as error:
        if partial:
            Path(partial).unlink(missing_ok=True)
        return f"{CACHE_FILE}: {error.strerror or type(error).__name__}"
    return None
