"""Time the portal generator on synthetic corpora of increasing size.

For every requested size this script generates a corpus (see ``corpus.py``)
in a temporary site directory, copies the repository's templates into it and
times a sequence of builds of ``build.py``, each one after one kind of change:

    cold         no ``.cache/`` and no output directory
    cold-repeat  the same again into a fresh directory: determinism check (sizes <= 1000)
    warm         immediate rebuild, nothing changed (cache and site kept)
    new-item     one new article, the newest of all (cache and site kept): the CI case
    edit-body    one article got an extra paragraph
    edit-title   one article got a new title (its neighbours' pages change too)
    weather-on   the weather box turned on (provider `file`): a config change
    weather      new readings and nothing else, as the hourly weather job brings

``--steps`` runs a subset; a step's prerequisites (a first build, the weather box
turned on) are then built without being measured and shown as ``setup:``.

Each build runs as a child process. Its peak memory is given twice (memory.py):
the biggest single process of its tree, from ``os.wait4``, and the summed RSS of
the whole tree (Python, workers, Pagefind), sampled from /proc.

Usage:  python benchmarks/run.py [--sizes 1000 10000] [--steps cold warm new-item weather]
                                 [--jobs N] [--json out.json] [--verbose] [--keep]
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
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import edits  # noqa: E402  (sibling modules, path set just above)
from memory import TreeSampler, largest_process_mb  # noqa: E402

REPO = edits.REPO
BUILD_SCRIPT = REPO / "build.py"
prepare_site, pick_article = edits.prepare_site, edits.pick_article  # used by serve_reload.py

# Fixed build time so that outputs (and their hashes) do not depend on "now".
SOURCE_DATE_EPOCH = "1700000000"
DETERMINISM_MAX_SIZE = 1000
PEERS = ("hugo", "pelican")


@dataclass
class Measurement:
    size: int
    step: str
    seconds: float
    peak_rss_mb: float            # biggest single process of the build's tree (os.wait4)
    tree_peak_mb: float | None    # summed RSS of the whole tree, sampled (memory.py)
    pages: int
    pages_per_second: float
    changed_files: int | None     # output files that differ from the previous build
    exit_code: int
    setup: bool = False           # a prerequisite of a requested step, not itself requested


# --- Running a build ----------------------------------------------------------

def build_command(engine: Path, site: Path, output: Path, extra: list[str]) -> list[str]:
    return [sys.executable, str(engine / "build.py"), "build",
            "--source", str(site), "--output", str(output), *extra]


@dataclass
class BuildResult:
    exit_code: int
    seconds: float
    peak_rss_mb: float
    tree_peak_mb: float | None


def run_build(command: list[str], log: Path) -> BuildResult:
    """Run one build, its output into `log`; time it and measure its memory."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        with TreeSampler(process.pid) as tree:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)
    process.returncode = exit_code  # we reaped it ourselves; keep Popen consistent
    return BuildResult(exit_code, seconds, largest_process_mb(usage.ru_maxrss), tree.peak_mb)


def build_help(engine: Path) -> str:
    """Options are passed only if this build.py understands them."""
    result = subprocess.run([sys.executable, str(engine / "build.py"), "build", "--help"],
                            capture_output=True, text=True)
    return result.stdout


def extra_build_options(engine: Path, jobs: int | None, verbose: bool) -> list[str]:
    """--future: the corpus runs to 2026 but SOURCE_DATE_EPOCH is in 2023, and
    an engine that hides future items would otherwise build only ~3/4 of it."""
    supported = build_help(engine)
    options = ["--verbose" if verbose else "--quiet"]
    options += ["--future"] if "--future" in supported else []
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


# --- The steps ------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    name: str
    change: Callable[["SizeRun"], None]  # what happens to the site (or cache) before the build
    needs: tuple[str, ...] = ("cold",)   # steps whose change must be built first


def start_afresh(run: "SizeRun") -> None:
    run.clear_cache()
    shutil.rmtree(run.output, ignore_errors=True)


def repeat_into_fresh_folder(run: "SizeRun") -> None:
    # Later steps continue from this output, which matches the fresh cache.
    run.clear_cache()
    run.output = run.work / "out-repeat"


STEPS = (
    Step("cold", start_afresh, needs=()),
    Step("cold-repeat", repeat_into_fresh_folder),
    Step("warm", lambda run: None),
    Step("new-item", lambda run: edits.add_new_item(run.site)),
    Step("edit-body", lambda run: edits.append_paragraph(run.article)),
    Step("edit-title", lambda run: edits.change_title(run.article)),
    Step("weather-on", lambda run: edits.turn_weather_on(run.site)),
    Step("weather", lambda run: edits.refresh_weather(run.site), needs=("cold", "weather-on")),
)
STEP_NAMES = tuple(step.name for step in STEPS)


def plan(requested: set[str]) -> list[tuple[Step, bool]]:
    """The steps to run in order, each with whether it is measured (requested) or
    only built as a prerequisite of a requested one."""
    wanted = set(requested)
    for step in reversed(STEPS):  # prerequisites come earlier in STEPS
        if step.name in wanted:
            wanted.update(step.needs)
    return [(step, step.name in requested) for step in STEPS if step.name in wanted]


# --- One corpus size ------------------------------------------------------------

