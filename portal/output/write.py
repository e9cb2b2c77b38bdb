"""The write stage's disk writer: it builds the site into a staging folder next to the
output and swaps it in only when everything succeeded. (The memory writer, for tests
and `serve`, is the data layer's: writer.py.)

The staging folder starts as the tree the last build replaced, brought up to date file
by file (spare.py says why and how); the low-level disk work is disk.py's.

Published files are the build's own copies, never hard links to cache entries: the
cache is data anyone may edit, and must not be able to change the site behind the
build's back. Every tree holds the marker file (`paths.MARKER`) that lets the next
build know the folder is its own to replace.
"""

from __future__ import annotations

import os
import posixpath
import shutil

from ..cache import Stamp, bytes_key, create_file, remove_path
from ..errors import OutputRefused
from ..paths import is_real_folder
from ..writer import Writer
from .claim import OutputClaim
from .disk import (WorkFolders, drop, overwrite, place, remove_empty_folders,
                   remove_if_unchanged, within_tree)
from .manifests import FileRecord, TreeManifests
from .spare import look_at_published, take_spare


class DiskWriter(Writer):
    """Writes into `.<output>.staging`, which starts as the previous build's tree (or a
    new folder), then swaps it in with two renames and keeps the replaced tree as the
    spare for the next build. Forked workers can write through a copy of this object:
    only the parent's `expect` calls are recorded."""

    def __init__(self, claim: OutputClaim, manifests: TreeManifests):
        self.output = claim.output  # checked and locked: see claim.claim_output
        self._folders = WorkFolders(self.output)
        self.root = self._folders.staging
        self._manifests = manifests
        self._spare = take_spare(self._folders, manifests)
        # With no spare tree (the first build after a clean one), the published site is
        # looked at instead: files it holds as wanted are copied at the end, and when it
        # holds everything the build wants, nothing is written and nothing swapped.
        self._published = look_at_published(self.output, manifests) if self._spare.fresh else None
        self._borrowed: set[str] = set()
        self._all_held = True
        self._wanted: dict[str, str] = {}  # every file of this build -> its content key

    def expect(self, rel: str, key: str) -> bool:
        return self._expect(_checked(rel), key)

    def write(self, rel: str, data: bytes, key: str | None = None) -> None:
        rel = _checked(rel)
        if self._expect(rel, key or bytes_key(data)):
            return
        path = self.root / rel
        if self._spare.vacate(rel) and overwrite(path, data):
            return
        place(self.root, path, lambda new: create_file(new, data))

    def read(self, rel: str) -> bytes:
        rel = _checked(rel)
        return ((self.output if rel in self._borrowed else self.root) / rel).read_bytes()

    def publish(self) -> None:
        super().publish()
        if self._unchanged():
            drop(self.root, self._folders)  # the published site is this build's already
            return
        self._copy_borrowed()
        self._sweep()
        records = self._records()
        if records != self._spare.loaded:  # a build that changed nothing need not say so
            self._manifests.save(self.root, records)
        self._swap()
        self._manifests.keep_only([self.output, self._folders.spare])

    def discard(self) -> None:
        # Kept as the spare: files this build replaced have new stamps, so the tree's
        # manifest no longer vouches for them and the next build rewrites them.
        if not is_real_folder(self.root):
            return
        if not os.path.lexists(self._folders.spare):
            os.rename(self.root, self._folders.spare)
            return
        try:
            drop(self.root, self._folders)
        except OutputRefused:  # the next build tries again, and says so if it cannot
            pass

    def _expect(self, rel: str, key: str) -> bool:
        """`expect` for a path already checked."""
        self._wanted[rel] = key
        if self._spare.holds(rel, key):
            return True
        if self._published is not None and self._published.holds(rel, key):
            self._borrowed.add(rel)
            return True
        self._all_held = False
        return False

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
            place(self.root, path,
                  lambda new: shutil.copyfile(self.output / rel, new, follow_symlinks=False))
            self._spare.adopt(rel, self._published.records[rel]._replace(
                stamp=Stamp.of(os.lstat(path))))

    def _sweep(self) -> None:
        """Delete what the spare tree has and this build does not, then the emptied folders."""
        emptied = set(self._spare.empty_folders)
        for rel, stamp in self._spare.files.items():
            if rel not in self._wanted and remove_if_unchanged(self.root / rel, stamp):
                emptied.add(posixpath.dirname(rel))
        for rel in emptied:
            remove_empty_folders(self.root, rel)

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
        spare = self._folders.spare
        if is_real_folder(self.output):
            os.rename(self.output, spare)
        else:
            remove_path(self.output)
        try:
            os.rename(self.root, self.output)
        except OSError:
            if is_real_folder(spare) and not os.path.lexists(self.output):
                os.rename(spare, self.output)
            raise


def _checked(rel: str) -> str:
    """`rel` as one spelling, refused if it would leave the site. A lexical check is
    enough: the trees hold no links (the survey removes any it finds)."""
    normal = within_tree(rel)
    if normal is None:
        raise ValueError(f"refusing to write outside the site: {rel}")
    return normal
