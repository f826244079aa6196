"""The little Markdown the parser needs, with file line numbers: fences, headings, tables, lists.

A full Markdown parser would render, not locate: it loses the line and column
an author needs in a diagnostic. These helpers work on the file's lines
(newline-normalized) and return 0-based line indexes and 1-based columns.
They follow CommonMark/GFM where it matters for post-mortems (fenced code is
never structure; ``\\|`` escapes a pipe in a table cell) and stay simple
elsewhere: only ATX (``##``) headings are recognized.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "Cell",
    "Heading",
    "ListItem",
    "Row",
    "Table",
    "TableError",
    "fence_blocks",
    "find_table",
    "first_ordered_list",
    "heading",
    "link_targets",
    "mask_code_spans",
    "split_row",
    "strip_comments",
]

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_PIPE = re.compile(r"(?<!\\)\|")  # a pipe not escaped by the character before it
_DELIMITER_CELL = re.compile(r":?-+:?")
_ORDERED = re.compile(r"( {0,3})(\d{1,9})([.)])(?:([ \t]+)(.*))?")
_BLOCK_START = re.compile(
    r"[ \t]{0,3}(?:#{1,6}(?:[ \t]|$)|>|[-*+][ \t]|`{3}|~{3}|\||<|(?:[-*_][ \t]*){3,}$)"
)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]\\]|\\.)*\]\(\s*<?([^\s()<>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s<>]+)>")
_BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"*_]")


def fence_blocks(lines: Sequence[str]) -> list[int]:
    """For each line, the number of the fenced code block it belongs to (0: not fenced).

    Opening and closing fence lines belong to their block; an unclosed fence runs
    to the end. Fences are recognized at any indentation so that code inside list
    items is skipped too.
    """
    blocks = [0] * len(lines)
    current = 0
    count = 0
    opener = ""
    for index, line in enumerate(lines):
        # a fence needs three backticks or tildes: most lines are ruled out without a regex
        match = _FENCE.fullmatch(line) if "```" in line or "~~~" in line else None
        if current:
            blocks[index] = current
            fence = match.group(1) if match else ""
            if (
                match
                and fence[0] == opener[0]
                and len(fence) >= len(opener)
                and not match.group(2).strip()
            ):
                current = 0
            continue
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            count += 1
            current = count
            opener = match.group(1)
            blocks[index] = current
    return blocks


class Heading(NamedTuple):
    """An ATX heading: its level and text (closing hashes removed)."""

    level: int
    text: str


def heading(line: str) -> Heading | None:
    """The ATX heading on this line, if any."""
    if "#" not in line:
        return None
    match = _HEADING.fullmatch(line)
    if match is None:
        return None
    text = match.group(2) or ""
    if text.endswith("#"):
        text = _CLOSING_HASHES.sub("", text).strip()
    return Heading(len(match.group(1)), text)


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)  # one left open runs to the end


def strip_comments(text: str) -> str:
    """``text`` without its HTML comments, which readers never see.

    >>> strip_comments("pager <!-- on-call notes --> log <!-- open")
    'pager  log '
    """
    return _COMMENT.sub("", text) if "<!--" in text else text


def mask_code_spans(line: str) -> str:
    """The line with every inline code span blanked out (same length, so columns hold)."""
    if "`" not in line:
        return line
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


# -- tables ------------------------------------------------------------------------------------
class Cell(NamedTuple):
    """One table cell: unescaped, stripped text and the 1-based column where it starts."""

    text: str
    column: int


@dataclass(frozen=True, slots=True)
class Row:
    """One table row at a 0-based line index."""

    index: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A GFM pipe table: header row and body rows (the delimiter row is dropped)."""

    header: Row
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class TableError:
    """Why the lines that look like a table are not one."""

    index: int
    column: int
    message: str


def _pipes(line: str) -> list[int]:
    """Positions of the unescaped pipes of a line."""
    if "|" not in line:
        return []
    return [match.start() for match in _PIPE.finditer(line)]


def _has_pipe(line: str) -> bool:
    """The line holds an unescaped pipe."""
    return "|" in line and ("\\" not in line or _PIPE.search(line) is not None)


def split_row(line: str) -> tuple[Cell, ...]:
    """Split a table row into cells, honouring ``\\|`` and optional outer pipes."""
    if "\\" not in line:
        return _split_plain_row(line)
    start = len(line) - len(line.lstrip())
    end = len(line.rstrip())
    pipes = [p for p in _pipes(line) if start <= p < end]
    if pipes and pipes[0] == start:
        start += 1
        pipes = pipes[1:]
    if pipes and pipes[-1] == end - 1 and end - 1 >= start:
        end -= 1
        pipes = pipes[:-1]
    cells: list[Cell] = []
    for left, right in zip([start - 1, *pipes], [*pipes, end], strict=True):
        raw = line[left + 1 : right]
        stripped = raw.lstrip()
        column = left + 2 + (len(raw) - len(stripped)) if stripped else left + 2
        cells.append(Cell(stripped.rstrip().replace("\\|", "|"), column))
    return tuple(cells)


