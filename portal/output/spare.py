"""The spare tree: the tree the last build replaced, kept to become the next build's
staging folder.

Writing twelve thousand pages, each in its own folder, costs seconds on a slow disk,
and so does deleting them. So the tree a build replaces is not deleted: it is kept
beside the output (`.site.spare`) and becomes the next build's staging folder,
brought up to date file by file. A manifest per tree (`TreeManifests`) says which
content each file was written from; a file is left alone only when its manifest entry
has the wanted key and the file on disk still has the recorded size, mtime and inode.
Everything else the tree holds is rewritten or deleted (write.py), so the result is the
same as writing a fresh tree. A spare tree the build cannot update (folders made
read-only, files marked immutable) is dropped and the site written anew: it must never
fail the builds after it.

With no spare tree (the first build after a clean one), the published site is surveyed
the same way, read-only, so that the files it already holds as wanted need not be
written again.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..cache import Stamp, create_file
from ..paths import MARKER, MARKER_TEXT, is_real_folder
from .disk import WorkFolders, drop
from .manifests import FileRecord, TreeManifests


class StuckTree(Exception):
    """A tree the build cannot update: a folder it may not write, a file it may not delete."""


class SpareTree:
    """An earlier build's tree, surveyed once before it is brought up to date. Raises
    `StuckTree` for a tree the build could not update."""

    def __init__(self, root: Path, records: dict[str, FileRecord], read_only: bool = False,
                 fresh: bool = False):
        self.read_only = read_only  # the published site: looked at, never changed
        self.fresh = fresh  # made empty for this build: there was no earlier tree to update
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
        """What the manifest says of `rel` no longer counts."""
        self.records.pop(rel, None)

    def vacate(self, rel: str) -> bool:
        """`rel` is being written anew: whatever was there no longer counts. True when it
        was a file with no other name, which may be written over in place; one with
        another name is replaced, not changed (a tree from an older engine held hard
        links to cache entries). A new mtime and size make the file's stamp new, so a
        build killed half-way leaves nothing the manifest would vouch for."""
        self.forget(rel)
        self.files.pop(rel, None)
        if rel not in self.own:
            return False
        self.own.discard(rel)
        return True

    def adopt(self, rel: str, record: FileRecord) -> None:
        """`rel` now holds what `record` says (a file copied in from the published site)."""
        self.records[rel] = record
        self.files[rel] = record.stamp

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


def take_spare(folders: WorkFolders, manifests: TreeManifests) -> SpareTree:
    """The tree to bring up to date, moved to the staging folder: the spare (the site
    before last), else one a killed build left as staging, else a new folder. Anything
    else by those names (a link, a file, a second tree) is removed, and so is a tree the
    build cannot update."""
    staging = folders.staging
    fresh = False
    if is_real_folder(folders.spare):
        drop(staging, folders)
        os.rename(folders.spare, staging)
    else:
        drop(folders.spare, folders)
        if not is_real_folder(staging):
            drop(staging, folders)
            _new_tree(staging)
            fresh = True
    try:
        return SpareTree(staging, manifests.load(staging), fresh=fresh)
    except StuckTree:
        drop(staging, folders)
        _new_tree(staging)
        return SpareTree(staging, {}, fresh=True)


def look_at_published(output: Path, manifests: TreeManifests) -> SpareTree | None:
    """The published site, surveyed and never changed, or None when there is none or the
    build could not have updated it."""
    if not is_real_folder(output):
        return None
    try:
        return SpareTree(output, manifests.load(output), read_only=True)
    except (StuckTree, OSError):
        return None


def _new_tree(folder: Path) -> None:
    """An empty staging folder, marked at once: a build killed before it publishes
    leaves a folder the next build knows as its own (see claim.replaceable)."""
    folder.mkdir(parents=True)
    create_file(folder / MARKER, MARKER_TEXT)
