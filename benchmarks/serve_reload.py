"""Edit-to-reload time of `build.py serve` on a synthetic corpus, and the warm rebuild.

Generates a corpus (see corpus.py), starts `build.py serve` on it, and for each edit
appends a paragraph to one article and measures, from the moment the file is written:

    event   until the server tells open tabs to reload (the SSE `state` message)
    page    until the article's page, fetched again as the reloading tab does, shows
            the new paragraph

Then stops the server and times `build.py build` with nothing changed (warm).

Usage:  python benchmarks/serve_reload.py [--size 10000] [--edits 3] [--seed 1] [--keep]
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
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BUILD_SCRIPT, REPO, SOURCE_DATE_EPOCH, pick_article, prepare_site  # noqa: E402

sys.path.insert(0, str(REPO))
from portal.urls import slugify  # noqa: E402


def start_serve(site: Path, output: Path) -> tuple[subprocess.Popen, str, float]:
    """Start the server; return it, its URL and the seconds its first build took."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(BUILD_SCRIPT), "serve", "--source", str(site),
                                "--output", str(output), "--port", "0", "--future", "--verbose"],
                               stdout=subprocess.PIPE, text=True, env=env)
    for line in process.stdout:
        match = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
        if match:
            return process, match.group(0), time.perf_counter() - started
    raise SystemExit("serve did not start")


def listen(url: str, states: queue.Queue) -> None:
    """Put each build state the server streams into `states`, with the time it came."""
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    connection.request("GET", "/__portal/events")
    for raw in connection.getresponse():
        line = raw.decode("utf-8")
        if line.startswith("data: "):
            states.put((time.perf_counter(), json.loads(line[6:])))


def article_url(article: Path) -> str:
    title = yaml.safe_load(article.read_text(encoding="utf-8").split("---\n")[1])["title"]
    return f"tin-tuc/{slugify(title)}/"


def measure_edit(article: Path, page_url: str, states: queue.Queue, number: int) -> tuple[float, float]:
    marker = f"Đoạn thêm lần {number} để đo thời gian tải lại."
    started = time.perf_counter()
    with article.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{marker}\n")
    arrived, state = states.get(timeout=600)
    if state["errors"]:
        raise SystemExit(f"the build failed: {state['errors'][:3]}")
    while True:
        with urllib.request.urlopen(page_url, timeout=60) as response:
            if marker in response.read().decode("utf-8"):
                break
    return arrived - started, time.perf_counter() - started


def warm_build(site: Path, output: Path) -> float:
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(BUILD_SCRIPT), "build", "--source", str(site), "--output",
                    str(output), "--quiet", "--future", "--offline"], check=True, env=env)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-serve-bench-"))
    site, output = work / "site", work / "out"
    try:
        prepare_site(site, args.size, args.seed)
        article = pick_article(site)
        process, url, first = start_serve(site, output)
        states: queue.Queue = queue.Queue()
        threading.Thread(target=listen, args=(url, states), daemon=True).start()
        states.get(timeout=60)  # the state of the first build
        print(f"corpus {args.size} items; first build under serve {first:.1f} s")
        timings = [measure_edit(article, url + article_url(article), states, n)
                   for n in range(1, args.edits + 1)]
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        print("serve's own report of each rebuild (stage timings, then its summary):")
        print(process.stdout.read().rstrip())
        for number, (event, page) in enumerate(timings, start=1):
            print(f"edit {number}: reload event {event:.2f} s, new page served {page:.2f} s")
        print(f"edit-to-reload median: event {statistics.median(t[0] for t in timings):.2f} s, "
              f"page {statistics.median(t[1] for t in timings):.2f} s")
        print(f"warm rebuild (build.py build, nothing changed): {warm_build(site, output):.2f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
