"""Where a build puts its files: the interface every stage writes through, and the
writer that keeps the site in memory (tests, `serve`). The disk writer, which builds a
staging tree and swaps it in, is the output stage's (output/write.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .cache import Stamp, bytes_key
from .paths import MARKER, MARKER_TEXT


class Writer:
    """Where rendered files go. `root` is a folder workers may write into, or None."""

    root: Path | None = None

    def expect(self, rel: str, key: str) -> bool:
        """Note that the site has `rel` with the content `key`. True when the folder being
        written holds exactly that already, so that nothing need be rendered or written."""
        return False

    def write(self, rel: str, data: bytes, key: str | None = None) -> None:
        """`key` names the content (a page's cache key); by default, the bytes' hash."""
        raise NotImplementedError

    def copy(self, rel: str, source: Path) -> None:
        self.write(rel, source.read_bytes())

    def read(self, rel: str) -> bytes:
        """A file this build has written, for stages that post-process pages (search)."""
        raise NotImplementedError

    def publish(self) -> None:
        """Make the written files the site, marked as the build's own."""
        self.write(MARKER, MARKER_TEXT)

    def discard(self) -> None:
        """Forget what was written; the previous site stays as it was."""


class MemoryWriter(Writer):
    """The site in memory: for tests, and for `serve`, which keeps one between builds
    and serves from it. `files` is the last published site (static files as the path
    to read them from); it is replaced whole when a build publishes, so that a request
    served meanwhile sees the old site or the new one, never a mix."""

    def __init__(self) -> None:
        self.files: dict[str, bytes | Path] = {}
        self._keys: dict[str, str] = {}  # the published files' content keys
        self._next: dict[str, bytes | Path] = {}
        self._wanted: dict[str, str] = {}

    def expect(self, rel: str, key: str) -> bool:
        self._wanted[rel] = key
        return self._keys.get(rel) == key and rel in self.files

    def write(self, rel: str, data: bytes, key: str | None = None) -> None:
        self._wanted[rel] = key or bytes_key(data)
        self._next[rel] = data

    def copy(self, rel: str, source: Path) -> None:
        """Static files are read when served: a portal's PDFs need not sit in memory. Kept
        as the real path the walk vetted, so that a link put in its place later is seen."""
        real = Path(os.path.realpath(source))
        key = bytes_key(f"{real}\0{Stamp.of(real.stat())}".encode("utf-8", "surrogateescape"))
        if not self.expect(rel, key):
            self._next[rel] = real

    def read(self, rel: str) -> bytes:
        data = self._next.get(rel, self.files.get(rel))
        return read_kept(data) if isinstance(data, Path) else data

    def publish(self) -> None:
        super().publish()
        self.files = {rel: self._next.get(rel, self.files.get(rel)) for rel in self._wanted}
        self._keys, self._next, self._wanted = self._wanted, {}, {}

    def discard(self) -> None:
        self._next, self._wanted = {}, {}


def read_kept(real: Path) -> bytes:
    """A static file kept by its real path: refused (OSError) if a link has since been put
    anywhere on the way, so that nothing outside the portal is ever served."""
    if os.path.realpath(real) != str(real):
        raise FileNotFoundError(real)
    descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise FileNotFoundError(real)
        return file.read()