class SizeRun:
    """Runs the build steps for one corpus size, tracking output between steps."""

    def __init__(self, size: int, site: Path, work: Path, options: list[str],
                 args: argparse.Namespace):
        self.size, self.site, self.work, self.options = size, site, work, options
        self.engine, self.verbose = args.engine, args.verbose
        self.output = work / "out"
        self.article = pick_article(site)
        self.hashes: dict[str, str] = {}
        self.results: list[Measurement] = []

    def build(self, name: str, setup: bool) -> Measurement:
        log = self.work / f"{name}.log"
        built = run_build(build_command(self.engine, self.site, self.output, self.options), log)
        hashes = hash_tree(self.output)
        pages = count_pages(hashes)
        changed = count_changed(self.hashes, hashes) if self.hashes else None
        self.hashes = hashes
        result = Measurement(self.size, name, built.seconds, built.peak_rss_mb, built.tree_peak_mb,
                             pages, pages / built.seconds if built.seconds else 0.0, changed,
                             built.exit_code, setup)
        self.results.append(result)
        print(f"  {'setup: ' if setup else ''}{name}: {built.seconds:.2f} s, "
              f"{built.peak_rss_mb:.0f} MB, {changed if changed is not None else '-'} files changed")
        if self.verbose or built.exit_code != 0:
            print(tail(log, lines=40 if self.verbose else 15))
        if built.exit_code != 0:
            print(f"  {name}: build.py exited {built.exit_code}", file=sys.stderr)
        return result

    def clear_cache(self) -> None:
        shutil.rmtree(self.site / ".cache", ignore_errors=True)

    def run(self, requested: set[str]) -> tuple[list[Measurement], str]:
        first_hashes: dict[str, str] = {}
        for step, measured in plan(requested):
            step.change(self)
            if self.build(step.name, setup=not measured).exit_code != 0:
                return self.results, "n/a (a build failed)"
            if step.name == "cold":
                first_hashes = self.hashes
        if "cold-repeat" not in requested:
            return self.results, "not checked"
        # cold-repeat is the build right after cold: compare the two outputs.
        repeat = next(r for r in self.results if r.step == "cold-repeat")
        return self.results, "yes" if repeat.changed_files == 0 and first_hashes else "no"


def tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join("    " + line for line in text[-lines:])


# --- Reporting -------------------------------------------------------------------

def print_table(results: list[Measurement]) -> None:
    header = (f"{'size':>7}  {'step':<18} {'seconds':>8} {'RSS MB':>7} {'tree MB':>7} "
              f"{'pages':>7} {'pages/s':>8} {'changed':>7} {'exit':>4}")
    print(header)
    print("-" * len(header))
    for r in results:
        changed = "-" if r.changed_files is None else str(r.changed_files)
        tree = "-" if r.tree_peak_mb is None else f"{r.tree_peak_mb:.1f}"
        step = f"setup: {r.step}" if r.setup else r.step
        print(f"{r.size:>7}  {step:<18} {r.seconds:>8.2f} {r.peak_rss_mb:>7.1f} {tree:>7} "
              f"{r.pages:>7} {r.pages_per_second:>8.0f} {changed:>7} {r.exit_code:>4}")


def installed_peers() -> dict[str, str]:
    found = {name: shutil.which(name) for name in PEERS}
    return {name: path for name, path in found.items() if path}


def describe_peers(peers: dict[str, str]) -> str:
    if not peers:
        return "peers on PATH: none (see README: ../shared/peers/ compares them)"
    return "peers on PATH: " + ", ".join(f"{name} ({path})" for name, path in peers.items())


def environment() -> dict[str, str]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": str(os.cpu_count()), "source_date_epoch": SOURCE_DATE_EPOCH}


# --- Entry point -------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                        help="corpus sizes in articles (default: 1000 10000; 50000 for a merged province)")
    parser.add_argument("--steps", nargs="+", choices=STEP_NAMES, default=None, metavar="STEP",
                        help="run only these steps (prerequisites are built unmeasured); "
                             f"any of: {' '.join(STEP_NAMES)}. Default: all "
                             f"(cold-repeat only for sizes <= {DETERMINISM_MAX_SIZE})")
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to build.py as --jobs N if it supports it")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--verbose", action="store_true",
                        help="run build.py --verbose and print each build's stage timings")
    parser.add_argument("--engine", type=Path, default=REPO,
                        help="the checkout whose build.py and templates/ are measured "
                             "(default: this one); e.g. an older commit's, to compare")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary site, output directories and build logs")
    return parser.parse_args(argv)


def requested_steps(args: argparse.Namespace, size: int) -> set[str]:
    if args.steps is not None:
        return set(args.steps)
    if size > DETERMINISM_MAX_SIZE:
        return set(STEP_NAMES) - {"cold-repeat"}
    return set(STEP_NAMES)


def check_engine(engine: Path) -> None:
    missing = [str(p) for p in (engine / "build.py", engine / "templates") if not p.exists()]
    if missing:
        sys.exit("benchmark needs " + " and ".join(missing))


def bench_size(size: int, args: argparse.Namespace, options: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"portal-bench-{size}-", dir="/tmp"))
    try:
        site = work / "site"
        generation = prepare_site(site, size, args.seed, args.engine)
        print(f"size {size}: corpus generated in {generation:.2f}s ({work})")
        steps = requested_steps(args, size)
        results, deterministic = SizeRun(size, site, work, options, args).run(steps)
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
    args.engine = args.engine.resolve()
    check_engine(args.engine)
    options = extra_build_options(args.engine, args.jobs, args.verbose)
    peers = installed_peers()
    print(describe_peers(peers))
    print(f"engine: {args.engine}; build options: " + " ".join(options))
    runs = [bench_size(size, args, options) for size in args.sizes]
    print()
    print_table([Measurement(**step) for run in runs for step in run["steps"]])
    for run in runs:
        print(f"size {run['size']}: deterministic: {run['deterministic']}")
    if args.json:
        report = {"environment": environment(), "engine": str(args.engine),
                  "build_options": options, "seed": args.seed,
                  "peers": peers, "runs": runs}
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    failed = any(step["exit_code"] != 0 for run in runs for step in run["steps"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
