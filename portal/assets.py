"""Files copied as they are (`static/`) and the theme's own CSS and JS, which get
fingerprinted names so that browsers can cache them forever."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .write import Writer

THEME_ASSETS = "assets"  # under templates/: the theme's CSS, JS and icons


def copy_static(static_dir: Path, writer: Writer) -> int:
    count = 0
    for path in sorted(static_dir.rglob("*")) if static_dir.is_dir() else ():
        if path.is_file() and not path.name.startswith("."):
            writer.copy(path.relative_to(static_dir).as_posix(), path)
            count += 1
    return count


def fingerprint_theme(templates_dir: Path, writer: Writer) -> dict[str, str]:
    """Write `assets/theme.css` as `assets/theme.<hash>.css`; return name -> site URL."""
    urls = {}
    folder = templates_dir / THEME_ASSETS
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file():
            data = path.read_bytes()
            name = path.relative_to(folder).as_posix()
            digest = hashlib.sha256(data).hexdigest()[:10]
            url = f"{THEME_ASSETS}/{Path(name).stem}.{digest}{path.suffix}"
            writer.write(url, data)
            urls[name] = url
    return urls


def folder_digest(folder: Path, suffixes: tuple[str, ...] = ()) -> str:
    """One hash of every file's name and bytes (of the given suffixes, if any):
    a change anywhere changes it."""
    digest = hashlib.sha1()
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file() and (not suffixes or path.suffix in suffixes):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
