"""The video player in place of each video line of a body (content/video_lines.py), drawn
by the theme's partials/video.html, as `link_documents` draws document links.

The body is untrusted even here (cached HTML is data): the address is read again with
video.video_from, and a line that names no video, or a YouTube video on a portal whose
policy frames no player, stays the plain link it is."""

from __future__ import annotations

import html
import re
from typing import Callable

import jinja2
from markupsafe import Markup

from ..models import Site
from ..urls import looks_like_url
from ..video import Video, uses_youtube, video_from

_VIDEO_LINE = re.compile(r'<p class="video-line"><a href="([^"<>]*)">([^<]*)</a></p>')


def video_filter(env: jinja2.Environment, base_path: str, frames_youtube: bool) -> Callable:
    """The `videos` filter: `{{ body|rebase|videos(poster, title) }}`, after `rebase`, so
    that a local file's address is read back to its site path. `poster` is a site path of
    a local picture ("" for the theme's own), `title` names a video given by address only;
    `script`: false when the page has the player's script already."""

    @jinja2.pass_context
    def videos(context: jinja2.runtime.Context, body_html: str, poster: str = "", title: str = "",
               script: bool = True) -> Markup:
        if 'class="video-line"' not in body_html:
            return Markup(body_html)
        player = env.get_template("partials/video.html")
        drawn: list[Video] = []

        def draw(match: re.Match) -> str:
            video = _video_of(html.unescape(match.group(1)), base_path)
            if video is None or (video.youtube_id and not frames_youtube):
                return match.group(0)
            words = html.unescape(match.group(2)).strip()
            drawn.append(video)
            return player.render(context.get_all() | dict(
                video=video, poster=poster, first=script and len(drawn) == 1, lead=False,
                title=words if words and not _is_address(words) else title)).strip()

        return Markup(_VIDEO_LINE.sub(draw, body_html))

    return videos


def _video_of(href: str, base_path: str) -> Video | None:
    """The video a link leads to; a local file's link was rebased to the site's path."""
    if href.startswith(base_path) and not href.startswith(("http:", "https:")):
        href = "/" + href[len(base_path):]
    return video_from(href)


def _is_address(words: str) -> bool:
    """A link whose words are its address ("https://youtu.be/…"): the video has no title."""
    return looks_like_url(words) or words.startswith("/")


def shows_youtube(site: Site) -> bool:
    """Whether any published item shows a YouTube video: its raw Markdown is read (cheap,
    and already in hand), not its HTML, which a kept model fetches only when rendered."""
    return (any(uses_youtube(item.body, item.video) for item in site.news)
            or any(uses_youtube(item.body) for item in (*site.pages, *site.library.documents)))
