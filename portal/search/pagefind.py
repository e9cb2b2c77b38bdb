"""Pagefind itself: finding its binary and its version, and running it on shards.

Pagefind is run as its command line (`pagefind --site … --output-path …`), one process
per shard needing it, one at a time (its memory, not its speed, is the limit: it uses both
cores itself), on the indexed copies written to a temporary folder, the next shard's
copies written while the last is indexed. Pagefind's Python API was tried first: it
answers one call per 0.1 s (its reader polls), which is seconds for a dozen shards, and
its `get_files` answer outgrows the API's 2 MiB pipe buffer on a large site.

What goes wrong is raised as a `PagefindFailure` naming a message of the locale files
(`errors:` section), so that the build can tell the editor in their language.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

# Bundle files for Pagefind's ready-made interfaces; our search page uses its JS API only.
UNUSED_BUNDLE_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.",
                       "pagefind-highlight.")
# Pagefind's code, which the search page loads from the primary shard only: the others
# are merged into it (their entry, meta, index and fragments are read).
RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.")
SECONDS_PER_PAGE = 0.02  # with a fixed minute, how long Pagefind may take before it is given up
SECONDS_AT_LEAST = 60


class PagefindFailure(Exception):
    """Pagefind could not make a bundle. `key` names a message in the locale files'
    `errors:` section; `params` fill it."""

    def __init__(self, key: str, **params: object):
        super().__init__(key, params)
        self.key, self.params = key, params


@dataclass(frozen=True)
class _Run:
    """One shard's Pagefind, running."""

    shard: str
    process: subprocess.Popen
    seconds: float  # how long it may take
    deadline: float  # when that is up (time.monotonic)


def run_pagefind(shards: dict[str, Iterable[tuple[str, str]]]
                 ) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Index each shard's copies (site path, HTML), one Pagefind at a time, while the next
    shard's copies are written; yield each shard's bundle files by name once made."""
    if not shards:
        return
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="portal-search-") as folder:
        running: _Run | None = None
        try:
            for shard, copies in [*shards.items(), ("", ())]:
                count = _write_copies(Path(folder, "pages", shard), copies) if shard else 0
                if running:
                    yield running.shard, _finish(running, Path(folder))
                running = _start(binary, Path(folder), shard, count) if shard else None
        finally:  # the build failed meanwhile: no Pagefind is left running
            if running and running.process.poll() is None:
                running.process.kill()
                running.process.wait()


def _start(binary: str, folder: Path, shard: str, pages: int) -> _Run:
    """Pagefind's command line on one shard's copies. (Its Python API waits ~0.1 s per
    call: seconds for a dozen shards.)"""
    try:
        process = subprocess.Popen([binary, "--site", str(folder / "pages" / shard),
                                    "--output-path", str(folder / "bundles" / shard), "--silent"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise PagefindFailure("search_index_pagefind_missing", binary=binary) from None
    except OSError as failure:  # not a program, or not one we may run
        raise PagefindFailure("search_index_pagefind_not_started", binary=binary,
                              problem=failure.strerror or failure) from None
    seconds = SECONDS_AT_LEAST + SECONDS_PER_PAGE * pages
    return _Run(shard, process, seconds, time.monotonic() + seconds)


def _finish(run: _Run, folder: Path) -> dict[str, bytes]:
    """Wait for a shard's Pagefind; its bundle's files, and its temporary files removed."""
    process, shard = run.process, run.shard
    try:
        _, said = process.communicate(timeout=max(0.1, run.deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise PagefindFailure("search_index_pagefind_timeout", seconds=round(run.seconds)) from None
    if process.returncode != 0:
        last = (said.decode("utf-8", "replace").strip().splitlines() or [""])[-1].strip()
        if last:
            raise PagefindFailure("search_index_pagefind_failed", status=process.returncode, output=last)
        raise PagefindFailure("search_index_pagefind_failed_silently", status=process.returncode)
    files = {name: data for name, data in _made_files(folder / "bundles" / shard).items()
             if not name.startswith(UNUSED_BUNDLE_FILES)}
    shutil.rmtree(folder / "pages" / shard, ignore_errors=True)
    shutil.rmtree(folder / "bundles" / shard, ignore_errors=True)
    return files


def _write_copies(folder: Path, copies: Iterable[tuple[str, str]]) -> int:
    count = 0
    for rel, html in copies:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        count += 1
    return count


def pagefind_binary() -> str:
    """The binary of the `pagefind[bin]` package (or $PAGEFIND_BINARY_PATH)."""
    try:  # imported here, so that a broken install costs the search only
        from pagefind.service import get_executable
    except ImportError:
        raise PagefindFailure("search_index_no_pagefind") from None
    binary = get_executable()
    if binary is None:
        raise PagefindFailure("search_index_no_pagefind")
    return str(binary)


def _made_files(folder: Path) -> dict[str, bytes]:
    """The files Pagefind wrote into our temporary folder, by their path in the bundle."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def version_tuple(version: str) -> tuple[int, ...]:
    """(1, 6, 0) from "1.6.0" or "pagefind 1.6.0"; () when it says no version."""
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    return tuple(int(part) for part in found.groups() if part is not None) if found else ()


def pagefind_version() -> str:
    """The version of the binary that would run: it names the cached bundles. That of the
    `pagefind_bin` package, or, when $PAGEFIND_BINARY_PATH names another binary (Pagefind
    1.6 from npm, say), what that binary says (importing the `pagefind` package to ask it
    would cost a warm build 0.1 s)."""
    return _version_of(os.environ.get("PAGEFIND_BINARY_PATH"))


@functools.lru_cache(maxsize=4)  # asked for by the shards and the index keys of every build
def _version_of(other: str | None) -> str:
    if not other:
        try:
            return metadata.version("pagefind_bin")
        except metadata.PackageNotFoundError:
            return "unknown"
    try:
        done = subprocess.run([other, "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):  # no such binary: indexing will say why
        return "unknown"
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else "unknown"
