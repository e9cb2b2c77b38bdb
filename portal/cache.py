"""The content-hash cache in `.cache/`: safe to delete, shared between CI runs.

Entries are named by the hash of everything that went into them, so an entry is
either exactly right or never looked up; nothing is ever invalidated by guessing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def content_key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()


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
