"""Paths taken from data (content, static files, the weather file, the cache) stay inside
the portal's folder: a link committed to Git (`static/env.txt -> /proc/self/environ`)
must never make the build read, publish, write or delete anything outside it."""

from __future__ import annotations

import operator
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .urls import url_problem

# Written into every tree the build publishes (see output/claim.py); a folder holding it is a
# built site, never a source: `static/old -> ../site` would nest each site in the next.
MARKER = ".built-by-portal"
MARKER_TEXT = ("This folder is made by `python build.py`; every build replaces it whole. "
               "Keep no files of your own here.\n"
               "Thư mục này do `python build.py` tạo ra và được thay mới mỗi lần tạo trang; "
               "đừng để tệp của bạn ở đây.\n").encode("utf-8")
MAX_FOLDER_DEPTH = 64  # folders inside each other; a portal uses three or four


def is_real_folder(path: Path) -> bool:
    """A real folder, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every link on the way resolved, is within `root`.

    A link that stays inside the portal is fine; a loop or an unreadable path is not."""
    try:
        return path.resolve(strict=False).is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte, a dead mount
        return False


@dataclass(frozen=True)
class FoundFile:
    path: Path  # as found under the folder walked: links are not resolved
    rel: str  # relative to that folder, e.g. "media/2024/anh.jpg"


@dataclass
class Walk:
    """What a folder holds: its files, and the links found in it that lead outside."""

    files: list[FoundFile] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)
    too_deep: list[Path] = field(default_factory=list)  # folders below MAX_FOLDER_DEPTH


def walk_folder(folder: Path, root: Path, nested: bool = True) -> Walk:
    """Every file under `folder` (only its own files unless `nested`), sorted as
    `sorted(folder.rglob("*"))` sorts them. Nothing outside `root` is entered or read."""
    walk = Walk()
    if not os.path.lexists(folder) or not _resolvable(folder):
        return walk
    if leads_out(folder, root):
        walk.outside.append(folder)
        return walk
    if os.path.isdir(folder):
        walker = _Walker(root, nested, walk.outside, walk.too_deep, walk.files)
        walker.walk(folder, "", os.path.realpath(folder), frozenset(), via_link=False)
    return walk


_BY_NAME = operator.attrgetter("name")


@dataclass
class _Walker:
    """One walk's state. Folder links are where walks go wrong: one back to a folder
    that holds it loops forever, links fanning out to one folder multiply the walk,
    and one to the portal's own folder would reach `.git`. So a folder is entered
    through a link at most once, never when it holds the link, and hidden entries
    are skipped below a link.

    A portal's news folder holds 10,000 files: the walk works on `os.scandir` entries
    and strings, and resolves links only, never plain files or folders (the real path
    of a plain folder is its parent's real path and its name)."""

    root: Path
    nested: bool
    outside: list[Path]
    too_deep: list[Path]
    files: list[FoundFile]
    linked: set[str] = field(default_factory=set)  # real paths entered through a link

    def walk(self, folder: Path, rel: str, real: str, above: frozenset[str], via_link: bool) -> None:
        """Add the files of `folder` (`rel` under the walked folder, `real` its real
        path) and, if nested, of its sub-folders, depth first by name; `above` holds the
        real paths of the folders being walked."""
        above = above | {real}
        if len(above) > MAX_FOLDER_DEPTH:  # a thousand nested folders would exhaust the stack
            self.too_deep.append(folder)
            return
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=_BY_NAME)
        except OSError:  # unreadable: nothing to publish from it
            return
        for entry in entries:
            name, link = entry.name, entry.is_symlink()
            if via_link and name.startswith("."):
                continue  # `.git` reached through a link
            if link:
                self._linked_entry(folder, rel, real, above, entry)
            elif entry.is_dir():
                if self.nested:
                    self.walk(folder / name, rel + name + "/", os.path.join(real, name), above, via_link)
            elif entry.is_file():
                self.files.append(FoundFile(folder.joinpath(name), rel + name))

    def _linked_entry(self, folder: Path, rel: str, real: str, above: frozenset[str],
                      entry: os.DirEntry) -> None:
        """A link in `folder`: followed when it stays in the portal, else reported."""
        path = folder / entry.name
        if not _resolvable(path):
            return  # a loop, which leads nowhere
        if leads_out(path, self.root):
            self.outside.append(path)
        elif entry.is_dir():
            if self.nested and self._enter(path, real, above):
                self.walk(path, rel + entry.name + "/", os.path.realpath(path), above, True)
        elif entry.is_file():
            self.files.append(FoundFile(path, rel + entry.name))

    def _enter(self, link: Path, holder: str, above: frozenset[str]) -> bool:
        """Whether to walk the folder that `link`, in the folder whose real path is
        `holder`, leads to."""
        target = os.path.realpath(link)
        if target in above or target in self.linked or holder.startswith(target + os.sep):
            return False
        if os.path.lexists(os.path.join(target, MARKER)):  # a built site, not a source
            self.outside.append(link)
            return False
        self.linked.add(target)
        return True


def leads_out(path: Path, root: Path) -> bool:
    """True when `path`, links resolved, is outside `root` or in a hidden part of it:
    what the build never reads, though a link inside the portal may point there."""
    if not inside(path, root):
        return True
    within = path.resolve().relative_to(root.resolve())
    return any(part.startswith(".") for part in within.parts)


def _resolvable(path: Path) -> bool:
    """False for a link that loops (a -> a), which leads nowhere and cannot be named
    by where it leads."""
    try:
        path.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return True


def check_site_file(path: str, static_dir: Path) -> str | None:
    """None when `path` names a file under static/, else the error key. A link that
    leads outside the portal's folder is refused before anything is read through it."""
    if not path.startswith("/") or ".." in path.split("/"):
        return "not_site_path"
    file = static_dir / path.lstrip("/")
    if not os.path.lexists(file):
        return "missing_file"
    if not inside(file, static_dir.parent):
        return "outside_portal_path"
    return None if file.is_file() else "missing_file"


def site_file_problem(path: str, static_dir: Path) -> str | None:
    """None when `path` is a safe address of a file under static/, else the error key;
    `javascript:…` is called unsafe rather than merely not a site path."""
    return url_problem(path) or check_site_file(path, static_dir)
