"""The pictures of a body, drawn by the theme's partials/picture.html (with `srcset`,
`sizes`, the real `width` and `height`, lazy loading) in place of the plain `<img>` the
Markdown gave, as `link_documents` draws document links.

Only an `<img>` whose address is a picture the page was handed (its job's `pictures`,
made by the image stage from static/) is drawn anew, from the picture's facts; its
`alt`, `title`, `class`, `id` and `lang` are kept, read back from the sanitized body.
Every other `<img>` (another site's picture, an SVG) stays as the sanitizer left it.
The sanitizer itself allows no `srcset` or `sizes`: only the engine writes them.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from typing import Callable

import jinja2

from ..pictures import Picture, Pictures

# A body's <img> tags as nh3 writes them: every value in double quotes, with `"` escaped
# but not `>` (an alt text "a > b" stays whole); a tag of any other shape is left alone.
_IMG = re.compile(r'<img(?:\s+[a-z-]+="[^"]*")*\s*/?>')
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
_KEPT = ("title", "class", "id", "lang")


def picture_filter(env: jinja2.Environment, base_path: str) -> Callable:
    """The `pictures` filter: `{{ body|rebase|pictures(pictures, eager) }}`, after `rebase`,
    so an address is read back to its site path. `eager`: the body's first picture is
    the article's first (it has no cover), so it is fetched at once, not lazily."""

    def pictures(body_html: str, shown: Pictures, eager: bool = False) -> str:
        if not shown or "<img" not in body_html:
            return body_html
        template = env.get_template("partials/picture.html")
        first = [eager]

        def draw(match: re.Match) -> str:
            attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(match.group(0))}
            picture = _picture_of(attributes.get("src", ""), shown, base_path)
            at_once, first[0] = first[0], False
            if picture is None:
                return match.group(0)
            kept = [(name, attributes[name]) for name in _KEPT if attributes.get(name)]
            return template.render(picture=picture, alt=attributes.get("alt", ""), attributes=kept,
                                   eager=at_once).strip()

        return _IMG.sub(draw, body_html)

    return pictures


def _picture_of(src: str, shown: Pictures, base_path: str) -> Picture | None:
    """The picture an address names; a site path was rebased to the site's path."""
    if base_path != "/" and src.startswith(base_path):
        src = "/" + src[len(base_path):]
    return shown.get(src) or shown.get(urllib.parse.unquote(src))
