"""Edit → new page served by `build.py serve`, on a synthetic corpus (10,000 items by default).

Generates a corpus (see corpus.py), starts `build.py serve` on it and waits until it
serves the article that will be edited. Then, several times, appends a paragraph
with a unique marker to that article and measures, from the moment the file is
written:

    page    until the server answers the article's URL with the marker in it
            (polled every 20 ms over HTTP, as serve_edit.py in ../shared/peers does)
    event   until the server told open tabs to reload (the SSE `state` message on
            /__portal/events), when the server has that endpoint; "-" otherwise

Only HTTP is watched, never the output folder, so the figure holds both for a serve
that rebuilds into its output folder and for one that serves from memory. Edits are
a few seconds apart so that the watcher's debounce never merges two of them.
Prints each edit and the medians, then the time of a `build` after serve.

Usage:  python benchmarks/serve_reload.py [--size 10000] [--edits 5] [--pause 2]
                                          [--engine DIR] [--json FILE] [--keep]
Uses the engine's own dependencies (pyyaml, python-slugify) and nothing else.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import REPO, SOURCE_DATE_EPOCH, pick_article, prepare_site  # noqa: E402
import edits  # noqa: E402

POLL_SECONDS = 0.02
EDIT_TIMEOUT_SECONDS = 600
START_TIMEOUT_SECONDS = 1800
EVENT_GRACE_SECONDS = 1.0


@dataclass
class Edit:
    number: int
    page_seconds: float            # written → the new text served
    event_seconds: float | None    # written → the reload event (None: no event seen)


class Server:
    """`build.py serve` as a child process, its output collected by a thread."""

    def __init__(self, engine: Path, site: Path, output: Path):
        env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, str(engine / "build.py"), "serve", "--source", str(site),
             "--output", str(output), "--port", "0", "--future", "--verbose"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        self.url: str | None = None
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            match = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if match and not self.url:
                self.url = match.group(0)

    def wait_until_serving(self, path: str) -> float:
        """Seconds from start until `path` is served (the first build included)."""
        while not (self.url and fetch(self.url + path)):
            if self.process.poll() is not None:
                raise SystemExit("serve stopped:\n" + "".join(self.lines[-30:]))
            if time.perf_counter() - self.started > START_TIMEOUT_SECONDS:
                raise SystemExit(f"serve never served /{path}:\n" + "".join(self.lines[-30:]))
            time.sleep(0.1)
        return time.perf_counter() - self.started

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return "".join(self.lines)


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (OSError, urllib.error.URLError, http.client.HTTPException):
        return ""


def listen(url: str, states: queue.Queue) -> None:
    """Put each build state the server streams into `states`, with the time it came.
    A server without the endpoint simply gives no events."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=EDIT_TIMEOUT_SECONDS)
        connection.request("GET", "/__portal/events")
        response = connection.getresponse()
        if response.status != 200:
            return
        for raw in response:
            line = raw.decode("utf-8")
            if line.startswith("data: "):
                states.put((time.perf_counter(), json.loads(line[6:])))
    except (OSError, http.client.HTTPException, ValueError):
        return


def article_path(engine: Path, article: Path) -> str:
    """The article's URL path, as the engine makes it from the title."""
    sys.path.insert(0, str(engine))
    from portal.urls import slugify  # the engine's own, so that the URL matches its version
    title = yaml.safe_load(article.read_text(encoding="utf-8").split("---\n")[1])["title"]
    return f"tin-tuc/{slugify(title)}/"


def drain(states: queue.Queue) -> None:
    while not states.empty():
        states.get_nowait()


def measure_edit(article: Path, page_url: str, states: queue.Queue, number: int) -> Edit:
    marker = f"DAUDO{number}X{time.time_ns()}"
    drain(states)
    started = time.perf_counter()
    edits.append_paragraph(article, f"Đoạn thêm lần {number} để đo thời gian tải lại: {marker}.")
    while marker not in fetch(page_url):
        if time.perf_counter() - started > EDIT_TIMEOUT_SECONDS:
            raise SystemExit(f"edit {number} was never served at {page_url}")
        time.sleep(POLL_SECONDS)
    served = time.perf_counter() - started
    return Edit(number, served, reload_event(states, started))


def reload_event(states: queue.Queue, started: float) -> float | None:
    """Seconds from the edit to the reload event; the event may come just after the
    page is already served, and never from a server without the endpoint."""
    try:
        arrived, state = states.get(timeout=EVENT_GRACE_SECONDS)
    except queue.Empty:
        return None
    if state.get("errors"):
        raise SystemExit(f"the build failed: {state['errors'][:3]}")
    return arrived - started


def warm_build(engine: Path, site: Path, output: Path) -> float:
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(engine / "build.py"), "build", "--source", str(site),
                    "--output", str(output), "--quiet", "--future", "--offline"], check=True, env=env)
    return time.perf_counter() - started


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000, help="corpus size in articles")
    parser.add_argument("--edits", type=int, default=5, help="edits measured (median reported)")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds between edits, longer than serve's debounce")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engine", type=Path, default=REPO,
                        help="the checkout whose build.py and templates/ are measured")
    parser.add_argument("--no-warm", action="store_true", help="skip the build after serve")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def report(args: argparse.Namespace, first: float, timings: list[Edit], warm: float | None) -> dict:
    for edit in timings:
        event = "-" if edit.event_seconds is None else f"{edit.event_seconds:.2f} s"
        print(f"edit {edit.number}: new page served {edit.page_seconds:.2f} s, reload event {event}")
    page = statistics.median(edit.page_seconds for edit in timings)
    events = [edit.event_seconds for edit in timings if edit.event_seconds is not None]
    event = statistics.median(events) if events else None
    print(f"edit → served, median of {len(timings)}: {page:.2f} s"
          + (f" (reload event {event:.2f} s)" if event is not None else ""))
    if warm is not None:
        # Serve skips search by default, so this build may also index the edits.
        print(f"build after serve (build.py build, nothing edited since): {warm:.2f} s")
    return {"size": args.size, "engine": str(args.engine), "first_serve_seconds": first,
            "edits": [asdict(edit) for edit in timings], "page_median_seconds": page,
            "event_median_seconds": event, "warm_build_seconds": warm}


def main() -> int:
    args = parse_args()
    args.engine = args.engine.resolve()
    work = Path(tempfile.mkdtemp(prefix="portal-serve-bench-", dir="/tmp"))
    site, output = work / "site", work / "out"
    try:
        prepare_site(site, args.size, args.seed, args.engine)
        article = pick_article(site)
        path = article_path(args.engine, article)
        server = Server(args.engine, site, output)
        try:
            first = server.wait_until_serving(path)
            print(f"corpus {args.size} items; serving /{path} {first:.1f} s after start")
            states: queue.Queue = queue.Queue()
            threading.Thread(target=listen, args=(server.url, states), daemon=True).start()
            timings = []
            for number in range(1, args.edits + 1):
                time.sleep(args.pause)
                timings.append(measure_edit(article, server.url + path, states, number))
        finally:
            log = server.stop()
        print("serve's own report of each rebuild (its last 40 lines):")
        print("".join(log.splitlines(keepends=True)[-40:]).rstrip())
        warm = None if args.no_warm else warm_build(args.engine, site, output)
        result = report(args, first, timings, warm)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
