"""Discover: find the source files of a site, in a stable order.

Content, static files and theme assets are data that editors commit, and Git stores
links: `static/env.txt -> /proc/self/environ` would publish the build machine's
environment. So every folder is walked by `paths.walk_folder`, which does not follow
links blindly: a link (to a file or a folder) that resolves outside the portal's folder,
into a hidden part of it (`.git`, whose config may hold the CI's token, `.cache`) or
into a built site, is reported here as a content error and never read; one that stays
inside is followed, once per folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ErrorLog
from ..paths import MAX_FOLDER_DEPTH, Walk, walk_folder

# kind -> (folder under content/, whether sub-folders count); news and documents may
# be grouped in sub-folders, pages may not
CONTENT_KINDS = {
    "news": ("news", True),
    "page": ("pages", False),
    "document": ("documents", True),
}
# Data folders whose every file is published or read: checked for links that leave.
PUBLISHED_FOLDERS = ("static", "templates/assets")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: str
    rel: str  # path relative to the site root, as shown to editors


def discover(root: Path, errors: ErrorLog) -> list[SourceFile]:
    """The content files, in a stable order. Links that leave the portal, in content
    and in the published folders, are reported to `errors`."""
    found = []
    for kind, (folder, nested) in CONTENT_KINDS.items():
        walked = root / "content" / folder
        walk = walk_folder(walked, root, nested)
        report_outside(walk, errors)
        # found files are relative to the folder walked: one prefix makes them relative
        # to the root, without a Path operation per file (10,000 of them cost 0.3 s)
        prefix = walked.relative_to(root).as_posix() + "/"
        found += [SourceFile(f.path, kind, prefix + f.rel)
                  for f in walk.files if f.path.suffix == ".md" and not _hidden(f.path.name)]
    for folder in PUBLISHED_FOLDERS:
        report_outside(walk_folder(root / folder, root), errors)
    return found


def report_outside(walk: Walk, errors: ErrorLog) -> None:
    for path in walk.outside:
        errors.add(path, "outside_portal")
    for path in walk.too_deep:
        errors.add(path, "folder_too_deep", max=MAX_FOLDER_DEPTH)


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))
