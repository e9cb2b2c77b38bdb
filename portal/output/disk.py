"""Low-level disk work on the trees the write stage builds: the names of the working
folders beside the output, paths that must stay inside a tree, making room for a file,
writing over one, and removing files, folders and whole trees.

A tree the build wrote holds no links (the spare tree's survey removes any it finds,
spare.py), so a path inside it is checked by its spelling alone. File primitives that
are not particular to a tree (create a file that must be new, remove a file, a link or
a folder) are the cache's (cache.py), shared rather than written twice.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..cache import Stamp, remove_path
from ..errors import OutputRefused
from ..paths import is_real_folder


@dataclass(frozen=True)
class WorkFolders:
    """The output folder and the names beside it that builds work with, for `site`:
    `.site.staging` (the tree being built), `.site.spare` (the tree replaced last, kept
    to be brought up to date), `.site.lock` (held for the whole build) and `.site.1.old`,
    `.site.2.old`… (trees the build could not delete, for a person to)."""

    output: Path

    @property
    def staging(self) -> Path:
        return self._beside("staging")

    @property
    def spare(self) -> Path:
        return self._beside("spare")

    @property
    def lock(self) -> Path:
        return self._beside("lock")

    def free_aside(self) -> Path:
        """The first `.site.<number>.old` that nothing holds yet."""
        number = 1
        while os.path.lexists(aside := self._beside(f"{number}.old")):
            number += 1
        return aside

    def _beside(self, role: str) -> Path:
        return self.output.parent / f".{self.output.name}.{role}"


def within_tree(rel: str) -> str | None:
    """`rel` in one spelling, or None when it would leave the tree (`/x`, `../x`, `.`)."""
    normal = posixpath.normpath(rel)
    if normal.startswith(("/", "../")) or normal in (".", ".."):
        return None
    return normal


def drop(path: Path, folders: WorkFolders) -> None:
    """Remove what is at `path`. A tree that resists (after `chmod -R a-w site` it comes
    back as the spare) has its folders made writable first; what still cannot be removed
    (immutable files, another user's) is set aside as `.site.1.old` beside the output, for
    a person to delete. Only when even that fails does the build stop."""
    if _removed(path) or _removed(path, writable_first=True):
        return
    try:
        os.rename(path, folders.free_aside())
    except OSError as error:
        raise OutputRefused("output_stuck", path, problem=error.strerror) from None


def _removed(path: Path, writable_first: bool = False) -> bool:
    try:
        if writable_first:
            _make_writable(path)
        remove_path(path)
    except OSError:
        return False
    return True


def place(root: Path, path: Path, make: Callable[[Path], None]) -> None:
    """Make a new file at `path` in the tree `root` with `make`, adding the folders it
    needs and removing what stands in the way (an older file, a folder, a file where one
    of its folders goes)."""
    try:
        make(path)
    except FileNotFoundError:  # in a folder this build adds
        make_folders(root, path)
        make(path)
    except (FileExistsError, IsADirectoryError, NotADirectoryError):  # an older file is there
        _clear_way(root, path)
        make(path)


def make_folders(root: Path, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a file, or a dangling link, where a folder goes
        _clear_way(root, path)


def overwrite(path: Path, data: bytes) -> bool:
    """Write `data` over the file at `path`, in place (links not followed); False when it
    cannot be opened for that. Replacing a file (unlink, create) costs an ext4 disk ~8×
    more, and a new item or new weather readings change every page's sidebar."""
    try:
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.ftruncate(descriptor, len(data))
    finally:
        os.close(descriptor)
    return True


def remove_if_unchanged(path: Path, stamp: Stamp) -> bool:
    """Delete the spare tree's file unless something new took its place (a folder of this
    build, or a file written under another spelling on a case-insensitive disk)."""
    try:
        if Stamp.of(os.lstat(path)) != stamp:
            return False
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def remove_empty_folders(root: Path, rel: str) -> None:
    """Remove the folder `rel` of the tree and those above it, up to the first that is
    not empty."""
    while rel:
        try:
            os.rmdir(root / rel)
        except OSError:  # not empty: it holds files of this build
            return
        rel = posixpath.dirname(rel)


def _clear_way(root: Path, path: Path) -> None:
    """Make room for a new file at `path`: remove what stands there and any file that
    stands where one of its folders goes, then create the folders."""
    folder = root
    for part in path.relative_to(root).parts[:-1]:
        folder = folder / part
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                os.unlink(folder)
        except FileNotFoundError:
            break
    remove_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _make_writable(tree: Path) -> None:
    """Let the owner list, enter and change every folder of `tree` (links not followed)."""
    folders = [tree] if is_real_folder(tree) else []
    while folders:
        folder = folders.pop()
        os.chmod(folder, stat.S_IMODE(os.lstat(folder).st_mode) | stat.S_IRWXU)
        with os.scandir(folder) as entries:
            folders += [Path(entry.path) for entry in entries
                        if entry.is_dir(follow_symlinks=False)]
