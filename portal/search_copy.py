"""The indexed copy of a page: what Pagefind is given instead of the served page.

Pagefind folds tone and vowel marks but not `đ`: "duoi nuoc" would not find "đuối nước".
So the copy is the page as served plus a tail: the page's filter words ("zzloainews",
"zznam2024") and its indexed words that hold `đ`/`Đ`, spelled with `d` ("duối"). The
tail starts with `TAIL_MARK`, where the search page cuts Pagefind's text of a result
before it makes the excerpt, so citizens only ever see the page's own words.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from typing import Sequence

TAIL_MARK = "¦"  # Pagefind keeps it in a result's text and indexes no word for it
# The tail, inserted before </body>. Never served: it only feeds Pagefind, hence markup here.
TAIL = '<div data-pagefind-body data-pagefind-weight="0.5">' + TAIL_MARK + " {words}</div>"
WORD = re.compile(r"\S+")
REGION_MARK = "data-pagefind-body"
PARSE_CHUNK = 2048  # characters fed to the parser at a time, so that it stops near a region's end
# Elements Pagefind leaves out even inside `data-pagefind-body` (seen with 1.5: the
# article's <footer> with source and tags is not indexed); their words need no tail.
SKIPPED_BY_PAGEFIND = {"footer", "nav", "form", "script", "style", "noscript", "svg", "template"}


def indexed_copy(html: str, tail_words: Sequence[str]) -> str:
    """The page as Pagefind reads it: as served, with the tail before `</body>`."""
    tail = TAIL.format(words=escape(" ".join(tail_words)))
    at = html.rfind("</body>")
    return html[:at] + tail + html[at:] if at >= 0 else html + tail


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


def indexed_text(html: str) -> str:
    """The text Pagefind indexes on a page: inside `data-pagefind-body` elements, outside
    `data-pagefind-ignore` ones."""
    parts: list[str] = []
    at = html.find(REGION_MARK)
    while at != -1:  # the parser is slow: it reads the marked regions, not the whole page
        reader = _RegionText()
        end = html.rfind("<", 0, at)
        while end < len(html) and not reader.finished:
            reader.feed(html[end:end + PARSE_CHUNK])
            end += PARSE_CHUNK
        parts += reader.parts
        at = html.find(REGION_MARK, end)
    return " ".join(parts)


class _RegionText(HTMLParser):
    """Collects text inside marked regions. Only the region elements are tracked (by
    counting their own tag name), so unclosed `<p>` or `<li>` elsewhere do not matter."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._regions: list[list] = []  # [tag, is_body, depth], innermost last
        self._opened = False

    @property
    def finished(self) -> bool:
        """A region was read to its end and no other is open."""
        return self._opened and not self._regions

    def handle_starttag(self, tag: str, attrs: list) -> None:
        names = {name for name, _ in attrs}
        if REGION_MARK in names or "data-pagefind-ignore" in names:
            self._regions.append([tag, "data-pagefind-ignore" not in names, 1])
            self._opened = True
        elif tag in SKIPPED_BY_PAGEFIND and self._regions:
            self._regions.append([tag, False, 1])
        elif self._regions and self._regions[-1][0] == tag:
            self._regions[-1][2] += 1

    def handle_endtag(self, tag: str) -> None:
        if self._regions and self._regions[-1][0] == tag:
            self._regions[-1][2] -= 1
            if self._regions[-1][2] == 0:
                self._regions.pop()

    def handle_data(self, data: str) -> None:
        if self._regions and self._regions[-1][1]:
            self.parts.append(data)
