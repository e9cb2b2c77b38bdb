"""YAML loading shared by config and front matter.

Dates are kept as strings: the engine parses them itself, so that an impossible date
(`2019-02-30`) becomes an editor-facing error with its line instead of a crash inside
PyYAML's constructor, and naive times can be placed in the configured timezone.

YAML is data an editor wrote, so loading it is bounded: nesting deeper than
`MAX_DEPTH` (libyaml's composer recurses in C and would crash the process) and aliases
that repeat anchors into more than `MAX_ALIAS_VALUES` extra values ("billion laughs")
are refused with the line, before anything walks the expanded structure. Control
characters that YAML escapes can produce ("\\0", "\\x1b", "\\uFFFE") are stripped from
every key and value: they are invisible, often pasted from word processors, and would
make pages and feeds invalid XML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .text import may_hold_unwanted, strip_unwanted

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~9x faster

# The messages in locale/*.yaml (yaml_too_deep, yaml_aliases) name these two numbers.
MAX_DEPTH = 100  # lists and mappings inside each other; real config and front matter use < 10
MAX_ALIAS_VALUES = 100_000  # values that aliases may add to a document by repeating anchors

_SURROGATES = re.compile("[\ud800-\udfff]")
# Every level of nesting needs one of these characters, so a text with fewer of them
# cannot be too deep and skips the event pass.
_NESTING_MARKS = "[{-?:\n"


class ContentLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as plain strings."""


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class YamlTooLarge(yaml.MarkedYAMLError):
    """YAML that is well-formed but refused for its shape; `key` names its message."""

    def __init__(self, key: str, mark: object, problem: str, field: str = ""):
        super().__init__(problem=problem, problem_mark=mark)
        self.key = key
        self.field = field


def load_yaml(text: str) -> object:
    """Parse one YAML document, refusing a shape too deep or too repetitive to walk and
    stripping unwanted characters (see the module's docstring); raises `yaml.YAMLError`
    with a `problem_mark`."""
    return load_yaml_with_lines(text)[0]


def load_yaml_with_lines(text: str) -> tuple[object, dict[tuple[str, ...], int]]:
    """`load_yaml`'s value, and the line of each key (see `key_lines`), from one reading
    of the text: the lines an error names come from the same parse as the values."""
    text = _encodable(text)
    _check_depth(text)
    loader = ContentLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}
        if "*" in text:  # no alias indicator, nothing can be repeated
            _check_aliases(root)
        if "\\" in text or may_hold_unwanted(text):  # escapes, or raw ones YAML allows
            _clean_scalars(root)
        return loader.construct_document(root), _lines_of(root)
    finally:
        loader.dispose()


def error_key(error: yaml.YAMLError, text: str) -> str:
    """The message for a YAML error in `text`: its own for a refused shape or a tab (a
    text editor puts one where YAML wants spaces, and PyYAML's "found character that
    cannot start any token" does not say so), else a syntax error."""
    if _tab_before_problem(error, text):
        return "yaml_tab"
    return getattr(error, "key", "yaml_syntax")


def _tab_before_problem(error: yaml.YAMLError, text: str) -> bool:
    """A tab on the problem's line, up to where the parser stopped: libyaml's message
    does not name the character, so look at the text."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return False
    lines = text.split("\n")
    return mark.line < len(lines) and "\t" in lines[mark.line][:mark.column + 1]


def _encodable(text: str) -> str:
    """libyaml reads UTF-8, which has no lone surrogates; a file decoded as UTF-8 has
    none either, but a string built in Python might."""
    return _SURROGATES.sub("", text)


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH from the parser's events, before libyaml's
    composer (which recurses in C) sees it."""
    if sum(text.count(mark) for mark in _NESTING_MARKS) < MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=ContentLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlTooLarge("yaml_too_deep", event.start_mark,
                                   f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


@dataclass
class _Sizes:
    """Per node (by id): how many values it expands to, and how many parents share it."""

    expanded: dict[int, int]
    parents: dict[int, int]


def _check_aliases(root: yaml.Node) -> None:
    """Refuse aliases that expand the document by more than MAX_ALIAS_VALUES values,
    or that contain themselves, without expanding anything: sizes are summed per
    distinct node."""
    sizes = _sizes(root)
    if sizes.expanded[id(root)] - len(sizes.expanded) > MAX_ALIAS_VALUES:
        mark, field = _largest_alias(root, sizes)
        raise YamlTooLarge("yaml_aliases", mark,
                           f"aliases repeat into more than {MAX_ALIAS_VALUES} values", field)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _sizes(root: yaml.Node) -> _Sizes:
    """Iterative post-order over the node graph (aliases are shared nodes)."""
    sizes = _Sizes({}, {id(root): 1})
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            open_nodes.discard(id(node))
            sizes.expanded[id(node)] = 1 + sum(sizes.expanded[id(c)] for c in _children(node))
            continue
        if id(node) in sizes.expanded:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            sizes.parents[id(child)] = sizes.parents.get(id(child), 0) + 1
            if id(child) in open_nodes:  # an anchor that contains an alias to itself
                raise YamlTooLarge("yaml_aliases", child.start_mark, "an alias contains itself")
            if id(child) not in sizes.expanded:
                stack.append((child, False))
    return sizes


def _largest_alias(root: yaml.Node, sizes: _Sizes) -> tuple[object, str]:
    """Where the expansion happens: follow the largest value down from the root to the
    first one that is an alias; its key's line (or its list's) and key path."""
    node, mark, path = root, root.start_mark, []
    while True:
        pairs = (node.value if isinstance(node, yaml.MappingNode)
                 else [(None, item) for item in node.value] if isinstance(node, yaml.SequenceNode)
                 else [])
        if not pairs:
            return mark, ".".join(path)
        index, (key, value) = max(enumerate(pairs), key=lambda p: sizes.expanded[id(p[1][1])])
        shared = sizes.parents.get(id(value), 0) > 1
        if key is None and shared:  # an alias in a list: the list's line and key
            return node.start_mark, ".".join(path)
        path.append(str(key.value) if isinstance(key, yaml.ScalarNode) else str(index))
        mark = key.start_mark if key is not None else node.start_mark
        if shared:
            return mark, ".".join(path)
        node = value


def _clean_scalars(root: yaml.Node) -> None:
    """Strip unwanted characters from every scalar (keys included), each node once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            node.value = strip_unwanted(node.value)
        else:
            stack.extend(_children(node))


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each mapping key path, e.g. ("weather", "provider"), to its 1-based line; {}
    when the text is not YAML. Also for a text `load_yaml` refuses for its aliases."""
    try:
        text = _encodable(text)
        _check_depth(text)
        root = yaml.compose(text, Loader=ContentLoader)
    except yaml.YAMLError:
        return {}
    return _lines_of(root) if root is not None else {}


def _lines_of(root: yaml.Node) -> dict[tuple[str, ...], int]:
    """An alias is not followed (its keys are on its anchor's lines), so this is linear in
    the text even when aliases repeat it a billion times."""
    lines: dict[tuple[str, ...], int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node | None, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, prefix = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = prefix + (strip_unwanted(str(key.value)),)
                lines[path] = key.start_mark.line + 1  # a repeated key: the last one counts
                stack.append((value, path))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                path = prefix + (str(index),)
                lines.setdefault(path, item.start_mark.line + 1)
                stack.append((item, path))
    return lines


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
