"""Stage 7: write the site. The disk writer builds into a staging folder next to the
output and swaps it in only when everything succeeded; the memory writer keeps the site
in memory, for tests and for `serve`.

Writing twelve thousand pages, each in its own folder, costs seconds on a slow disk,
and so does deleting them. So the tree a build replaces is not deleted: it is kept
beside the output (`.site.spare`) and becomes the next build's staging folder,
brought up to date file by file. A manifest per tree (`TreeManifests`) says which
content each file was written from; a file is left alone only when its manifest entry
has the wanted key and the file on disk still has the recorded size, mtime and inode.
Everything else the tree holds is rewritten or deleted, so the result is the same as
writing a fresh tree. A spare tree the build cannot update (folders made read-only,
files marked immutable) is dropped and the site written anew: it must never fail the
builds after it.

Published files are the build's own copies, never hard links to cache entries: the
cache is data anyone may edit, and must not be able to change the site behind the
build's back. Every tree holds the marker file (`output.MARKER`) that lets the next
build know the folder is its own to replace.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
from pathlib import Path
from typing import Callable

from ..cache import Stamp, bytes_key
from .manifests import FileRecord, TreeManifests
from ..writer import Writer
from ..errors import OutputRefused
from .claim import OutputClaim
from ..paths import MARKER, MARKER_TEXT, is_real_folder


class StuckTree(Exception):
    """A tree the build cannot update: a folder it may not write, a file it may not delete."""


class SpareTree:
    """An earlier build's tree, surveyed once before it is brought up to date. Raises
    `StuckTree` for a tree the build could not update."""

    def __init__(self, root: Path, records: dict[str, FileRecord], read_only: bool = False):
        self.read_only = read_only  # the published site: looked at, never changed
        self.records = records  # what its manifest says each file holds
        self.loaded = dict(records)  # as it was read, before files were forgotten
        self.files: dict[str, Stamp] = {}  # what is really there
        self.own: set[str] = set()  # files with no other name: may be rewritten in place
        self.empty_folders: list[str] = []
        self._survey(root, "")

    def holds(self, rel: str, key: str) -> bool:
        record = self.records.get(rel)
        return record is not None and record.key == key and self.files.get(rel) == record.stamp

    def forget(self, rel: str) -> None:
        """`rel` is being written anew: whatever was there no longer counts."""
        self.records.pop(rel, None)

    def _survey(self, folder: str | Path, prefix: str) -> None:
        # os.access, not the mode bits: it also sees immutable files, which even root
        # cannot change, and it costs ~3 µs a file (40 ms for 12,000 pages).
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StuckTree(folder)
        found = False
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    self._survey(entry.path, rel + "/")
                elif entry.is_file(follow_symlinks=False):
                    self._note_file(rel, entry)
                else:  # a link (never built by us): writing through it could leave the tree
                    if not self.read_only:
                        os.unlink(entry.path)
                    continue
                found = True
        if not found and prefix:
            self.empty_folders.append(prefix.rstrip("/"))

    def _note_file(self, rel: str, entry: os.DirEntry) -> None:
        if not os.access(entry.path, os.W_OK):
            raise StuckTree(entry.path)
        found = entry.stat(follow_symlinks=False)
        self.files[rel] = Stamp.of(found)
        if found.st_nlink > 1:  # linked from elsewhere (older engines linked cache entries):
            self.forget(rel)    # whoever edits the other name would change the site
        else:
            self.own.add(rel)


class DiskWriter(Writer):
    """Writes into `.<output>.staging`, which starts as the previous build's tree (or a
    new folder), then swaps it in with two renames and keeps the replaced tree as the
    spare for the next build. Forked workers can write through a copy of this object:
    only the parent's `expect` calls are recorded."""

    def __init__(self, claim: OutputClaim, manifests: TreeManifests):
        self.output = claim.output  # checked and locked: see output.claim_output
        self.root = self.output.parent / f".{self.output.name}.staging"
        self._spare_folder = self.output.parent / f".{self.output.name}.spare"
        self._manifests = manifests
        self._fresh = False  # set by _take_spare when the staging tree starts empty
        self._spare = self._take_spare()
        # With no spare tree (the first build after a clean one), the published site is
        # looked at instead: files it holds as wanted are copied at the end, and when it
        # holds everything the build wants, nothing is written and nothing swapped.
        self._published = self._look_at_output() if self._fresh else None
        self._borrowed: set[str] = set()
        self._all_held = True
        self._wanted: dict[str, str] = {}  # every file of this build -> its content key

    def expect(self, rel: str, key: str) -> bool:
        rel = _checked(rel)
        self._wanted[rel] = key
        if self._spare.holds(rel, key):
            return True
        if self._published is not None and self._published.holds(rel, key):
            self._borrowed.add(rel)
            return True
        self._all_held = False
        return False

    def write(self, rel: str, data: bytes, key: str | None = None) -> None:
        if self.expect(rel, key or bytes_key(data)):
            return
        rel = _checked(rel)
        if rel in self._spare.own and self._rewrite_in_place(rel, data):
            return
        self._place(rel, lambda path: _create(path, data))

    def read(self, rel: str) -> bytes:
        rel = _checked(rel)
        return ((self.output if rel in self._borrowed else self.root) / rel).read_bytes()

    def _rewrite_in_place(self, rel: str, data: bytes) -> bool:
        """Write over a file of the spare tree that has no other name. Replacing it (unlink,
        create) costs an ext4 disk ~8× more, and a new item or new weather readings
        change every page's sidebar. The new mtime and size make its stamp new, so a
        build killed half-way leaves nothing the manifest would vouch for."""
        self._spare.own.discard(rel)
        self._spare.forget(rel)
        self._spare.files.pop(rel, None)
        try:
            descriptor = os.open(self.root / rel, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
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

    def publish(self) -> None:
        super().publish()
        if self._unchanged():
            self._drop(self.root)  # the published site is this build's already
            return
        self._copy_borrowed()
        self._sweep()
        records = self._records()
        if records != self._spare.loaded:  # a build that changed nothing need not say so
            self._manifests.save(self.root, records)
        self._swap()
        self._manifests.keep_only([self.output, self._spare_folder])

    def discard(self) -> None:
        # Kept as the spare: files this build replaced have new stamps, so the tree's
        # manifest no longer vouches for them and the next build rewrites them.
        if not is_real_folder(self.root):
            return
        if not os.path.lexists(self._spare_folder):
            os.rename(self.root, self._spare_folder)
            return
        try:
            self._drop(self.root)
        except OutputRefused:  # the next build tries again, and says so if it cannot
            pass

    def _look_at_output(self) -> SpareTree | None:
        if not is_real_folder(self.output):
            return None
        try:
            return SpareTree(self.output, self._manifests.load(self.output), read_only=True)
        except (StuckTree, OSError):
            return None

    def _unchanged(self) -> bool:
        """The published site holds every file this build wants, and nothing else."""
        return (self._published is not None and self._all_held
                and set(self._wanted) == set(self._published.files))

    def _copy_borrowed(self) -> None:
        """Copy into the new tree the files the published site already held as wanted
        (copies, not links: no file of a tree has another name)."""
        for rel in sorted(self._borrowed):
            if self._spare.holds(rel, self._wanted[rel]):
                continue
            path = self.root / rel
            try:
                shutil.copyfile(self.output / rel, path, follow_symlinks=False)
            except FileNotFoundError:
                _make_folders(self.root, path)
                shutil.copyfile(self.output / rel, path, follow_symlinks=False)
            self._spare.records[rel] = self._published.records[rel]._replace(
                stamp=Stamp.of(os.lstat(path)))
            self._spare.files[rel] = self._spare.records[rel].stamp

    def _take_spare(self) -> SpareTree:
        """The tree to bring up to date: the spare (the site before last), else one a
        killed build left as staging, else a new folder. Anything else by those names
        (a link, a file, a second tree) is removed, and so is a tree it cannot update."""
        if is_real_folder(self._spare_folder):
            self._drop(self.root)
            os.rename(self._spare_folder, self.root)
        else:
            self._drop(self._spare_folder)
            if not is_real_folder(self.root):
                self._drop(self.root)
                self._new_tree()
                self._fresh = True
        try:
            return SpareTree(self.root, self._manifests.load(self.root))
        except StuckTree:
            self._drop(self.root)
            self._new_tree()
            self._fresh = True
            return SpareTree(self.root, {})

    def _new_tree(self) -> None:
        """An empty staging folder, marked at once: a build killed before it publishes
        leaves a folder the next build knows as its own (see output.replaceable)."""
        self.root.mkdir(parents=True)
        _create(self.root / MARKER, MARKER_TEXT)

    def _drop(self, path: Path) -> None:
        """Remove what is at `path`. A tree that resists (after `chmod -R a-w site` it comes
        back here as the spare) has its folders made writable first; what still cannot be
        removed (immutable files, another user's) is set aside as `.site.1.old` beside the
        output, for a person to delete. Only when even that fails does the build stop."""
        try:
            _remove(path)
            return
        except OSError:
            pass
        try:
            _make_writable(path)
            _remove(path)
            return
        except OSError:
            pass
        number = 1
        while os.path.lexists(aside := path.parent / f".{self.output.name}.{number}.old"):
            number += 1
        try:
            os.rename(path, aside)
        except OSError as error:
            raise OutputRefused("output_stuck", path, problem=error.strerror) from None

    def _place(self, rel: str, make: Callable[[Path], None]) -> None:
        """Make a new file at `rel`. What the spare tree had there is replaced, not changed
        in place: it may have another name (a tree from an older engine held hard links to
        cache entries)."""
        rel = _checked(rel)
        self._spare.forget(rel)
        path = self.root / rel
        if self._spare.files.pop(rel, None) is not None:  # surveyed: a file of ours, no link
            _unlink_quietly(path)
        try:
            make(path)
        except FileNotFoundError:  # in a folder this build adds
            _make_folders(self.root, path)
            make(path)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):  # an older file is there
            _clear_way(self.root, path)
            make(path)

    def _sweep(self) -> None:
        """Delete what the spare tree has and this build does not, then the emptied folders."""
        emptied = set(self._spare.empty_folders)
        for rel, stamp in self._spare.files.items():
            if rel not in self._wanted and _remove_if_unchanged(self.root / rel, stamp):
                emptied.add(posixpath.dirname(rel))
        for rel in emptied:
            _remove_empty_folders(self.root, rel)

    def _records(self) -> dict[str, FileRecord]:
        """Every file of this build with its key and stamp; only new files need a stat."""
        records = {}
        for rel, key in self._wanted.items():
            if self._spare.holds(rel, key):
                records[rel] = self._spare.records[rel]
            else:
                records[rel] = FileRecord(key, Stamp.of(os.lstat(self.root / rel)))
        return records

    def _swap(self) -> None:
        # Two renames: the old site is whole until the first, the new one whole after the
        # second; in between (microseconds) the output path is briefly absent.
        if is_real_folder(self.output):
            os.rename(self.output, self._spare_folder)
        else:
            _remove(self.output)
        try:
            os.rename(self.root, self.output)
        except OSError:
            if is_real_folder(self._spare_folder) and not os.path.lexists(self.output):
                os.rename(self._spare_folder, self.output)
            raise


