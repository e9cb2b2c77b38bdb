"""The weather the box shows: each place's reading and condition, as the weather stage
(weather/) hands them to the renderer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """What one place's weather was at `taken` (an aware time)."""
    name: str
    lat: float | None  # None in an editor's file: the place is known by its name
    lon: float | None
    taken: dt.datetime
    temperature: float
    code: int
    humidity: float | None = None
    wind_kmh: float | None = None
    low: float | None = None
    high: float | None = None
    is_day: bool = True


@dataclass(frozen=True)
class Condition:
    """A WMO weather code as the theme shows it: `key` names the words (`t.wx_<key>`),
    `icon` the picture (`assets/weather/<icon>.svg`)."""
    key: str
    icon: str


@dataclass(frozen=True)
class PlaceWeather:
    name: str
    lat: float
    lon: float
    state: str  # "current", "stale" (shown with its time, marked old) or "missing"
    reading: Reading | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class WeatherBox:
    """Everything the box shows; part of every page's key, as the box is on every page."""
    places: tuple[PlaceWeather, ...]
    provider: str
    updated: dt.datetime | None  # the newest current reading
    live: bool
    endpoint: str
    timezone: str

    def conditions(self) -> dict[str, Condition]:
        """Every known code by day ("61d") and by night ("61n"), for the live script."""
        return {f"{code}{'d' if day else 'n'}": condition_of(code, day)
                for code in _CONDITIONS for day in (True, False)}

    def condition_words(self) -> list[str]:
        return sorted({c.key for c in self.conditions().values()})

    def condition_icons(self) -> list[str]:
        return sorted({c.icon for c in self.conditions().values()})


# WMO weather interpretation codes, as Open-Meteo documents them.
_CONDITIONS: dict[int, tuple[str, str]] = {
    0: ("clear", "sun"), 1: ("mainly_clear", "sun-cloud"), 2: ("partly_cloudy", "sun-cloud"),
    3: ("overcast", "cloud"), 45: ("fog", "fog"), 48: ("fog", "fog"),
    51: ("drizzle", "rain"), 53: ("drizzle", "rain"), 55: ("drizzle", "rain"),
    56: ("drizzle", "rain"), 57: ("drizzle", "rain"),
    61: ("rain_light", "rain"), 63: ("rain", "rain"), 65: ("rain_heavy", "rain"),
    66: ("rain", "rain"), 67: ("rain_heavy", "rain"),
    71: ("snow", "snow"), 73: ("snow", "snow"), 75: ("snow", "snow"), 77: ("snow", "snow"),
    80: ("showers", "showers"), 81: ("showers", "showers"), 82: ("showers_heavy", "showers"),
    85: ("snow", "snow"), 86: ("snow", "snow"),
    95: ("thunder", "storm"), 96: ("thunder_hail", "storm"), 99: ("thunder_hail", "storm"),
}
_NIGHT_ICONS = {"sun": "moon", "sun-cloud": "moon-cloud"}
CONDITION_KEYS = sorted({key for key, _ in _CONDITIONS.values()} | {"clear_night", "unknown"})


def condition_of(code: int, is_day: bool = True) -> Condition:
    key, icon = _CONDITIONS.get(code, ("unknown", "cloud"))
    if not is_day:
        key = "clear_night" if key == "clear" else key
        icon = _NIGHT_ICONS.get(icon, icon)
    return Condition(key, icon)
