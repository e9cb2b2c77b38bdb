"""Time the search stage (Pagefind) on the sample portal and on a generated corpus.

For each site: a cold build (no cache) and a warm rebuild, with `--verbose`, reading the
"search index" lap; then the size of the Pagefind bundle in the output.

Usage:  python benchmarks/search.py [--sizes 10000] [--keep]
The browser side (bytes a first query downloads, query time) is measured by driving
the search page with tests/browser/search.js; see README's "Search" section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (sibling module, path set just above)

REPO = Path(__file__).resolve().parent.parent
BUNDLE = Path("tim-kiem") / "pagefind"


def build(source: Path, output: Path, cold: bool) -> float:
    """One build; the seconds of its search lap."""
    if cold:
        shutil.rmtree(source / ".cache", ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(source),
                           "--output", str(output), "--verbose", "--offline"],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source",
                               str(source), "--output", str(output), "--verbose"],
                              capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    for line in done.stdout.splitlines():
        if line.strip().startswith("search index"):
            return float(line.split()[-2])
    raise SystemExit("no 'search index' lap in:\n" + done.stdout)


def bundle_size(output: Path) -> tuple[int, int]:
    files = [path for path in (output / BUNDLE).rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def measure(name: str, source: Path, output: Path) -> None:
    cold = build(source, output, cold=True)
    warm = build(source, output, cold=False)
    count, size = bundle_size(output)
    print(f"{name:>14}: search index cold {cold:.2f} s, warm {warm:.3f} s; "
          f"bundle {count} files, {size / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-search-bench-"))
    try:
        sample = work / "sample"
        shutil.copytree(REPO, sample, ignore=shutil.ignore_patterns(
            ".git", "site", ".site.*", ".cache", "tests", "benchmarks", "*.egg-info"))
        measure("sample", sample, work / "sample-out")
        for size in args.sizes:
            source = work / f"corpus-{size}"
            corpus.generate(source, size, 1)
            shutil.copytree(REPO / "templates", source / "templates")
            (source / "static").mkdir(exist_ok=True)
            shutil.copy(REPO / "static" / "favicon.svg", source / "static" / "favicon.svg")
            measure(f"{size} news", source, work / f"corpus-{size}-out")
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
