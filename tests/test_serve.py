"""`python build.py serve`, run as an editor runs it, in a subprocess on a free port:
an edit shows in the page, an error shows as an overlay over the last good page, and
the server stops cleanly. The live-reload script is added to responses only, never to
the built files.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from conftest import MINIMAL_CONFIG, REPO, SMALL_SITE, SiteDir, make_site, needs_browser, news
from portal.commands.serve import _is_source

ITEM_FILE = "content/news/2024/hoi-nghi.md"
ITEM_URL = "tin-tuc/hoi-nghi-trien-khai-cong-tac-tre-em-nam-2024/"


class Served:
    """A running `build.py serve` and the build states its event stream reports."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url
        self.states: queue.Queue = queue.Queue()
        threading.Thread(target=self._listen, daemon=True).start()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def next_state(self, timeout: float = 30) -> dict:
        return self.states.get(timeout=timeout)

    def _listen(self) -> None:
        host, port = re.match(r"http://([^:/]+):(\d+)", self.url).groups()
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        connection.request("GET", "/__portal/events")
        response = connection.getresponse()
        with contextlib.suppress(OSError, ValueError):
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    self.states.put(json.loads(line[len("data: "):]))


@contextlib.contextmanager
def serving(site: SiteDir, *args: str) -> Iterator[Served]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--source",
                                str(site.root), "--port", "0", "--jobs", "1", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = _announced_url(process)
        served = Served(process, url)
        assert served.next_state()["version"] == 1
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def _announced_url(process: subprocess.Popen) -> str:
    for line in process.stdout:
        match = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
        if match:
            return match.group(0)
    raise AssertionError(f"serve did not start: {process.stderr.read()}")


@pytest.fixture
def portal(tmp_path: Path) -> SiteDir:
    return make_site(tmp_path, SMALL_SITE)


@pytest.mark.parametrize("watching", [(), ("--poll",)], ids=["inotify", "polling"])
def test_an_edit_rebuilds_and_the_page_shows_it(portal: SiteDir, watching: tuple[str, ...]):
    with serving(portal, *watching) as served:
        status, before = served.get(ITEM_URL)
        assert status == 200 and "Đoạn mới thêm" not in before

        portal.write(ITEM_FILE, news("Hội nghị triển khai công tác trẻ em năm 2024",
                                     body="Nội dung bài viết.\n\nĐoạn mới thêm khi đang xem.",
                                     tags="[trẻ em, tập huấn]"))

        state = served.next_state()
        assert state == {**state, "version": 2, "errors": []}
        status, after = served.get(ITEM_URL)
        assert status == 200 and "Đoạn mới thêm khi đang xem." in after
        assert 'src="/__portal/reload.js" data-build="2"' in after
        # Building does not touch the sources, so it must not set off another build.
        with pytest.raises(queue.Empty):
            served.next_state(timeout=1.5)
    assert not (portal.root / "site").exists()  # served from memory
    # The rebuild kept what it held: only the pages given the edited item were rendered.
    pages, reused = map(int, re.findall(r"Đã tạo (\d+) trang .* \((\d+) dùng lại", served.process.stdout.read())[-1])
    assert 1 <= pages - reused <= 12


def test_an_error_shows_an_overlay_and_the_last_good_page_stays(portal: SiteDir):
    with serving(portal) as served:
        _, good = served.get(ITEM_URL)

        portal.write(ITEM_FILE, news("Hội nghị triển khai công tác trẻ em năm 2024", date="2024-02-30"))

        state = served.next_state()
        assert state["version"] == 2
        assert "1 lỗi" in state["title"]
        assert state["errors"][0].startswith(f"{ITEM_FILE}:3: date: ngày giờ '2024-02-30' không hợp lệ")
        status, page = served.get(ITEM_URL)
        assert status == 200
        assert page.replace('data-build="2"', 'data-build="1"') == good
        _, script = served.get("__portal/reload.js")
        assert "portal-serve-overlay" in script and "textContent" in script

        portal.write(ITEM_FILE, news("Hội nghị triển khai công tác trẻ em năm 2024", body="Đã sửa."))

        assert served.next_state() == {**state, "version": 3, "title": "", "errors": []}
        assert "Đã sửa." in served.get(ITEM_URL)[1]
    assert "2024-02-30" in served.process.stderr.read()


def test_sigterm_stops_the_server_cleanly(portal: SiteDir):
    with serving(portal) as served:
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
        assert "Đã dừng" in served.process.stdout.read()
    assert not any(p.name.startswith((".site", "site")) for p in portal.root.iterdir())


