"""Characters no page or feed should carry, wherever the text comes from (YAML values,
Markdown bodies, HTML after the sanitizer decoded its character references): C0
controls but tab, newline and carriage return; DEL and the C1 controls; surrogates; and
the Unicode noncharacters. XML forbids most of them, so one in a title breaks the feeds;
the rest are invisible. They are stripped, never an error: an editor pasting from a word
processor carries them without knowing."""

from __future__ import annotations

import re

_UNWANTED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]")
# A superset of _UNWANTED made of ranges only, which `re` scans ~6x faster: every body
# and front matter is searched on every build, and almost none holds any of them.
_MAYBE_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
                             "\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")


def may_hold_unwanted(text: str) -> bool:
    """False for (nearly) every text: then it certainly holds none of them."""
    return _MAYBE_UNWANTED.search(text) is not None


def strip_unwanted(text: str) -> str:
    """`text` without control characters, surrogates and noncharacters."""
    return _UNWANTED.sub("", text) if may_hold_unwanted(text) else text
