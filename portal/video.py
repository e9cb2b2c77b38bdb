"""Videos an editor names: a YouTube link or a local `.mp4`, pasted on a line of its own
in a body or given as a news item's `video:` field.

One reading of those addresses serves every stage: the markup stage marks video lines,
the model stage reports the bad ones with their line, the renderer draws the player and
the security policy lets the YouTube player be framed only on a portal that has one.
A YouTube video is shown through `youtube-nocookie.com` only when a citizen asks for it
(templates/assets/video.js); before that, nothing is fetched from any other site.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Iterator

YOUTUBE_EMBED_ORIGIN = "https://www.youtube-nocookie.com"
# What "on a line of its own" means to the markup and model stages: up to three spaces
# (four make code), then a bare address, an autolink <address> or a link [words](address).
LONE_LINK = re.compile(r"^ {0,3}(?:<(?P<auto>[^\s<>]+)>|\[(?P<text>[^\]\n]+)\]\((?P<link>[^\s()<>]+)\)"
                       r"|(?P<bare>(?:https?://|/)[^\s<>]+))[ \t]*$", re.M)
# The same, as a search through a whole body that starts and ends with a newline.
_LONE_LINE = re.compile(r"\n" + LONE_LINK.pattern[1:-1] + r"(?=\n)")
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                            "youtube-nocookie.com", "www.youtube-nocookie.com"})
_SHORT_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_ID_FOLDERS = ("shorts", "embed", "live", "v")  # youtube.com/<folder>/<id>
# A site path of an .mp4 under static/: plain path characters, no query or fragment.
_LOCAL_MP4 = re.compile(r"/[^\s?#\"'<>\\]+\.mp4", re.I)
_FENCE = re.compile(r"(`{3,}|~{3,})")
_MP4 = re.compile(r"\.mp4", re.I)


@dataclass(frozen=True)
class Video:
    """A video a page shows: a YouTube video by its id, or a file under static/."""

    youtube_id: str = ""
    file: str = ""  # the site path of a local .mp4, e.g. /media/2024/le-khai-mac.mp4

    @property
    def watch_url(self) -> str:
        """Where the video is without JavaScript (and in feeds): youtube.com itself."""
        return f"https://www.youtube.com/watch?v={self.youtube_id}" if self.youtube_id else self.file

    @property
    def embed_url(self) -> str:
        return f"{YOUTUBE_EMBED_ORIGIN}/embed/{self.youtube_id}?autoplay=1" if self.youtube_id else ""


def video_from(address: str) -> Video | None:
    """The video an address names, or None when it names none (or a YouTube video by a
    malformed id: `video_problem` tells which)."""
    address = address.strip()
    if _LOCAL_MP4.fullmatch(address) and ".." not in address.split("/"):
        return Video(file=address)
    found = _youtube_id_in(address)
    return Video(youtube_id=found) if found and _YOUTUBE_ID.fullmatch(found) else None


def video_problem(address: str) -> str:
    """The error key for an address that `video_from` refuses."""
    return "video_youtube_id" if _youtube_id_in(address.strip()) is not None else "video_address"


def _youtube_id_in(address: str) -> str | None:
    """What stands where a YouTube address has its video's id ("" when missing), or
    None for anything that is not the address of one YouTube video."""
    try:
        parts = urllib.parse.urlsplit(address)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host in _SHORT_HOSTS:
        return segments[0] if segments else ""
    if host not in _YOUTUBE_HOSTS:
        return None
    if segments == ["watch"]:
        return urllib.parse.parse_qs(parts.query).get("v", [""])[0]
    if segments and segments[0] in _ID_FOLDERS:
        return segments[1] if len(segments) > 1 else ""
    return None  # a channel, a playlist, the home page: a plain link


@dataclass(frozen=True)
class VideoLine:
    """A line of a body that holds only a video's address."""

    index: int  # the line's number in the body, from 0
    address: str  # as written
    text: str  # the link's words, or "" for a bare address


def lone_links(body: str) -> Iterator[VideoLine]:
    """The lines of a Markdown body that hold one address and nothing else, outside
    fenced code. One search over the body (lines start after a newline: a literal the
    search skips to), which finds nothing in nearly every body."""
    if "://" not in body and not _MP4.search(body):
        return
    text = "\n" + body + "\n"
    fences = _fence_lines(body) if "```" in body or "~~~" in body else ()
    line, at = 0, 0
    for match in _LONE_LINE.finditer(text):
        line, at = line + text.count("\n", at + 1, match.start() + 1), match.start() + 1
        if not any(start < line < end for start, end in fences):
            address = match.group("auto") or match.group("link") or match.group("bare")
            yield VideoLine(line, address, match.group("text") or "")


def _fence_lines(body: str) -> list[tuple[int, int]]:
    """The lines of each fenced code block's opening and closing fence, as
    Python-Markdown reads them: from the first column, closed by the same fence."""
    spans, opened, fence = [], 0, ""
    for index, line in enumerate(body.split("\n")):
        marks = _FENCE.match(line)
        if marks and not fence:
            opened, fence = index, marks.group(1)
        elif marks and marks.group(1) == fence and not line[len(fence):].strip():
            spans.append((opened, index))
            fence = ""
    return spans  # one left open is no code block (and content/markdown_limits refuses it)


def video_lines(body: str) -> Iterator[VideoLine]:
    """Lone links that name a video, or that look meant to (a YouTube video address with
    a malformed id, an .mp4 path): what the model stage checks."""
    for line in lone_links(body):
        address = line.address
        if video_from(address) or _youtube_id_in(address) is not None \
                or (address.startswith("/") and address.lower().endswith(".mp4")):
            yield line


def uses_youtube(body: str, field: str = "") -> bool:
    """Whether an item shows a YouTube player (its body or its `video:` field): the
    portal's policy then lets that player be framed."""
    if field and (video := video_from(field)) and video.youtube_id:
        return True
    if "youtu" not in body:
        return False
    return any((video := video_from(line.address)) and video.youtube_id for line in lone_links(body))


def local_video_files(body: str, field: str = "") -> list[str]:
    """The site paths of the .mp4 files an item shows: they must stay under static/. Asked
    of every kept model on every build, so a body without ".mp4" is not read further."""
    lines = video_lines(body) if _MP4.search(body) else ()
    addresses = ([field] if field else []) + [line.address for line in lines]
    found = [video.file for address in addresses if (video := video_from(address)) and video.file]
    return list(dict.fromkeys(found))
