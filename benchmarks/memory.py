"""Peak memory of a build's whole process tree (Python, its workers, Pagefind).

Two figures, because neither alone answers "how much memory does a build need":

- ``largest_process_mb``: from the rusage that ``os.wait4`` returns for the build's
  process. Linux folds in the peak of every descendant it waited for (workers, the
  Pagefind child), so this is the peak of the biggest *single* process of the tree.
  ``RUSAGE_CHILDREN`` says the same but as a running maximum over every child this
  script ever had, so after the first build it no longer describes one build.
- ``TreeSampler.peak_mb``: the largest *sum* of resident memory over the tree, read
  from /proc every 20 ms. It is what the machine must hold when Python and Pagefind
  (or several workers) are alive at once; a spike shorter than a sample can be missed,
  so it is a lower bound. Linux only (None elsewhere).

Standard library only.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

PROC = Path("/proc")
SAMPLE_SECONDS = 0.02
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def largest_process_mb(maxrss: int) -> float:
    # Linux reports kilobytes, macOS bytes.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return maxrss / divisor


def tree_pids(root: int) -> list[int]:
    """The root and its descendants now alive (threads' children included)."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for task in (PROC / str(pid) / "task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue  # the task ended while we looked
    return found


def resident_bytes(pid: int) -> int:
    try:
        fields = (PROC / str(pid) / "statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE_BYTES


class TreeSampler:
    """Samples the summed RSS of a process tree in a thread until stopped."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.available = (PROC / str(pid) / "task").is_dir()

    def __enter__(self) -> "TreeSampler":
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        if self.available:
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = sum(resident_bytes(pid) for pid in tree_pids(self.pid))
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(SAMPLE_SECONDS)

    @property
    def peak_mb(self) -> float | None:
        return self.peak_bytes / (1024 * 1024) if self.available else None
