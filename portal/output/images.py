"""The image stage: every raster image in `static/` (JPEG, PNG, WebP) is published
without its metadata, at its own path, and in a few widths in WebP and in its own
format, with a JPEG for share previews; the pages get each picture's facts (`Picture`)
for `srcset`, `width`, `height` and og:image.

A rendition is named after its width and the hash of the source's bytes
(`media/anh.960.1a2b3c4d5e.webp`), so browsers may keep it forever, and cached by that
hash too: a rebuild makes nothing again. A rendition already in the output tree is
left there (the writer's `expect`); one read back from the cache is published only
when it is bare (bare.py) and its header has the size it should: the cache is data.

An image that cannot be read, is not a format the stage can clean (HEIC, TIFF: they
carry EXIF and GPS too), or has more pixels than Pillow's MAX_IMAGE_PIXELS is an error
where it is used (the `image:` field, the body line), or on the file itself.
"""

from __future__ import annotations

import io
import posixpath
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterator

from PIL import Image

from ..cache import Cache, bytes_key, content_key
from ..errors import ErrorLog
from ..models import Site
from ..paths import FoundFile
from ..pictures import SHARE_WIDTH, WIDTHS, Picture, Rendition, mentioned_in
from ..writer import Writer
from . import photo
from .bare import is_bare

RASTER = (".jpg", ".jpeg", ".png", ".webp")
# Image formats that carry EXIF (and so GPS) but that the stage cannot clean: refused,
# so that no photo reaches the site with its metadata. (GIF, BMP and SVG have no EXIF.)
REFUSED = (".tif", ".tiff", ".heic", ".heif", ".avif", ".jxl")
# Everything that shapes a rendition's bytes: in every name and cache key.
_ENGINE = content_key("images/1", metadata.version("pillow"), repr(sorted(photo.SETTINGS.items())))


@dataclass(frozen=True)
class Published:
    """What the stage gives the pipeline: each picture by its original's site path, the
    files it wrote (no static file may take their place), and the static files it
    published itself (not to be copied as they are)."""

    pictures: dict[str, Picture]
    files: tuple[str, ...]
    sources: frozenset[str]


@dataclass(frozen=True)
class _Planned:
    rel: str  # in the site
    key: str  # its content: the cache key, and the writer's
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class _Image:
    found: FoundFile
    facts: photo.Facts
    planned: tuple[_Planned, ...]
    picture: Picture


def publish_images(static: list[FoundFile], site: Site, writer: Writer, cache: Cache,
                   errors: ErrorLog, jobs: int) -> Published:
    """Publish every raster image of `static/`; a problem with one is an error (where it
    is used) and the rest go on, so that one run reports them all."""
    images, problems = [], []
    for found in static:
        suffix = posixpath.splitext(found.rel)[1].lower()
        if suffix in REFUSED:
            problems.append((found, photo.Problem("image_format", suffix.lstrip(".").upper())))
        elif suffix in RASTER:
            image = _plan(found)
            if isinstance(image, photo.Problem):
                problems.append((found, image))
            else:
                images.append(image)
    todo = [(image, missing) for image in images if (missing := _place(image, writer, cache))]
    for image, made in _encode_all(todo, jobs):
        if isinstance(made, photo.Problem):
            problems.append((image.found, made))
            continue
        for planned in made:
            cache.put(planned.key, made[planned])
            writer.write(planned.rel, made[planned], planned.key)
    _report(problems, site, errors)
    failed = {found.rel for found, _ in problems}
    return Published({"/" + image.found.rel: image.picture for image in images if image.found.rel not in failed},
                     tuple(p.rel for image in images for p in image.planned if p.rel != image.found.rel),
                     frozenset(found.rel for found in static
                               if posixpath.splitext(found.rel)[1].lower() in RASTER + REFUSED))


