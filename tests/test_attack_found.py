"""Attacks found by trying to break the build by hand after the issue's list was done:
folders and files the build must not take over, names too long for the disk, links that
reach into hidden parts of the portal, inputs too deep or too big. Each case checks
what the others do: the exit code, no traceback, the message, and nothing lost.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, SMALL_SITE, SiteDir, assert_refused, make_site, run_cli
from portal.cache import Stamp, cache_folder
from portal.output.manifests import FileRecord, TreeManifests
from portal.paths import MAX_FOLDER_DEPTH


@pytest.fixture
def built(tmp_path: Path) -> SiteDir:
    site = make_site(tmp_path, SMALL_SITE)
    assert build(site).code == 0
    return site


def build(site: SiteDir, *args: str):
    return run_cli("build", "--source", str(site.root), "--quiet", "--offline", *args)


def someone_elses_folder(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    files = {"notes.txt": b"precious\n", "thesis.txt": b"more\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def assert_kept(folder: Path, files: dict[str, bytes]) -> None:
    assert {name: (folder / name).read_bytes() for name in files} == files


def test_a_forged_tree_manifest_does_not_hand_over_someone_elses_folder(built: SiteDir,
                                                                          tmp_path: Path):
    """The cache is data: a manifest in .cache/trees/ that describes another folder
    must not make the build take that folder over (and empty it a build later)."""
    victim = tmp_path / "victim"
    files = someone_elses_folder(victim)
    manifests = TreeManifests(cache_folder(built.root, "trees"), victim)
    stamp = Stamp.of(os.lstat(victim / "notes.txt"))
    manifests.save(victim, {"notes.txt": FileRecord("0" * 40, stamp)})

    run = build(built, "--output", str(victim))

    assert_refused(run, codes=(2,), names=(str(victim),))
    assert_kept(victim, files)


@pytest.mark.parametrize("sibling", [".public.spare", ".public.staging"])
def test_working_folders_beside_the_output_are_not_emptied_when_not_ours(built: SiteDir,
                                                                         sibling: str):
    folder = built.root / sibling / "important"
    files = someone_elses_folder(folder)

    run = build(built, "--output", str(built.root / "public"))

    assert_refused(run, codes=(2,), names=(str(built.root / sibling),))
    assert_kept(folder, files)
    assert not (built.root / "public").exists()


def test_a_killed_builds_staging_folder_is_still_known_as_ours(built: SiteDir):
    """A fresh staging folder is marked the moment it is made, so the folder a killed
    build leaves behind is taken up by the next build, not refused."""
    shutil.rmtree(built.root / "site")
    staging = built.root / ".site.staging"
    shutil.rmtree(built.root / ".site.spare", ignore_errors=True)
    staging.mkdir()
    (staging / ".built-by-portal").write_text("marked at creation\n")
    (staging / "half.html").write_text("<p>half</p>\n")

    run = build(built)

    assert run.code == 0, run.stderr
    assert not (built.root / "site" / "half.html").exists()


def test_an_output_name_too_long_for_the_disk_is_a_message(built: SiteDir):
    run = build(built, "--output", str(built.root.parent / ("o" * 250)))

    assert_refused(run, codes=(2,), says=("o" * 50,))


def test_an_immutable_output_folder_is_a_message_not_a_traceback(built: SiteDir):
    site = built.root / "site"
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(site)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system with it)")
    try:
        run = build(built)
    finally:
        subprocess.run(["chattr", "-i", str(site)], check=True)

    assert_refused(run, codes=(2,), names=(str(site),))


def test_folders_nested_too_deep_are_an_error_not_a_crash(built: SiteDir):
    before = built.tree_digest()
    deep = built.root / "static" / "/".join(["d"] * (MAX_FOLDER_DEPTH + 10))
    deep.mkdir(parents=True)
    (deep / "f.txt").write_text("x")

    run = build(built)

    assert_refused(run, codes=(1,), names=("static/" + "d/" * 10,))
    assert built.tree_digest() == before


def test_the_weather_cache_is_not_read_through_a_link_into_git(tmp_path: Path):
    config = MINIMAL_CONFIG + ("weather:\n  provider: open-meteo\n  locations:\n"
                               "    - {name: TP Minh Giang, lat: 18.67, lon: 105.68}\n")
    site = make_site(tmp_path, SMALL_SITE, config)
    (site.root / ".git").mkdir()
    (site.root / ".git" / "weather-cache.json").write_text(
        '{"readings": [{"name": "TP Minh Giang", "lat": 18.67, "lon": 105.68,'
        ' "taken": "2025-12-31T06:00+07:00", "temperature": 42.5, "code": 3}]}')
    (site.root / "data").symlink_to(".git")

    run = build(site)

    assert run.code == 0, run.stderr
    assert "42°C" not in site.read("index.html")


def test_an_oversized_cache_entry_is_a_miss(built: SiteDir):
    entries = sorted(p for p in (built.root / ".cache" / "markup").rglob("*") if p.is_file())
    with open(entries[0], "r+b") as entry:
        entry.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    expected = {p.relative_to(built.root / "site"): p.read_bytes()
                for p in (built.root / "site").rglob("*") if p.is_file()}
    shutil.rmtree(built.root / "site")
    shutil.rmtree(built.root / ".site.spare", ignore_errors=True)

    run = build(built)

    assert run.code == 0, run.stderr
    assert {p.relative_to(built.root / "site"): p.read_bytes()
            for p in (built.root / "site").rglob("*") if p.is_file()} == expected


def test_new_does_not_write_through_a_link_out_of_the_portal(built: SiteDir, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(built.root / "content" / "news")
    (built.root / "content" / "news").symlink_to(outside)

    run = run_cli("new", "news", "Tin mới", "--source", str(built.root))

    assert_refused(run, codes=(1,), says=("content/news/",))
    assert list(outside.iterdir()) == []


def test_new_with_a_file_where_a_folder_goes_is_a_message(built: SiteDir):
    year_folder = built.root / "content" / "news" / "2026"
    shutil.rmtree(year_folder, ignore_errors=True)
    year_folder.write_text("not a folder")

    run = run_cli("new", "news", "Tin mới", "--source", str(built.root))

    assert_refused(run, codes=(1,), says=("content/news/2026/tin-moi.md",))
