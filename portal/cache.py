"""The content-hash cache in `.cache/`: safe to delete, and never trusted.

Entries are named by the hash of everything that went into them, so an entry is
either exactly right or never looked up; nothing is ever invalidated by guessing.
`.cache/trees/` records what each built output tree holds (output/manifests.py).

The cache is data, like content: CI restores it from earlier runs, a disk can cut a file
short, anything can write there. So every entry carries the SHA-256 of its payload,
checked on each read: a truncated, garbled, foreign or old-format entry is a miss, made
again and replaced, never published and never fatal. A checksum catches damage, not
forgery: whoever can write the cache can write well-formed entries. Hence Markdown output
read back is sanitized again (pipeline), and CI gives the publishing job a cache that
no other branch's job writes (.gitlab-ci.yml, .github/workflows/publish.yml).

The cache reads, writes and deletes only inside real folders of the portal
(`cache_folder`): a `.cache` that is a link, or leads outside the portal, is not used,
and pruning deletes only names it would have written itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from pathlib import Path
from typing import NamedTuple

from .paths import inside

CACHE_DIR = ".cache"
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a page is ~11 KB, a search index chunk a few MB
# Starts every entry, before the SHA-256 of its payload. Bump to make every older entry a miss.
ENTRY_HEADER = b"portal-cache/2 "
_DIGEST_LENGTH = 64  # hex digits of a SHA-256
KEY_PATTERN = re.compile(r"[0-9a-f]{40}")  # content_key and bytes_key: SHA-1 in hex
_SHARD = re.compile(r"[0-9a-f]{2}")
LEFTOVER_PATTERN = re.compile(r"[0-9a-f]{40}\.[0-9]+\.tmp")  # what a killed build may leave


def content_key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()


def bytes_key(data: bytes) -> str:
    """The key of a file that is its own input (a static file, a theme asset)."""
    return hashlib.sha1(data).hexdigest()


def cache_folder(root: Path, name: str) -> Path | None:
    """`root/.cache/<name>`, or None when it must not be used: `.cache` or the folder is a
    link or not a folder, or leads outside the portal. A link committed to Git, or left by
    a CI cache, would otherwise make the build read, write and prune somebody else's files."""
    folder = root / CACHE_DIR / name
    if kind_of(folder.parent) == "other" or kind_of(folder) == "other":
        return None
    return folder if inside(folder, root) else None


def seal(payload: bytes) -> bytes:
    """An entry as stored: a header with the payload's SHA-256, then the payload."""
    return ENTRY_HEADER + sha256_of(payload).encode("ascii") + b"\n" + payload


def unseal(entry: bytes) -> bytes | None:
    """The payload of a stored entry, or None when the entry is damaged or of another format."""
    start = len(ENTRY_HEADER) + _DIGEST_LENGTH + 1
    if not entry.startswith(ENTRY_HEADER) or entry[start - 1:start] != b"\n":
        return None
    payload = entry[start:]
    return payload if sha256_of(payload).encode("ascii") == entry[len(ENTRY_HEADER):start - 1] else None