def _plan(found: FoundFile) -> _Image | photo.Problem:
    """What to publish of one image, from its header."""
    try:
        data = _read(found)
    except OSError:
        return photo.Problem("image_unreadable")
    facts = photo.inspect(data)
    if isinstance(facts, photo.Problem):
        return facts
    source = content_key(_ENGINE, bytes_key(data))
    stem = posixpath.splitext(found.rel)[0]

    def rendition(fmt: str, width: int) -> _Planned:
        own = width == facts.width and fmt == facts.format  # the cleaned original, at its path
        rel = found.rel if own else f"{stem}.{width}.{source[:10]}{photo.EXTENSIONS[fmt]}"
        return _Planned(rel, content_key(source, fmt, str(width)), fmt, width, photo.height_for(facts, width))

    widths = [width for width in WIDTHS if width < facts.width] + [facts.width]
    # A 4000-wide WebP would take seconds to make and no page would ask for it, unless it
    # is the cleaned original of a WebP.
    webp = [rendition("WEBP", width) for width in widths
            if width <= WIDTHS[-1] or facts.format == "WEBP"]
    fallback = [rendition(facts.format, width) for width in widths] if facts.format != "WEBP" else []
    share = rendition("JPEG", min(SHARE_WIDTH, facts.width))
    planned = tuple({p.rel: p for p in (*webp, *fallback, share)}.values())
    picture = Picture("/" + found.rel, facts.width, facts.height, len(data),
                      tuple(map(_shown, webp)), tuple(map(_shown, fallback)), _shown(share))
    return _Image(found, facts, planned, picture)


def _shown(planned: _Planned) -> Rendition:
    return Rendition("/" + planned.rel, planned.width, planned.height, photo.MEDIA_TYPES[planned.format])


def _place(image: _Image, writer: Writer, cache: Cache) -> list[_Planned]:
    """Put in place each rendition the output tree or the cache has; the rest to make."""
    missing = []
    for planned in image.planned:
        if writer.expect(planned.rel, planned.key):
            cache.keep(planned.key)
            continue
        entry = cache.get(planned.key)
        if entry is not None and _trusted(entry, planned):
            writer.write(planned.rel, entry, planned.key)
        else:
            missing.append(planned)
    return missing


def _trusted(entry: bytes, planned: _Planned) -> bool:
    """A cached rendition as it should be: no metadata or anything else hidden in it, and
    a header of the right format and size."""
    if not is_bare(entry, planned.format):
        return False
    try:
        with Image.open(io.BytesIO(entry)) as image:
            return (photo.FORMATS.get(image.format) == planned.format
                    and image.size == (planned.width, planned.height))
    except Exception:  # anything Pillow raises on a garbled entry: a miss, made again
        return False


def _encode_all(todo: list[tuple[_Image, list[_Planned]]], jobs: int) -> Iterator[tuple[_Image, object]]:
    """Each image's missing renditions, in order, made on `jobs` threads (Pillow decodes,
    resizes and encodes without holding the GIL): an image a thread when there are
    many, else each image's renditions side by side (one new photo is the usual edit)."""
    if jobs <= 1 or len(todo) < jobs:
        yield from ((image, _encode(image, missing, jobs)) for image, missing in todo)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from zip((image for image, _ in todo),
                       pool.map(lambda pair: _encode(*pair, 1), todo))


def _encode(image: _Image, missing: list[_Planned], threads: int) -> dict[_Planned, bytes] | photo.Problem:
    try:
        data = _read(image.found)
    except OSError:
        return photo.Problem("image_unreadable")
    made = photo.encode(data, [(p.format, p.width) for p in missing], threads)
    if isinstance(made, photo.Problem):
        return made
    return {planned: made[(planned.format, planned.width)] for planned in missing}


def _read(found: FoundFile) -> bytes:
    """A static file's bytes; its path was vetted by the walk (no link out of the portal)."""
    return found.path.read_bytes()


def _report(problems: list[tuple[FoundFile, photo.Problem]], site: Site, errors: ErrorLog) -> None:
    """Each problem where the editor can fix it: every cover and body that shows the
    image, or the file itself when nothing shows it."""
    if not problems:
        return
    uses = _uses(site, errors.root)
    for found, problem in problems:
        path = "/" + found.rel
        params = dict(value=path, detail=problem.detail, max=Image.MAX_IMAGE_PIXELS)
        where = uses.get(path) or [(errors.root / "static" / found.rel, None, None)]
        for file, line, field in where:
            errors.add(file, problem.key, line=line, field=field, **params)


def _uses(site: Site, root: Path) -> dict[str, list[tuple[Path, int | None, str | None]]]:
    """Where each image is shown: (file, line, field) of each cover and body naming it."""
    uses: dict[str, list] = {}
    for entry in (*site.news, *site.pages, *site.library.documents):
        file = root / entry.path
        if getattr(entry, "image", ""):
            uses.setdefault(entry.image, []).append((file, entry.lines.get("image"), "image"))
        for path in mentioned_in(entry.body):
            uses.setdefault(path, []).append((file, _body_line(entry, path), None))
    return uses


def _body_line(entry, path: str) -> int | None:
    for number, line in enumerate(entry.body.split("\n")):
        if path in line:
            return entry.body_line + number
    return None
