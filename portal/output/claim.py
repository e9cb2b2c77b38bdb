"""The output folder, before the write stage touches it: may this build replace it, and
is no other build writing it?

Publishing replaces the output folder wholesale, so a wrong `--output` would delete
whatever is there. A build therefore replaces only a folder it made itself: one that
holds the marker file every build writes (`MARKER`), or, from engine versions before
the marker, one that `.cache/trees/` still describes (a manifest of that very folder
whose files are still in place). A missing or empty folder is fine too. Never the
portal's folder, a folder that holds or is inside its sources, a file or a link.

The lock is a file beside the output (`.site.lock`), locked with `flock` for the whole
build and removed by its holder before it lets go; a build that wins the lock on a file
no longer at that path starts again, so removing it never lets two builds in at once.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from ..cache import Stamp
from ..errors import OutputRefused
from ..paths import MARKER, is_real_folder
from .disk import WorkFolders, within_tree
from .manifests import TreeManifests

try:
    import fcntl
except ImportError:  # Windows: msvcrt locks a byte of the file instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt

SOURCE_NAMES = ("content", "templates", "static", "data", ".git", ".cache")
LOCK_WAIT = 5.0  # seconds a second build waits for the first before it gives up


@dataclass
class OutputClaim:
    """An output folder this build may replace, locked until `release`."""

    output: Path  # absolute, its folders' links resolved; not itself a link
    lock: int | None  # the lock file's descriptor while held

    @property
    def lock_file(self) -> Path:
        return WorkFolders(self.output).lock

    def release(self) -> None:
        if self.lock is None:
            return
        try:  # removed while still held: a build waiting on it will see it is gone
            os.unlink(self.lock_file)
        except OSError:  # Windows cannot remove an open file; it stays, harmless
            pass
        os.close(self.lock)  # closing the file drops the lock
        self.lock = None


def claim_output(output: Path, portal: Path, trees: TreeManifests,
                 wait: float = LOCK_WAIT) -> OutputClaim:
    """Check that the build may replace `output`, then lock it (waiting up to `wait`
    seconds for another build). Raises `OutputRefused` having moved nothing."""
    real = real_output(output)
    problem = refusal(real, portal, trees)
    if problem:
        raise OutputRefused(*problem)
    return OutputClaim(real, _lock(real, wait))


def real_output(output: Path) -> Path:
    """`output` made absolute with the links on the way resolved, but not a link at the
    end: that one is looked at, never followed."""
    absolute = Path(os.path.abspath(output))
    if not absolute.name:  # the file system's root
        return absolute
    return absolute.parent.resolve() / absolute.name


def refusal(output: Path, portal: Path, trees: TreeManifests) -> tuple[str, Path] | None:
    """Why the build must not replace `output` (a `cli:` key) and the folder it is about
    (the output, or one of the working folders beside it), or None."""
    if _touches_sources(output, portal):
        return "output_sources", output
    trusted = _is_default_output(output, portal)
    folders = WorkFolders(output)
    for sibling in (folders.staging, folders.spare):
        if is_real_folder(sibling) and not replaceable(sibling, trees, trusted):
            return "output_sibling_not_ours", sibling
    try:
        mode = os.lstat(output).st_mode
    except FileNotFoundError:
        return None
    except OSError:  # a file where one of its folders goes, or no permission to look
        return "output_not_folder", output
    if not stat.S_ISDIR(mode):
        return "output_not_folder", output
    return None if replaceable(output, trees, trusted) else ("output_not_ours", output)


def replaceable(folder: Path, trees: TreeManifests, upgrading: bool) -> bool:
    """The folder is empty or holds the marker. `upgrading` (only for the portal's own
    `site/` and its working trees): or it was built before there was a marker, and the
    manifest `.cache/trees/` keeps for it still matches one of its files. The cache is
    data anyone may write, so elsewhere it never vouches for a folder: a forged
    manifest must not hand someone's folder to the build to replace."""
    if _is_empty(folder):
        return True
    try:
        if stat.S_ISREG(os.lstat(folder / MARKER).st_mode):
            return True
    except OSError:
        pass
    # The manifest is cache data: a path in it that would leave the folder proves nothing.
    return upgrading and any(_stamp_is(folder / rel, record.stamp)
                             for rel, record in trees.load(folder).items()
                             if within_tree(rel) is not None)


def _is_default_output(output: Path, portal: Path) -> bool:
    return output == portal.resolve() / "site"


def _touches_sources(output: Path, portal: Path) -> bool:
    """`output` is the portal's folder or holds it, or is, holds or is inside one of its
    source folders (wherever a link among them points)."""
    root = portal.resolve()
    if root.is_relative_to(output):
        return True
    for name in SOURCE_NAMES:
        for source in {root / name, (root / name).resolve()}:
            if output.is_relative_to(source) or source.is_relative_to(output):
                return True
    return False


def _is_empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def _stamp_is(path: Path, stamp: Stamp) -> bool:
    try:
        return Stamp.of(os.lstat(path)) == stamp
    except OSError:
        return False


def _lock(output: Path, wait: float) -> int:
    """Lock the output's lock file, trying every 0.1 s for `wait` seconds. A holder
    removes the file before it lets go, so a lock won on a file no longer at that path
    is worth nothing: open the path again."""
    path = WorkFolders(output).lock
    deadline = time.monotonic() + wait
    while True:
        descriptor = _open_lock_file(path)
        try:
            if _try_lock(descriptor) and _is_at(descriptor, path):
                return descriptor
        except OSError as error:  # a file system without locks
            os.close(descriptor)
            raise OutputRefused("output_lock_failed", path, problem=error.strerror) from None
        os.close(descriptor)
        if time.monotonic() >= deadline:
            raise OutputRefused("output_busy", output)
        time.sleep(0.1)


def _is_at(descriptor: int, path: Path) -> bool:
    try:
        found, held = os.lstat(path), os.fstat(descriptor)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(path, flags, 0o644)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            os.unlink(path)  # a link (never made by us): opening it could create its target
            return os.open(path, flags, 0o644)
    except OSError as error:
        raise OutputRefused("output_lock_failed", path, problem=error.strerror) from None


def _try_lock(descriptor: int) -> bool:
    """Lock without waiting; False when another build holds the lock."""
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
    except BlockingIOError:
        return False
    except PermissionError:  # msvcrt's way to say "locked"
        if fcntl is not None:
            raise
        return False
    return True
