"""`python build.py new news|page|document "…"`: a new content file with every field
ready to fill in, at the path the engine expects; never overwrites."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..config import SiteConfig
from ..run import build_time
from ..paths import leads_out
from ..urls import slugify

SCAFFOLDS = Path(__file__).parent / "scaffolds"
KINDS = ("news", "page", "document")
# The type a document number implies: 606/KH-UBND is a plan, 25/2022/NQ-HĐND a resolution.
_TYPE_BY_CODE = {"KH": "Kế hoạch", "QĐ": "Quyết định", "NQ": "Nghị quyết", "TT": "Thông tư",
                 "NĐ": "Nghị định", "CV": "Công văn", "CT": "Chỉ thị", "QH": "Luật"}


@dataclass(frozen=True)
class NewFile:
    path: Path
    created: bool  # False when a file was already there (left untouched)
    problem: str = ""  # a `cli:` key when the file could not be written at all
    detail: str = ""  # what the system said, for that message


def new_content(root: Path, config: SiteConfig, kind: str, title: str, category: str) -> NewFile:
    """Write the scaffold of `kind`; `category` stands in until the editor picks one, so
    that the new (draft) file is valid from the start."""
    now = build_time().astimezone(config.zone)
    slug = slugify(title) or "moi"
    path = root / "content" / _relative_path(kind, slug, now.year)
    if leads_out(path.parent, root):  # content/news linked elsewhere: never write there
        return NewFile(path, created=False, problem="new_outside")
    if os.path.lexists(path):
        return NewFile(path, created=False)
    # The slug is written, not left to the title: a later edit of the title keeps the address.
    text = _scaffold(kind).render(title=_yaml_text(title), slug=slug, slug_value=_yaml_text(slug),
                                  now=now, category=category, document_type=_document_type(title))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except OSError as error:  # a file where a folder goes, a read-only disk
        return NewFile(path, created=False, problem="new_failed", detail=error.strerror or "")
    return NewFile(path, created=True)


def _relative_path(kind: str, slug: str, year: int) -> str:
    return {"news": f"news/{year}/{slug}.md", "page": f"pages/{slug}.md",
            "document": f"documents/{year}/{slug}.md"}[kind]


def _scaffold(kind: str) -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SCAFFOLDS), keep_trailing_newline=True)
    return env.get_template(f"{kind}.md")


def _yaml_text(text: str) -> str:
    """Always quoted: a bare title such as Yes, null or 1.10 would be read by YAML as
    something else. A JSON string is a valid YAML double-quoted one."""
    return json.dumps(text, ensure_ascii=False)


def _document_type(number: str) -> str:
    for code in re.findall(r"[A-ZĐ]+", number.upper()):
        if code in _TYPE_BY_CODE:
            return _TYPE_BY_CODE[code]
    return "Kế hoạch"
