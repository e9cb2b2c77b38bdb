"""The weather box: the configured places with their readings, as the renderer shows them.

A static site has no server when a citizen opens it, so the readings are taken when the
site is built (CI rebuilds hourly; refresh.py says where from). A reading older than
`max_age_hours` is shown as out of date, with its time, never as current; a place with
no reading says there is no data. The view model itself is in forecast.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import Location, SiteConfig, WeatherConfig
from ..errors import ContentError
from ..forecast import PlaceWeather, Reading, WeatherBox, condition_of
from .readings import reading_for
from .refresh import current_readings


def weather_box(root: Path, config: SiteConfig, now: dt.datetime,
                offline: bool = False) -> tuple[WeatherBox | None, list[ContentError]]:
    """The box for this build and the warnings to print; None when the provider is `none`
    or no place is configured. Whatever the source, the cache or the editor's file
    holds, this returns: a failure is a warning, never an exception."""
    settings = config.weather
    if settings.provider == "none" or not settings.locations:
        return None, []
    refresh = current_readings(root, config, now, offline)
    return _box(settings, config.timezone, refresh.readings, now), list(refresh.problems)


def _box(settings: WeatherConfig, timezone: str, readings: tuple[Reading, ...],
         now: dt.datetime) -> WeatherBox:
    places = tuple(_place(location, readings, settings.max_age_hours, now)
                   for location in settings.locations)
    current = [p.reading.taken for p in places if p.state == "current" and p.reading]
    return WeatherBox(places, settings.provider, max(current, default=None), settings.live,
                      settings.endpoint, timezone)


def _place(location: Location, readings: tuple[Reading, ...], max_age_hours: float,
           now: dt.datetime) -> PlaceWeather:
    reading = reading_for(location, readings)
    if reading is None:
        return PlaceWeather(location.name, location.lat, location.lon, "missing")
    age = now - reading.taken  # both aware, and every reading's time was checked: no overflow
    state = "stale" if age > dt.timedelta(hours=max_age_hours) else "current"
    return PlaceWeather(location.name, location.lat, location.lon, state, reading,
                        condition_of(reading.code, reading.is_day))
