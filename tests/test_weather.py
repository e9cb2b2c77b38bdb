"""The weather box against a small Open-Meteo-shaped server on 127.0.0.1: real HTTP,
real builds, and the rendered box checked (not only the provider).

"Now" is fixed by SOURCE_DATE_EPOCH: 2026-11-23 08:00 UTC, 15:00 in Hà Nội. The server
answers readings taken at 14:45 local time, so they are current.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import (BROWSER_ENV, MINIMAL_CONFIG, SMALL_SITE, SiteDir, local_http_server, make_site,
                      needs_browser, send_json)

from portal.config import SiteConfig, load_config
from portal.errors import ErrorLog
from portal.locale import load_locale
from portal.weather import fetch_and_cache, weather_box

NOW = {"SOURCE_DATE_EPOCH": "1795420800"}  # 2026-11-23 08:00 UTC
BUILD_TIME = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)
PLACES = [("Hà Nội", 21.03, 105.85), ("Đà Nẵng", 16.05, 108.2)]


@dataclass
class FakeOpenMeteo:
    """Answers like api.open-meteo.com/v1/forecast, or fails in the way `mode` says."""
    mode: str = "ok"  # ok | http500 | malformed | missing | hang
    requests: list[dict] = field(default_factory=list)
    port: int = 0
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/forecast"

    def answer(self, query: dict[str, str]) -> tuple[int, bytes]:
        if self.mode == "http500":
            return 500, b'{"error": true, "reason": "Internal"}'
        if self.mode == "malformed":
            return 200, b'[{"latitude": 21.0, "current": {"temperature_2m": 2'
        lats, lons = query["latitude"].split(","), query["longitude"].split(",")
        parts = [_place_answer(float(lat), float(lon), n) for n, (lat, lon) in enumerate(zip(lats, lons))]
        if self.mode == "missing":  # the second place lacks its current weather
            del parts[1]["current"]["temperature_2m"]
        return 200, json.dumps(parts if len(parts) > 1 else parts[0]).encode()


def _place_answer(lat: float, lon: float, n: int) -> dict:
    return {
        "latitude": lat + 0.01, "longitude": lon - 0.02, "utc_offset_seconds": 25200,
        "timezone": "Asia/Ho_Chi_Minh",
        "current": {"time": "2026-11-23T14:45", "interval": 900, "temperature_2m": 27.6 + n,
                    "relative_humidity_2m": 71, "weather_code": [0, 63][n % 2],
                    "wind_speed_10m": 11.8, "is_day": 1},
        "daily": {"time": ["2026-11-23"], "temperature_2m_min": [21.6], "temperature_2m_max": [30.2]},
    }


@pytest.fixture
def api():
    fake = FakeOpenMeteo()

    def respond(handler: BaseHTTPRequestHandler) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
        fake.requests.append({"path": handler.path, "query": query,
                              "agent": handler.headers.get("User-Agent", "")})
        if fake.mode == "hang":
            fake.released.wait(30)
            return
        send_json(handler, *fake.answer(query))

    with local_http_server(respond) as fake.port:
        yield fake
        fake.released.set()


def weather_config(endpoint: str, provider: str = "open-meteo", **extra: object) -> str:
    places = "\n".join(f"    - {{name: {n}, lat: {lat}, lon: {lon}}}" for n, lat, lon in PLACES)
    lines = "".join(f"  {key}: {value}\n" for key, value in extra.items())
    return (MINIMAL_CONFIG + f"weather:\n  provider: {provider}\n  endpoint: {endpoint}\n"
            f"  locations:\n{places}\n  max_age_hours: 6\n{lines}")


def cache_entry(name: str, lat: float, lon: float, taken: str, temperature: float = 24.0) -> dict:
    return {"name": name, "lat": lat, "lon": lon, "taken": taken, "temperature": temperature,
            "code": 3, "humidity": 88, "wind_kmh": 6.0, "low": 20.0, "high": 25.0, "is_day": True}


def write_cache(site: SiteDir, taken: str) -> None:
    readings = [cache_entry(n, lat, lon, taken) for n, lat, lon in PLACES]
    site.write("data/weather-cache.json", json.dumps({"readings": readings}, ensure_ascii=False))


def weather_site(tmp_path: Path, endpoint: str, **extra: object) -> SiteDir:
    return make_site(tmp_path, SMALL_SITE, weather_config(endpoint, **extra))


def box(site: SiteDir, page: str = "index.html") -> str:
    html = site.read(page)
    found = re.search(r'<section class="box box-weather".*?</section>', html, re.S)
    assert found, "no weather box"
    return found.group(0)


def config_of(site: SiteDir) -> SiteConfig:
    return load_config(site.root, ErrorLog(site.root))


def said(problems) -> list[str]:
    """Weather warnings as an editor of a Vietnamese portal reads them."""
    locale = load_locale("vi")
    return [locale.format_error(problem) for problem in problems]


def places_of(box_html: str) -> dict[str, str]:
    """Place name -> the text of its list item."""
    items = re.findall(r'<li class="wx (wx-\w+)" data-name="([^"]+)".*?</li>', box_html, re.S)
    blocks = re.findall(r'<li class="wx .*?</li>', box_html, re.S)
    return {name: f"{state} " + re.sub(r"<[^>]+>", " ", block) for (state, name), block in zip(items, blocks)}


def test_success_shows_current_weather_from_one_request(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert len(api.requests) == 1, "one request for all places"
    query = api.requests[0]["query"]
    assert query["latitude"] == "21.03,16.05" and query["longitude"] == "105.85,108.2"
    assert query["timezone"] == "Asia/Ho_Chi_Minh"
    assert api.requests[0]["agent"].startswith("cong-thong-tin/")
    shown = box(site)
    assert 'aria-labelledby="box-weather"' in shown and '<h2 id="box-weather">Thời tiết các vùng</h2>' in shown
    places = places_of(shown)
    assert "wx-current" in places["Hà Nội"] and "28°C" in places["Hà Nội"]
    assert "Trong ngày 22–30°C" in places["Hà Nội"] and "Độ ẩm 71%" in places["Hà Nội"]
    assert "Gió 12 km/h" in places["Hà Nội"]
    assert 'alt="Nắng"' in shown and 'alt="Mưa"' in shown  # codes 0 and 63, as icons with words
    assert "29°C" in places["Đà Nẵng"]
    assert "Số liệu lúc 14:45 ngày 23/11" in shown
    assert "open-meteo.com" in shown
    # The box is the same on every page, including articles.
    assert box(site, "tin-tuc/day-boi-an-toan-cho-tre-em/index.html") == shown
    cached = json.loads((site.root / "data" / "weather-cache.json").read_text(encoding="utf-8"))
    assert [r["taken"] for r in cached["readings"]] == ["2026-11-23T14:45+07:00"] * 2
    assert [r["name"] for r in cached["readings"]] == ["Hà Nội", "Đà Nẵng"]


def test_http_500_falls_back_to_the_stale_cache_and_says_when(tmp_path, api):
    api.mode = "http500"
    site = weather_site(tmp_path, api.endpoint)
    write_cache(site, "2026-11-14T05:00+07:00")
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0
    assert len(api.requests) == 2, "one retry after a server error"
    assert "config.yaml: weather: " in run.stderr
    places = places_of(box(site))
    for name, _, _ in PLACES:
        assert "wx-stale" in places[name]
        assert "Số liệu lúc 05:00 ngày 14/11" in places[name] and "số liệu cũ" in places[name]
        assert "24°C" in places[name]
    assert '<p class="wx-time">' not in box(site), "no reading is presented as current"


def test_malformed_json_with_no_cache_says_there_is_no_data(tmp_path, api):
    api.mode = "malformed"
    site = weather_site(tmp_path, api.endpoint)
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0
    assert len(api.requests) == 1, "a malformed answer is not retried"
    assert "config.yaml: weather: " in run.stderr
    places = places_of(box(site))
    assert all("wx-missing" in text and "Chưa có số liệu" in text for text in places.values())
    assert not (site.root / "data" / "weather-cache.json").exists()


def test_missing_fields_use_the_cache_for_that_place_only(tmp_path, api):
    api.mode = "missing"
    site = weather_site(tmp_path, api.endpoint)
    write_cache(site, "2026-11-23T13:00+07:00")  # two hours old: still current
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0
    assert "Đà Nẵng" in run.stderr
    places = places_of(box(site))
    assert "28°C" in places["Hà Nội"]
    assert "24°C" in places["Đà Nẵng"] and "wx-current" in places["Đà Nẵng"]
    cached = json.loads((site.root / "data" / "weather-cache.json").read_text(encoding="utf-8"))
    taken = {r["name"]: r["taken"] for r in cached["readings"]}
    assert taken == {"Hà Nội": "2026-11-23T14:45+07:00", "Đà Nẵng": "2026-11-23T13:00+07:00"}


def test_a_server_that_never_answers_does_not_hold_the_build(tmp_path, api):
    api.mode = "hang"
    site = weather_site(tmp_path, api.endpoint, timeout_seconds=1)
    write_cache(site, "2026-11-23T12:00+07:00")
    started = time.monotonic()
    run = site.build(env=NOW, quiet=False)
    elapsed = time.monotonic() - started
    assert run.code == 0
    assert elapsed < 6, f"the build waited {elapsed:.1f} s for the weather"
    assert "config.yaml: weather: " in run.stderr
    assert "24°C" in places_of(box(site))["Hà Nội"]


def test_offline_never_touches_the_network(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    write_cache(site, "2026-11-14T05:00+07:00")
    run = site.build("--offline", env=NOW, quiet=False)
    assert run.code == 0 and run.stderr == ""
    assert api.requests == []
    assert all("wx-stale" in text for text in places_of(box(site)).values())


def test_offline_with_an_empty_cache_says_no_data(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    run = site.build("--offline", env=NOW, quiet=False)
    assert run.code == 0 and api.requests == []
    assert all("Chưa có số liệu" in text for text in places_of(box(site)).values())


def test_a_recent_cache_is_reused_without_asking(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, refresh_minutes=30)
    write_cache(site, "2026-11-23T14:40+07:00")  # 20 minutes before "now"
    assert site.build(env=NOW, quiet=False).code == 0
    assert api.requests == []
    assert "24°C" in places_of(box(site))["Hà Nội"]


def test_the_weather_change_rerenders_pages(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    write_cache(site, "2026-11-23T12:00+07:00")
    assert site.build("--offline", env=NOW, quiet=False).code == 0
    assert "24°C" in box(site, "tin-tuc/day-boi-an-toan-cho-tre-em/index.html")
    index = sorted(p.name for p in (site.root / ".cache" / "search" / "bundles").iterdir())
    assert site.build(env=NOW, quiet=False).code == 0
    assert "28°C" in box(site, "tin-tuc/day-boi-an-toan-cho-tre-em/index.html")
    # What search finds did not change, so the search index is reused, not rebuilt.
    assert sorted(p.name for p in (site.root / ".cache" / "search" / "bundles").iterdir()) == index


def test_file_provider_reads_the_editors_file_without_network(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, provider="file")
    readings = [{"name": "Hà Nội", "taken": "2026-11-23T14:00+07:00", "temperature": 19.4, "code": 95},
                {"name": "Đà Nẵng", "taken": "2026-11-22T14:00+07:00", "temperature": 25, "code": 61}]
    site.write("data/weather.json", json.dumps({"readings": readings}, ensure_ascii=False))
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0 and run.stderr == "" and api.requests == []
    places = places_of(box(site))
    assert "19°C" in places["Hà Nội"] and 'alt="Dông"' in box(site) and "wx-current" in places["Hà Nội"]
    assert "wx-stale" in places["Đà Nẵng"] and "Số liệu lúc 14:00 ngày 22/11" in places["Đà Nẵng"]


def test_file_provider_with_a_broken_file_warns_and_builds(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, provider="file")
    site.write("data/weather.json", '{"readings": [{"name": "Hà Nội", "taken": "2026-11-23T14:00"}]}')
    run = site.build(env=NOW, quiet=False)
    assert run.code == 0
    assert "data/weather.json" in run.stderr
    assert all("Chưa có số liệu" in text for text in places_of(box(site)).values())


SOURCE_WARNINGS = {  # the mode of the fake source -> the start of the warning
    "http500": "dịch vụ thời tiết {host} trả lời bằng một lỗi (mã HTTP 500;",
    "malformed": "dịch vụ thời tiết {host} có trả lời nhưng không phải số liệu thời tiết dùng được",
    "missing": "dịch vụ thời tiết {host} không gửi số liệu dùng được cho Đà Nẵng;",
    "hang": "dịch vụ thời tiết {host} không trả lời trong 0.5 giây",
}


@pytest.mark.parametrize("mode", list(SOURCE_WARNINGS))
def test_a_failing_source_is_one_warning_in_plain_words(tmp_path, api, mode):
    api.mode = mode
    site = weather_site(tmp_path, api.endpoint, timeout_seconds=0.5)
    refresh = fetch_and_cache(site.root, config_of(site), now=BUILD_TIME)
    [warning] = said(refresh.problems)
    expected = SOURCE_WARNINGS[mode].format(host=f"127.0.0.1:{api.port}")
    assert warning.startswith(f"config.yaml: weather: {expected}"), warning
    assert warning.endswith("ô thời tiết dùng số liệu đã lưu, nếu có") or mode == "missing", warning


@pytest.mark.parametrize("endpoint, expected", [
    ("http://weather.invalid/v1/forecast", "không tìm thấy địa chỉ của dịch vụ thời tiết weather.invalid"),
    ("http://127.0.0.1:9/v1/forecast", "dịch vụ thời tiết 127.0.0.1:9 từ chối kết nối"),
])
def test_a_source_out_of_reach_is_named_without_the_systems_words(tmp_path, endpoint, expected):
    site = weather_site(tmp_path, endpoint, timeout_seconds=0.5)
    write_cache(site, "2026-11-23T12:00+07:00")
    shown, warnings = weather_box(site.root, config_of(site), BUILD_TIME)
    [warning] = said(warnings)
    assert warning.startswith(f"config.yaml: weather: {expected}"), warning
    assert "Errno" not in warning and "ô thời tiết dùng số liệu đã lưu" in warning
    assert all(place.state == "current" for place in shown.places), "the saved readings"
    english = load_locale("en").format_error(warnings[0])
    assert "Errno" not in english and "the weather box shows the saved readings" in english


def test_a_missing_editors_file_is_named(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, provider="file")
    shown, warnings = weather_box(site.root, config_of(site), BUILD_TIME)
    assert said(warnings) == ["data/weather.json: weather: không có tệp này; hãy tạo tệp với số liệu thời "
                              "tiết, hoặc sửa weather.file trong config.yaml cho đúng tên tệp; trong lúc "
                              "chờ, ô thời tiết ghi là chưa có số liệu"]
    assert all(place.state == "missing" for place in shown.places) and api.requests == []


def test_provider_none_has_no_box_and_no_request(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, provider="none")
    assert site.build(env=NOW, quiet=False).code == 0
    assert "box-weather" not in site.read("index.html") and api.requests == []


def test_weather_command_refreshes_the_cache_without_building(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    run = site.command("weather")
    assert run.code == 0, run.stderr
    assert "Đã lưu số liệu thời tiết của 2 địa điểm" in run.stdout
    assert (site.root / "data" / "weather-cache.json").is_file()
    assert not (site.root / "site").exists()
    api.mode = "http500"
    run = site.command("weather")
    assert run.code == 0 and "mã HTTP 500" in run.stderr


def test_live_script_only_when_asked(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint)
    assert site.build("--offline", env=NOW, quiet=False).code == 0
    assert "weather." not in site.read("index.html").split("box-weather", 1)[1].split("</section>")[0]
    live = weather_site(tmp_path / "live", api.endpoint, live="true")
    assert live.build("--offline", env=NOW).code == 0
    shown = box(live)
    assert f'data-live="{api.endpoint}"' in shown and 'class="wx-words"' in shown
    words = json.loads(re.search(r'class="wx-words">(.*?)</script>', shown, re.S).group(1))
    assert words["words"][words["codes"]["0d"][0]] == "Nắng"
    assert words["words"][words["codes"]["0n"][0]] == "Trời quang"
    assert words["icons"][words["codes"]["95d"][1]].startswith("/assets/storm.")


@pytest.mark.parametrize("line, message", [
    ("  timeout_seconds: 60\n", "weather.timeout_seconds: phải là số từ 0.5 đến 10, không phải 60"),
    ("  max_age_hours: 0\n", "weather.max_age_hours: phải là số từ 0.1 đến 10000, không phải 0"),
])
def test_wrong_weather_settings_are_config_errors(tmp_path, line, message):
    good = weather_config("http://127.0.0.1:9/")
    site = make_site(tmp_path, SMALL_SITE, good)
    assert site.build("--offline", env=NOW, quiet=False).code == 0
    before = site.tree_digest()
    site.write("config.yaml", good.replace("  max_age_hours: 6\n", "") + line)
    run = site.build("--offline", env=NOW, quiet=False)
    assert run.code == 1
    assert message in run.stderr and "config.yaml:" in run.stderr
    assert site.tree_digest() == before


# --- the live script in a real Chromium ------------------------------------------------



def seen_in_browser(site: SiteDir, page: str = "") -> dict:
    handler = functools.partial(_QuietFiles, directory=str(site.root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
        done = subprocess.run([shutil.which("node") or "node", str(DRIVER), url], capture_output=True,
                              text=True, timeout=60, env=BROWSER_ENV)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


DRIVER = Path(__file__).resolve().parent / "browser" / "weather.js"


@needs_browser
def test_live_script_refreshes_the_box_in_the_browser(tmp_path, api):
    site = weather_site(tmp_path, api.endpoint, live="true")
    write_cache(site, "2026-11-14T05:00+07:00")  # built stale: 24°C, marked old
    assert site.build("--offline", env=NOW).code == 0
    seen = seen_in_browser(site)
    assert seen["errors"] == []
    assert len(api.requests) == 1, "the browser asked the API once for all places"
    assert "wx-current" in seen["places"]["Hà Nội"] and "28°C" in seen["places"]["Hà Nội"]
    assert "Nắng true" in seen["places"]["Hà Nội"], "the icon loaded, with its words"
    assert "Mưa" in seen["places"]["Đà Nẵng"] and "số liệu cũ" not in seen["places"]["Đà Nẵng"]


@needs_browser
@pytest.mark.parametrize("mode", ["http500", "malformed"])
def test_live_script_keeps_the_built_box_when_the_api_fails(tmp_path, api, mode):
    site = weather_site(tmp_path, api.endpoint, live="true")
    write_cache(site, "2026-11-23T14:00+07:00")
    assert site.build("--offline", env=NOW).code == 0
    api.mode = mode
    seen = seen_in_browser(site)
    assert seen["errors"] == []
    assert "24°C" in seen["places"]["Hà Nội"] and "wx-current" in seen["places"]["Hà Nội"]
    assert seen["stamp"] == "Số liệu lúc 14:00 ngày 23/11"
