"""Markdown: a video's address on a line of its own becomes a paragraph that holds only a
link to it, marked `video-line`. The renderer draws the player there (output/videos.py);
everything else that reads a body (feeds, the search index, the open data) keeps a plain
link. Markup, not a player: editors' raw HTML is still sanitized as strictly as before,
and only the engine's template ever writes an <iframe> or a <video>."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.util import AtomicString

from ..errors import ErrorLog
from ..paths import site_file_problem
from ..video import LONE_LINK, video_from, video_lines, video_problem
from .parse import RawEntry

VIDEO_LINE_CLASS = "video-line"


class _VideoLines(BlockProcessor):
    def test(self, parent: etree.Element, block: str) -> bool:
        # Top level only (not in a list or a quote), as video.lone_links reads a body.
        return parent.tag == self.parser.md.doc_tag and _first_video_line(block) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        """Every video line of the block at once, the text between them parsed as blocks
        of their own: one pass, where handing the rest back line by line would make a
        block of a thousand video lines quadratic."""
        text: list[str] = []
        for line in blocks.pop(0).split("\n"):
            found = _video_line(line)
            if found is None:
                text.append(line)
                continue
            if text:  # no video line in it, so this processor does not take it again
                self.parser.parseBlocks(parent, ["\n".join(text)])
                text = []
            address, words = found
            paragraph = etree.SubElement(parent, "p", {"class": VIDEO_LINE_CLASS})
            link = etree.SubElement(paragraph, "a", {"href": video_from(address).watch_url})
            link.text = AtomicString(words or address)  # as written: no emphasis made of an id's "_"
        if text:
            self.parser.parseBlocks(parent, ["\n".join(text)])


def _first_video_line(block: str) -> tuple[str, str] | None:
    """The first line of `block` that is a video's address alone."""
    if "://" not in block and ".mp4" not in block.lower():
        return None
    return next(filter(None, map(_video_line, block.split("\n"))), None)


def _video_line(line: str) -> tuple[str, str] | None:
    """The address and the link's words ("" for a bare address) of a line that holds a
    video's address alone."""
    match = LONE_LINK.fullmatch(line)
    if match:
        address = match.group("auto") or match.group("link") or match.group("bare")
        if video_from(address):
            return address, match.group("text") or ""
    return None


class VideoLinesExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before plain paragraphs (10), after link references (15) and the rest.
        md.parser.blockprocessors.register(_VideoLines(md.parser), "video_lines", 12)


def check_video_lines(entry: RawEntry, errors: ErrorLog, static_dir: Path) -> bool:
    """False, and an error on its line for each, when a body's video line cannot be shown:
    a YouTube address whose video id is malformed, or an .mp4 that is not a file under
    static/ (or is a link leading out of the portal)."""
    fine = True
    for line in video_lines(entry.body):
        video = video_from(line.address)
        if video is None:
            problem = video_problem(line.address)
        else:
            problem = site_file_problem(video.file, static_dir) if video.file else None
        if problem:
            errors.add(entry.source.path, problem, line=entry.body_line + line.index,
                       value=line.address)
            fine = False
    return fine
