"""Stage 7: write the site. The disk writer builds into a staging folder next to the
output and swaps it in only when everything succeeded; the memory writer serves tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Writer:
    """Where rendered files go. `root` is a folder workers may write into, or None."""

    root: Path | None = None

    def write(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def copy(self, rel: str, source: Path) -> None:
        self.write(rel, source.read_bytes())

    def link(self, rel: str, source: Path) -> None:
        self.copy(rel, source)

    def publish(self) -> None:
        """Make the written files the site."""

    def discard(self) -> None:
        """Forget what was written; the previous site stays as it was."""


class MemoryWriter(Writer):
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, rel: str, data: bytes) -> None:
        self.files[rel] = data

    def text(self, rel: str) -> str:
        return self.files[rel].decode("utf-8")


class DiskWriter(Writer):
    def __init__(self, output: Path):
        self.output = output.resolve()
        self.root = self.output.parent / f".{self.output.name}.staging"
        self._old = self.output.parent / f".{self.output.name}.old"
        for leftover in (self.root, self._old):  # from a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        self.root.mkdir(parents=True)

    def target(self, rel: str) -> Path:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"refusing to write outside the site: {rel}")
        return path

    def write(self, rel: str, data: bytes) -> None:
        path = self.target(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        path = self.target(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    def link(self, rel: str, source: Path) -> None:
        """Hard-link a cache entry: entries are replaced, never changed in place, so the
        published file cannot change under the site; a copy where links are impossible."""
        path = self.target(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)

    def publish(self) -> None:
        # Two renames: the old site is whole until the first, the new one whole after the
        # second; in between (microseconds) the output path is briefly absent.
        if self.output.exists():
            os.rename(self.output, self._old)
        os.rename(self.root, self.output)
        shutil.rmtree(self._old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
