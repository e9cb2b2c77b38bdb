"""Where readings come from: Open-Meteo over HTTP, and JSON files inside the portal (the
cache, an editor's file). Every failure here is a `WeatherUnavailable` with a plain
reason, never another exception: the build goes on with what it had.
"""

from __future__ import annotations

import http.client
import os
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from ..config import WeatherConfig
from ..paths import leads_out
from .readings import Reading, WeatherUnavailable, Window, decode_json, open_meteo_readings

MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # also the largest cache or editor's file read
ATTEMPTS = 2  # one retry: a lost packet or a restarting server should not blank the box
RETRY_PAUSE = 0.3
CURRENT_FIELDS = ("temperature_2m", "relative_humidity_2m", "weather_code", "wind_speed_10m", "is_day")
DAILY_FIELDS = ("temperature_2m_min", "temperature_2m_max")


def within_budget(fetch: Callable[[], list[Reading]], timeout: float) -> list[Reading]:
    """Run the fetch in a daemon thread and stop waiting when its budget is spent: socket
    timeouts do not cover a resolver that hangs, and the build must not wait on one."""
    budget = ATTEMPTS * (timeout + RETRY_PAUSE) + 0.5
    outcome: list = []

    def attempt() -> None:
        try:
            outcome.append(fetch())
        except WeatherUnavailable as failure:
            outcome.append(failure)
        except Exception as error:  # noqa: BLE001
            # Whatever the answer did to us, it must not escape the thread: that prints a
            # traceback and then leaves the build waiting out the budget for nothing.
            outcome.append(WeatherUnavailable(f"malformed JSON ({type(error).__name__})"))

    worker = threading.Thread(target=attempt, name="weather", daemon=True)
    worker.start()
    worker.join(budget)
    if not outcome:
        raise WeatherUnavailable(f"no answer within {budget:g} s")
    if isinstance(outcome[0], WeatherUnavailable):
        raise outcome[0]
    return outcome[0]


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
    try:
        readings = open_meteo_readings(answer, settings.locations, window)
    except WeatherUnavailable as failure:
        raise WeatherUnavailable(f"{url}: {failure}") from None
    if not readings:
        raise WeatherUnavailable(f"{settings.endpoint}: the answer lacks the current weather")
    return readings


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
            return decode_json(_read_body(request, timeout))
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code < 500:
                break
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            problem = _network_problem(error, timeout)
        except ValueError as error:  # not JSON, not UTF-8, too large: a retry gets the same
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
    return str(reason)[:200] or type(reason).__name__


def read_json_file(path: Path, root: Path) -> object:
    """The JSON value of `path`, which must be a regular file of at most
    MAX_RESPONSE_BYTES inside the portal's folder (links resolved): a cache or an
    editor's file linked to /etc/passwd, a folder or a pipe in its place is refused
    without reading it."""
    if leads_out(path, root):  # outside, or into .git / .cache
        raise WeatherUnavailable("outside the portal's folder")
    try:
        # Non-blocking, so that opening a named pipe cannot hang the build.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise WeatherUnavailable("not a file")
            raw = file.read(MAX_RESPONSE_BYTES + 1)
    except FileNotFoundError:
        raise WeatherUnavailable("no such file") from None
    except OSError as error:
        raise WeatherUnavailable(error.strerror or type(error).__name__) from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise WeatherUnavailable("malformed JSON (the file is too large)")
    try:
        return decode_json(raw)
    except ValueError as error:
        raise WeatherUnavailable(f"malformed JSON ({error})") from None