def test_a_page_that_is_not_there_gets_the_sites_404_with_live_reload(portal: SiteDir):
    with serving(portal) as served:
        status, page = served.get("khong-co-trang-nay/")
        assert status == 404
        assert "__portal/reload.js" in page and "<h1>" in page


def test_a_sub_path_site_is_served_under_its_path(tmp_path: Path):
    config = MINIMAL_CONFIG.replace("https://example.gov.vn/", "https://example.gov.vn/treem/")
    site = make_site(tmp_path, SMALL_SITE, config=config)
    with serving(site) as served:
        assert served.url.endswith("/treem/")
        root = served.url[:-len("treem/")]
        with urllib.request.urlopen(root, timeout=10) as response:  # redirected
            assert response.url == served.url
        status, page = served.get("gioi-thieu/")
        assert status == 200 and 'href="/treem/gioi-thieu/"' in page


def test_a_first_build_that_fails_still_serves_the_errors(tmp_path: Path):
    site = make_site(tmp_path, {"content/news/a.md": "---\ntitle: Không có ngày\n---\nX\n"})
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--source",
                                str(site.root), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        served = Served(process, _announced_url(process))
        state = served.next_state()
        assert state["errors"] and "content/news/a.md" in state["errors"][0]
        status, page = served.get("")
        assert status == 404 and "__portal/reload.js" in page
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.parametrize("rel, watched", [
    ("content/news/2024/a.md", True), ("templates/base.html", True), ("static/media/a.jpg", True),
    ("data/weather.json", True), ("config.yaml", True), ("site/index.html", False),
    (".cache/pages/ab/abc", False), (".site.staging/index.html", False),
    ("content/news/.a.md.swp", False), ("content/news/a.md~", False), ("README.md", False),
])
def test_only_sources_set_off_a_rebuild(rel: str, watched: bool):
    assert _is_source(Path(rel)) is watched


@needs_browser
def test_in_a_browser_the_page_reloads_and_an_error_shows_over_the_old_page(portal: SiteDir):
    with serving(portal) as served:
        browser = subprocess.Popen(["node", str(REPO / "tests/browser/live_reload.js"),
                                    served.url + ITEM_URL], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True, bufsize=1)
        try:
            assert browser.stdout.readline().strip() == "loaded"

            def step(command: str) -> dict:
                browser.stdin.write(command + "\n")
                browser.stdin.flush()
                return json.loads(browser.stdout.readline())

            portal.write(ITEM_FILE, news("Hội nghị triển khai công tác trẻ em năm 2024",
                                         body="Nội dung bài viết.\n\nĐoạn viết trong trình duyệt."))
            edited = step("text Đoạn viết trong trình duyệt.")
            assert edited["reloaded"] and edited["overlay"] is None

            portal.write(ITEM_FILE, news("Hội nghị triển khai công tác trẻ em năm 2024",
                                         date="<b>2024-13-01</b>"))
            broken = step("overlay")
            assert not broken["reloaded"]  # the old page stays, under the overlay
            assert "Đoạn viết trong trình duyệt." in broken["main"]
            # as text: markup quoted from content is shown, never interpreted
            assert f"{ITEM_FILE}:3: date: ngày giờ '<b>2024-13-01</b>' không hợp lệ" in broken["overlay"]
        finally:
            browser.stdin.close()
            browser.wait(timeout=60)


def test_a_port_in_use_is_said_plainly(portal: SiteDir):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--source",
                               str(portal.root), "--port", str(port)], capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 1
    assert f"Không mở được cổng {port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_static_file_replaced_by_a_link_out_is_not_served(tmp_path: Path):
    """Static files are read when served; one that becomes a link to a file outside the
    portal after the build is refused, before and after the rebuild the change sets off."""
    secret = tmp_path / "secret.txt"
    secret.write_text("outside-secret", encoding="utf-8")
    site = make_site(tmp_path, {**SMALL_SITE, "static/files/ke-hoach.txt": "Kế hoạch năm"})
    with serving(site) as served:
        assert served.get("files/ke-hoach.txt") == (200, "Kế hoạch năm")
        target = site.root / "static/files/ke-hoach.txt"
        target.unlink()
        target.symlink_to(secret)
        status, text = served.get("files/ke-hoach.txt")
        assert status == 404 and "outside-secret" not in text
        served.next_state()  # the rebuild: the link out is a content error
        status, text = served.get("files/ke-hoach.txt")
        assert status == 404 and "outside-secret" not in text
