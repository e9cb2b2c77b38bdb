"""Turn loaded YAML into typed dataclasses, reporting every mismatch by key path.

Supported field types: str, int, float, bool, dict, a nested dataclass, and
tuple[Dataclass, ...]. Unknown keys are errors with a "did you mean" suggestion
a dataclass with an `extra` dict field takes free-form keys under `extra:`.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from dataclasses import MISSING
from typing import Any, Callable

# The years a date in content may fall in: a typo ("20244") is an error, not a far future.
FIRST_YEAR, LAST_YEAR = 1900, 2200

# Reports a problem: (key path, message key, params)
Report = Callable[..., None]

_TYPE_NAMES = {str: "text", int: "integer", float: "number", bool: "true/false", dict: "mapping"}


def build(cls: type, data: object, path: tuple[str, ...], report: Report) -> Any:
    """Build `cls` from `data`; on any problem call `report` and fall back to defaults."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        report(path, "wrong_type", expected="mapping", got=type_name(data))
        data = {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    takes_extra = "extra" in fields
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        if name == "extra":
            continue
        if name in data:
            value = _coerce(hints[name], data[name], path + (name,), report)
            if value is not None:  # a wrong value was reported; the default stands in
                values[name] = value
        elif spec.default is MISSING and spec.default_factory is MISSING:
            report(path + (name,), "required")
    if takes_extra:  # free-form keys live under `extra:`, so a misspelt key is still caught
        values["extra"] = data["extra"] if isinstance(data.get("extra"), dict) else {}
    for key in (str(k) for k in data if str(k) not in fields):
        report(path + (key,), "unknown_key", suggestion=_suggest(key, fields))
    try:
        return cls(**values)
    except TypeError:  # a required field was reported missing above
        return None


def _coerce(hint: Any, value: object, path: tuple[str, ...], report: Report) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        item_type = typing.get_args(hint)[0]
        if not isinstance(value, list):
            report(path, "wrong_type", expected="list", got=type_name(value))
            return ()
        items = (_coerce(item_type, v, path + (str(i),), report) for i, v in enumerate(value))
        return tuple(item for item in items if item is not None)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, report)
    return _scalar(hint, value, path, report)


def _scalar(hint: type, value: object, path: tuple[str, ...], report: Report) -> Any:
    """Accept `value` as `hint`, allowing the conversions an editor expects (1 -> "1")."""
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    report(path, "wrong_type", expected=_TYPE_NAMES.get(hint, hint.__name__), got=type_name(value))
    return None


def type_name(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _suggest(key: str, fields: dict) -> str:
    close = difflib.get_close_matches(key, list(fields), n=1)
    return close[0] if close else ""
