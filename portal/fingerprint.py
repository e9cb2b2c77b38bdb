"""What a page is made from, as one hash: the cache key of its rendering.

A page's template sees exactly what its render job hands it (and the frame every page
gets: config, words, assets); nothing else of the site. So hashing everything handed
over gives a key that cannot forget a dependency: a template that starts using another
field of an item is already covered, and one that reaches for something it was not
given fails loudly (Jinja's StrictUndefined) instead of shipping a stale page.

Models and listings remember their own fingerprint (`Fingerprinted`), so an item shown
on a thousand listing pages is hashed once a build (and once a session under `serve`,
which keeps unchanged models).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from typing import Any


class Fingerprinted:
    """A frozen dataclass whose fingerprint is computed once. Fields marked
    `field(metadata=SKIP)` are left out: they are derived from fields that are in
    (a body's HTML from its Markdown, which is hashed with the engine's version)."""

    @functools.cached_property
    def fingerprint(self) -> str:
        parts = [type(self).__name__]
        parts += [_part(getattr(self, f.name)) for f in dataclasses.fields(self)
                  if not f.metadata.get("skip_fingerprint")]
        return _hash(parts)

    def remember_fingerprint(self, value: str) -> None:
        """Take the fingerprint kept with a model (snapshot.py) instead of computing it."""
        self.__dict__["fingerprint"] = value


SKIP = {"skip_fingerprint": True}


def fingerprint(value: Any) -> str:
    """The hash of a value made of models, listings, containers and plain values."""
    return _hash([_part(value)])


def _part(value: Any) -> str:
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, Fingerprinted):
        return "f" + value.fingerprint
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, bytes):
        return "b" + value.hex()
    if isinstance(value, (set, frozenset)):
        return "{" + "\x1f".join(sorted(map(_part, value))) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + "\x1f".join(map(_part, value)) + ")"
    if isinstance(value, dict):
        return "{" + "\x1f".join(_part(k) + "\x1e" + _part(v) for k, v in
                                 sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, dt.datetime):
        return "t" + value.isoformat() + "@" + str(value.tzinfo)
    if isinstance(value, (dt.date, dt.time)):
        return "d" + value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__ + _part([getattr(value, f.name)
                                             for f in dataclasses.fields(value)])
    # A function, a regex, an open file: what it would give a template is not knowable.
    raise TypeError(f"a page cannot be given a {type(value).__name__}: its key would not "
                    "cover what the template reads from it")


def _hash(parts: list[str]) -> str:
    return hashlib.sha1("\x1d".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
