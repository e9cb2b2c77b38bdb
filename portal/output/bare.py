"""Whether an image file holds nothing but a picture: its structure walked (a JPEG's
markers, a PNG's chunks, a WebP's RIFF chunks) and every part of it on an allow-list,
with nothing after the end.

The image stage publishes renditions read back from the cache (images.py). The cache
is data: a checksum shows an entry undamaged, not honest, and an entry carrying a GPS
tag must never reach the site. So an entry is published only when it is bare; this
costs a pass over its bytes in C (`re`), not a decode.
"""

from __future__ import annotations

import re
import struct

# JPEG: start, end, the frame and scan headers, tables, restart markers, and JFIF's APP0.
# Not APP1-APP15 (EXIF, XMP, ICC, Photoshop IPTC, MPF) nor COM (comments).
_JPEG_ALLOWED = {0xD8, 0xD9, 0xE0, 0xDB, 0xC4, 0xDD, 0xDA, *range(0xC0, 0xC4), *range(0xD0, 0xD8)}
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")  # in entropy-coded data
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Not eXIf, iTXt/tEXt/zTXt (XMP, comments), iCCP, tIME.
_PNG_ALLOWED = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"sRGB", b"gAMA", b"cHRM", b"pHYs", b"sBIT", b"bKGD"}
# Not EXIF, "XMP ", ICCP.
_WEBP_ALLOWED = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def is_bare(data: bytes, fmt: str) -> bool:
    """True when `data` is a `fmt` ("JPEG", "PNG", "WEBP") file of allowed parts only."""
    try:
        return {"JPEG": _bare_jpeg, "PNG": _bare_png, "WEBP": _bare_webp}[fmt](data)
    except (struct.error, IndexError, KeyError):
        return False


def _bare_jpeg(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8"):
        return False
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            return False
        while data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos + 1]
        if marker not in _JPEG_ALLOWED:
            return False
        if marker == 0xD9:
            return pos + 2 == len(data)  # nothing hidden after the end
        if 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker == 0xDA:  # a scan: its coded data runs to the next marker
            found = _JPEG_NEXT_MARKER.search(data, pos)
            if found is None:
                return False
            pos = found.start()
    return False


def _bare_png(data: bytes) -> bool:
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind not in _PNG_ALLOWED:
            return False
        pos += 12 + length  # length, type, data, CRC
        if kind == b"IEND":
            return pos == len(data)
    return False


def _bare_webp(data: bytes) -> bool:
    riff, size, webp = struct.unpack("<4sI4s", data[:12])
    if riff != b"RIFF" or webp != b"WEBP" or size + 8 != len(data):
        return False
    pos = 12
    while pos < len(data):
        kind, length = struct.unpack("<4sI", data[pos:pos + 8])
        if kind not in _WEBP_ALLOWED:
            return False
        pos += 8 + length + (length & 1)  # chunks are padded to an even size
    return pos == len(data)