class Cache:
    """One folder of keyed entries (`.cache/<name>/ab/abcdef…`); `folder=None` is no cache.
    Reads are checked, writes and failures to write are silent: the cache only saves work."""

    def __init__(self, folder: Path | None):
        # A link in its place (`.cache/search/tails -> elsewhere`): no cache, not a way out.
        self.folder = folder if folder is not None and kind_of(folder) != "other" else None
        self.used: set[str] = set()
        self._shards: set[str] = set()  # shard folders seen to be real folders

    def get(self, key: str) -> bytes | None:
        """The entry's payload, or None when it is missing or damaged."""
        self.used.add(key)
        shard = self._shard(key, create=False)
        if shard is None:
            return None
        try:
            return unseal(read_entry(shard / key))
        except OSError:  # missing, a link, a folder, unreadable: a miss
            return None

    def get_text(self, key: str) -> str | None:
        """The payload as UTF-8 text, or None when missing, damaged or not UTF-8."""
        data = self.get(key)
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None

    def keep(self, key: str) -> None:
        """Spare an entry from pruning although this build did not read it: the page was
        already in place in the output."""
        self.used.add(key)

    def put(self, key: str, data: bytes) -> None:
        """Store an entry, replacing whatever was there (a damaged entry included)."""
        self.used.add(key)
        shard = self._shard(key, create=True)
        if shard is not None:
            write_atomically(shard / key, seal(data))

    def prune(self, on_disk: bool = True) -> None:
        """Drop entries this build did not use, so the cache does not grow forever. Only
        names this class writes, in real shard folders, are ever deleted. A preview with
        drafts (`check --drafts`) passes `on_disk=False`: the next real build asks for
        the entries it did not use."""
        if not on_disk or self.folder is None or kind_of(self.folder) != "folder":
            return
        try:
            with os.scandir(self.folder) as shards:
                for shard in shards:
                    if _SHARD.fullmatch(shard.name) and shard.is_dir(follow_symlinks=False):
                        self._prune_shard(Path(shard.path))
        except OSError:
            pass  # pruning only saves space; the next build tries again

    def _prune_shard(self, shard: Path) -> None:
        with os.scandir(shard) as entries:
            for entry in entries:
                ours = KEY_PATTERN.fullmatch(entry.name) or LEFTOVER_PATTERN.fullmatch(entry.name)
                if (ours and entry.name.startswith(shard.name) and entry.name not in self.used
                        and not entry.is_dir(follow_symlinks=False)):
                    os.unlink(entry.path)  # a file, or a link (the link goes, not its target)

    def _shard(self, key: str, create: bool) -> Path | None:
        """The real folder that holds `key`'s entry; with `create`, made if missing, and a
        link or file in its place removed (it lies inside the cache folder, checked)."""
        if self.folder is None:
            return None
        shard = self.folder / key[:2]
        if key[:2] in self._shards:
            return shard
        kind = kind_of(shard)
        if kind != "folder":
            if not create:
                return None
            try:
                if kind == "other":
                    os.unlink(shard)
                shard.mkdir(parents=True, exist_ok=True)
            except OSError:
                return None
        self._shards.add(key[:2])
        return shard


class KeptCache(Cache):
    """A cache that `serve` keeps in memory between builds, over the one on disk: an
    edit that changes the sidebar splices every page's body anew, and reading ten
    thousand bodies back from disk would cost more than the edit."""

    def __init__(self, folder: Path | None):
        super().__init__(folder)
        self.memory: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        self.used.add(key)
        if key not in self.memory:
            data = super().get(key)
            if data is None:
                return None
            self.memory[key] = data
        return self.memory[key]

    def put(self, key: str, data: bytes) -> None:
        self.memory[key] = data
        super().put(key, data)

    def prune(self, on_disk: bool = True) -> None:
        """Forget what this build did not use, here and (unless told not to) on disk."""
        super().prune(on_disk)
        self.memory = {key: data for key, data in self.memory.items() if key in self.used}
        self.used = set()


class Stamp(NamedTuple):
    """How a file looked on disk. Writing a file anew gives it a new inode and mtime, so
    a file whose stamp is unchanged still holds what was recorded for it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, stat_result: os.stat_result) -> Stamp:
        return cls(stat_result.st_size, stat_result.st_mtime_ns, stat_result.st_ino)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kind_of(path: Path) -> str:
    """"folder" (a real one), "absent", or "other" (a link, a file, anything else)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "absent"
    except OSError:
        return "other"
    return "folder" if stat.S_ISDIR(mode) else "other"


def read_entry(path: Path) -> bytes:
    """A real file's bytes; a link in its place is an error, not followed."""
    # O_NONBLOCK: a named pipe planted in the cache must not hang the build.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(path)
        if info.st_size > MAX_ENTRY_BYTES:  # no entry the build writes is this big
            raise OSError(f"{path}: {info.st_size} bytes")
        return file.read(MAX_ENTRY_BYTES + 1)


def real_files(folder: Path) -> dict[str, Path]:
    """Every real file under a real folder, by its path relative to it; links (to files
    or folders) are not followed, so they are missing here."""
    if kind_of(folder) != "folder":
        return {}
    found = {}
    for parent, _, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(parent, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                found[path.relative_to(folder).as_posix()] = path
    return found


def create_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as file:  # "x": fail rather than write through a link
        file.write(data)


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary name, so that a killed build never leaves half a file;
    whatever stood at `path` (a damaged entry, a link, a folder) is replaced. A failure
    (a full disk, a read-only cache) is ignored: the cache only saves work."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        remove_path(temporary)
        create_file(temporary, data)
        try:
            os.replace(temporary, path)
        except OSError:  # a folder (or something) in the way
            remove_path(path)
            os.replace(temporary, path)
    except OSError:
        remove_quietly(temporary)


def remove_path(path: Path) -> None:
    """Delete a file, a link (not its target) or a real folder with what it holds."""
    kind = kind_of(path)
    if kind == "folder":
        shutil.rmtree(path)
    elif kind == "other":
        os.unlink(path)


def remove_quietly(path: Path) -> None:
    try:
        remove_path(path)
    except OSError:
        pass
