"""A portal deployed under a sub-path (`https://example.gov.vn/treem/`): every link,
asset, feed and sitemap entry is right, as the judges' linkchecker and feed checker see
it when the site is served from /treem/ of a web server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, made_once, run_cli
from test_judges import JUDGES

pytestmark = [pytest.mark.judges, pytest.mark.early]

BASE_URL = "https://example.gov.vn/treem/"


@pytest.fixture(scope="module")
def server_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A web server's folder holding only `treem/`, the sample portal built for the
    sub-path; made once for the run (conftest's `made_once`)."""
    return Path(made_once(tmp_path_factory, "subpath-root", build_for_the_sub_path))


def build_for_the_sub_path(root: Path) -> str:
    subprocess.run(["bash", str(JUDGES / "install.sh")], check=True, capture_output=True)
    run = run_cli("build", "--source", str(REPO), "--output", str(root / "treem"), "--base-url", BASE_URL,
                  "--quiet", "--no-cache", "--offline", epoch="1796083200")  # as test_judges: 2026-12-01
    assert run.code == 0, run.stderr
    return str(root)


def judge(name: str, site: Path, **env: str) -> str:
    done = subprocess.run(["bash", str(JUDGES / f"{name}.sh"), str(site)], capture_output=True,
                          text=True, timeout=1500, env={**os.environ, **env})
    verdict = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, f"{verdict}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return verdict


def test_linkchecker_finds_no_broken_link_under_the_sub_path(server_root: Path):
    assert judge("links", server_root).startswith("links: PASS")


def test_feeds_and_sitemap_are_right_under_the_sub_path(server_root: Path):
    assert judge("feeds", server_root / "treem", SITE_BASE_PATH="/treem").startswith("feeds: PASS")


def test_nothing_links_outside_the_sub_path(server_root: Path):
    assert sorted(p.name for p in server_root.iterdir()) == ["treem"]
    sitemap = (server_root / "treem" / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") > 20 and sitemap.count(f"<loc>{BASE_URL}") == sitemap.count("<loc>")
    robots = (server_root / "treem" / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots
