"""Weather readings, and the checks every value passes before the box shows it or the
cache keeps it.

The weather source, the cache in `data/` and an editor's file are data from machines and
people we do not control: a reading is used only when every value in it has the right
type and a plausible size (a temperature of a billion degrees, a humidity of 250 % or a
time in the year 9999 is a broken source, not weather). A reading that fails is dropped
as a whole, so that the place falls back to its last good reading or says there is no
data. Nothing here raises but `WeatherUnavailable` (an answer with the wrong shape):
the build never fails because of the weather.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterator

from ..config import Location
from ..forecast import Reading

# Beyond the records ever measured on Earth (-89 °C, 57 °C; gusts of 408 km/h).
TEMPERATURE_RANGE = (-90.0, 60.0)
HUMIDITY_RANGE = (0.0, 100.0)
WIND_RANGE = (0.0, 500.0)
CODE_RANGE = (0, 99)  # WMO 4677; codes we have no words for show as "unknown"
# Real offsets run from -12 h to +14 h; ±18 h is what ISO 8601 and most parsers allow.
MAX_OFFSET = dt.timedelta(hours=18)
# Times outside these years are refused before an offset is applied, so that turning a
# reading's time into UTC can never overflow (year 1 and 9999 did).
EARLIEST_TIME = dt.datetime(2000, 1, 1)
LATEST_TIME = dt.datetime(2200, 1, 1)
# A fresh answer is about now: a clock or a time zone a little off is tolerated, a
# reading from last week or next week is a broken source.
FRESH_PAST = dt.timedelta(days=2)
FUTURE = dt.timedelta(days=1)
# How old a kept reading (the cache, an editor's file) may be and still be shown, marked
# with its time as out of date; older than this (or than `max_age_hours` if that is
# longer) it tells nobody anything about the weather, and the place says "no data".
STALE_LIMIT = dt.timedelta(days=30)
MAX_TIME_TEXT = 40  # "2026-11-23T14:45:00.000000+07:00" is 32


class WeatherUnavailable(Exception):
    """The source or a file gave nothing usable. `key` names the warning (a message in
    the `errors:` section of the locale files), `params` fill it: no system text."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params


class _BadValue(ValueError):
    """One value of a reading is missing, of the wrong type or out of range."""


@dataclass(frozen=True)
class Window:
    """When a reading must have been taken to be used; no bounds when there is no build
    time (the `weather` command: the next build applies its own)."""
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None

    def allows(self, taken: dt.datetime) -> bool:
        return ((self.earliest is None or taken >= self.earliest)
                and (self.latest is None or taken <= self.latest))


def fresh_window(now: dt.datetime | None) -> Window:
    """For an answer of the source, asked now."""
    return Window() if now is None else Window(now - FRESH_PAST, now + FUTURE)


def kept_window(now: dt.datetime | None, max_age_hours: float) -> Window:
    """For readings kept from earlier (the cache, an editor's file)."""
    oldest = max(STALE_LIMIT, dt.timedelta(hours=max_age_hours))
    return Window() if now is None else Window(now - oldest, now + FUTURE)


@dataclass(frozen=True)
class StoredReadings:
    """The usable readings of a cache or an editor's file, one per configured place, and
    the configured places whose entry was dropped as unusable (for a warning)."""
    readings: tuple[Reading, ...]
    rejected: tuple[str, ...] = ()


# --- JSON ------------------------------------------------------------------------------

def decode_json(raw: bytes) -> object:
    """The JSON value in `raw`; ValueError with a short reason for anything else (not
    UTF-8, not JSON, nested so deep that the parser gives up)."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        raise ValueError(str(error)[:120]) from None


# --- Open-Meteo's answer ---------------------------------------------------------------

def open_meteo_readings(answer: object, locations: tuple[Location, ...],
                        window: Window) -> list[Reading]:
    """One reading per place whose part of the answer is complete and plausible, in the
    order of `locations`. An answer with the wrong number of parts raises
    WeatherUnavailable; a place whose part is unusable is left out."""
    parts = answer if isinstance(answer, list) else [answer]
    if len(parts) != len(locations):
        raise WeatherUnavailable("weather_bad_answer")  # not one part per place asked
    return [reading for location, part in zip(locations, parts)
            if (reading := open_meteo_reading(location, part, window)) is not None]


def open_meteo_reading(location: Location, part: object, window: Window) -> Reading | None:
    try:
        return _open_meteo_reading(location, _mapping(part), window)
    except ValueError:  # a _BadValue, or a time that is not ISO 8601
        return None


def _open_meteo_reading(location: Location, part: dict, window: Window) -> Reading:
    current = _mapping(part.get("current"))
    daily = _mapping(part.get("daily") or {})
    taken = _open_meteo_time(current.get("time"), part.get("utc_offset_seconds", 0))
    if not window.allows(taken):
        raise _BadValue("time")
    low, high = _low_high(_daily(daily, "temperature_2m_min"), _daily(daily, "temperature_2m_max"))
    return Reading(
        name=location.name, lat=location.lat, lon=location.lon, taken=taken,
        temperature=_number(current.get("temperature_2m"), TEMPERATURE_RANGE),
        code=_code(current.get("weather_code")),
        humidity=_optional(current.get("relative_humidity_2m"), HUMIDITY_RANGE),
        wind_kmh=_optional(current.get("wind_speed_10m"), WIND_RANGE),
        low=low, high=high, is_day=_flag(current.get("is_day")))


def _open_meteo_time(value: object, offset_seconds: object) -> dt.datetime:
    """Open-Meteo gives the local time without its offset, and the offset apart: each is
    checked on its own before they are combined, so the result is always in range."""
    naive = _iso_time(value)
    if naive.tzinfo is not None:
        raise _BadValue("time")
    seconds = _number(offset_seconds, (-MAX_OFFSET.total_seconds(), MAX_OFFSET.total_seconds()))
    if seconds != int(seconds):
        raise _BadValue("utc_offset_seconds")
    return naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=int(seconds))))


def _daily(daily: dict, key: str) -> float | None:
    """The day's value: asked for one day, so a list of exactly one number (or null)."""
    values = daily.get(key)
    if values is None:
        return None
    if not isinstance(values, list) or len(values) != 1:
        raise _BadValue(key)
    return _optional(values[0], TEMPERATURE_RANGE)