def _checked(rel: str) -> str:
    """`rel` as one spelling, refused if it would leave the site. A lexical check is
    enough: the trees hold no links (the survey removes any it finds)."""
    normal = posixpath.normpath(rel)
    if normal.startswith(("/", "../")) or normal in (".", ".."):
        raise ValueError(f"refusing to write outside the site: {rel}")
    return normal


def _create(path: Path, data: bytes) -> None:
    with open(path, "xb") as file:  # "x": fail rather than write into an existing file
        file.write(data)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:  # gone, or a folder now: `_place` clears the way
        pass


def _make_folders(root: Path, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a file, or a dangling link, where a folder goes
        _clear_way(root, path)


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
    _remove(path)
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


def _remove_if_unchanged(path: Path, stamp: Stamp) -> bool:
    """Delete the spare tree's file unless something new took its place (a folder of this
    build, or a file written under another spelling on a case-insensitive disk)."""
    try:
        if Stamp.of(os.lstat(path)) != stamp:
            return False
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _remove_empty_folders(root: Path, rel: str) -> None:
    while rel:
        try:
            os.rmdir(root / rel)
        except OSError:  # not empty: it holds files of this build
            return
        rel = posixpath.dirname(rel)


def _remove(path: Path) -> None:
    if is_real_folder(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
