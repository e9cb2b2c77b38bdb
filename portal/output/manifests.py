"""What each built output tree holds, file by file, kept in `.cache/trees/`."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import NamedTuple

from ..cache import Stamp, kind_of, read_entry, remove_quietly, write_atomically

MANIFEST_FORMAT = 2  # 2: trees of format 1 held hard links into the cache


class FileRecord(NamedTuple):
    key: str  # the content key it was written from: a page's cache key, a file's bytes_key
    stamp: Stamp


_MANIFEST_NAME = re.compile(r"[0-9]+-[0-9]+\.json(\.[0-9]+\.tmp)?")


class TreeManifests:
    """What each built tree of one output folder holds, file by file:
    `.cache/trees/<output name>-<hash of its path>/<device>-<inode>.json`.

    A tree is named by its folder's inode, which the renames of publishing keep, so that a
    manifest follows its tree from staging to published to spare without being moved.
    A manifest only vouches for files whose stamp still matches, so a stale or wrong one
    costs rewrites, never a wrong site. `folder=None` (no cache) records nothing.
    """

    def __init__(self, folder: Path | None, output: Path):
        output = output.resolve()
        name = f"{output.name}-{hashlib.sha1(os.fsencode(output)).hexdigest()[:12]}"
        self.folder = folder / name if folder else None
        self.output = output

    def load(self, tree: Path) -> dict[str, FileRecord]:
        path = self._path(tree)
        try:
            saved = json.loads(read_entry(path)) if path else {}
            if saved.get("format") != MANIFEST_FORMAT:
                return {}
            return {rel: FileRecord(key, Stamp(size, mtime_ns, inode))
                    for rel, (key, size, mtime_ns, inode) in saved["files"].items()}
        except (OSError, ValueError, LookupError, TypeError, AttributeError):
            return {}  # missing or damaged: trust nothing, rewrite everything

    def save(self, tree: Path, records: dict[str, FileRecord]) -> None:
        path = self._path(tree)
        if path is None:
            return
        files = {rel: [record.key, *record.stamp] for rel, record in sorted(records.items())}
        data = json.dumps({"format": MANIFEST_FORMAT, "output": str(self.output), "files": files},
                          separators=(",", ":"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        write_atomically(path, data.encode("utf-8"))

    def keep_only(self, trees: list[Path]) -> None:
        """Drop the manifests of trees that are gone (only names this class writes)."""
        if self.folder is None or kind_of(self.folder) != "folder":
            return
        live = {path.name for path in map(self._path, trees) if path is not None}
        for manifest in os.listdir(self.folder):
            if _MANIFEST_NAME.fullmatch(manifest) and manifest not in live:
                remove_quietly(self.folder / manifest)

    def _path(self, tree: Path) -> Path | None:
        if self.folder is None or kind_of(self.folder) == "other":
            return None
        try:
            stat_result = os.stat(tree)
        except OSError:
            return None
        return self.folder / f"{stat_result.st_dev}-{stat_result.st_ino}.json"
