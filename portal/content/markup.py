"""Markdown to safe HTML: the costly part of a build, so it runs on every core and its
results are cached by the hash of the source text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
import html
import re
from concurrent.futures import ProcessPoolExecutor

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
import nh3

from ..cache import Cache, content_key
from ..models import SUMMARY_LENGTH, UNCONVERTIBLE_BODY
from ..workers import frozen_heap
from ..urls import SAFE_SCHEMES, slugify
from ..text import strip_unwanted
from .parse import RawEntry
from .video_lines import VideoLinesExtension

class _HeadingIds(Treeprocessor):
    """Give headings stable Vietnamese-slug ids (#muc-tieu) so they can be linked to.
    Does only this part of the `toc` extension, at a fraction of its cost."""

    def run(self, root) -> None:
        taken: set[str] = set()
        last_number: dict[str, int] = {}  # so that 10,000 equal headings cost 10,000 steps
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and "id" not in element.attrib:
                anchor = slugify("".join(element.itertext())) or "muc"
                unique, number = anchor, last_number.get(anchor, 1)
                while unique in taken:
                    number += 1
                    unique = f"{anchor}-{number}"
                last_number[anchor] = number
                taken.add(unique)
                element.set("id", unique)


class _HeadingIdsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_HeadingIds(md), "heading_ids", 5)  # after inline parsing


_EXTENSIONS = ["tables", "sane_lists", "fenced_code", "abbr", _HeadingIdsExtension(),
               VideoLinesExtension()]
_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption", "caption", "colgroup", "col"}
_ATTRIBUTES = {
    "*": {"id", "title", "lang", "class"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "ol": {"start", "type"},
    "abbr": {"title"},
}
# What to_html adds after sanitizing; kept when its output is cleaned again.
_OUR_ATTRIBUTES = {"div": {"class", "tabindex"}}
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


@functools.lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    """One Markdown instance a process: building one costs more than converting a page."""
    return markdown.Markdown(extensions=_EXTENSIONS)


def to_html(text: str) -> str:
    """Render Markdown and sanitize the result to an allow-list (raw HTML included).
    Returns UNCONVERTIBLE_BODY, never raises, when the converter runs out of stack:
    this runs in worker processes, and the error must name the file."""
    converter = _converter()
    try:
        raw = converter.reset().convert(text)
    except RecursionError:
        _converter.cache_clear()  # it stopped half-way: its parser state is not to be trusted
        return UNCONVERTIBLE_BODY
    clean = clean_html(raw)
    clean = clean.replace("<img ", '<img loading="lazy" decoding="async" ')
    # Wide tables scroll inside their own box on phones; tabindex lets keyboards scroll it.
    return clean.replace("<table>", '<div class="table-scroll" tabindex="0"><table>') \
                .replace("</table>", "</table></div>")


def clean_html(raw: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes. Idempotent on what
    `to_html` returns, so HTML read back from the cache goes through it again."""
    # nh3 decodes character references ("&#x1;"), so control characters are stripped
    # after it: a summary made from the HTML goes into the feeds, which must stay XML.
    return strip_unwanted(nh3.clean(raw, tags=_TAGS, attributes=_ATTRIBUTES | _OUR_ATTRIBUTES,
                                     link_rel=None, url_schemes=set(SAFE_SCHEMES),
                                     filter_style_properties={"text-align"}))


@dataclass(frozen=True)
class Converted:
    """A body as safe HTML, and its first paragraph as plain text (the summary of an item
    whose editor wrote none)."""

    html: str
    first_paragraph: str


def convert(entries: list[RawEntry], cache: Cache, jobs: int, engine: str) -> list[Converted]:
    """Each entry's body as safe HTML, converted on every core or taken from the cache.
    HTML read back from the cache passes the sanitizer again, as fresh Markdown does:
    the cache is data that a checksum shows undamaged, not safe."""
    keys = [content_key(engine, entry.digest) for entry in entries]
    found = {key: clean_html(html) for key in keys if (html := cache.get_text(key)) is not None}
    todo = [i for i, key in enumerate(keys) if key not in found]
    for index, html in zip(todo, to_html_many([entries[i].body for i in todo], jobs)):
        found[keys[index]] = html
        cache.put(keys[index], html.encode("utf-8"))
    return [Converted(found[key], summary_of(found[key])) for key in keys]


def html_loader(cache: Cache, engine: str, digest: str, body: str):
    """How a kept model gets its body's HTML when a page needs it: from the cache
    (sanitized again), else converted anew. The entry is spared from pruning now."""
    key = content_key(engine, digest)
    cache.keep(key)

    def load() -> str:
        cached = cache.get_text(key)
        if cached is not None:
            return clean_html(cached)
        html = to_html(body)
        cache.put(key, html.encode("utf-8"))
        return html

    return load


def to_html_many(texts: list[str], jobs: int) -> list[str]:
    """Convert in parallel when it pays: process start-up costs ~50 ms."""
    if jobs <= 1 or len(texts) < 64:
        return [to_html(text) for text in texts]
    chunk = max(16, len(texts) // (jobs * 8))
    with frozen_heap(), ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(to_html, texts, chunksize=chunk))


def summary_of(body_html: str, limit: int = SUMMARY_LENGTH) -> str:
    """Plain text of the first paragraph, cut at a word boundary."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    text = " ".join(html.unescape(_TAG.sub("", match.group(1))).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


