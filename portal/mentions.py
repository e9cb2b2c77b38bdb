"""Document numbers in the text of news items: found by the collection (which items name
which documents), linked by the renderer (each number a link to its document)."""

from __future__ import annotations

import html
import re
from typing import Callable, Iterable, Iterator

# Text inside these elements is never turned into a link: it is code, a heading,
# or already a link.
_LEAVE_ALONE = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


def number_pattern(known: Iterable[str]) -> re.Pattern | None:
    """Matches known numbers as they stand in HTML text, where "&" is "&amp;"."""
    # Longest first, so "25/2022/NQ-HĐND" wins over a shorter number inside it.
    numbers = sorted((html.escape(number, quote=False) for number in known),
                     key=len, reverse=True)
    if not numbers:
        return None
    return re.compile(r"(?<![\w/-])(" + "|".join(map(re.escape, numbers)) + r")(?![\w/-])",
                      re.IGNORECASE)


def numbers_in(body_html: str, pattern: re.Pattern | None) -> list[str]:
    """The known numbers written in the text of a body, as plain text."""
    if pattern is None:
        return []
    return [html.unescape(m.group(1)) for text, free in _segments(body_html) if free
            for m in pattern.finditer(text)]


def link_numbers(body_html: str, pattern: re.Pattern | None, link: Callable[[str], str]) -> str:
    """Replace each known number in the text (not in code, headings or links) by
    `link(number)`, which the theme renders."""
    if pattern is None:
        return body_html
    return "".join(pattern.sub(lambda m: link(html.unescape(m.group(1))), text) if free else text
                   for text, free in _segments(body_html))


def _segments(body_html: str) -> Iterator[tuple[str, bool]]:
    """The HTML cut into tags and text; text is `free` when no element to leave alone
    encloses it."""
    depth = 0
    for piece in _TAG.split(body_html):
        if piece.startswith("<"):
            name = _TAG_NAME.match(piece)
            if name and name.group(1).lower() in _LEAVE_ALONE and not piece.endswith("/>"):
                depth += -1 if piece.startswith("</") else 1
                depth = max(depth, 0)
            yield piece, False
        elif piece:
            yield piece, depth == 0
