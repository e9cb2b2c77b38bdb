"""The indexed copy of a page: what Pagefind is given instead of the served page.

The copy is the least Pagefind needs: a bare document in the page's language holding only
the page's indexed regions (`data-pagefind-body`, with the metadata marked inside them),
not the page's frame (header, menu, sidebar, footer): half the bytes to write and read
(10,000 pages: 107 MB instead of 225 MB). Pagefind's own time and memory hardly change
with it (they follow the indexed words, not the frame it skips: 26 s of CPU and 2.8 GB
instead of 3.0 GB for those 10,000 pages in one run), so this is tidiness, not speed.

Pagefind folds tone and vowel marks but not `đ`: "duoi nuoc" would not find "đuối nước".
So the copy ends with a tail: the page's filter words ("zzloainews", "zznam2024") and
its indexed words that hold `đ`/`Đ`, spelled with `d` ("duối"). The
tail starts with `TAIL_MARK`, where the search page cuts Pagefind's text of a result
before it makes the excerpt, so citizens only ever see the page's own words.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Sequence

TAIL_MARK = "¦"  # Pagefind keeps it in a result's text and indexes no word for it
# The tail, after the regions. Never served: it only feeds Pagefind, hence markup here.
TAIL = '<div data-pagefind-body data-pagefind-weight="0.5">' + TAIL_MARK + " {words}</div>"
WORD = re.compile(r"\S+")
REGION_MARK = "data-pagefind-body"
# Elements Pagefind leaves out even inside `data-pagefind-body` (seen with 1.5: the
# article's <footer> with source and tags is not indexed); their words need no tail.
SKIPPED_BY_PAGEFIND = {"footer", "nav", "form", "script", "style", "noscript", "svg", "template"}


# The start tag of an indexed region; its name is what its end is found by.
REGION_START = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\s" + REGION_MARK + r"\b[^>]*>")
LANGUAGE = re.compile(r"<html\b[^>]*\slang=\"([^\"]*)\"")
# A minimal document: Pagefind needs the language (its word rules and the index's
# language part), the regions and the tail; it takes a result's title from the first h1.
COPY = ('<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        "<body>{regions}{tail}</body></html>")


def indexed_copy(html: str, tail_words: Sequence[str]) -> str:
    """The page as Pagefind reads it: its indexed regions, then the tail."""
    language = LANGUAGE.search(html)
    return COPY.format(lang=language.group(1) if language else "",
                       regions="".join(indexed_regions(html)),
                       tail=TAIL.format(words=escape(" ".join(tail_words))))


def indexed_regions(html: str) -> list[str]:
    """Each `data-pagefind-body` element of the page, whole (one inside another is read
    with the outer one). The page is our own serialised HTML (content is sanitised, its
    comments dropped), so an element ends where the count of its own tag name does."""
    regions: list[str] = []
    start = REGION_START.search(html)
    while start:
        end = _element_end(html, start.start(), start.group(1))
        regions.append(html[start.start():end])
        start = REGION_START.search(html, end)
    return regions


def _element_end(html: str, start: int, tag: str) -> int:
    depth = 0
    for found in re.finditer(rf"<!--.*?-->|<(/?){re.escape(tag)}[\s/>]", html[start:], re.S | re.I):
        if found.group(0).startswith("<!--"):
            continue
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return html.index(">", start + found.start()) + 1
    return len(html)


def folded_words_of(html: str) -> list[str]:
    """The page's indexed words that hold `đ`/`Đ`, spelled with `d`: its tail."""
    return folded_words(indexed_text(html))


def folded_words(text: str) -> list[str]:
    """Each word holding `đ`/`Đ`, lower-cased with `d` for `đ`, once, in order of appearance."""
    found: dict[str, None] = {}
    for word in WORD.findall(text):
        if "đ" in word or "Đ" in word:
            found.setdefault(word.lower().replace("đ", "d").replace(TAIL_MARK, ""))
    return list(found)


# A comment, a tag (its end mark, name and attributes) or the text up to the next one.
TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w-]*)([^>]*)>|[^<]+|<", re.S)


def indexed_text(html: str) -> str:
    """The text Pagefind indexes on a page: inside `data-pagefind-body` elements, outside
    `data-pagefind-ignore` ones and the elements Pagefind skips. Read with a regular
    expression rather than `html.parser`, five times faster on a cold build of 10,000
    pages: the page is our own serialised HTML (see indexed_regions)."""
    parts: list[str] = []
    for region in indexed_regions(html):
        parts += _region_text(region)
    return " ".join(parts)


def _region_text(region: str) -> list[str]:
    """Only the marked elements are tracked (by counting their own tag name), so
    unclosed `<p>` or `<li>` inside do not matter."""
    parts: list[str] = []
    open_: list[list] = []  # [tag, is_body, depth], innermost last
    for token in TOKEN.finditer(region):
        closing, tag, attributes = token.groups()
        if tag is None:
            if open_ and open_[-1][1] and not token.group(0).startswith("<!--"):
                parts.append(unescape(token.group(0)))
            continue
        tag = tag.lower()
        if closing:
            if open_ and open_[-1][0] == tag:
                open_[-1][2] -= 1
                if open_[-1][2] == 0:
                    open_.pop()
            continue
        body, ignored = _marks(attributes)
        if body or ignored:
            open_.append([tag, not ignored, 1])
        elif tag in SKIPPED_BY_PAGEFIND and open_:
            open_.append([tag, False, 1])
        elif open_ and open_[-1][0] == tag and not attributes.rstrip().endswith("/"):
            open_[-1][2] += 1
    return parts


def _marks(attributes: str) -> tuple[bool, bool]:
    """Whether a tag's attributes mark a region, and whether they mark it ignored."""
    names = set(ATTRIBUTE_NAME.findall(attributes)) if "data-pagefind" in attributes else set()
    return REGION_MARK in names, "data-pagefind-ignore" in names


ATTRIBUTE_NAME = re.compile(r"""([^\s"'=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")
