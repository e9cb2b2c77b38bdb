"""The independent checkers in shared/judges hold the built sample portal to the W3C
HTML validator, axe-core in Chromium, linkchecker, and the feed and sitemap schemas.

They are installed by shared/judges/install.sh (idempotent; a no-op once done), so a
regression in the theme fails CI here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

JUDGES = Path(os.environ.get("JUDGES_DIR", REPO.parent / "shared" / "judges"))

pytestmark = pytest.mark.judges


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (JUDGES / "install.sh").is_file():
        pytest.fail(f"the judges are missing: {JUDGES} (set JUDGES_DIR)")
    subprocess.run(["bash", str(JUDGES / "install.sh")], check=True, capture_output=True)
    output = tmp_path_factory.mktemp("judged") / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1796083200"}  # 2026-12-01: after the sample news, before its scheduled item
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(REPO),
                    "--output", str(output), "--quiet", "--no-cache"], check=True, env=env)
    return output


@pytest.mark.parametrize("judge", ["html_valid", "a11y", "links", "feeds"])
def test_judge_passes_on_sample_portal(judge: str, sample_site: Path) -> None:
    done = subprocess.run(["bash", str(JUDGES / f"{judge}.sh"), str(sample_site)],
                          capture_output=True, text=True, timeout=1500)
    verdict = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, f"{verdict}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert verdict.startswith(f"{judge}: PASS"), verdict
