"""The weather box: readings for the configured places, taken at build time.

A static site has no server when a citizen opens it, so the readings are fetched when
the site is built (CI rebuilds hourly) and kept in a cache in `data/`. The weather must
never break or slow the build: every failure of the source (timeout, HTTP error,
malformed or incomplete JSON) falls back to the cached reading, and the box then says
when that reading was taken. A reading older than `max_age_hours` is shown as out of
date, never as current; with no reading at all the box says there is no data.

Providers: `open-meteo` (one HTTP request for all places), `file` (a JSON file in the
cache's own format, written by an editor or another job), `none` (no box).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import __version__
from .config import Location, SiteConfig, WeatherConfig

CACHE_FILE = "data/weather-cache.json"
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
ATTEMPTS = 2  # one retry: a lost packet or a restarting server should not blank the box
RETRY_PAUSE = 0.3
CURRENT_FIELDS = ("temperature_2m", "relative_humidity_2m", "weather_code", "wind_speed_10m", "is_day")
DAILY_FIELDS = ("temperature_2m_min", "temperature_2m_max")


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


@dataclass(frozen=True)
class Refresh:
    """The outcome of asking the source: the readings to show and, when the source
    failed, why (for a warning; the build goes on)."""
    readings: tuple[Reading, ...]
    problem: str | None = None
    fetched: bool = False


class WeatherUnavailable(Exception):
    """The source gave nothing usable; the message says why, for the warning."""


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


# --- the box ---------------------------------------------------------------------------

def weather_box(root: Path, config: SiteConfig, now: dt.datetime, offline: bool = False) -> tuple[WeatherBox | None, list[str]]:
    """The box for this build and the warnings to print; None when the provider is `none`
    or no place is configured."""
    settings = config.weather
    if settings.provider == "none" or not settings.locations:
        return None, []
    if settings.provider == "file":
        refresh = read_data_file(root / settings.file)
    else:
        cached = read_cache(root / CACHE_FILE)
        fresh = offline or _cache_is_fresh(cached, settings, now)
        refresh = Refresh(cached) if fresh else fetch_and_cache(root, config, cached)
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
    age = now - reading.taken
    state = "stale" if age > dt.timedelta(hours=max_age_hours) else "current"
    return PlaceWeather(location.name, location.lat, location.lon, state, reading,
                        condition_of(reading.code, reading.is_day))


def _reading_for(location: Location, readings: tuple[Reading, ...]) -> Reading | None:
    """The reading taken for this place: same name, and (within ~1 km) the same
    coordinates, so that moving a place never shows another place's weather."""
    for reading in readings:
        if reading.name == location.name and _near(reading, location):
            return reading
    return None


def _near(reading: Reading, location: Location) -> bool:
    if reading.lat is None or reading.lon is None:
        return True
    return abs(reading.lat - location.lat) < 0.01 and abs(reading.lon - location.lon) < 0.01


def _cache_is_fresh(cached: tuple[Reading, ...], settings: WeatherConfig, now: dt.datetime) -> bool:
    """Rebuilds within `refresh_minutes` of the last reading (an editor's `serve` loop,
    a push right after the hourly job) reuse it instead of asking the network again."""
    limit = dt.timedelta(minutes=settings.refresh_minutes)
    found = [_reading_for(location, cached) for location in settings.locations]
    return all(r is not None and dt.timedelta(0) <= now - r.taken <= limit for r in found)


# --- sources ---------------------------------------------------------------------------

def fetch_and_cache(root: Path, config: SiteConfig, cached: tuple[Reading, ...] | None = None) -> Refresh:
    """Ask Open-Meteo; keep what it gave in the cache, falling back to the cache (read
    here unless given) for every place it did not give."""
    cached = read_cache(root / CACHE_FILE) if cached is None else cached
    try:
        fresh = _within_budget(lambda: fetch_open_meteo(config.weather, config.timezone,
                                                        _user_agent(config)),
                               config.weather.timeout_seconds)
    except WeatherUnavailable as failure:
        return Refresh(cached, problem=str(failure))
    names = {(r.name, r.lat, r.lon) for r in fresh}
    kept = tuple(fresh) + tuple(r for r in cached if (r.name, r.lat, r.lon) not in names
                                and _still_configured(r, config.weather))
    write_cache(root / CACHE_FILE, kept)
    missing = [loc.name for loc in config.weather.locations if _reading_for(loc, tuple(fresh)) is None]
    problem = f"incomplete data for {', '.join(missing)}" if missing else None
    return Refresh(kept, problem=problem, fetched=True)


def _within_budget(fetch: Callable[[], list[Reading]], timeout: float) -> list[Reading]:
    """Run the fetch in a daemon thread and stop waiting when its budget is spent: socket
    timeouts do not cover a resolver that hangs, and the build must not wait on one."""
    budget = ATTEMPTS * (timeout + RETRY_PAUSE) + 0.5
    outcome: list = []

    def attempt() -> None:
        try:
            outcome.append(fetch())
        except WeatherUnavailable as failure:
            outcome.append(failure)

    worker = threading.Thread(target=attempt, name="weather", daemon=True)
    worker.start()
    worker.join(budget)
    if not outcome:
        raise WeatherUnavailable(f"no answer within {budget:g} s")
    if isinstance(outcome[0], WeatherUnavailable):
        raise outcome[0]
    return outcome[0]


def _still_configured(reading: Reading, settings: WeatherConfig) -> bool:
    return any(_reading_for(location, (reading,)) for location in settings.locations)


def _user_agent(config: SiteConfig) -> str:
    return f"cong-thong-tin/{__version__} (+{config.base_url})"


