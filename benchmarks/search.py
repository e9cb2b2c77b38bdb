"""Time the search stage (Pagefind) and what a citizen's first query costs.

Build side, for each site: a cold search (the search cache removed), a warm rebuild, and
one edited news item; each reading the "search index" lap of `--verbose`, with every
Pagefind process's peak RSS (measured by running Pagefind under /usr/bin/time through
$PAGEFIND_BINARY_PATH) and the build's own peak RSS (wait4 rusage, Pagefind included as
a child: the larger of the two).

Browser side (`--browser`): the built site served on 127.0.0.1 and driven in headless
Chromium by tests/browser/search.js: for each query, a fresh page, the words pasted and
Enter pressed at once (so Pagefind's loading counts), then a fresh page with the words
typed a key each 150 ms and Enter; the time from Enter to settled results and the bytes
of the index (Pagefind's files) downloaded.

Usage:  python benchmarks/search.py [--sizes 10000] [--source DIR] [--browser] [--keep]
        [--pagefind BINARY]   (e.g. Pagefind 1.6 from npm: node_modules/@pagefind/…/pagefind_extended)
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (sibling module, path set just above)

REPO = Path(__file__).resolve().parent.parent
BUNDLE = Path("tim-kiem") / "pagefind"
DRIVER = REPO / "tests" / "browser" / "search.js"
QUERIES = ("bao ve tre em", "tre em", "duoi nuoc", "606/KH-UBND")
# Runs Pagefind under /usr/bin/time, appending its peak RSS (KB) and seconds to a log.
WRAPPER = """#!/bin/sh
exec /usr/bin/time -a -o "{log}" -f "%M %e" "{binary}" "$@"
"""


def pagefind_binary(chosen: str | None) -> str:
    if chosen:
        return chosen
    from pagefind.service import get_executable
    return str(get_executable())


def build(source: Path, output: Path, wrapper: Path) -> tuple[float, int]:
    """One build; the seconds of its search lap and its peak RSS in KB (GNU time's, from
    wait4: the largest of the build's process and the children it waited for)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000", "PAGEFIND_BINARY_PATH": str(wrapper)}
    command = ["/usr/bin/time", "-f", "PEAK %M", sys.executable, str(REPO / "build.py"), "build",
               "--source", str(source), "--output", str(output), "--verbose", "--offline"]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    peak = int(re.findall(r"PEAK (\d+)", done.stderr)[-1])
    for line in done.stdout.splitlines():
        if line.strip().startswith("search index"):
            return float(line.split()[-2]), peak
    raise SystemExit("no 'search index' lap in:\n" + done.stdout)


def pagefind_runs(log: Path) -> list[tuple[int, float]]:
    """(peak KB, seconds) of each Pagefind run logged since the last call (`--version` too)."""
    runs = []
    if log.exists():
        for line in log.read_text().splitlines():
            if re.fullmatch(r"\d+ [\d.]+", line.strip()):
                kb, seconds = line.split()
                runs.append((int(kb), float(seconds)))
        log.unlink()
    return [run for run in runs if run[1] > 0.05]


def bundle_size(output: Path) -> tuple[int, int, int]:
    files = [path for path in (output / BUNDLE).rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files), len(list((output / BUNDLE).iterdir()))


def edit_one(source: Path) -> None:
    """Change the body of the newest news file: the one edit a CI build sees."""
    newest = max((source / "content" / "news").rglob("*.md"), key=lambda path: path.as_posix())
    newest.write_text(newest.read_text(encoding="utf-8") + "\nMột câu mới.\n", encoding="utf-8")


def measure(name: str, source: Path, output: Path, wrapper: Path, log: Path) -> None:
    shutil.rmtree(source / ".cache" / "search", ignore_errors=True)
    steps = [("cold", None), ("warm", None), ("warm again", None), ("one edit", edit_one)]
    for step, change in steps:
        if change:
            change(source)
        lap, peak = build(source, output, wrapper)
        runs = pagefind_runs(log)
        pagefind = (f"; Pagefind {len(runs)} runs, {sum(s for _, s in runs):.1f} s, "
                    f"peak {max(kb for kb, _ in runs) / 1024:.0f} MB") if runs else ""
        print(f"{name:>14} {step:>10}: search index {lap:.2f} s, build peak {peak / 1024:.0f} MB{pagefind}")
    count, size, shards = bundle_size(output)
    print(f"{name:>14}: bundle {shards} shards, {count} files, {size / 1024:.0f} KiB")


def browse(site: Path, queries: tuple[str, ...]) -> None:
    """Each query on a fresh search page: Enter -> results, and the index bytes fetched."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    actions = []
    for query in queries:  # pasted and Enter at once (Pagefind loads after Enter), then typed
        actions += [{"goto": "/tim-kiem/"}, {"submit": query}, {"read": f"{query} (pasted)"},
                    {"goto": "/tim-kiem/"}, {"type": query}, {"read": f"{query} (typed)"}]
    try:
        done = subprocess.run(["node", str(DRIVER), f"http://127.0.0.1:{server.server_address[1]}/",
                               json.dumps(actions)], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PLAYWRIGHT_CORE": os.environ.get(
                                  "PLAYWRIGHT_CORE", "/opt/judges/node/node_modules/playwright-core")})
    finally:
        server.shutdown()
        server.server_close()
    readings = json.loads(done.stdout or "{}")
    if "error" in readings or done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    for query, seen in readings.items():
        print(f"  {query:>26}: Enter -> results {seen['ms']} ms, index {seen['pagefindBytes'] / 1e6:.2f} MB "
              f"in {len(seen['pagefindFiles'])} files, {len(seen['results'])} shown")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--source", type=Path, help="a portal to copy and measure instead of a corpus")
    parser.add_argument("--pagefind", help="the Pagefind binary to measure (default: pagefind_bin's)")
    parser.add_argument("--browser", action="store_true", help="also time queries in Chromium")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-search-bench-"))
    log = work / "pagefind.log"
    wrapper = work / "pagefind"
    wrapper.write_text(WRAPPER.format(log=log, binary=pagefind_binary(args.pagefind)))
    wrapper.chmod(0o755)
    try:
        sites = []
        if args.source:
            shutil.copytree(args.source, work / "portal", ignore=shutil.ignore_patterns(".cache"))
            sites.append(("portal", work / "portal"))
        else:
            for size in args.sizes:
                source = work / f"corpus-{size}"
                corpus.generate(source, size, 1)
                shutil.copytree(REPO / "templates", source / "templates")
                (source / "static").mkdir(exist_ok=True)
                shutil.copy(REPO / "static" / "favicon.svg", source / "static" / "favicon.svg")
                sites.append((f"{size} news", source))
        for name, source in sites:
            output = work / f"{source.name}-out"
            measure(name, source, output, wrapper, log)
            if args.browser:
                browse(output, QUERIES)
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
