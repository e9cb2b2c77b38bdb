"""Pillow's part of the image stage: what an image file is (`inspect`, from its header),
and the files published from it (`encode`): turned upright as the camera said, turned
into sRGB, resized, and saved with no metadata at all.

Nothing of the source's metadata is handed to an encoder: the decoded picture's `info`
(EXIF with GPS, XMP, ICC, comments) is emptied before anything is saved, and every
encoder is given none. These portals publish photos of children; a GPS tag would say
where a child lives.

Image files are data: a corrupt, hostile or enormous file gives a `Problem` (a message
key), never an exception out of this module.
"""

from __future__ import annotations

import io
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

# What is published, by the format Pillow reads. MPO is a camera JPEG with a second
# picture (a depth map, a preview); its first picture is the photo.
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Encoder settings: part of every rendition's cache key (images.py), so a change here
# makes every rendition again. Chosen by eye on photos, and for a 960-wide cover under
# 100 KB in WebP (README, "Ảnh").
SETTINGS = {"JPEG": {"quality": 82, "optimize": True, "progressive": True},
            "WEBP": {"quality": 72, "method": 5},
            "PNG": {"optimize": False, "compress_level": 9}}
_ORIENTATION = 0x0112
_SIDEWAYS = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_SRGB = ImageCms.createProfile("sRGB")
_PIXELS = re.compile(r"\((\d+) pixels\)")


@dataclass(frozen=True)
class Facts:
    """An image as the header tells, after the camera's orientation."""

    format: str  # "JPEG", "PNG" or "WEBP": what its renditions in the original format are
    width: int
    height: int


@dataclass(frozen=True)
class Problem:
    key: str  # a message in the locale files
    detail: str = ""  # its {detail}: a format's name, a count of pixels


def inspect(data: bytes) -> Facts | Problem:
    """The format and upright size of an image file, from its header; or why it cannot
    be published."""
    try:
        with _opened(data) as image:
            if image.format not in FORMATS:
                return Problem("image_format", image.format or "?")
            width, height = image.size
            if image.getexif().get(_ORIENTATION) in _SIDEWAYS:
                width, height = height, width
            return Facts(FORMATS[image.format], width, height)
    except _TooLarge as large:
        return Problem("image_too_many_pixels", str(large))
    except Exception:  # Pillow raises many kinds on hostile input; what it says is no help
        return Problem("image_unreadable")


def encode(data: bytes, wanted: list[tuple[str, int]], threads: int = 1) -> dict[tuple[str, int], bytes] | Problem:
    """Each wanted (format, width) rendition of the image, height to scale, saved on
    `threads` threads (Pillow's encoders let go of the GIL); or why it could not be
    decoded (a file whose header is fine may still be cut short)."""
    try:
        with _opened(data) as image:
            upright = _clean(image)
        widths = sorted({width for _, width in wanted}, reverse=True)
        sized = _sizes(upright, widths)

        def save_width(width: int) -> dict[tuple[str, int], bytes]:
            # One thread a width: `save` notes its options on the image, so two threads
            # must never save one image object at once.
            return {(fmt, w): _save(sized[w], fmt) for fmt, w in wanted if w == width}

        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            return {key: data for saved in pool.map(save_width, widths) for key, data in saved.items()}
    except _TooLarge as large:
        return Problem("image_too_many_pixels", str(large))
    except Exception:  # as above (a file cut short, a broken stream)
        return Problem("image_unreadable")


def height_for(facts: Facts, width: int) -> int:
    """The height of a rendition `width` wide, to the picture's scale."""
    return max(1, round(facts.height * width / facts.width))


class _TooLarge(Exception):
    """More pixels than Pillow's MAX_IMAGE_PIXELS: a decompression bomb, or a scan no page needs."""


class _opened:
    """The image in `data`, opened (header only) after its pixel count is checked:
    Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; here both refuse,
    before a byte of the picture is decoded."""

    def __init__(self, data: bytes):
        self.data = data

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                self.image = Image.open(io.BytesIO(self.data))
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
                count = _PIXELS.search(str(bomb))  # "Image size (N pixels) exceeds limit …"
                raise _TooLarge(count.group(1) if count else "?") from None
        width, height = self.image.size
        if width * height > Image.MAX_IMAGE_PIXELS:  # a format Pillow does not check
            self.image.close()
            raise _TooLarge(str(width * height))
        return self.image

    def __exit__(self, *exc) -> None:
        self.image.close()


def _clean(image: Image.Image) -> Image.Image:
    """The picture upright, in sRGB, as RGB or RGBA, with nothing but its pixels."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # MPO: the photo, not the depth map
    image.load()
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # a copy (or the image) with GPS still in `info`
    if upright.mode.startswith("I"):  # 16-bit grey: to 8 bits, as converting would clip it
        upright = upright.convert("I").point(lambda value: value * (1 / 256), "L")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if has_alpha else "RGB"
    pixels = _to_srgb(upright, icc, mode)
    pixels.info = {}  # EXIF (GPS), XMP, ICC, comments: none of it is published
    return pixels


def _to_srgb(image: Image.Image, icc: bytes | None, mode: str) -> Image.Image:
    """The picture's colours in sRGB (what browsers assume of an image without a
    profile), so that dropping an Adobe RGB or Display P3 profile changes no colour."""
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in (ImageCms.getProfileDescription(source) or "").casefold():
                converted = ImageCms.profileToProfile(image, source, _SRGB,
                                                      outputMode=mode if image.mode != "CMYK" else "RGB")
                return converted.convert(mode) if converted.mode != mode else converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: the pixels as they are
    return image.convert(mode) if image.mode != mode else image.copy()


def _sizes(image: Image.Image, widths: list[int]) -> dict[int, Image.Image]:
    """The picture at each width (widest first), each made from the one before it:
    resizing a 4000-wide photo three times costs more than the rest of its work."""
    sized, source = {}, image
    for width in widths:
        if width != source.width:
            height = max(1, round(image.height * width / image.width))  # to the picture's scale
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        sized[width] = source
    return sized


def _save(image: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode == "RGBA":
        image = _on_white(image)  # JPEG has no transparency: a share preview of a logo
    out = io.BytesIO()
    # exif/icc/xmp given as empty: no encoder may fall back to what the source had.
    image.save(out, fmt, exif=b"", icc_profile=b"" if fmt != "PNG" else None, **SETTINGS[fmt])
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background
