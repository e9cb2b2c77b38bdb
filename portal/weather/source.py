"""Open-Meteo over HTTP: one request for every place, within a time budget. Every
failure here is a `WeatherUnavailable` whose key says what went wrong in plain words
(the address was not found, the connection was refused, no answer in time, an HTTP
error, an answer that is not weather), never another exception or a system's error
text: the build goes on with what it had.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable

from ..config import WeatherConfig
from ..fetch import OverBudget, network_problem, read_body, run_within_budget
from .readings import Reading, WeatherUnavailable, Window, decode_json, open_meteo_readings

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
ATTEMPTS = 2  # one retry: a lost packet or a restarting server should not blank the box
RETRY_PAUSE = 0.3
CURRENT_FIELDS = ("temperature_2m", "relative_humidity_2m", "weather_code", "wind_speed_10m", "is_day")
DAILY_FIELDS = ("temperature_2m_min", "temperature_2m_max")


def within_budget(fetch: Callable[[], list[Reading]], timeout: float) -> list[Reading]:
    """Run the fetch within its budget (every attempt and the pause between them): the
    build must not wait on a resolver that hangs."""
    budget = ATTEMPTS * (timeout + RETRY_PAUSE) + 0.5
    try:
        return run_within_budget(fetch, budget, WeatherUnavailable,
                                 lambda: WeatherUnavailable("weather_bad_answer"))
    except OverBudget:
        raise WeatherUnavailable("weather_timeout", seconds=f"{budget:g}") from None


def fetch_open_meteo(settings: WeatherConfig, timezone: str, user_agent: str,
                     window: Window = Window()) -> list[Reading]:
    """One request for every place (Open-Meteo takes comma-separated coordinates and
    answers with a list in the same order). Places whose part of the answer is
    incomplete or implausible are left out; an answer with nothing usable raises
    WeatherUnavailable."""
    query = urllib.parse.urlencode({
        "latitude": ",".join(f"{loc.lat:g}" for loc in settings.locations),
        "longitude": ",".join(f"{loc.lon:g}" for loc in settings.locations),
        "current": ",".join(CURRENT_FIELDS),
        "daily": ",".join(DAILY_FIELDS),
        "timezone": timezone, "forecast_days": 1, "wind_speed_unit": "kmh",
    })
    url = f"{settings.endpoint}{'&' if '?' in settings.endpoint else '?'}{query}"
    answer = _get_json(url, settings.timeout_seconds, user_agent)
    readings = open_meteo_readings(answer, settings.locations, window)
    if not readings:
        raise WeatherUnavailable("weather_incomplete",
                                 places=", ".join(loc.name for loc in settings.locations))
    return readings


def _get_json(url: str, timeout: float, user_agent: str) -> object:
    """GET with a per-attempt deadline (connect, every read and the whole body), one
    retry for what may pass (timeouts, refused connections, 5xx), and a size limit."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent,
                                                   "Accept": "application/json"})
    failure = WeatherUnavailable("weather_unreachable")
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
        try:
            return decode_json(read_body(urllib.request.urlopen, request, timeout,
                                         MAX_RESPONSE_BYTES, chunk_bytes=16384))
        except urllib.error.HTTPError as error:
            failure = WeatherUnavailable("weather_http_error", status=error.code)
            if error.code < 500:
                break
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            failure = _network_failure(error, timeout)
        except ValueError:  # not JSON, not UTF-8, too large: a retry gets the same
            failure = WeatherUnavailable("weather_bad_answer")
            break
    raise failure


def _network_failure(error: Exception, timeout: float) -> WeatherUnavailable:
    kind = network_problem(error)
    return WeatherUnavailable(f"weather_{kind}", **({"seconds": f"{timeout:g}"} if kind == "timeout" else {}))
