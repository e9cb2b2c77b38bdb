"""The content-hash cache in `.cache/`: safe to delete, shared between CI runs.

Entries are named by the hash of everything that went into them, so an entry is
either exactly right or never looked up; nothing is ever invalidated by guessing.
`.cache/trees/` records what each built output tree holds (see `TreeManifests`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple

MANIFEST_FORMAT = 1


def content_key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()


def bytes_key(data: bytes) -> str:
    """The key of a file that is its own input (a static file, a theme asset)."""
    return hashlib.sha1(data).hexdigest()


class Cache:
    """One folder of keyed entries (`.cache/<name>/ab/abcdef…`)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()

    def path(self, key: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        self.used.add(key)
        path = self.path(key)
        try:
            return path.read_bytes() if path else None
        except FileNotFoundError:
            return None

    def keep(self, key: str) -> None:
        """Spare an entry from pruning although this build did not read it: the page was
        already in place in the output, as a hard link to this very entry."""
        self.used.add(key)

    def has(self, key: str) -> bool:
        self.used.add(key)
        path = self.path(key)
        return bool(path and path.is_file())

    def put(self, key: str, data: bytes) -> Path | None:
        """Store an entry and return its path (None when caching is off). Written through
        a temporary name so that a killed build never leaves half an entry."""
        self.used.add(key)
        path = self.path(key)
        if path is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{key}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return path

    def prune(self) -> None:
        """Drop entries this build did not use, so the cache does not grow forever."""
        if self.folder is None or not self.folder.is_dir():
            return
        for shard in self.folder.iterdir():
            for entry in shard.iterdir():
                if entry.name not in self.used:
                    entry.unlink(missing_ok=True)


class Stamp(NamedTuple):
    """How a file looked on disk. Writing a file anew gives it a new inode and mtime, so
    a file whose stamp is unchanged still holds what was recorded for it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> Stamp:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class FileRecord(NamedTuple):
    key: str  # the content key it was written from: a page's cache key, a file's bytes_key
    stamp: Stamp


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
            saved = json.loads(path.read_bytes()) if path else {}
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
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(data, encoding="utf-8")
        os.replace(temporary, path)

    def keep_only(self, trees: list[Path]) -> None:
        """Drop the manifests of trees that are gone."""
        if self.folder is None or not self.folder.is_dir():
            return
        live = {path.name for path in map(self._path, trees) if path is not None}
        for manifest in self.folder.iterdir():
            if manifest.name not in live:
                manifest.unlink(missing_ok=True)

    def _path(self, tree: Path) -> Path | None:
        if self.folder is None:
            return None
        try:
            stat = os.stat(tree)
        except OSError:
            return None
        return self.folder / f"{stat.st_dev}-{stat.st_ino}.json"
