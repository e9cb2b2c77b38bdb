"""Time the portal generator on synthetic corpora of increasing size.

For every requested size this script generates a corpus (see ``corpus.py``)
in a temporary site directory, copies the repository's templates into it and
times four builds of ``build.py``:

    cold        no ``.cache/`` and no output directory
    warm        immediate rebuild, nothing changed
    edit-body   one article got an extra paragraph
    edit-title  one article got a new title (its neighbours' pages change too)
    weather-on  the weather box turned on (provider `file`): every page changes
    weather     new readings, as the hourly CI job brings: every page changes

Each build runs as a child process; its peak RSS comes from ``os.wait4``,
which returns the rusage of that one child (``RUSAGE_CHILDREN`` only gives a
running maximum over all children, useless after the first build).

Usage:  python benchmarks/run.py [--sizes 1000 10000] [--jobs N] [--json out.json] [--keep]
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (sibling module, path set just above)

REPO = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPO / "build.py"
TEMPLATES = REPO / "templates"
FAVICON = REPO / "static" / "favicon.svg"

# Fixed build time so that outputs (and their hashes) do not depend on "now".
SOURCE_DATE_EPOCH = "1700000000"
DETERMINISM_MAX_SIZE = 1000
PEERS = ("hugo", "pelican")


@dataclass
class Measurement:
    size: int
    step: str
    seconds: float
    peak_rss_mb: float
    pages: int
    pages_per_second: float
    changed_files: int | None  # output files that differ from the previous step
    exit_code: int


# --- Site preparation -------------------------------------------------------

def prepare_site(site: Path, size: int, seed: int) -> float:
    """Generate the corpus plus templates; return the generation time."""
    started = time.perf_counter()
    corpus.generate(site, size, seed)
    elapsed = time.perf_counter() - started
    shutil.copytree(TEMPLATES, site / "templates")
    (site / "static").mkdir(exist_ok=True)
    if FAVICON.is_file():
        shutil.copy2(FAVICON, site / "static" / FAVICON.name)
    return elapsed


def pick_article(site: Path) -> Path:
    """A deterministic article from the middle of the sorted list.

    The middle avoids the newest item, whose edits would touch the home page
    anyway and so hide how far an edit's effect really spreads.
    """
    articles = sorted((site / "content" / "news").rglob("*.md"))
    return articles[len(articles) // 2]


def append_paragraph(article: Path) -> None:
    extra = ("\nĐoạn bổ sung cho phép đo: cán bộ xã đã kiểm tra lại "
             "toàn bộ điểm nước nguy hiểm trước mùa mưa lũ.\n")
    with article.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(extra)


WEATHER_CONFIG = """
weather:
  provider: file
  file: data/weather.json
  locations:
    - {name: Hà Nội, lat: 21.03, lon: 105.85}
    - {name: Đà Nẵng, lat: 16.05, lon: 108.20}
    - {name: TP Hồ Chí Minh, lat: 10.78, lon: 106.70}
"""


def write_weather(site: Path, temperature: float) -> None:
    """Readings for the `file` provider (no network), taken at SOURCE_DATE_EPOCH."""
    taken = "2023-11-14T22:13+00:00"
    readings = [{"name": name, "taken": taken, "temperature": temperature, "code": 3}
                for name in ("Hà Nội", "Đà Nẵng", "TP Hồ Chí Minh")]
    (site / "data").mkdir(exist_ok=True)
    (site / "data" / "weather.json").write_text(json.dumps({"readings": readings}), encoding="utf-8")


def turn_weather_on(site: Path) -> None:
    write_weather(site, 27.0)
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(WEATHER_CONFIG)


def change_title(article: Path) -> None:
    lines = article.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if line.startswith("title:"):
            lines[index] = 'title: "Tiêu đề đã sửa cho phép đo: Đà Nẵng an toàn cho trẻ em"'
            break
    article.write_text("\n".join(lines), encoding="utf-8", newline="\n")


# --- Running a build ----------------------------------------------------------

def build_command(site: Path, output: Path, extra: list[str]) -> list[str]:
    return [sys.executable, str(BUILD_SCRIPT), "build",
            "--source", str(site), "--output", str(output), "--quiet", *extra]


def run_build(command: list[str], log: Path) -> tuple[int, float, float]:
    """Run one build; return (exit code, seconds, peak RSS in MB)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    with log.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)
    process.returncode = exit_code  # we reaped it ourselves; keep Popen consistent
    return exit_code, seconds, rss_to_mb(usage.ru_maxrss)


def rss_to_mb(maxrss: int) -> float:
    # Linux reports kilobytes, macOS bytes.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return maxrss / divisor


def build_help() -> str:
    """Options are passed only if this build.py understands them."""
    result = subprocess.run([sys.executable, str(BUILD_SCRIPT), "build", "--help"],
                            capture_output=True, text=True)
    return result.stdout


def extra_build_options(jobs: int | None) -> list[str]:
    """--future: the corpus runs to 2026 but SOURCE_DATE_EPOCH is in 2023, and
    an engine that hides future items would otherwise build only ~3/4 of it."""
    supported = build_help()
    options = ["--future"] if "--future" in supported else []
    if jobs is not None:
        if "--jobs" in supported:
            options += ["--jobs", str(jobs)]
        else:
            print(f"note: build.py has no --jobs option; ignoring --jobs {jobs}")
    return options


