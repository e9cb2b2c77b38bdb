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
    print(f"refreshed {expected}")
