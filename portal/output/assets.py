"""Files copied as they are (`static/`), with the check that none of them would be
replaced by a file the build makes; the theme's own CSS and JS, which get fingerprinted
names so that browsers can cache them forever; and `folder_digest`, one hash of a folder
of sources (the templates, the engine) for cache keys.

Folders are walked by `paths.walk_folder`, which never enters or reads a link that
leads outside the portal (the build has already refused such links; skipping them here
too means no later change can make this stage read one)."""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path
from typing import Iterable

from ..cache import sha256_of
from ..errors import ErrorLog
from ..paths import FoundFile, walk_folder
from ..writer import Writer

THEME_ASSETS = "assets"  # under templates/: the theme's CSS, JS and icons


def copy_static(root: Path, made: Iterable[str], build_folders: Iterable[str], writer: Writer,
                errors: ErrorLog, files: list[FoundFile] | None = None,
                published: frozenset[str] = frozenset()) -> int:
    """Copy static/ as it is, unless a file the build makes (`made`, or anything in
    `build_folders`) would replace a static file (static/index.html, static/api/news.json):
    then nothing is copied and each clash is an error, so that nothing is lost. The
    files in `published` (images, which the image stage publishes cleaned) are checked
    but not copied; `files` is static_files(root), when the caller has it already."""
    files = static_files(root) if files is None else files
    clashes = static_clashes(files, made, build_folders)
    for found, taker in clashes:
        errors.add(root / "static" / found.rel, "static_replaced", url="/" + taker)
    if clashes:
        return 0
    for found in files:
        if found.rel not in published:
            writer.copy(found.rel, found.path)
    return len(files)


def static_files(root: Path) -> list[FoundFile]:
    """The files of `static/` that are published: all but hidden ones (.gitkeep)."""
    return [f for f in walk_folder(root / "static", root).files
            if not posixpath.basename(f.rel).startswith(".")]


def static_clashes(files: Iterable[FoundFile], made: Iterable[str],
                   build_folders: Iterable[str]) -> list[tuple[FoundFile, str]]:
    """Static files the build's own output would replace, each with the file that
    would replace it: the same name, a file where the build needs a folder (or the
    reverse), or anything inside a folder the build fills (`build_folders`, e.g.
    "tim-kiem/pagefind/")."""
    made = set(made)
    folders = {parent for rel in made for parent in _parents(rel)}
    clashes = []
    for found in files:
        taker = next((rel for rel in (found.rel, *_parents(found.rel)) if rel in made), None)
        if taker is None and found.rel in folders:
            taker = min(rel for rel in made if rel.startswith(found.rel + "/"))
        if taker is None:
            taker = next((folder for folder in build_folders
                          if (found.rel + "/").startswith(folder)), None)
        if taker is not None:
            clashes.append((found, taker))
    return clashes


def _parents(rel: str) -> list[str]:
    """"a/b/c.html" -> ["a/b", "a"]."""
    parts = rel.split("/")
    return ["/".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]


def fingerprint_theme(templates_dir: Path, writer: Writer) -> dict[str, str]:
    """Write `assets/theme.css` as `assets/theme.<hash>.css`; return name -> site URL."""
    urls = {}
    for found in walk_folder(templates_dir / THEME_ASSETS, templates_dir.parent).files:
        data = found.path.read_bytes()
        digest = sha256_of(data)[:10]
        url = f"{THEME_ASSETS}/{Path(found.rel).stem}.{digest}{found.path.suffix}"
        writer.write(url, data)
        urls[found.rel] = url
    return urls


def folder_digest(folder: Path, suffixes: tuple[str, ...] = (), root: Path | None = None) -> str:
    """One hash of every file's name and bytes (of the given suffixes, if any):
    a change anywhere changes it. Links leading outside `root` (default: `folder`)
    are not read."""
    digest = hashlib.sha1()
    for found in walk_folder(folder, root or folder).files:
        if not suffixes or found.path.suffix in suffixes:
            digest.update(found.rel.encode() + b"\0")
            digest.update(found.path.read_bytes())
    return digest.hexdigest()