def fetch_open_meteo(settings: WeatherConfig, timezone: str, user_agent: str) -> list[Reading]:
    """One request for every place (Open-Meteo takes comma-separated coordinates and
    answers with a list in the same order). Places whose part of the answer is
    incomplete are left out; an answer with nothing usable raises WeatherUnavailable."""
    query = urllib.parse.urlencode({
        "latitude": ",".join(f"{loc.lat:g}" for loc in settings.locations),
        "longitude": ",".join(f"{loc.lon:g}" for loc in settings.locations),
        "current": ",".join(CURRENT_FIELDS),
        "daily": ",".join(DAILY_FIELDS),
        "timezone": timezone, "forecast_days": 1, "wind_speed_unit": "kmh",
    })
    url = f"{settings.endpoint}{'&' if '?' in settings.endpoint else '?'}{query}"
    answer = _get_json(url, settings.timeout_seconds, user_agent)
    parts = answer if isinstance(answer, list) else [answer]
    if len(parts) != len(settings.locations):
        raise WeatherUnavailable(f"{url}: expected {len(settings.locations)} places, got {len(parts)}")
    readings = [reading for loc, part in zip(settings.locations, parts)
                if (reading := _open_meteo_reading(loc, part)) is not None]
    if not readings:
        raise WeatherUnavailable(f"{settings.endpoint}: the answer lacks the current weather")
    return readings


def _open_meteo_reading(location: Location, part: object) -> Reading | None:
    try:
        current, daily = part["current"], part.get("daily") or {}
        offset = dt.timezone(dt.timedelta(seconds=int(part.get("utc_offset_seconds", 0))))
        taken = dt.datetime.fromisoformat(current["time"]).replace(tzinfo=offset)
        return Reading(
            name=location.name, lat=location.lat, lon=location.lon, taken=taken,
            temperature=_number(current["temperature_2m"]), code=int(current["weather_code"]),
            humidity=_optional_number(current.get("relative_humidity_2m")),
            wind_kmh=_optional_number(current.get("wind_speed_10m")),
            low=_first_number(daily.get("temperature_2m_min")),
            high=_first_number(daily.get("temperature_2m_max")),
            is_day=bool(current.get("is_day", 1)))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _get_json(url: str, timeout: float, user_agent: str) -> object:
    """GET with a per-attempt deadline (connect, every read and the whole body), one
    retry for what may pass (timeouts, refused connections, 5xx), and a size limit."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent,
                                                   "Accept": "application/json"})
    problem = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
        try:
            return json.loads(_read_body(request, timeout))
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code < 500:
                break
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            problem = _network_problem(error, timeout)
        except ValueError as error:  # not JSON, or not UTF-8: a retry would get the same
            problem = f"malformed JSON ({error})"
            break
    raise WeatherUnavailable(f"{url.split('?')[0]}: {problem}")


def _read_body(request: urllib.request.Request, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    with urllib.request.urlopen(request, timeout=timeout) as response:
        chunks, size = [], 0
        while chunk := response.read(16384):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ValueError("the answer is too large")
            if time.monotonic() > deadline:
                raise TimeoutError
    return b"".join(chunks)


def _network_problem(error: Exception, timeout: float) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return f"no answer within {timeout:g} s"
    return str(reason) or type(reason).__name__


def read_data_file(path: Path) -> Refresh:
    """The `file` provider: the editor's file, in the cache's format."""
    try:
        return Refresh(_parse_readings(json.loads(path.read_text(encoding="utf-8"))))
    except FileNotFoundError:
        return Refresh((), problem=f"{path}: no such file")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return Refresh((), problem=f"{path}: {error}")


# --- the cache -------------------------------------------------------------------------

def read_cache(path: Path) -> tuple[Reading, ...]:
    """The cached readings; a missing or damaged cache is simply empty."""
    try:
        return _parse_readings(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()


def write_cache(path: Path, readings: tuple[Reading, ...]) -> None:
    """Write a new file and rename it over the old one, so that a killed job never
    leaves half a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({"readings": [_reading_json(r) for r in readings]},
                                  ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _reading_json(reading: Reading) -> dict:
    return {"name": reading.name, "lat": reading.lat, "lon": reading.lon,
            "taken": reading.taken.isoformat(timespec="minutes"),
            "temperature": reading.temperature, "code": reading.code,
            "humidity": reading.humidity, "wind_kmh": reading.wind_kmh,
            "low": reading.low, "high": reading.high, "is_day": reading.is_day}


def _parse_readings(data: dict) -> tuple[Reading, ...]:
    return tuple(_parse_reading(item) for item in data["readings"])


def _parse_reading(item: dict) -> Reading:
    taken = dt.datetime.fromisoformat(item["taken"])
    if taken.tzinfo is None:
        raise ValueError(f"'taken' of {item['name']} needs a UTC offset, e.g. +07:00")
    return Reading(name=str(item["name"]), lat=_optional_number(item.get("lat")),
                   lon=_optional_number(item.get("lon")),
                   taken=taken, temperature=_number(item["temperature"]), code=int(item["code"]),
                   humidity=_optional_number(item.get("humidity")),
                   wind_kmh=_optional_number(item.get("wind_kmh")),
                   low=_optional_number(item.get("low")), high=_optional_number(item.get("high")),
                   is_day=bool(item.get("is_day", True)))


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def _optional_number(value: object) -> float | None:
    return None if value is None else _number(value)


def _first_number(values: object) -> float | None:
    return _optional_number(values[0]) if isinstance(values, list) and values else None
