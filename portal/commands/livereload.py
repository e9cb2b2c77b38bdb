"""The browser side of `serve`: an HTTP server on 127.0.0.1 for the site as the last good
build left it in memory, that adds a live-reload script to each HTML page as it is
sent, and streams the state of
the latest build to open tabs (server-sent events): a new good build makes them
reload, a failed one shows its errors over the page, which stays the last good one.
"""

from __future__ import annotations

import http.server
import json
import mimetypes
import posixpath
import string
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote

from ..locale import Locale
from ..writer import read_kept

LIVE = Path(__file__).parent / "live"
ENDPOINT = "/__portal/"
KEEPALIVE_SECONDS = 15  # an SSE comment now and then, so that idle proxies keep the stream


@dataclass(frozen=True)
class BuildState:
    """What the browsers are told: the build number and the errors of a failed build."""

    version: int
    title: str = ""
    errors: tuple[str, ...] = ()

    def as_json(self, close_label: str) -> str:
        return json.dumps({"version": self.version, "title": self.title,
                           "errors": list(self.errors), "close": close_label},
                          ensure_ascii=False)


class StateBoard:
    """The latest `BuildState`, shared by the builder thread and the browsers' streams."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.state = BuildState(0)
        self.stopping = False

    def post(self, title: str = "", errors: tuple[str, ...] = ()) -> None:
        with self._changed:
            self.state = BuildState(self.state.version + 1, title, errors)
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()

    def states(self, timeout: float) -> Iterator[BuildState | None]:
        """The current state, then each new one; None after `timeout` without news."""
        seen = None
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self.stopping or self.state is not seen, timeout)
                if self.stopping:
                    return
                fresh = self.state if self.state is not seen else None
            seen = fresh or seen
            yield fresh


SiteFiles = Callable[[], dict]  # the published site: path -> bytes, or the static file to read


class LiveServer(http.server.ThreadingHTTPServer):
    """Serves the site under its base path, with live reload."""

    daemon_threads = True

    def __init__(self, port: int, files: SiteFiles, base_path: str, board: StateBoard, locale: Locale):
        self.files, self.base_path, self.board, self.locale = files, base_path, board, locale
        self.script = (LIVE / "reload.js").read_bytes()
        self.snippet = string.Template((LIVE / "snippet.html").read_text(encoding="utf-8"))
        super().__init__(("127.0.0.1", port), LiveHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{self.base_path}"

    def with_reload(self, page: bytes) -> bytes:
        tag = self.snippet.substitute(version=self.board.state.version).encode("utf-8")
        at = page.rfind(b"</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag


class LiveHandler(http.server.BaseHTTPRequestHandler):
    server: LiveServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(ENDPOINT):
            self._endpoint(path[len(ENDPOINT):])
        elif not path.startswith(self.server.base_path):
            self._redirect(self.server.base_path)
        else:
            self._page(unquote(path[len(self.server.base_path):]))

    def do_HEAD(self) -> None:
        self.do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build results and errors

    def _page(self, rel: str) -> None:
        """`rel` as the site has it: a file, or a folder's index.html."""
        files = self.server.files()  # one site for the whole request, even if a build publishes
        rel = posixpath.normpath(rel).lstrip("/") if rel else ""
        rel = "" if rel == "." else rel
        if rel and (rel + "/index.html") in files and not self.path.split("?", 1)[0].endswith("/"):
            self._redirect(self.path.split("?", 1)[0] + "/")
            return
        name = rel if rel in files else posixpath.join(rel, "index.html") if rel else "index.html"
        found = files.get(name)
        try:
            data = read_kept(found) if isinstance(found, Path) else found
        except OSError:  # gone, or a link put in its place since the build
            data = None
        if data is None:
            self._html(404, self._not_found_page(files))
            return
        if name.endswith(".html") and not name.startswith("admin/"):  # the web editor: reloading
            self._html(200, data)  # on each rebuild (its own uploads and saves) would lose its form
        else:
            self._send(200, mimetypes.guess_type(name)[0] or "application/octet-stream", data)

    def _not_found_page(self, files: dict) -> bytes:
        page = files.get("404.html")
        if not isinstance(page, bytes):  # no site yet: the first build failed; the overlay says why
            return (LIVE / "waiting.html").read_bytes()
        return page

    def _html(self, status: int, page: bytes) -> None:
        self._send(status, "text/html; charset=utf-8", self.server.with_reload(page))

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _endpoint(self, name: str) -> None:
        if name == "reload.js":
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(self.server.script)))
            self.end_headers()
            self.wfile.write(self.server.script)
        elif name == "events":
            self._stream_states()
        else:
            self.send_error(404)

    def _stream_states(self) -> None:
        """Server-sent events: the state now, then each new one, until the tab goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        close = self.server.locale.cli["serve_close"]
        try:
            for state in self.server.board.states(KEEPALIVE_SECONDS):
                message = f"event: state\ndata: {state.as_json(close)}\n\n" if state else ": -\n\n"
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed or reloaded
