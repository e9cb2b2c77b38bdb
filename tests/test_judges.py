"""The independent checkers in shared/judges hold the built sample portal to the W3C
HTML validator, axe-core in Chromium, linkchecker, and the feed and sitemap schemas.

They are installed by shared/judges/install.sh (idempotent; a no-op once done), so a
regression in the theme fails CI here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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
    source = tmp_path_factory.mktemp("judged") / "portal"
    for part in ("content", "static", "templates"):
        shutil.copytree(REPO / part, source / part)
    # The weather box in each of its states, with the live script: current, stale, no data.
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (source / "config.yaml").write_text(config.replace("live: false", "live: true"), encoding="utf-8")
    (source / "data").mkdir()
    (source / "data" / "weather-cache.json").write_text(json.dumps({"readings": [
        {"name": "TP Minh Giang", "lat": 18.67, "lon": 105.68, "taken": "2026-12-01T06:45+07:00",
         "temperature": 21.4, "code": 3, "humidity": 84, "wind_kmh": 7.2, "low": 19.0, "high": 24.6},
        {"name": "Hà Nội", "lat": 21.03, "lon": 105.85, "taken": "2026-11-30T20:00+07:00",
         "temperature": 17.0, "code": 61, "humidity": 90, "wind_kmh": 12.0, "low": 15.0, "high": 19.0},
    ]}), encoding="utf-8")
    output = source / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1796083200"}  # 2026-12-01: after the sample news, before its scheduled item
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(source),
                    "--quiet", "--no-cache", "--offline"], check=True, env=env)
    return output


CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?')


def without_csp_meta(site: Path, copy: Path) -> Path:
    """The site with each page's Content-Security-Policy <meta> left out, for axe: its
    driver (shared/judges/axe_run.js) injects axe-core as an inline <script>, which is
    exactly what the policy forbids, so on the real pages axe never runs. The policy
    changes nothing axe looks at (markup, names, contrast); tests/test_attack_headers.py
    checks that it is on every page."""
    shutil.copytree(site, copy)
    for page in copy.rglob("*.html"):
        page.write_bytes(CSP_META.sub(b"", page.read_bytes()))
    return copy


@pytest.mark.parametrize("judge", ["html_valid", "a11y", "links", "feeds"])
def test_judge_passes_on_sample_portal(judge: str, sample_site: Path, tmp_path: Path) -> None:
    judged = without_csp_meta(sample_site, tmp_path / "site") if judge == "a11y" else sample_site
    done = subprocess.run(["bash", str(JUDGES / f"{judge}.sh"), str(judged)],
                          capture_output=True, text=True, timeout=1500)
    verdict = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, f"{verdict}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert verdict.startswith(f"{judge}: PASS"), verdict
