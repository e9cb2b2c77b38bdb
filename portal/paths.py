"""Paths taken from data (content, static files, the weather file, the cache) stay inside
the portal's folder: a link committed to Git (`static/env.txt -> /proc/self/environ`)
must never make the build read, publish, write or delete anything outside it."""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every link on the way resolved, is within `root`.

    A link that stays inside the portal is fine; a loop or an unreadable path is not."""
    try:
        return path.resolve(strict=False).is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte, a dead mount
        return False