# --- Output inspection --------------------------------------------------------

def hash_tree(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def count_pages(hashes: dict[str, str]) -> int:
    return sum(1 for name in hashes if name.endswith(".html"))


def count_changed(before: dict[str, str], after: dict[str, str]) -> int:
    names = before.keys() | after.keys()
    return sum(1 for name in names if before.get(name) != after.get(name))


# --- One corpus size ------------------------------------------------------------

class SizeRun:
    """Runs the build steps for one corpus size, tracking output between steps."""

    def __init__(self, size: int, site: Path, work: Path, options: list[str]):
        self.size, self.site, self.work, self.options = size, site, work, options
        self.output = work / "out"
        self.hashes: dict[str, str] = {}
        self.results: list[Measurement] = []

    def step(self, name: str, output: Path | None = None) -> Measurement:
        output = output or self.output
        log = self.work / f"{name}.stderr.log"
        exit_code, seconds, rss = run_build(build_command(self.site, output, self.options), log)
        hashes = hash_tree(output)
        pages = count_pages(hashes)
        changed = count_changed(self.hashes, hashes) if self.hashes else None
        self.hashes = hashes
        result = Measurement(self.size, name, seconds, rss, pages,
                             pages / seconds if seconds else 0.0, changed, exit_code)
        self.results.append(result)
        if exit_code != 0:
            print(f"  {name}: build.py exited {exit_code}; stderr tail:", file=sys.stderr)
            print(tail(log), file=sys.stderr)
        return result

    def clear_cache(self) -> None:
        shutil.rmtree(self.site / ".cache", ignore_errors=True)

    def check_determinism(self) -> str:
        """Second cold build into a fresh directory must match byte for byte."""
        first = self.hashes
        self.clear_cache()
        self.output = self.work / "out-repeat"
        self.step("cold-repeat")
        # Later steps continue from this output, which matches the fresh cache.
        return "yes" if first and self.hashes == first else "no"

    def run(self) -> tuple[list[Measurement], str]:
        self.clear_cache()
        shutil.rmtree(self.output, ignore_errors=True)
        if self.step("cold").exit_code != 0:
            return self.results, "n/a (build failed)"
        deterministic = "skipped (size > %d)" % DETERMINISM_MAX_SIZE
        if self.size <= DETERMINISM_MAX_SIZE:
            deterministic = self.check_determinism()
        self.step("warm")
        article = pick_article(self.site)
        append_paragraph(article)
        self.step("edit-body")
        change_title(article)
        self.step("edit-title")
        turn_weather_on(self.site)
        self.step("weather-on")
        write_weather(self.site, 29.0)
        self.step("weather")
        return self.results, deterministic


def tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


# --- Reporting -------------------------------------------------------------------

def print_table(results: list[Measurement]) -> None:
    header = f"{'size':>7}  {'step':<11} {'seconds':>8} {'RSS MB':>7} {'pages':>7} {'pages/s':>8} {'changed':>7} {'exit':>4}"
    print(header)
    print("-" * len(header))
    for r in results:
        changed = "-" if r.changed_files is None else str(r.changed_files)
        print(f"{r.size:>7}  {r.step:<11} {r.seconds:>8.2f} {r.peak_rss_mb:>7.1f} "
              f"{r.pages:>7} {r.pages_per_second:>8.0f} {changed:>7} {r.exit_code:>4}")


def installed_peers() -> dict[str, str]:
    found = {name: shutil.which(name) for name in PEERS}
    return {name: path for name, path in found.items() if path}


def describe_peers(peers: dict[str, str]) -> str:
    if not peers:
        return "peers: none installed"
    return "peers: " + ", ".join(f"{name} ({path})" for name, path in peers.items())


def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": str(os.cpu_count())}


# --- Entry point -------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                        help="corpus sizes in articles (default: 1000 10000)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to build.py as --jobs N if it supports it")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary site and output directories")
    return parser.parse_args(argv)


def check_engine() -> None:
    missing = [str(p) for p in (BUILD_SCRIPT, TEMPLATES) if not p.exists()]
    if missing:
        sys.exit("benchmark needs " + " and ".join(missing))


def bench_size(size: int, args: argparse.Namespace, options: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"portal-bench-{size}-", dir="/tmp"))
    try:
        site = work / "site"
        generation = prepare_site(site, size, args.seed)
        print(f"size {size}: corpus generated in {generation:.2f}s ({work})")
        results, deterministic = SizeRun(size, site, work, options).run()
        print(f"size {size}: deterministic: {deterministic}")
        return {"size": size, "generate_seconds": generation,
                "deterministic": deterministic, "steps": [asdict(r) for r in results]}
    finally:
        if args.keep:
            print(f"size {size}: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_engine()
    options = extra_build_options(args.jobs)
    peers = installed_peers()
    print(describe_peers(peers))
    print("build options: " + (" ".join(options) or "(none)"))
    runs = [bench_size(size, args, options) for size in args.sizes]
    print()
    print_table([Measurement(**step) for run in runs for step in run["steps"]])
    for run in runs:
        print(f"size {run['size']}: deterministic: {run['deterministic']}")
    if args.json:
        report = {"environment": environment(), "build_options": options, "seed": args.seed,
                  "peers": peers, "runs": runs}
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    failed = any(step["exit_code"] != 0 for run in runs for step in run["steps"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
