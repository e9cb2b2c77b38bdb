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
import functools
import hashlib
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any, Callable

from ..cache import Cache, content_key
from ..mentions import numbers_in
from .fields import FIRST_YEAR, LAST_YEAR, site_file_problem, unsafe_urls_in
from ..models import Attachment, BodyHtml, Document, NewsItem, Page, Target, Term
from ..text import may_hold_unwanted
from ..urls import UrlScheme, looks_like_slug

SNAPSHOT_FORMAT = "1"
PARTS = 16  # entries a snapshot is cut into: one edit rewrites a sixteenth of it
Model = NewsItem | Page | Document


class Unreadable(ValueError):
    """A kept model that is not exactly what this engine writes: made again."""


class ModelSnapshot:
    """The kept models of one portal; `cache` of None (--no-cache) keeps nothing."""

    def __init__(self, cache: Cache, context: str, static_dir: Path, urls: UrlScheme):
        self.cache, self.context, self.static_dir, self.urls = cache, context, static_dir, urls
        self._parts = [self._read_part(number) for number in range(PARTS)]
        self._changed: set[int] = set()
        self._decoded: dict[str, tuple[str, Model]] = {}  # kept across builds by serve's session

    def get(self, rel: str, kind: str, digest: str, body: Callable[[], str],
            html: Callable[[str], Callable[[], str]]) -> Model | None:
        """The model kept for `rel` if its file still has `digest` and the static files it
        rests on are as they were. `body()` gives the body; `html(body)` the loader of its HTML."""
        decoded = self._decoded.get(rel)
        if decoded and decoded[0] == digest:
            model = decoded[1]
        else:
            model = self._decode(rel, digest, body, html)
        usable = (model is not None and type(model) is _KIND_CLASSES.get(kind)
                  and self._static_unchanged(model))
        return model if usable else None

    def _decode(self, rel: str, digest: str, body: Callable[[], str],
                html: Callable[[str], Callable[[], str]]) -> Model | None:
        kept = self._parts[_part_of(rel)].get(rel)
        if not kept or kept[0] != digest:
            return None
        try:
            text = body()
            model = decode_model(kept[1], body=text, body_html=BodyHtml(load=html(text)))
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
    if isinstance(model, NewsItem):
        return [(model.image, None)] if model.image else []
    if isinstance(model, Document):
        return [(attachment.path, attachment.size) for attachment in model.files]
    return []


def _part_of(rel: str) -> int:
    return hashlib.sha1(rel.encode("utf-8", "surrogatepass")).digest()[0] % PARTS


def _well_formed(kept: Any) -> bool:
    return isinstance(kept, list) and len(kept) == 3 and isinstance(kept[0], str)


# --- the codec: each model as a list of its kept fields, in this order, with a kind each
# (so that decoding checks every value's type as it goes, and fast) ------------------------

_FIELDS = {
    NewsItem: (("path", "str"), ("title", "str"), ("date", "time"), ("category", "term"),
               ("tags", "terms"), ("slug", "str"), ("url", "str"), ("digest", "str"),
               ("summary", "str"), ("image", "str"), ("image_alt", "str"),
               ("image_caption", "str"), ("author", "str"), ("source", "str"),
               ("documents", "strs"), ("draft", "bool"), ("featured", "bool"),
               ("extra", "extra"), ("url_from", "url_from"), ("documents_line", "int")),
    Page: (("path", "str"), ("title", "str"), ("slug", "str"), ("url", "str"),
           ("digest", "str"), ("menu", "int?"), ("summary", "str"), ("draft", "bool"),
           ("extra", "extra"), ("url_from", "url_from")),
    Document: (("path", "str"), ("number", "str"), ("slug", "str"), ("url", "str"),
               ("type", "term"), ("title", "str"), ("issuer", "term"), ("issued", "time"),
               ("digest", "str"), ("effective", "time?"), ("expires", "time?"),
               ("signer", "str"), ("domain", "str"), ("files", "files"),
               ("targets", "targets"), ("extra", "extra"), ("summary", "str"),
               ("status", "str"), ("url_from", "url_from")),
}
_KINDS = {cls.__name__: cls for cls in _FIELDS}
_KIND_CLASSES = {"news": NewsItem, "page": Page, "document": Document}  # discover's kinds


def encode_model(model: Model) -> list:
    """[class name, fingerprint, field values...]."""
    return [type(model).__name__, model.fingerprint,
            *(_ENCODERS[kind](getattr(model, name)) for name, kind in _FIELDS[type(model)])]


def decode_model(kept: Any, **more: Any) -> Model:
    """The model, or Unreadable (any value not of its field's kind, a field too many...)."""
    if not isinstance(kept, list) or len(kept) < 2:
        raise Unreadable("not a model")
    cls = _KINDS.get(kept[0])
    if cls is None or len(kept) != 2 + len(_FIELDS[cls]) or not _is_key(kept[1]):
        raise Unreadable("not a model")
    values = {name: _DECODERS[kind](raw) for (name, kind), raw in zip(_FIELDS[cls], kept[2:])}
    model = cls(**values, **more)
    model.remember_fingerprint(kept[1])
    return model


