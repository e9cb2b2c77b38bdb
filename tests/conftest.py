"""Shared fixtures: small real sites in a temp folder, built through the real CLI."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).resolve().parent / "sites" / "invalid"

if str(REPO) not in sys.path:  # so that unit tests can import the engine without installing it
    sys.path.insert(0, str(REPO))

# Browser tests drive Debian's Chromium through the judges' playwright-core, from Node
# (tests/browser/*.js); scripts/test.sh installs both.
CHROMIUM = Path("/usr/bin/chromium")
PLAYWRIGHT = Path(os.environ.get("JUDGES_HOME", "/opt/judges")) / "node" / "node_modules" / "playwright-core"
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() or not PLAYWRIGHT.is_dir(),
    reason=f"{CHROMIUM} or {PLAYWRIGHT} is missing (scripts/test.sh installs them)")
BROWSER_ENV = {**os.environ, "PLAYWRIGHT_CORE": str(PLAYWRIGHT)}

MINIMAL_CONFIG = """\
title: Cổng thông tin thử nghiệm
base_url: https://example.gov.vn/
per_page: 2
organization:
  name: Cơ quan thử nghiệm
hotlines:
  - {number: "111", name: Tổng đài điện thoại quốc gia bảo vệ trẻ em, note: Miễn phí}
"""


def news(title: str, date: str = "2024-04-12 08:30", category: str = "Bảo vệ chăm sóc trẻ em",
         body: str = "Nội dung bài viết.", **fields: str) -> str:
    """A news file's text; extra keyword arguments become front-matter lines as given."""
    lines = [f"title: {title}", f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body) + "\n"


@dataclass
class BuildRun:
    code: int
    stdout: str
    stderr: str


@dataclass
class SiteDir:
    root: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str, env: dict | None = None, quiet: bool = True) -> BuildRun:
        """Run `python build.py build --source ROOT ARGS` as an editor or CI would.

        `quiet=False` leaves out `--quiet`, so that stdout carries the summary line."""
        run_env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", **(env or {})}  # 2026-01-01
        loudness = ["--quiet"] if quiet else []
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source",
                               str(self.root), *loudness, *args],
                              capture_output=True, text=True, env=run_env, cwd=self.root)
        return BuildRun(done.returncode, done.stdout, done.stderr)

    def command(self, *args: str, env: dict | None = None) -> BuildRun:
        """Run another command of build.py (`weather`, `check`, …) on this site."""
        done = subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--source", str(self.root)],
                              capture_output=True, text=True, env={**os.environ, **(env or {})},
                              cwd=self.root)
        return BuildRun(done.returncode, done.stdout, done.stderr)

    def read(self, rel: str) -> str:
        return (self.root / "site" / rel).read_text(encoding="utf-8")

    def exists(self, rel: str) -> bool:
        return (self.root / "site" / rel).exists()

    def tree_digest(self, folder: str = "site") -> str:
        """One hash of every file under `folder`, to prove a failed build left it alone."""
        digest = hashlib.sha256()
        base = self.root / folder
        for path in sorted(base.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()


def make_site(tmp_path: Path, files: dict[str, str | bytes] | None = None,
              config: str = MINIMAL_CONFIG) -> SiteDir:
    """A site in `tmp_path` with the repo's theme, `config`, and `files` (path -> text)."""
    site = SiteDir(tmp_path / "portal")
    shutil.copytree(REPO / "templates", site.root / "templates")
    site.write("config.yaml", config)
    for rel, text in (files or {}).items():
        site.write(rel, text)
    return site


# The `site` fixture's content; also built once per module where tests only read it.
SMALL_SITE = {
    "content/news/2024/hoi-nghi.md": news("Hội nghị triển khai công tác trẻ em năm 2024",
                                          tags="[trẻ em, tập huấn]"),
    "content/news/2024/boi-an-toan.md": news("Dạy bơi an toàn cho trẻ em", "2024-06-01 07:00",
                                             "Phòng chống đuối nước", tags="[trẻ em, đuối nước]"),
    "content/news/2023/binh-dang.md": news("Tháng hành động vì bình đẳng giới", "2023-11-15",
                                           "Bình đẳng giới", tags="[bình đẳng giới]"),
    "content/pages/gioi-thieu.md": "---\ntitle: Giới thiệu\nmenu: 1\n---\nVề chúng tôi.\n",
}


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    """A valid small site: three news items in three categories and one page."""
    return make_site(tmp_path, SMALL_SITE)


# --- attack suites (tests/test_attack_*.py) ---------------------------------------------

def run_cli(*args: str, epoch: str = "1767225600") -> BuildRun:
    """Run `build.py ARGS` in this process (no interpreter start-up) as the command line
    would: its exit code and what it printed. An exception that escapes the command
    line is what an editor would see as a traceback: it becomes code -1 and "Traceback"
    in stderr, so that attack tests can assert there is none."""
    import contextlib
    import io
    import traceback

    from portal.commands.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:  # noqa: BLE001 (the point is to see it)
                err.write("Traceback (most recent call last):\n" + traceback.format_exc())
                code = -1
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return BuildRun(code, out.getvalue(), err.getvalue())


def assert_refused(run: BuildRun, codes: tuple[int, ...] = (1, 2), names: tuple[str, ...] = (),
                   says: tuple[str, ...] = ()) -> None:
    """A bad input was refused as an editor should see it: the exit code, no traceback,
    and the message names each of `names` (files) and `says` (phrases)."""
    assert run.code in codes, (run.code, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout, run.stderr
    for text in (*names, *says):
        assert text in run.stderr + run.stdout, (text, run.stderr)


def assert_clean_output(folder: Path, *secrets: bytes) -> None:
    """Nothing from outside the portal in a built tree: no file holds any of `secrets`
    (bytes that only an outside file has), and no file in it is a link."""
    for path in folder.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret not in data, (path, secret)


# --- a local HTTP server (the weather source in test_weather and test_attack_weather) ---

@contextlib.contextmanager
def local_http_server(respond: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[int]:
    """A server on 127.0.0.1 whose every GET `respond` answers; yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            respond(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def send_json(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Access-Control-Allow-Origin", "*")  # the live script fetches it
    handler.end_headers()
    handler.wfile.write(body)
