"""Rebuild tests/golden/expected from tests/golden/source after an intended change of
output: `python tests/refresh_golden.py`, then review `git diff tests/golden`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
REPO = GOLDEN.parent.parent
EPOCH = "1767225600"  # 2026-01-01: fixes "now" so the golden output never drifts
# The theme's files are written as assets/<name>.<hash of content>.<ext>: their names pin
# their bytes, so the golden copy keeps them empty rather than repeat templates/assets/.
FINGERPRINTED = "assets/"
# Pagefind's bundle is Pagefind's output, not ours: its bytes and names follow its version
# (tests/test_search*.py check what it finds), so the golden copy leaves it out.
SEARCH_BUNDLE = "tim-kiem/pagefind/"


def golden_view(root: Path) -> dict[str, bytes]:
    """Each output file's path and bytes, fingerprinted theme files by name only."""
    view = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(SEARCH_BUNDLE):
            view[rel] = b"" if rel.startswith(FINGERPRINTED) else path.read_bytes()
    return view


def build_golden(output: Path) -> None:
    """Build the golden source with the repo's theme into `output`."""
    work = output.parent / "golden-source"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(GOLDEN / "source", work)
    shutil.copytree(REPO / "templates", work / "templates")
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(work),
                    "--output", str(output), "--quiet", "--no-cache", "--jobs", "1"],
                   check=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    shutil.rmtree(work)


if __name__ == "__main__":
    expected = GOLDEN / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    build_golden(expected)
    shutil.rmtree(expected / SEARCH_BUNDLE)
    for path in (expected / FINGERPRINTED).rglob("*"):
        if path.is_file():
            path.write_bytes(b"")
    print(f"refreshed {expected}")
