"""Stage 2: find the source files of a site, in a stable order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# kind -> (folder under content/, glob); news and documents may be grouped in sub-folders
CONTENT_KINDS = {
    "news": ("news", "**/*.md"),
    "page": ("pages", "*.md"),
    "document": ("documents", "**/*.md"),
}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str
    rel: str  # path relative to the site root, as shown to editors


def discover(root: Path) -> list[SourceFile]:
    found = []
    for kind, (folder, pattern) in CONTENT_KINDS.items():
        base = root / "content" / folder
        for path in sorted(base.glob(pattern)):
            if path.is_file() and not path.name.startswith((".", "_")):
                found.append(SourceFile(path, kind, path.relative_to(root).as_posix()))
    return found
