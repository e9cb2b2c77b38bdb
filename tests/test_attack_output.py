"""Attacks on the output folder (issue 10, items 2, 10, 11 and part of 4).

A build replaces its output folder whole, so it must only ever replace a folder it made
itself: never the portal, its sources, a file, or somebody's folder, and a refusal
moves nothing (not even the `.X.staging` / `.X.spare` trees beside it). Two builds of
one portal at once must not trip over each other; a tree the build cannot update must
not fail the builds after it; and the cache must not be able to change `site/`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import (REPO, SMALL_SITE, BuildRun, SiteDir, assert_refused, make_site, news,
                      run_cli)

MARKER = ".built-by-portal"
EPOCH_ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}


# --- helpers -------------------------------------------------------------------------------

def folder_state(folder: Path) -> str:
    """One hash of everything under `folder`, hidden files, folders and links included:
    a refused build must not have created, moved, changed or deleted anything."""
    digest = hashlib.sha256()
    for parent, folders, files in sorted(os.walk(folder)):
        folders.sort()
        for name in sorted(folders + files):
            path = Path(parent) / name
            rel = path.relative_to(folder).as_posix().encode()
            if path.is_symlink():
                digest.update(b"L" + rel + b"\0" + os.readlink(path).encode())
            elif path.is_dir():
                digest.update(b"D" + rel)
            else:
                digest.update(b"F" + rel + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build(site: SiteDir, *args: str) -> BuildRun:
    return run_cli("build", "--source", str(site.root), "--quiet", *args)


def build_ok(site: SiteDir, *args: str) -> None:
    run = build(site, *args)
    assert run.code == 0, run.stderr


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def assert_refused_untouched(run: BuildRun, target: Path, watched: Path, before: str) -> None:
    """Exit 2, no traceback, the message names the folder, and nothing under `watched`
    (the portal and the folder that holds it, lock files included) changed; no working
    tree was made beside the target."""
    assert_refused(run, codes=(2,), names=(str(target.resolve()),))
    assert folder_state(watched) == before
    for sibling in (".{}.staging", ".{}.spare", ".{}.lock"):  # also where `watched` does not reach
        assert not (target.parent / sibling.format(target.name)).exists(), sibling


@pytest.fixture
def built(tmp_path: Path) -> SiteDir:
    """The small site with static files and data, built once into site/."""
    site = make_site(tmp_path, {**SMALL_SITE, "static/css/extra.css": "body { color: navy; }\n",
                                "data/notes.txt": "kept by the editors\n"})
    build_ok(site)
    return site


# --- item 2: the build replaces only a folder it made ------------------------------------

SOURCE_TARGETS = {
    "content": lambda root: root / "content",
    "templates": lambda root: root / "templates",
    "static": lambda root: root / "static",
    "data": lambda root: root / "data",
    "cache": lambda root: root / ".cache",
    "git": lambda root: root / ".git",
    "portal": lambda root: root,
    "inside-content": lambda root: root / "content" / "news",
    "new-folder-inside-content": lambda root: root / "content" / "news" / "out",
    "new-folder-inside-git": lambda root: root / ".git" / "public",
    "portal-parent": lambda root: root.parent,
}


@pytest.mark.parametrize("target", SOURCE_TARGETS.values(), ids=SOURCE_TARGETS.keys())
def test_output_on_or_around_the_sources_is_refused(built: SiteDir, target):
    (built.root / ".git").mkdir()
    (built.root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    output = target(built.root)
    watched = built.root.parent  # the portal and whatever the build might put beside it
    before = folder_state(watched)

    run = build(built, "--output", str(output))

    assert_refused_untouched(run, output, watched, before)
    assert "content/" in run.stderr  # says which folders are the sources


def test_output_dot_means_the_portal_and_is_refused(built: SiteDir, monkeypatch):
    monkeypatch.chdir(built.root)
    before = folder_state(built.root.parent)

    run = build(built, "--output", ".")

    assert_refused_untouched(run, built.root, built.root.parent, before)


def test_output_through_a_link_into_the_sources_is_refused(built: SiteDir, tmp_path: Path):
    (tmp_path / "shortcut").symlink_to(built.root / "content", target_is_directory=True)
    before = folder_state(tmp_path)

    run = build(built, "--output", str(tmp_path / "shortcut" / "news"))

    assert_refused(run, codes=(2,), names=(str(built.root / "content" / "news"),))
    assert folder_state(tmp_path) == before


def test_a_plain_file_named_site_is_kept(built: SiteDir):
    shutil.rmtree(built.root / "site")
    (built.root / "site").write_text("the editor's notes, not a website\n")
    before = folder_state(built.root.parent)

    run = build(built)

    assert_refused_untouched(run, built.root / "site", built.root.parent, before)
    assert "--output" in run.stderr  # says what to do


def test_a_link_named_site_is_not_followed(built: SiteDir, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("not the build's\n")
    shutil.rmtree(built.root / "site")
    (built.root / "site").symlink_to(elsewhere, target_is_directory=True)
    before = folder_state(tmp_path)

    run = build(built)

    assert_refused(run, codes=(2,), names=(str(built.root / "site"),))
    assert folder_state(tmp_path) == before


def test_a_folder_the_build_did_not_make_is_kept(built: SiteDir, tmp_path: Path):
    theirs = tmp_path / "their-work"
    theirs.mkdir()
    (theirs / "report.docx").write_bytes(b"a week of work")
    (theirs / "drafts").mkdir()
    (theirs / "drafts" / "plan.md").write_text("# Kế hoạch\n")
    before = folder_state(tmp_path)

    run = build(built, "--output", str(theirs))

    assert_refused_untouched(run, theirs, tmp_path, before)
    assert MARKER in run.stderr  # says how a build's folder is told apart


def test_a_hand_made_site_folder_is_kept(tmp_path: Path):
    site = make_site(tmp_path, {**SMALL_SITE, "site/index.html": "<p>made by hand</p>\n"})
    before = folder_state(tmp_path)

    run = build(site)

    assert_refused_untouched(run, site.root / "site", tmp_path, before)


def test_an_empty_folder_is_accepted(built: SiteDir, tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()

    build_ok(built, "--output", str(empty))

    assert (empty / MARKER).is_file()
    assert files_of(empty) == files_of(built.root / "site")


def change_something(site: SiteDir) -> None:
    """A build that changes nothing leaves the published tree as it is; one that changes
    something makes a new tree and keeps the old one as the spare."""
    site.write("content/news/2024/moi.md", news("Tin mới", "2024-07-01"))


def test_every_tree_is_marked(built: SiteDir):
    assert (built.root / "site" / MARKER).is_file()
    change_something(built)
    build_ok(built)
    assert (built.root / "site" / MARKER).is_file()
    assert (built.root / ".site.spare" / MARKER).is_file()


def test_output_public_twice_replaces_its_own_tree(built: SiteDir, monkeypatch):
    monkeypatch.chdir(built.root)  # as CI runs it: `build.py build --output public`
    public = built.root / "public"
    build_ok(built, "--output", "public")
    first = files_of(public)
    built.write("content/news/2024/moi.md", news("Tin mới", "2024-07-01"))

    build_ok(built, "--output", "public")

    assert (public / MARKER).is_file()
    assert files_of(built.root / ".public.spare") == first  # the replaced tree, kept as the spare
    build_ok(built)
    assert files_of(public) == files_of(built.root / "site")


def test_a_site_built_before_the_marker_is_still_replaced(built: SiteDir):
    """Upgrading: a site/ built by the previous engine has no marker; its manifest in
    .cache/trees/ (which that engine wrote for every tree) shows it is the build's."""
    change_something(built)
    build_ok(built)  # a spare tree too
    for tree in ("site", ".site.spare"):
        (built.root / tree / MARKER).unlink()

    build_ok(built)

    assert (built.root / "site" / MARKER).is_file()


