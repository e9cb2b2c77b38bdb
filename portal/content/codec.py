"""How the snapshot keeps a model: a list of its fields in a fixed order, each with a
kind, so that decoding checks every value's type as it goes (and fast), and anything
that is not exactly what this engine writes is `Unreadable`: the model is made again."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any, Callable

from ..aliases import is_alias
from ..models import Attachment, Document, NewsItem, Page, Target, Term, status_on
from ..schema import FIRST_YEAR, LAST_YEAR
from ..urls import unsafe_urls_in
from ..video import video_from
from .parse import MAX_FILE_BYTES

Model = NewsItem | Page | Document


class Unreadable(ValueError):
    """A kept model that is not exactly what this engine writes: made again."""


_FIELDS = {
    NewsItem: (("path", "str"), ("title", "str"), ("date", "time"), ("category", "term"),
               ("tags", "terms"), ("slug", "str"), ("url", "str"), ("digest", "str"),
               ("summary", "str"), ("image", "str"), ("image_alt", "str"),
               ("image_caption", "str"), ("author", "str"), ("source", "str"),
               ("documents", "strs"), ("draft", "bool"), ("featured", "bool"),
               ("lang", "str"), ("updated", "time?"), ("video", "video"),
               ("aliases", "aliases"), ("extra", "extra"),
               ("summary_written", "bool"), ("url_from", "url_from"),
               ("lines", "lines"), ("body_line", "line")),
    Page: (("path", "str"), ("title", "str"), ("slug", "str"), ("url", "str"),
           ("digest", "str"), ("menu", "int?"), ("summary", "str"), ("draft", "bool"),
           ("lang", "str"), ("translation_of", "str"), ("show_organization", "bool"),
           ("aliases", "aliases"), ("extra", "extra"), ("summary_written", "bool"),
           ("url_from", "url_from"), ("lines", "lines"), ("body_line", "line")),
    Document: (("path", "str"), ("number", "str"), ("slug", "str"), ("url", "str"),
               ("type", "term"), ("title", "str"), ("issuer", "term"), ("issued", "time"),
               ("digest", "str"), ("effective", "time?"), ("expires", "time?"),
               ("signer", "str"), ("domain", "str"), ("files", "files"),
               ("targets", "targets"), ("aliases", "aliases"), ("extra", "extra"),
               ("summary", "str"),
               ("summary_written", "bool"), ("status", "str"), ("url_from", "url_from"),
               ("lines", "lines"), ("body_line", "line")),
}
_KINDS = {cls.__name__: cls for cls in _FIELDS}
KIND_CLASSES = {"news": NewsItem, "page": Page, "document": Document}  # discover's kinds


def encode_model(model: Model) -> list:
    """[class name, fingerprint, field values...]."""
    return [type(model).__name__, model.fingerprint,
            *(_ENCODERS[kind](getattr(model, name)) for name, kind in _FIELDS[type(model)])]


def decode_model(kept: Any, now: dt.datetime, **more: Any) -> Model:
    """The model, complete (a document's status is the one it has on `now`), or
    Unreadable (any value not of its field's kind, a field too many...)."""
    if not isinstance(kept, list) or len(kept) < 2:
        raise Unreadable("not a model")
    cls = _KINDS.get(kept[0])
    if cls is None or len(kept) != 2 + len(_FIELDS[cls]) or not _is_key(kept[1]):
        raise Unreadable("not a model")
    values = {name: _DECODERS[kind](raw) for (name, kind), raw in zip(_FIELDS[cls], kept[2:])}
    kept_status = values.get("status")
    if cls is Document:  # time has passed since it was kept: an `expires` may have come
        values["status"] = status_on(values["issued"], values["effective"], values["expires"], now)
    model = cls(**values, **more)
    if values.get("status") == kept_status:  # else the kept fingerprint is not this model's
        model.remember_fingerprint(kept[1])
    return model


def is_current(model: Model, now: dt.datetime) -> bool:
    """Whether a model decoded earlier (kept by `serve` between builds) is still what it
    would be made on `now`: a document's status moves with time."""
    return not isinstance(model, Document) or \
        model.status == status_on(model.issued, model.effective, model.expires, now)


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
    "strs": list, "aliases": list, "extra": lambda v: _encode(v), "url_from": list, "lines": dict,
    "line": lambda v: v, "video": lambda v: v,
    "files": lambda v: [[f.path, f.title, f.size, f.kind] for f in v],
    "targets": lambda v: [[t.label, t.value] for t in v],
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "str": _text, "bool": _flag, "int": _whole,
    "int?": lambda raw: None if raw is None else _whole(raw),
    "time": _time, "time?": lambda raw: None if raw is None else _time(raw),
    "term": _term, "terms": lambda raw: tuple(map(_term, _list(raw))),
    "strs": lambda raw: tuple(map(_text, _list(raw))),
    "aliases": lambda raw: tuple(map(_alias, _list(raw))),
    "extra": lambda raw: _checked_extra(_decode(raw)),
    "url_from": lambda raw: (lambda name, line: (_text(name), _whole(line)))(*_list(raw)),
    "lines": lambda raw: _lines(raw), "line": lambda raw: _line(raw), "video": lambda raw: _video(raw),
    "files": lambda raw: tuple(Attachment(_text(p), _text(t), _whole(n), _text(k))
                               for p, t, n, k in map(_list, _list(raw))),
    "targets": lambda raw: tuple(Target(_text(label), _text(value))
                                 for label, value in map(_list, _list(raw))),
}


def _video(raw: Any) -> str:
    """`video:` as the model stage let it through: nothing, or an address of a video."""
    address = _text(raw)
    if address and video_from(address) is None:
        raise Unreadable("not a video")
    return address


def _alias(raw: Any) -> str:
    """An old address as the model stage let it through (aliases.py): a kept model
    cannot put a redirect page anywhere the editor could not."""
    url = _text(raw)
    if not is_alias(url):
        raise Unreadable("not an alias")
    return url


def _line(raw: Any) -> int:
    """A line of a content file, which holds at most MAX_FILE_BYTES, so as many lines."""
    line = _whole(raw)
    if not 1 <= line <= MAX_FILE_BYTES:
        raise Unreadable("not a line")
    return line


def _lines(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise Unreadable("not lines")
    return {_text(name): _line(line) for name, line in raw.items()}


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
