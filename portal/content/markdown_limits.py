"""What the Markdown converter can digest, checked before it sees a body.

Python-Markdown recurses once per level of nested lists and quotes (a few hundred
levels exhaust Python's stack), and many of its parsers rescan the rest of a paragraph,
a block or the whole text at each piece of markup, so that their cost grows with the
square of the input: 40 KB of "[" took 71 s. `body_problem` is one linear pass over the
lines that finds the first place beyond these bounds, for an error with its line.
The bounds are far above what an article or a legal text needs, and keep any body of
up to 1 MB that passes them to a few seconds (tests/test_attack_content.py times them).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

MAX_NESTING = 32  # levels of lists, quotes and indentation on one line
MAX_OPEN_BRACKETS = 32  # "[" and "(" open at once in one paragraph
MAX_MARKS_IN_PARAGRAPH = 300  # marks that start inline markup, per paragraph, item or row
MAX_MARKS = 30_000  # the same, in the whole body
MAX_PIECES = 10_000  # paragraphs, headings, list items, table cells/2: each ~0.1-0.3 ms
MAX_BLOCK_LINES = 1_000  # lines in a row without a blank one (headings in a block: quadratic)
MAX_FENCED_BLOCKS = 200  # ``` code blocks: the text is rebuilt after each one
MAX_ABBREVIATIONS = 500  # *[WHO]: definitions: every text is matched against all of them
# Python's HTML parser reads from each "<a" to the ">" that closes it; the sum over the
# body's tags of what it may read (a few tags left open before a long text).
MAX_TAG_SCAN = 20_000_000

_CONTAINER = re.compile(r"([ \t]*)(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_LIST_ITEM = re.compile(r"[ \t>]*(?:[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# The fenced_code extension's own opening line: at the line start, then at most a language.
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,}) *(?:\{.*\}|\.?[\w#.+-]* *(?:hl_lines=([\"']).*?\2 *)?)$")
_FENCE_ONLY = re.compile(r"(`{3,}|~{3,}) *$")
_TABLE_RULE_MARKS = frozenset(" \t|:-")  # a table's second line, |---|:--:|
_BRACKET = re.compile(r"\\.|[\[\]()]")
_MARKS = re.compile(r"[*_`<\[!&\\]")
_ANGLE = re.compile(r"<[a-zA-Z/!?]|>")
_DEEP_PREFIX = re.compile(r"[ \t>*+\-0-9.)]{%d}" % (MAX_NESTING + 1))  # at the start
_DEEP_LINE = re.compile(r"\n[ \t>*+\-0-9.)]{%d}" % (MAX_NESTING + 1))  # ~10x faster than ^ and re.M
_MARK_CHARACTERS = "*_`<[!&\\"
# Lines that start an element of their own (a heading, an item, a rule, a quote, a row).
_ELEMENT_START = frozenset("#-*+>|<=_0123456789")


@dataclass(frozen=True)
class BodyProblem:
    """Why the converter must not be given a body: a locale key, the line in the body
    (1 = its first line) and the numbers the message shows."""

    line: int
    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass
class _Block:
    """Counts over one run of lines without a blank one."""

    lines: int = 0
    table: bool = False  # its second line is a table's |---|---| rule
    open_brackets: int = 0  # since the block, item or row began
    marks: int = 0  # likewise


@dataclass
class _Body:
    """Counts over the whole body."""

    marks: int = 0
    pieces: int = 0
    abbreviations: int = 0


def body_problem(body: str) -> BodyProblem | None:
    if _plainly_within_limits(body):
        return _open_tags_problem(body)
    lines = body.split("\n")
    code, problem = _fenced_code(lines)
    if problem is None:
        problem = _open_tags_problem(body)
    block, whole = _Block(), _Body()
    for index, line in enumerate(lines):
        if problem is not None and index + 1 >= problem.line:
            return problem
        if index in code:
            continue
        if not line or line.isspace():
            block = _Block()
            continue
        found = _line_problem(line, block, whole)
        if found is not None:
            return BodyProblem(index + 1, *found)
    return problem


def _plainly_within_limits(body: str) -> bool:
    """A look at the whole body, in C, that clears most articles without the line-by-line
    pass: if the body as a whole stays within a bound, so does each of its lines and
    paragraphs. (A line nested 33 deep starts with 33 characters of indentation and
    list or quote marks; a line has at most two pieces plus its table cells.)"""
    lines = body.count("\n") + 1
    return (sum(body.count(mark) for mark in _MARK_CHARACTERS) <= MAX_MARKS_IN_PARAGRAPH
            and body.count("[") + body.count("(") <= MAX_OPEN_BRACKETS
            and lines <= MAX_BLOCK_LINES and 2 * lines + body.count("|") // 2 <= MAX_PIECES
            and "```" not in body and "~~~" not in body and body.count("*[") <= MAX_ABBREVIATIONS
            and _DEEP_PREFIX.match(body) is None and _DEEP_LINE.search(body) is None)


def _line_problem(line: str, block: _Block, whole: _Body) -> tuple | None:
    block.lines += 1
    if block.lines > MAX_BLOCK_LINES:
        return "block_too_long", (("max", MAX_BLOCK_LINES),)
    starts_element = line.lstrip(" \t")[:1] in _ELEMENT_START
    depth = nesting_of(line) if starts_element else 0
    if depth > MAX_NESTING:
        return "nested_too_deep", (("max", MAX_NESTING),)
    block.table = block.table or (block.lines == 2 and _is_table_rule(line))
    if block.table or (starts_element and _LIST_ITEM.match(line)):  # parsed on their own
        block.open_brackets = block.marks = 0
    whole.pieces += (block.lines == 1) + starts_element + (line.count("|") // 2 if block.table else 0)
    if whole.pieces > MAX_PIECES:
        return "too_many_pieces", (("max", MAX_PIECES),)
    whole.abbreviations += line.startswith("*[")
    if whole.abbreviations > MAX_ABBREVIATIONS:
        return "too_many_abbreviations", (("max", MAX_ABBREVIATIONS),)
    marks = len(_MARKS.findall(line))
    whole.marks += marks
    if whole.marks > MAX_MARKS:
        return "markup_too_dense_body", (("max", MAX_MARKS),)
    # Raw HTML (a pasted table) is counted too: where Python-Markdown ends a raw block
    # and parses the rest of it as text is not something a line scan can tell safely.
    if _too_many_open_brackets(line, block):
        return "brackets_too_deep", (("max", MAX_OPEN_BRACKETS),)
    block.marks += marks
    if block.marks > MAX_MARKS_IN_PARAGRAPH:
        return "markup_too_dense", (("max", MAX_MARKS_IN_PARAGRAPH),)
    return None


def _too_many_open_brackets(line: str, block: _Block) -> bool:
    if "[" not in line and "(" not in line:
        block.open_brackets = max(0, block.open_brackets - line.count("]") - line.count(")"))
        return False
    for bracket in _BRACKET.finditer(line):
        if bracket.group() in ("[", "("):
            block.open_brackets += 1
            if block.open_brackets > MAX_OPEN_BRACKETS:
                return True
        elif bracket.group() in ("]", ")"):  # not an escaped one, \]
            block.open_brackets = max(0, block.open_brackets - 1)
    return False


def _is_table_rule(line: str) -> bool:
    return "|" in line and "-" in line and set(line) <= _TABLE_RULE_MARKS


def nesting_of(line: str) -> int:
    """How many lists, quotes and indentation levels a line stands in: one per list
    marker or ">", plus one per four columns of indentation before them."""
    if _THEMATIC_BREAK.match(line):  # "- - - -" is a rule, not lists
        return 0
    markers = columns = position = 0
    while markers <= MAX_NESTING and (found := _CONTAINER.match(line, position)):
        markers += 1
        columns += len(found.group(1).expandtabs(4))
        position = found.end()
    return markers + columns // 4 if markers else 0


def _fenced_code(lines: list[str]) -> tuple[set[int], BodyProblem | None]:
    """The lines of ``` code blocks as the fenced_code extension finds them (an opening
    line at the line start; the first later line that is the same fence closes it), which
    are not Markdown. An opening fence that nothing closes is an error: the extension
    would read to the end of the text from it at every block it finds."""
    closers: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line[:1] in "`~" and (alone := _FENCE_ONLY.match(line)):
            closers.setdefault(alone.group(1), []).append(index)
    code: set[int] = set()
    index, blocks = 0, 0
    while index < len(lines):
        opened = _FENCE_OPEN.match(lines[index]) if lines[index][:1] in "`~" else None
        if opened is None:
            index += 1
            continue
        later = closers.get(opened.group(1), [])
        at = bisect.bisect_right(later, index)
        if at == len(later):
            fence = opened.group(1)
            shown = fence if len(fence) <= 12 else fence[:12] + "…"  # a message, not a dump
            return code, BodyProblem(index + 1, "fence_not_closed", (("fence", shown),))
        blocks += 1
        if blocks > MAX_FENCED_BLOCKS:
            return code, BodyProblem(index + 1, "too_many_code_blocks", (("max", MAX_FENCED_BLOCKS),))
        code.update(range(index, later[at] + 1))
        index = later[at] + 1
    return code, None


def _open_tags_problem(body: str) -> BodyProblem | None:
    """Where the characters the HTML parser reads, from each tag-like "<" to the next
    ">" (or the end), add up past MAX_TAG_SCAN; one pass over the "<" and ">"."""
    if body.count("<") * len(body) <= MAX_TAG_SCAN:  # even if none were closed
        return None
    scanned = waiting = waiting_from = first_open = 0  # the "<"s since the last ">"
    for mark in _ANGLE.finditer(body):
        if mark.group() == ">":
            scanned += waiting * mark.start() - waiting_from
            waiting = waiting_from = 0
        else:
            first_open = first_open if waiting else mark.start()
            waiting, waiting_from = waiting + 1, waiting_from + mark.start()
        if scanned + waiting * len(body) - waiting_from > MAX_TAG_SCAN:
            line = body.count("\n", 0, first_open if waiting else mark.start()) + 1
            return BodyProblem(line, "tags_left_open")
    return None