def test_a_site_without_marker_nor_manifest_is_kept(built: SiteDir):
    """Without the marker and without .cache/trees/ nothing shows the folder is the
    build's: it is refused like any other, and the message says what to do."""
    (built.root / "site" / MARKER).unlink()
    shutil.rmtree(built.root / ".cache")
    before = folder_state(built.root.parent)

    run = build(built)

    assert_refused_untouched(run, built.root / "site", built.root.parent, before)


def test_serve_writes_nothing_even_when_given_an_output(built: SiteDir):
    """serve keeps the site in memory; an --output (which older scripts pass) is never
    written, so no folder can be replaced through it."""
    before = folder_state(built.root.parent)
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--source",
                               str(built.root), "--port", "0", "--output", str(built.root / "content")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=EPOCH_ENV)
    try:
        assert any("http://127.0.0.1:" in line for line in server.stdout), server.stderr.read()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert "Traceback" not in server.stderr.read()
    assert folder_state(built.root.parent) == before


# --- item 10: two builds at once -----------------------------------------------------------

HOLD_LOCK = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""


def test_a_build_while_another_holds_the_lock_waits_then_says_so(built: SiteDir):
    """Another process (as a running build does) holds `.site.lock`: the build waits a
    few seconds, then says a build is running; nothing is moved."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(built.root / ".site.lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = folder_state(built.root.parent)
        started = time.monotonic()

        run = build(built)

        waited = time.monotonic() - started
        assert_refused(run, codes=(2,), names=(str(built.root / "site"),),
                       says=("đang chạy",))  # "a build of this portal is already running"
        assert 3 <= waited < 30
        assert folder_state(built.root.parent) == before
    finally:
        holder.kill()
        holder.wait()
    build_ok(built)  # the lock is free again
    assert not (built.root / ".site.lock").exists()  # and its file gone with the build


def test_two_builds_at_once_never_trip_over_each_other(built: SiteDir, tmp_path: Path):
    """Two real builds started together: each ends with exit 0 (the second waited for
    the first) or exit 2 and the message; never a traceback, and the site is whole."""
    for n in range(30):  # enough pages that the two builds overlap
        built.write(f"content/news/2025/tin-{n}.md", news(f"Tin {n}", "2025-01-02"))
    command = [sys.executable, str(REPO / "build.py"), "build", "--source", str(built.root),
               "--quiet", "--jobs", "1"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=EPOCH_ENV) for _ in range(2)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]

    for code, stderr in results:
        assert "Traceback" not in stderr, stderr
        assert code == 0 or code == 2 and "đang chạy" in stderr, (code, stderr)
    assert 0 in [code for code, _ in results]
    assert not (built.root / ".site.staging").exists()
    fresh = tmp_path / "fresh"
    build_ok(built, "--no-cache", "--output", str(fresh))
    assert files_of(built.root / "site") == files_of(fresh)


def test_serve_locks_each_build_not_the_whole_session(built: SiteDir):
    """While `serve` runs (its first build done), a `build` of the same portal goes
    through at once: the server holds the lock only while it builds."""
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--source",
                               str(built.root), "--port", "0", "--jobs", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=EPOCH_ENV)
    try:
        for line in server.stdout:
            if re.search(r"http://127\.0\.0\.1:\d+", line):
                break
        else:
            raise AssertionError(server.stderr.read())
        build_ok(built)  # a server holding the lock would make this exit 2 after 5 s
        assert not (built.root / ".site.lock").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


# --- item 11: a tree the build cannot update -----------------------------------------------

def _immutable(paths: list[Path], on: bool) -> None:
    flag = "+i" if on else "-i"
    subprocess.run(["chattr", "-R", flag, *map(str, paths)], check=True, capture_output=True)


def _can_make_immutable(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_text("x")
    try:
        _immutable([probe], True)
    except (OSError, subprocess.CalledProcessError):
        return False
    _immutable([probe], False)
    probe.unlink()
    return True


def test_a_spare_tree_that_cannot_be_written_is_dropped(built: SiteDir, tmp_path: Path):
    """The issue: after `chmod -R a-w site`, the next build moves site/ to .site.spare,
    and every build after it failed with PermissionError.

    Tests run as root, for whom `chmod a-w` stops nothing, and the interpreter lives
    under /root, so a build cannot be run as `nobody` either. `chattr +i` (immutable)
    stops even root from adding, deleting or renaming entries, so it makes the same
    unwritable tree: here every file and folder inside site/ is made immutable (site/
    itself is not: publishing must still be able to rename it to .site.spare, as it can
    a folder without write permission)."""
    if shutil.which("chattr") is None or not _can_make_immutable(tmp_path):
        pytest.skip("chattr +i is not available here (needs root and a file system with it)")
    build_ok(built)  # a spare tree, as in any portal built more than once
    stuck = list((built.root / "site").iterdir())
    _immutable(stuck, True)
    try:
        built.write("content/news/2024/moi.md", news("Tin mới", "2024-07-01"))
        build_ok(built)  # the unwritable site/ becomes the spare
        assert not os.access(built.root / ".site.spare" / "tin-tuc", os.W_OK)

        for title in ("Hội nghị sơ kết", "Hội nghị tổng kết"):  # into the unwritable tree, twice
            built.write("content/news/2024/hoi-nghi.md", news(title))
            run = build(built)
            assert run.code == 0, run.stderr
            fresh = tmp_path / f"fresh-{title}"
            build_ok(built, "--no-cache", "--output", str(fresh))
            assert files_of(built.root / "site") == files_of(fresh)
        # What even root could not delete is set aside for a person, out of the way.
        assert (built.root / ".site.1.old" / "tin-tuc").is_dir()
        assert not (built.root / ".site.2.old").exists()
    finally:
        _immutable([path for path in tmp_path.rglob("*") if not path.is_symlink()], False)


def test_a_killed_builds_staging_that_cannot_be_written_is_dropped(built: SiteDir):
    """A staging folder left by a killed build, unwritable, while a spare tree exists."""
    if shutil.which("chattr") is None or not _can_make_immutable(built.root):
        pytest.skip("chattr +i is not available here")
    build_ok(built)
    staging = built.root / ".site.staging"
    shutil.copytree(built.root / "site", staging)
    _immutable(list(staging.iterdir()), True)
    try:
        build_ok(built)
        assert not staging.exists()
        assert (built.root / ".site.1.old").is_dir()
    finally:
        _immutable([path for path in built.root.rglob("*") if not path.is_symlink()], False)


# --- item 4 (part): the cache cannot change site/ --------------------------------------------

def test_editing_cache_entries_in_place_does_not_change_the_site(built: SiteDir):
    build_ok(built)
    before = built.tree_digest()
    entries = [path for path in (built.root / ".cache").rglob("*") if path.is_file()]
    assert entries
    for entry in entries:  # in place: same inode, as an editor or a CI cache restore might
        with open(entry, "r+b") as file:
            file.write(b"<script>alert(1)</script>")

    assert built.tree_digest() == before
    for tree in ("site", ".site.spare"):
        for path in (built.root / tree).rglob("*"):
            assert path.is_dir() or os.stat(path).st_nlink == 1, path


def test_a_published_file_linked_from_elsewhere_is_replaced(built: SiteDir, tmp_path: Path):
    """Trees written by older engines hold hard links to cache entries: the build does
    not keep such a file, even when its manifest vouches for it."""
    change_something(built)
    build_ok(built)
    for tree in ("site", ".site.spare"):
        os.link(built.root / tree / "index.html", tmp_path / f"{tree}-other-name")

    build_ok(built)
    build_ok(built)

    (tmp_path / "site-other-name").write_bytes(b"changed through the other name")
    for tree in ("site", ".site.spare"):
        assert os.stat(built.root / tree / "index.html").st_nlink == 1
    assert b"changed through" not in (built.root / "site" / "index.html").read_bytes()
