"""The pictures a site publishes: for each raster image under `static/`, the files the
image stage made of it (output/images.py) and their sizes, which pages (the `<img>`
`srcset`, `width` and `height`) and share previews (og:image, JSON-LD) show.

A picture is known by the site path of its original (`/media/2024/anh.jpg`). Every file
listed here is published without metadata; the original's own path holds the cleaned
original, which is also the widest rendition in the original's format."""

from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass
from typing import Mapping

from .fingerprint import Fingerprinted

# The widths a picture is published in: those below its own, and its own (the cleaned
# original; in WebP only up to 1600, as no page shows a picture wider than that). So the
# narrowest rendition (what the listings' cards show) is 480 wide, or the whole picture.
WIDTHS = (480, 960, 1600)
SHARE_WIDTH = 1200  # Facebook's and Zalo's preferred og:image width
PLAIN_WIDTH = 960  # for `<img src>` (see Picture.plain)
WEBP = "image/webp"


@dataclass(frozen=True)
class Rendition:
    """One published file of a picture."""

    url: str  # site path
    width: int
    height: int
    media_type: str  # "image/webp", "image/jpeg", "image/png"


@dataclass(frozen=True)
class Picture(Fingerprinted):
    path: str  # the original's site path
    width: int  # after the camera's orientation is applied
    height: int
    size: int  # bytes of the file the editor committed (check warns over 5 MB)
    webp: tuple[Rendition, ...]  # narrowest first
    fallback: tuple[Rendition, ...]  # in the original's format (JPEG, PNG; none for WebP)
    share: Rendition  # a JPEG SHARE_WIDTH wide, or the picture's width if narrower

    @property
    def plain(self) -> Rendition:
        """What `<img src>` names, for browsers that read no `srcset` (all others ignore
        it): a rendition fit for a page's column, not the camera's full picture."""
        renditions = self.fallback or self.webp
        fitting = [r for r in renditions if r.width <= PLAIN_WIDTH]
        return fitting[-1] if fitting else renditions[0]

    @property
    def thumbnail(self) -> Rendition:
        """What a card shows where WebP is not understood: the narrowest rendition."""
        return self.fallback[0] if self.fallback else self.webp[0]


Pictures = Mapping[str, Picture]  # by the original's site path


# A site path of a raster image as a body may write it, in Markdown or in HTML; it may
# catch more ("//host/a.jpg"), which no picture is named. Without a lookbehind, which
# made it forty times slower; most bodies have no picture, hence the quick look first.
_MENTION = re.compile(r"/[^\s\"'<>()\[\]]*\.(?:jpe?g|png|webp)(?![\w.%-])", re.IGNORECASE)
_RASTER_NAME = re.compile(r"\.(?:jpe?g|png|webp)", re.IGNORECASE)


def mentioned_in(body: str) -> set[str]:
    """The site paths of raster images a body's text names (`![…](/media/a.jpg)`,
    `<img src="/media/a%20b.jpg">`): at least every picture its HTML can show, so a page
    handed these pictures' facts has all it needs (and its cache key covers them)."""
    found: set[str] = set()
    if not _RASTER_NAME.search(body):
        return found
    for written in _MENTION.findall(body):
        plain = html.unescape(written)
        found.update((plain, urllib.parse.unquote(plain)))
    return found