def _split_plain_row(line: str) -> tuple[Cell, ...]:
    """:func:`split_row` for a line without a backslash: every pipe separates cells."""
    start = len(line) - len(line.lstrip())
    end = len(line.rstrip())
    if start < end and line[start] == "|":
        start += 1
    if end - 1 >= start and line[end - 1] == "|":
        end -= 1
    cells: list[Cell] = []
    left = start - 1
    for raw in line[start:end].split("|"):
        stripped = raw.lstrip()
        column = left + 2 + (len(raw) - len(stripped)) if stripped else left + 2
        cells.append(Cell(stripped.rstrip(), column))
        left += len(raw) + 1
    return tuple(cells)


def find_table(
    lines: Sequence[str], start: int, end: int, fenced: Sequence[int]
) -> Table | TableError | None:
    """The first pipe table in ``lines[start:end]`` outside code fences (None: no table-like line)."""
    for index in range(start, end):
        line = lines[index]
        if not _has_pipe(line) or fenced[index] or not line.strip():
            continue
        header = Row(index, split_row(lines[index]))
        following = index + 1
        delimiter = None if following >= end or fenced[following] else _delimiter(lines[following])
        if delimiter is None:
            return TableError(
                index,
                1,
                "the table needs a delimiter row like '| --- | --- | --- |' right after its header",
            )
        width = len(delimiter)
        if width != len(header.cells):
            return TableError(
                following,
                1,
                f"the delimiter row has {width} cells but the header has {len(header.cells)}; "
                "give it one '---' per column",
            )
        rows: list[Row] = []
        for row_index in range(following + 1, end):
            line = lines[row_index]
            if not _has_pipe(line) or fenced[row_index] or not line.strip():
                break
            rows.append(Row(row_index, split_row(line)))
        return Table(header, tuple(rows))
    return None


def _delimiter(line: str) -> tuple[Cell, ...] | None:
    """The cells of a table's delimiter row (``| --- | :-: |``), or None if it is not one."""
    if "-" not in line:  # every delimiter cell holds a "-"
        return None
    cells = split_row(line)
    for cell in cells:
        if not _DELIMITER_CELL.fullmatch(cell.text):
            return None
    return cells or None


# -- lists -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of an ordered list: its 0-based line index and its markdown (dedented)."""

    index: int
    text: str


def first_ordered_list(
    lines: Sequence[str], start: int, end: int, fenced: Sequence[int]
) -> list[ListItem]:
    """The items of the first ordered list (``1.`` or ``1)``) in ``lines[start:end]``."""
    first = next(
        (i for i in range(start, end) if not fenced[i] and _ORDERED.fullmatch(lines[i])), None
    )
    if first is None:
        return []
    opening = _ORDERED.fullmatch(lines[first])
    assert opening is not None  # found just above
    delimiter = opening.group(3)
    items: list[tuple[int, list[str]]] = []
    indent = 0
    blank_before = False
    in_item_fence = 0
    for index in range(first, end):
        line = lines[index]
        block = fenced[index]
        if block and block == in_item_fence:
            items[-1][1].append(_dedent(line, indent))
            continue
        match = None if block else _ORDERED.fullmatch(line)
        if match and items and match.group(3) != delimiter and len(match.group(1)) < indent:
            break  # a different delimiter starts a new list (CommonMark)
        if match and match.group(3) == delimiter and (not items or len(match.group(1)) < indent):
            content = match.group(5) or ""
            indent = (
                len(match.group(1)) + len(match.group(2)) + 1 + min(len(match.group(4) or " "), 4)
            )
            items.append((index, [content]))
            blank_before = False
            continue
        leading = len(line) - len(line.lstrip(" "))
        if not line.strip():
            items[-1][1].append("")
            blank_before = True
        elif leading >= indent or (not blank_before and not block and not _BLOCK_START.match(line)):
            if block:
                in_item_fence = block
            items[-1][1].append(_dedent(line, indent))
            blank_before = False
        else:
            break
    return [ListItem(index, "\n".join(text).strip()) for index, text in items]


def _dedent(line: str, indent: int) -> str:
    leading = len(line) - len(line.lstrip(" "))
    return line[min(leading, indent) :]


# -- links -------------------------------------------------------------------------------------
def link_targets(text: str, references: dict[str, str]) -> list[str]:
    """Targets of inline links, images, autolinks, bare URLs and defined reference links."""
    if "[" not in text and "<" not in text and "://" not in text:
        return []  # every kind of link needs one of these
    masked = "\n".join(mask_code_spans(line) for line in text.split("\n")) if "`" in text else text
    found: list[tuple[int, str]] = []
    found += [(m.start(), m.group(1)) for m in _INLINE_LINK.finditer(masked)]
    found += [(m.start(), m.group(1)) for m in _AUTOLINK.finditer(masked)]
    found += [(m.start(), m.group(0)) for m in _BARE_URL.finditer(masked)]
    for match in re.finditer(
        r"\[((?:[^\[\]\\]|\\.)+)\](?:\[((?:[^\[\]\\]|\\.)*)\])?(?![(:])", masked
    ):
        label = (match.group(2) or match.group(1)).casefold()
        if label in references:
            found.append((match.start(), references[label]))
    return list(dict.fromkeys(target for _, target in sorted(found)))
