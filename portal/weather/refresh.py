"""Which readings a build shows: the editor's file, the cache when it is recent (or the
build is offline), or a new answer of Open-Meteo merged into the cache.

A failure of the source never stops the build: it becomes a warning (a `ContentError`
on config.yaml's `weather` section, worded by the locale files) and the places keep
their cached readings.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import Location, SiteConfig, WeatherConfig
from ..errors import ContentError, ErrorLog
from ..forecast import Reading
from .readings import WeatherUnavailable, fresh_window, reading_for
from .source import fetch_open_meteo, within_budget
from .store import read_cache, read_data_file, write_cache


@dataclass(frozen=True)
class Refresh:
    """The readings to show and the warnings to print (the build goes on)."""
    readings: tuple[Reading, ...]
    problems: tuple[ContentError, ...] = ()
    fetched: bool = False  # the source answered and its readings are in the cache


def current_readings(root: Path, config: SiteConfig, now: dt.datetime, offline: bool) -> Refresh:
    """The readings for a build at `now`, asking the source only when the cache is not
    recent enough and the build may use the network."""
    settings = config.weather
    if settings.provider == "file":
        return Refresh(*read_data_file(root, settings, now))
    cached = read_cache(root, settings, now)
    if offline or _cache_is_fresh(cached, settings, now):
        return Refresh(cached)
    return fetch_and_cache(root, config, cached, now)


def _cache_is_fresh(cached: tuple[Reading, ...], settings: WeatherConfig, now: dt.datetime) -> bool:
    """Rebuilds within `refresh_minutes` of the last reading (an editor's `serve` loop,
    a push right after the hourly job) reuse it instead of asking the network again."""
    limit = dt.timedelta(minutes=settings.refresh_minutes)
    found = [reading_for(location, cached) for location in settings.locations]
    return all(r is not None and dt.timedelta(0) <= now - r.taken <= limit for r in found)


def fetch_and_cache(root: Path, config: SiteConfig, cached: tuple[Reading, ...] | None = None,
                    now: dt.datetime | None = None) -> Refresh:
    """Ask Open-Meteo; keep what it gave in the cache, falling back to the cache (read
    here unless given) for every place it did not give or gave implausible values for.

    `now` is the build time; readings far from it are refused. The `weather` command has
    none: it keeps any plausible reading, and the next build applies its own time."""
    settings = config.weather
    cached = read_cache(root, settings, now) if cached is None else cached
    log = ErrorLog(root)
    try:
        fresh = tuple(within_budget(
            lambda: fetch_open_meteo(settings, config.timezone, _user_agent(config), fresh_window(now)),
            settings.timeout_seconds))
    except WeatherUnavailable as failure:
        _warn(log, settings, failure)
        return Refresh(cached, tuple(log.errors))
    kept = _merged(fresh, cached, settings.locations)
    missing = [loc.name for loc in settings.locations if reading_for(loc, fresh) is None]
    if missing:
        _warn(log, settings, WeatherUnavailable("weather_incomplete", places=", ".join(missing)))
    try:
        write_cache(root, kept)
    except WeatherUnavailable as failure:
        _warn(log, settings, failure)
        return Refresh(kept, tuple(log.errors))
    return Refresh(kept, tuple(log.errors), fetched=True)


def _merged(fresh: tuple[Reading, ...], cached: tuple[Reading, ...],
            locations: tuple[Location, ...]) -> tuple[Reading, ...]:
    """One reading per configured place, the fresh one where there is one."""
    chosen = (reading_for(loc, fresh) or reading_for(loc, cached) for loc in locations)
    return tuple(reading for reading in chosen if reading is not None)


def _warn(log: ErrorLog, settings: WeatherConfig, failure: WeatherUnavailable) -> None:
    """A warning on config.yaml's weather section, naming the service by its host (the
    endpoint's query and any password in it are no editor's business)."""
    log.add("", failure.key, field="weather", host=_host(settings.endpoint), **failure.params)


def _host(endpoint: str) -> str:
    """`api.open-meteo.com`, or `127.0.0.1:8080`: the host and port as written."""
    return urllib.parse.urlsplit(endpoint).netloc.rpartition("@")[2]


def _user_agent(config: SiteConfig) -> str:
    return f"cong-thong-tin/{__version__} (+{config.base_url})"