# --- the cache and an editor's file ----------------------------------------------------

def stored_readings(data: object, places: tuple[Location, ...], window: Window) -> StoredReadings:
    """The readings of `{"readings": [...]}` for the configured places: entries for other
    names are ignored, an entry with any unusable value is dropped. Raises
    WeatherUnavailable when `data` does not have that shape at all."""
    entries = data.get("readings") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WeatherUnavailable("weather_file_malformed")  # no "readings" list
    found: dict[str, Reading] = {}
    rejected: list[str] = []
    for place, entry in _entries_for(places, entries):
        if place.name in found:
            continue
        try:
            found[place.name] = _stored_reading(place, entry, window)
        except ValueError:  # a _BadValue, or a time that is not ISO 8601
            rejected.append(place.name)
    readings = tuple(found[p.name] for p in places if p.name in found)
    return StoredReadings(readings, tuple(dict.fromkeys(n for n in rejected if n not in found)))


def _entries_for(places: tuple[Location, ...], entries: list) -> Iterator[tuple[Location, dict]]:
    """Each entry with the configured place it names. Names are only compared with the
    configured ones, so a name of any size costs nothing and is never shown."""
    by_name = {place.name: place for place in places}
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in by_name:
            yield by_name[name], entry


def _stored_reading(place: Location, entry: dict, window: Window) -> Reading:
    lat = _optional(entry.get("lat"), (-90.0, 90.0))
    lon = _optional(entry.get("lon"), (-180.0, 180.0))
    if not _near(lat, lon, place):
        raise _BadValue("lat")  # the place was moved: its old reading is not its weather
    taken = _stored_time(entry.get("taken"))
    if not window.allows(taken):
        raise _BadValue("taken")
    low, high = _low_high(_optional(entry.get("low"), TEMPERATURE_RANGE),
                          _optional(entry.get("high"), TEMPERATURE_RANGE))
    return Reading(name=place.name, lat=lat, lon=lon, taken=taken,
                   temperature=_number(entry.get("temperature"), TEMPERATURE_RANGE),
                   code=_code(entry.get("code")),
                   humidity=_optional(entry.get("humidity"), HUMIDITY_RANGE),
                   wind_kmh=_optional(entry.get("wind_kmh"), WIND_RANGE),
                   low=low, high=high, is_day=_flag(entry.get("is_day")))


def reading_for(location: Location, readings: tuple[Reading, ...]) -> Reading | None:
    """The reading taken for this place: same name, and (within ~1 km) the same
    coordinates, so that moving a place never shows another place's weather."""
    return next((r for r in readings if r.name == location.name and _near(r.lat, r.lon, location)),
                None)


def _near(lat: float | None, lon: float | None, location: Location) -> bool:
    if lat is None or lon is None:
        return True
    return abs(lat - location.lat) < 0.01 and abs(lon - location.lon) < 0.01


def _stored_time(value: object) -> dt.datetime:
    """A kept time carries its offset ("2026-11-23T14:45+07:00")."""
    taken = _iso_time(value)
    offset = taken.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET:
        raise _BadValue("taken")
    return taken


def reading_json(reading: Reading) -> dict:
    return {"name": reading.name, "lat": reading.lat, "lon": reading.lon,
            "taken": reading.taken.isoformat(timespec="minutes"),
            "temperature": reading.temperature, "code": reading.code,
            "humidity": reading.humidity, "wind_kmh": reading.wind_kmh,
            "low": reading.low, "high": reading.high, "is_day": reading.is_day}


# --- single values ---------------------------------------------------------------------

def _mapping(value: object) -> dict:
    if not isinstance(value, dict):
        raise _BadValue("object")
    return value


def _iso_time(value: object) -> dt.datetime:
    """An ISO time whose wall-clock part is within EARLIEST_TIME..LATEST_TIME."""
    if not isinstance(value, str) or len(value) > MAX_TIME_TEXT:
        raise _BadValue("time")
    parsed = dt.datetime.fromisoformat(value)  # ValueError for anything else
    if not EARLIEST_TIME <= parsed.replace(tzinfo=None) < LATEST_TIME:
        raise _BadValue("time")
    return parsed


def _number(value: object, bounds: tuple[float, float]) -> float:
    """A JSON number within `bounds`. Comparing before converting keeps NaN, infinities
    and integers of any size out, without an OverflowError on the way."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadValue("number")
    if not bounds[0] <= value <= bounds[1]:
        raise _BadValue("range")
    return float(value)


def _optional(value: object, bounds: tuple[float, float]) -> float | None:
    return None if value is None else _number(value, bounds)


def _low_high(low: float | None, high: float | None) -> tuple[float | None, float | None]:
    if low is not None and high is not None and low > high:
        raise _BadValue("temperature_2m_min")
    return low, high


def _code(value: object) -> int:
    code = _number(value, CODE_RANGE)
    if code != int(code):
        raise _BadValue("code")
    return int(code)


def _flag(value: object) -> bool:
    """`is_day`: true/false in the cache, 1/0 from Open-Meteo; day when left out."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise _BadValue("is_day")