def _is_key(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 40


def _text(raw: Any) -> str:
    if not isinstance(raw, str):  # (control characters: see ModelSnapshot._read_part)
        raise Unreadable("not a text")
    return raw


def _flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise Unreadable("not a flag")
    return raw


def _whole(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise Unreadable("not a number")
    return raw


def _list(raw: Any) -> list:
    if not isinstance(raw, list):
        raise Unreadable("not a list")
    return raw


def _time(raw: Any) -> dt.datetime:
    """A time as fields.parse_date makes it: in the years it allows, in a zone of the
    zone database or at a whole-minute offset."""
    value, zone = _list(raw)
    moment = dt.datetime.fromisoformat(_text(value))
    if moment.tzinfo is not None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Unreadable("not a time of ours")
    if isinstance(zone, str):
        if zone not in _zone_names():
            raise Unreadable("not a zone")
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    seconds, is_utc = _list(zone)
    if not isinstance(seconds, (int, float)) or abs(seconds) > 18 * 3600 or seconds % 60:
        raise Unreadable("not an offset")
    return moment.replace(tzinfo=dt.timezone.utc if is_utc is True
                          else dt.timezone(dt.timedelta(seconds=seconds)))


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _encode_time(value: dt.datetime) -> list:
    return [value.replace(tzinfo=None).isoformat(), _zone_of(value)]


def _term(raw: Any) -> Term:
    name, slug, url = _list(raw)
    return Term(_text(name), _text(slug), _text(url))


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: v, "bool": lambda v: v, "int": lambda v: v, "int?": lambda v: v,
    "time": _encode_time, "time?": lambda v: None if v is None else _encode_time(v),
    "term": lambda v: [v.name, v.slug, v.url], "terms": lambda v: [[t.name, t.slug, t.url] for t in v],
    "strs": list, "extra": lambda v: _encode(v), "url_from": list,
    "files": lambda v: [[f.path, f.title, f.size, f.kind] for f in v],
    "targets": lambda v: [[t.label, t.value] for t in v],
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "str": _text, "bool": _flag, "int": _whole,
    "int?": lambda raw: None if raw is None else _whole(raw),
    "time": _time, "time?": lambda raw: None if raw is None else _time(raw),
    "term": _term, "terms": lambda raw: tuple(map(_term, _list(raw))),
    "strs": lambda raw: tuple(map(_text, _list(raw))),
    "extra": lambda raw: _checked_extra(_decode(raw)),
    "url_from": lambda raw: (lambda name, line: (_text(name), _whole(line)))(*_list(raw)),
    "files": lambda raw: tuple(Attachment(_text(p), _text(t), _whole(n), _text(k))
                               for p, t, n, k in map(_list, _list(raw))),
    "targets": lambda raw: tuple(Target(_text(label), _text(value))
                                 for label, value in map(_list, _list(raw))),
}


def _checked_extra(value: Any) -> dict:
    if value == {}:  # nearly every item
        return value
    if not isinstance(value, dict) or any(unsafe_urls_in("extra", value)):
        raise Unreadable("extra")
    return value


def _encode(value: Any) -> Any:
    """JSON for the front matter's free fields: tuples, times and non-string keys tagged,
    so that decoding gives back equal values of the same types."""
    if isinstance(value, str) or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, tuple):
        return {"@tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"@dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"@datetime": _encode_time(value)}
    if isinstance(value, dt.date):
        return {"@date": value.isoformat()}
    if isinstance(value, bytes):
        return {"@bytes": value.hex()}
    if isinstance(value, (set, frozenset)):
        return {"@set": [_encode(v) for v in value]}
    raise TypeError(type(value).__name__)


def _zone_of(value: dt.datetime) -> Any:
    zone = value.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None) if zone is not None else None
    if offset is None:
        raise TypeError("a time without a zone")
    return [offset.total_seconds(), zone is dt.timezone.utc]


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise Unreadable("not a tagged value")
    tag, raw = next(iter(value.items()))
    if tag == "@tuple":
        return tuple(_decode(v) for v in _list(raw))
    if tag == "@dict":
        return {_hashable(_decode(k)): _decode(v) for k, v in map(_list, _list(raw))}
    if tag == "@datetime":
        return _time(raw)
    if tag == "@date":
        return dt.date.fromisoformat(_text(raw))
    if tag == "@bytes":
        return bytes.fromhex(_text(raw))
    if tag == "@set":
        return {_hashable(_decode(v)) for v in _list(raw)}
    raise Unreadable(f"unknown tag {tag!r}")


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise Unreadable("a list or a mapping as a key") from None
    return value
