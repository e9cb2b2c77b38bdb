"""The search index's files kept whole in the cache, one bundle per index key."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..cache import KEY_PATTERN, LEFTOVER_PATTERN, create_file, kind_of, read_entry, real_files, remove_path, remove_quietly, seal, sha256_of, unseal

_BUNDLE_MANIFEST = "manifest"
_BUNDLE_FILES = "files"


class Bundles:
    """Sets of files stored whole under one key (`.cache/search/bundles/<key>/`): the files
    under `files/` and a sealed manifest of their SHA-256. A bundle is used only when every
    file it lists is there, a real file, with its checksum; otherwise it is a miss."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def load(self, key: str) -> dict[str, bytes] | None:
        bundle = self._usable_folder()
        if bundle is None or kind_of(bundle / key) != "folder":
            return None
        try:
            listed = json.loads(unseal(read_entry(bundle / key / _BUNDLE_MANIFEST)) or b"")
            found = real_files(bundle / key / _BUNDLE_FILES)
            if not isinstance(listed, dict) or set(listed) != set(found):
                return None
            files = {name: read_entry(found[name]) for name in sorted(listed)}
        except (OSError, ValueError):  # missing, unreadable, not JSON
            return None
        intact = all(sha256_of(data) == listed[name] for name, data in files.items())
        return files if intact else None

    def store(self, key: str, files: dict[str, bytes]) -> None:
        """Written as a temporary folder, then renamed, so that a killed build never leaves
        half a bundle under a real key."""
        folder = self._usable_folder()
        if folder is None:
            return
        temporary = folder / f"{key}.{os.getpid()}.tmp"
        try:
            remove_path(temporary)
            (temporary / _BUNDLE_FILES).mkdir(parents=True)
            for name, data in files.items():
                path = temporary / _BUNDLE_FILES / name
                path.parent.mkdir(parents=True, exist_ok=True)
                create_file(path, data)
            manifest = {name: sha256_of(data) for name, data in sorted(files.items())}
            create_file(temporary / _BUNDLE_MANIFEST, seal(json.dumps(manifest).encode("utf-8")))
            remove_path(folder / key)
            os.replace(temporary, folder / key)
        except OSError:
            remove_quietly(temporary)

    def keep_only(self, keys: set[str]) -> None:
        """Drop bundles not in `keys`: only key-named folders, never anything else there."""
        folder = self._usable_folder()
        if folder is None or kind_of(folder) != "folder":
            return
        for old in os.listdir(folder):
            if (KEY_PATTERN.fullmatch(old) or LEFTOVER_PATTERN.fullmatch(old)) and old not in keys:
                remove_quietly(folder / old)

    def _usable_folder(self) -> Path | None:
        """The bundles folder, made if missing; None when it is a link or a file."""
        if self.folder is None or kind_of(self.folder) == "other":
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return self.folder
