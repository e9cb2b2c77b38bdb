"""The models of the last build, by the bytes of their files: `.cache/models/`.

Reading front matter, checking every field and making slugs costs ~0.3 ms a file, which
is seconds on a 10,000-item portal with nothing changed. So each model is kept, keyed by
its file's digest, in a few sealed cache entries (one per part of the file names), under
a key that names everything else a model is made from: the engine, the time zone and
the URL scheme. A file whose bytes are unchanged gets its model back; its body is cut
from the bytes again (cheap), and its HTML is fetched only if a page is rendered from it.

A model may also rest on files in `static/` (a news item's image, a document's
attachments with their sizes); each is looked at again, and a change makes the model a
miss. The snapshot is data like the rest of the cache: a damaged part is a miss, and
a model that does not decode into exactly the known types is made again from its file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any, Callable

from ..cache import Cache, content_key
from ..mentions import numbers_in
from ..paths import site_file_problem
from ..models import BodyHtml, Document, NewsItem, Page
from ..text import may_hold_unwanted
from ..urls import UrlScheme, looks_like_slug
from ..video import local_video_files
from .parse import SourceRead, body_of
from .codec import KIND_CLASSES, Model, Unreadable, decode_model, encode_model, is_current

SNAPSHOT_FORMAT = "2"  # 2: models keep their field lines, and whether the summary was written
PARTS = 16  # entries a snapshot is cut into: one edit rewrites a sixteenth of it


class ModelSnapshot:
    """The kept models of one portal; `cache` of None (--no-cache) keeps nothing."""

    def __init__(self, cache: Cache, context: str, static_dir: Path, urls: UrlScheme):
        self.cache, self.context, self.static_dir, self.urls = cache, context, static_dir, urls
        self._parts = [self._read_part(number) for number in range(PARTS)]
        self._changed: set[int] = set()
        self._decoded: dict[str, tuple[str, Model]] = {}  # kept across builds by serve's session

    def sort(self, reads: list[SourceRead], now: dt.datetime,
             html: Callable[[str, str], Callable[[], str]]) -> tuple[dict[str, Model], list[SourceRead]]:
        """The models kept for files whose bytes are unchanged (and the static files they
        rest on too), by file; and the files to parse. `html(digest, body)` gives the
        loader of a kept model's HTML; `now` decides a document's status."""
        kept: dict[str, Model] = {}
        fresh = []
        for read in reads:
            model = self.get(read, now, html)
            if model is None:
                fresh.append(read)
            else:
                kept[read.source.rel] = model
        return kept, fresh

    def update(self, reads: list[SourceRead], kept: dict[str, Model],
               made: list[Model]) -> dict[str, list[Model]]:
        """Keep the models made this build; forget files that are gone. Every model by
        kind, in the order the files were found."""
        found = dict(kept)
        digests = {read.source.rel: read.digest for read in reads}
        for model in made:
            self.put(model, digests[model.path])
            found[model.path] = model
        self.keep_only(set(digests))
        models: dict[str, list[Model]] = {kind: [] for kind in KIND_CLASSES}
        for read in reads:
            if read.source.rel in found:
                models[read.source.kind].append(found[read.source.rel])
        return models

    def get(self, read: SourceRead, now: dt.datetime,
            html: Callable[[str, str], Callable[[], str]]) -> Model | None:
        """The model kept for the file if it still has its digest and the static files it
        rests on are as they were."""
        rel, digest = read.source.rel, read.digest
        decoded = self._decoded.get(rel)
        if decoded and decoded[0] == digest and is_current(decoded[1], now):
            model = decoded[1]
        else:
            model = self._decode(read, now, html)
        usable = (model is not None and type(model) is KIND_CLASSES.get(read.source.kind)
                  and self._static_unchanged(model))
        return model if usable else None

    def _decode(self, read: SourceRead, now: dt.datetime,
                html: Callable[[str, str], Callable[[], str]]) -> Model | None:
        rel, digest = read.source.rel, read.digest
        kept = self._parts[_part_of(rel)].get(rel)
        if not kept or kept[0] != digest:
            return None
        try:
            body = body_of(read.data if read.data is not None else read.source.path.read_bytes())
            model = decode_model(kept[1], now, body=body, body_html=BodyHtml(load=html(digest, body)))
        except (Unreadable, TypeError, ValueError, KeyError, OverflowError, OSError,
                zoneinfo.ZoneInfoNotFoundError, RecursionError):
            return None  # (OSError: a zone name that is a folder of the zone database, say)
        if model.path != rel or not _addresses_consistent(model, self.urls):
            return None
        self._decoded[rel] = (digest, model)
        return model

    def put(self, model: Model, digest: str) -> None:
        part = _part_of(model.path)
        self._parts[part][model.path] = [digest, encode_model(model), None]
        self._decoded[model.path] = (digest, model)
        self._changed.add(part)

    def mentions(self, item: NewsItem, pattern: re.Pattern) -> list[str]:
        """The known numbers `item`'s text mentions: remembered from the last build when
        neither the item nor the set of known numbers changed, else read from its HTML."""
        key = content_key(pattern.pattern, str(pattern.flags))
        part = self._parts[_part_of(item.path)]
        kept = part.get(item.path)
        remembered = kept[2] if kept and kept[0] == item.digest else None
        if (isinstance(remembered, list) and len(remembered) == 2 and remembered[0] == key
                and isinstance(remembered[1], list) and all(isinstance(n, str) for n in remembered[1])):
            return remembered[1]
        found = numbers_in(item.html, pattern)
        if kept and kept[0] == item.digest:
            kept[2] = [key, found]
            self._changed.add(_part_of(item.path))
        return found

    def keep_only(self, rels: set[str]) -> None:
        """Forget files that are gone (so that the snapshot does not grow forever)."""
        for number, part in enumerate(self._parts):
            for rel in [rel for rel in part if rel not in rels]:
                del part[rel]
                self._decoded.pop(rel, None)
                self._changed.add(number)

    def save(self) -> None:
        for number, part in enumerate(self._parts):
            key = self._key(number)
            if number in self._changed:
                self.cache.put(key, json.dumps(part, ensure_ascii=False, sort_keys=True,
                                               separators=(",", ":")).encode("utf-8"))
            else:
                self.cache.keep(key)
        self._changed = set()
        self.cache.prune()

    def _key(self, number: int) -> str:
        return content_key(SNAPSHOT_FORMAT, self.context, str(number))

    def _read_part(self, number: int) -> dict[str, list]:
        text = self.cache.get_text(self._key(number))
        # Content never holds control characters (text.py strips them), so a part that
        # does, raw or escaped, is not one this engine wrote: one look at the whole text
        # spares a look at each of its quarter million strings.
        if text is None or may_hold_unwanted(text) or "\\u" in text:
            return {}
        try:
            part = json.loads(text)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(part, dict):
            return {}
        return {rel: kept for rel, kept in part.items() if _well_formed(kept)}

    def _static_unchanged(self, model: Model) -> bool:
        """The static files the model names are still there (and attachments the same size)."""
        for path, size in static_files_of(model):
            if site_file_problem(path, self.static_dir):
                return False
            if size is not None and (self.static_dir / path.lstrip("/")).stat().st_size != size:
                return False
        return True


def _addresses_consistent(model: Model, urls: UrlScheme) -> bool:
    """Each address is the one the URL scheme gives its slug, and each slug one that
    `slugify` could have made: a kept model cannot send a page outside the site."""
    if isinstance(model, NewsItem):
        pairs = [(model, urls.news_item), (model.category, urls.category_page),
                 *((tag, urls.tag_page) for tag in model.tags)]
    elif isinstance(model, Document):
        pairs = [(model, urls.document), (model.type, urls.document_type),
                 (model.issuer, urls.document_issuer)]
    else:
        pairs = [(model, urls.static_page)]
    if isinstance(model, Page) and model.slug in urls.reserved():
        return False
    return all(looks_like_slug(item.slug) and url_of(item.slug) == item.url
               for item, url_of in pairs)


def static_files_of(model: Model) -> list[tuple[str, int | None]]:
    """The files under static/ a model was made with: (site path, size if it shows it)."""
    videos = [(path, None) for path in local_video_files(model.body, getattr(model, "video", ""))]
    if isinstance(model, NewsItem):
        return ([(model.image, None)] if model.image else []) + videos
    if isinstance(model, Document):
        return [(attachment.path, attachment.size) for attachment in model.files] + videos
    return videos


def _part_of(rel: str) -> int:
    return hashlib.sha1(rel.encode("utf-8", "surrogatepass")).digest()[0] % PARTS


def _well_formed(kept: Any) -> bool:
    return isinstance(kept, list) and len(kept) == 3 and isinstance(kept[0], str)
