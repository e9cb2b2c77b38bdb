"""YAML loading shared by config and front matter.

Dates are kept as strings: the engine parses them itself, so that an impossible date
(`2019-02-30`) becomes an editor-facing error with its line instead of a crash inside
PyYAML's constructor, and naive times can be placed in the configured timezone.
"""

from __future__ import annotations

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~9x faster


class ContentLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as plain strings."""


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> object:
    """Parse one YAML document; raises `yaml.YAMLError` with a `problem_mark`."""
    return yaml.load(text, Loader=ContentLoader)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each mapping key path, e.g. ("weather", "provider"), to its 1-based line.

    Used only when reporting an error, so its cost does not touch clean builds.
    """
    try:
        root = yaml.compose(text, Loader=ContentLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, ...], int] = {}
    _walk(root, (), lines)
    return lines


def _walk(node: yaml.Node | None, prefix: tuple[str, ...], lines: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = prefix + (str(key.value),)
            lines[path] = key.start_mark.line + 1
            _walk(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = prefix + (str(index),)
            lines.setdefault(path, item.start_mark.line + 1)
            _walk(item, path, lines)


def error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line of a YAML error within the text that was parsed.

    An unclosed quote or bracket is reported by PyYAML where it gave up (often the
    end of the front matter); the editor needs the line where it was opened.
    """
    context = getattr(error, "context", None) or ""
    opened = getattr(error, "context_mark", None)
    if opened is not None and ("quoted" in context or "flow" in context):
        return opened.line + 1
    mark = getattr(error, "problem_mark", None) or opened
    return mark.line + 1 if mark is not None else None


def error_problem(error: yaml.YAMLError) -> str:
    return str(getattr(error, "problem", None) or error).strip()
