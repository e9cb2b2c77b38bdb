"""/favicon.ico, which browsers, feed readers and bookmark tools ask for whatever a page
links: without it every page of a portal that names no favicon costs a 404 in the
console (Lighthouse's best practices).

Which one is published, first found:
- static/favicon.ico, the portal's own: copied with static/, nothing to do here;
- the configured `favicon:` when it is an .ico, copied under this name too;
- the configured `favicon:` when it is a PNG, JPEG or WebP, drawn again as an icon of
  16, 32 and 48 pixels (on a fresh canvas: no metadata of the original comes along);
- the theme's templates/favicon.ico (scripts/make_default_favicon.py draws it, and
  templates/assets/favicon.svg, which the pages link when no favicon is configured).
A configured picture that cannot be read falls back to the theme's icon: the image
stage (images.py) reports that picture as an error already.
"""

from __future__ import annotations

import io
import os
import posixpath
from importlib import metadata
from pathlib import Path

from PIL import Image, ImageOps

from ..cache import bytes_key, content_key
from ..errors import ErrorLog
from ..paths import check_site_file, leads_out
from ..writer import Writer

ICO = "favicon.ico"  # at the site's root, where browsers look for it
THEME_ICO = "favicon.ico"  # under templates/
ICO_SIZES = ((16, 16), (32, 32), (48, 48))
PICTURES = (".png", ".jpg", ".jpeg", ".webp")
BIG = 4 * ICO_SIZES[-1][0]  # read at this size at most, then let the ICO writer shrink it
_ENGINE = content_key("favicon/1", metadata.version("pillow"))


def publish_favicon(root: Path, favicon: str, writer: Writer, errors: ErrorLog) -> tuple[str, ...]:
    """Write /favicon.ico unless static/ has its own; return the files written.
    `favicon` is the configured site path (config.py has checked it), or ""."""
    static = root / "static"
    if check_site_file("/" + ICO, static) is None:
        return ()
    source = _source(root, favicon, errors)
    if source is None:
        return ()
    data, convert = source
    key = content_key(_ENGINE, bytes_key(data), str(convert))
    if not writer.expect(ICO, key):  # a rebuild finds it made already
        # Never the configured picture as it is: it may carry metadata (a phone's GPS).
        icon = (_drawn_as_icon(data) or _theme_icon(root, errors)) if convert else data
        if icon is None:
            return ()
        writer.write(ICO, icon, key)
    return (ICO,)


def _source(root: Path, favicon: str, errors: ErrorLog) -> tuple[bytes, bool] | None:
    """The bytes /favicon.ico is made from, and whether they are a picture to convert."""
    suffix = posixpath.splitext(favicon)[1].lower()
    if favicon and suffix in (".ico", *PICTURES):
        return (root / "static" / favicon.lstrip("/")).read_bytes(), suffix != ".ico"
    theme = _theme_icon(root, errors)
    return (theme, False) if theme is not None else None


def _theme_icon(root: Path, errors: ErrorLog) -> bytes | None:
    """The theme's default icon; None when the theme has none. A link that leads outside
    the portal is never read: an error, as for the theme's other files (discover.py)."""
    path = root / "templates" / THEME_ICO
    if not os.path.lexists(path):
        return None
    if leads_out(path, root):
        errors.add(path, "outside_portal")
        return None
    return path.read_bytes() if path.is_file() else None


def _drawn_as_icon(data: bytes) -> bytes | None:
    """The picture centred on a transparent square, saved as an ICO; None when Pillow
    cannot read it or it has more pixels than the image stage accepts."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > Image.MAX_IMAGE_PIXELS:  # images.py refuses it
                return None
            picture.draft("RGB", (BIG, BIG))  # a JPEG decodes at a fraction of its size
            upright = ImageOps.exif_transpose(picture).convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    upright.thumbnail((BIG, BIG))
    side = max(upright.size)
    canvas = Image.new("RGBA", (side, side))  # fresh: no EXIF, GPS or profile comes along
    canvas.paste(upright, ((side - upright.width) // 2, (side - upright.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="ICO", sizes=list(ICO_SIZES))
    return out.getvalue()
