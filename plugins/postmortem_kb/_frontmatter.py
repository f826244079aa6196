"""Split a file's front matter off and compose it into a small, untyped YAML tree.

Incident files are untrusted, so the YAML is read at the *event* level: the
tree is built from PyYAML's parser events by this module, never by PyYAML's
composer or constructor. That way an alias is refused where it appears (an
"alias bomb" is never expanded), a tag never reaches a constructor, and no
scalar is typed implicitly: every scalar keeps its source text and whether it
was written plain (unquoted), and the caller converts it per key. Nesting is
capped, and building is iterative, so deep input cannot exhaust the stack.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import yaml
from frontmatter.default_handlers import JSONHandler, TOMLHandler
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from .privacy import redact

__all__ = [
    "MAX_DEPTH",
    "Block",
    "Node",
    "Problem",
    "YMap",
    "YScalar",
    "YSeq",
    "compose",
    "opens_front_matter",
    "show",
    "split",
]

MAX_DEPTH = (
    16  # front matter needs two levels (impact: {...}); anything deeper is hostile or a mistake
)
MAX_PROBLEMS = 20  # enough to show an author every tag or alias, not enough to flood a log

_DELIMITER = re.compile(r"---[ \t]*")
_NEAR_OPEN = re.compile(r"[ \t]*(?:-{1,2}|-{4,}|- - -)[ \t]*")
_NEAR_CLOSE = re.compile(r"[ \t]*(?:\.{3}|-{4,}|-{1,2}|---[^-\s].*)[ \t]*")
_YAML_TYPES = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null (empty)",
    "tag:yaml.org,2002:timestamp": "a date/time",
    "tag:yaml.org,2002:merge": "a merge key",
    "tag:yaml.org,2002:value": "a value key",
}
_RESOLVER = yaml.resolver.Resolver()


@dataclass(frozen=True, slots=True)
class Problem:
    """A front-matter problem at a file line and column (becomes a PM002)."""

    line: int
    column: int
    message: str


class YScalar(NamedTuple):  # a tuple: built ~40 times a file, twice as fast as a dataclass
    """A scalar exactly as written: its text, and whether it was plain (unquoted)."""

    text: str
    plain: bool
    line: int
    column: int

    @property
    def yaml_type(self) -> str | None:
        """What YAML 1.1 would silently turn this plain scalar into (None: a string)."""
        if not self.plain:
            return None
        return _implicit_type(self.text)


@lru_cache(maxsize=4096)  # keys and common values repeat across every file of a corpus
def _implicit_type(text: str) -> str | None:
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return _YAML_TYPES.get(tag)


@dataclass(frozen=True, slots=True)
class YSeq:
    """A YAML sequence."""

    items: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class YMap:
    """A YAML mapping with string keys, in source order, without duplicates."""

    items: tuple[tuple[YScalar, Node], ...]
    line: int
    column: int


Node = YScalar | YSeq | YMap


@dataclass(frozen=True, slots=True)
class Block:
    """Where the front matter sits: its YAML text and the file lines around it."""

    text: str  # the YAML between the delimiters, newline-terminated
    first_line: int  # file line of the first YAML line (the one after the opening ---)
    closing_line: int  # file line of the closing ---


# -- splitting ---------------------------------------------------------------------------------
def opens_front_matter(line: str) -> bool:
    """``line`` is a front matter's opening delimiter (``---``)."""
    return _DELIMITER.fullmatch(line) is not None


def split(lines: list[str]) -> tuple[Block | None, list[Problem]]:
    """Find the front matter in a file's (newline-normalized, BOM-free) lines."""
    if not lines or not _DELIMITER.fullmatch(lines[0]):
        return None, [_missing(lines)]
    for index in range(1, len(lines)):
        line = lines[index]
        if line.startswith("---") and _DELIMITER.fullmatch(line):
            text = "\n".join(lines[1:index]) + "\n" if index > 1 else ""
            return Block(text, 2, index + 1), []
        if "..." in line and line.strip() == "...":
            return None, [
                Problem(
                    index + 1,
                    1,
                    "front matter is closed with '...'; close it with a '---' line instead",
                )
            ]
    hint = next(
        (i for i in range(1, len(lines)) if _NEAR_CLOSE.fullmatch(lines[i]) and lines[i].strip()),
        None,
    )
    if hint is not None:
        return None, [
            Problem(
                hint + 1,
                1,
                f"front matter is not terminated: line {hint + 1} reads "
                f"{lines[hint].strip()[:20]!r}; close the front matter with exactly '---'",
            )
        ]
    return None, [
        Problem(1, 1, "front matter is not terminated: add a closing '---' line after the keys")
    ]


def _missing(lines: list[str]) -> Problem:
    """Explain why the file does not start with front matter, naming what is expected."""
    first = lines[0] if lines else ""
    text = "\n".join(lines)
    expected = "the file must start with a '---' line, then YAML keys, then a closing '---' line"
    if first.strip() == "+++" or _toml_handler_detects(text):
        return Problem(1, 1, f"TOML front matter ('+++') is not supported; {expected}")
    if first.lstrip().startswith("{") or JSONHandler().detect(text):
        return Problem(1, 1, f"JSON front matter is not supported; {expected}")
    if first.strip() == "---":
        return Problem(1, 1, f"the opening '---' must stand alone without indentation; {expected}")
    if _NEAR_OPEN.fullmatch(first):
        return Problem(1, 1, f"front matter opens with {first.strip()!r}, not '---'; {expected}")
    if not first.strip():
        for index, line in enumerate(lines):
            if line.strip():
                if _DELIMITER.fullmatch(line.strip()):
                    return Problem(
                        index + 1,
                        1,
                        f"front matter must start on line 1: remove the {index} blank line(s) "
                        "before '---'",
                    )
                break
    return Problem(1, 1, f"front matter is missing: {expected}")


def _toml_handler_detects(text: str) -> bool:
    handler_class = TOMLHandler  # None unless the optional toml package is installed
    return handler_class is not None and bool(handler_class().detect(text))


# -- composing ---------------------------------------------------------------------------------
@dataclass
class _Open:
    """A collection being built."""

    kind: str  # "map" or "seq"
    line: int
    column: int
    items: list[Node]
    keys: dict[str, int]  # mapping keys seen -> their line (duplicates)
    dropped: set[int]  # positions of mapping keys refused (their pair is left out)


class _Composer:
    """Builds the tree from parser events, iteratively, refusing unsafe features.

    Problems with a key (duplicate, not a string, merge key) leave that pair out
    and keep going, so the caller can still check the other keys; anchors,
    aliases, tags and excessive nesting make the whole front matter unusable.
    """

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        # character index of each line's start, so a position costs a bisect, not a scan
        self.starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        self.problems: list[Problem] = []
        self.stack: list[_Open] = []
        self.root: Node | None = None
        self.unusable = False
        self.stop = False
        self.empty_plain = False  # an empty plain scalar was seen (see compose)

    def at(self, index: int) -> tuple[int, int]:
        """File line and column of a character index into the YAML text."""
        if not 0 <= index < len(self.text):
            index = max(0, min(index, len(self.text) - 1))
        starts = self.starts
        row = bisect_right(starts, index) - 1
        return self.first_line + row, index - starts[row] + 1

    def problem(self, line: int, column: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, column, message))
        else:
            self.stop = True

    def refuse(self, index: int, message: str) -> None:
        """A problem that makes the whole front matter unusable."""
        self.unusable = True
        self.problem(*self.at(index), message)

    def feed(self, event: Event) -> None:
        index = event.start_mark.index if event.start_mark is not None else 0
        if type(event) is ScalarEvent and event.anchor is None and event.tag is None:
            # the common case, with none of the checks below to make: a plain value
            plain = not event.style
            if plain and not event.value:
                self.empty_plain = True
            node = YScalar(event.value, plain, *self.at(index))
            stack = self.stack
            if stack and (stack[-1].kind == "seq" or len(stack[-1].items) % 2):
                stack[-1].items.append(node)  # a list item or a mapping value: no key checks
            else:
                self.add(node)
            return
        if isinstance(event, DocumentStartEvent) and (event.version or event.tags):
            self.refuse(index, "YAML directives (%YAML, %TAG) are not allowed in front matter")
        if isinstance(event, AliasEvent):
            self.refuse(
                index,
                f"YAML aliases (*{show(event.anchor or '')[1:-1]}) are not allowed in front "
                "matter; write the value out in full",
            )
            self.add(YScalar("", False, *self.at(index)))
            return
        if isinstance(event, NodeEvent) and event.anchor is not None:
            self.refuse(
                index,
                f"YAML anchors (&{show(event.anchor)[1:-1]}) are not allowed in front matter; "
                "write each value out in full",
            )
        tag = getattr(event, "tag", None)
        if isinstance(event, NodeEvent) and tag is not None:
            written = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
            self.refuse(
                index,
                f"YAML tags ({show(written)[1:-1]}) are not allowed in front matter; write a "
                "plain value (quote it to make it a string)",
            )
        if isinstance(event, ScalarEvent):
            # a plain scalar's style is None from PyYAML, "" from libyaml
            plain = not event.style
            self.empty_plain = self.empty_plain or (plain and not event.value)
            self.add(YScalar(event.value, plain, *self.at(index)))
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self.refuse(index, f"front matter is nested deeper than {MAX_DEPTH} levels")
                self.stop = True
                return
            kind = "map" if isinstance(event, MappingStartEvent) else "seq"
            self.stack.append(_Open(kind, *self.at(index), [], {}, set()))
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            done = self.stack.pop()
            if done.kind == "seq":
                self.add(YSeq(tuple(done.items), done.line, done.column))
                return
            pairs: list[tuple[YScalar, Node]] = []
            for position in range(0, len(done.items) - 1, 2):
                key = done.items[position]
                if position not in done.dropped and isinstance(key, YScalar):
                    pairs.append((key, done.items[position + 1]))
            self.add(YMap(tuple(pairs), done.line, done.column))

    def add(self, node: Node) -> None:
        if not self.stack:
            if self.root is None:
                self.root = node
            return
        top = self.stack[-1]
        if top.kind == "map" and len(top.items) % 2 == 0:
            message = self.key_problem(node, top)
            if message:
                top.dropped.add(len(top.items))
                self.problem(node.line, node.column, message)
        top.items.append(node)

    @staticmethod
    def key_problem(node: Node, mapping: _Open) -> str:
        """Why this mapping key is refused ("" when it is fine)."""
        if not isinstance(node, YScalar):
            return "complex (non-scalar) keys are not allowed; keys are plain names"
        kind = node.yaml_type
        if kind == "a merge key":
            return "merge keys (<<) are not allowed; write every key out"
        if kind is not None and node.text:
            return (
                f"key {show(node.text)} is read by YAML as {kind}, not a string; "
                "use one of the documented keys"
            )
        if not node.text:
            return "empty key; every key must be a name"
        if node.text in mapping.keys:
            return (
                f"duplicate key {show(node.text)} (first on line {mapping.keys[node.text]}); "
                "keep only one"
            )
        mapping.keys[node.text] = node.line
        return ""


_CORE = "tag:yaml.org,2002:"
_NEWLINE = re.compile("\n")
# libyaml's event parser (C) when PyYAML was built with it: the same events and marks
# as the pure-Python parser, about 30 times faster.
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)
# Where libyaml and PyYAML disagree on what is valid (tabs, a BOM inside the text, "?"
# in flow collections), the reference parser decides.
_NOT_FAST = re.compile("[\t\ufeff?]")


# The shape nearly every front matter has: one ``key: value`` per line, at column 1, where
# the value is a plain scalar, a quoted string without escapes, a flow list of simple
# plain items, or nothing, then a block list of ``- item`` lines. For that subset YAML's
# reading is unambiguous (no indicator where it would mean anything, no comment, escape,
# anchor, tag, nesting or line folding), so it is read with a regular expression per
# line; any other line sends the whole text to the YAML parser. Tests hold both equal.
_WORD = r"[A-Za-z0-9._/+()@-]+"
_ITEM = r"[A-Za-z0-9][A-Za-z0-9._/+()@-]*(?:[ ]+" + _WORD + r")*"  # no ",", ":" or "#"
# printable ASCII but space, "#" and ":" (a comment needs " #"; a mapping needs ": ")
_MIDDLE = r"""[!"$-9;-~]"""
_PLAIN = r"[A-Za-z0-9(](?:" + _MIDDLE + r"|:(?=" + _MIDDLE + r")|[ ](?=" + _MIDDLE + r"))*"
# what a quoted string of the simple shape may not hold: line breaks (YAML 1.1 also breaks
# lines at NEL, LS and PS), tabs, and whatever YAML's reader refuses or treats apart
_UNQUOTABLE = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
_SCALAR = (
    r"(?P<plain>" + _PLAIN + r")"
    r"|'(?P<single>[^'" + _UNQUOTABLE + r"]*)'"
    r'|"(?P<double>[^"\\' + _UNQUOTABLE + r']*)"'
)
_SIMPLE_LINE = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?:[ ]+(?:"
    + _SCALAR
    + r"|\[(?P<flow>[ ]*(?:"
    + _ITEM
    + r"(?:[ ]*,[ ]*"
    + _ITEM
    + r")*)?[ ]*)\]"
    r"))?[ ]*"
)
_SIMPLE_ITEM = re.compile(r"(?P<indent>[ ]*)-[ ]+(?:" + _SCALAR + r")[ ]*")
_SIMPLE_ENTRY = re.compile(
    r"(?P<indent>[ ]+)(?P<key>[A-Za-z_][A-Za-z0-9_]*):[ ]+(?:" + _SCALAR + r")[ ]*"
)
_FLOW_ITEM = re.compile(r"[^ ,](?:[^,]*[^ ,])?")


def _simple_scalar(match: re.Match[str], line: int) -> YScalar:
    """The scalar a match of ``_SCALAR`` holds."""
    plain = match.group("plain")
    if plain is not None:
        return YScalar(plain, True, line, match.start("plain") + 1)
    quoted = "single" if match.group("single") is not None else "double"
    return YScalar(match.group(quoted), False, line, match.start(quoted))


def _compose_simple(text: str, first_line: int) -> YMap | None:
    """The mapping when every line has the simple shape (see above) and the keys are
    distinct plain names; None to let the YAML parser decide."""
    if not text.endswith("\n"):
        return None
    rows = text.split("\n")
    rows.pop()
    pairs: list[tuple[YScalar, Node]] = []
    seen: set[str] = set()
    index = 0
    while index < len(rows):
        line = first_line + index
        match = _SIMPLE_LINE.fullmatch(rows[index])
        if match is None:
            return None
        index += 1
        name = match.group("key")
        if name in seen or _implicit_type(name) is not None:
            return None  # a duplicate, or a key YAML reads as a boolean, null or number
        seen.add(name)
        value: Node
        flow = match.group("flow")
        if (
            match.group("plain")
            or match.group("single") is not None
            or match.group("double") is not None
        ):
            value = _simple_scalar(match, line)
        elif flow is not None:
            offset = match.start("flow")
            value = YSeq(
                tuple(
                    YScalar(item.group(0), True, line, offset + item.start() + 1)
                    for item in _FLOW_ITEM.finditer(flow)
                ),
                line,
                offset,
            )
        elif index < len(rows) and rows[index].lstrip(" ").startswith("-"):
            items: list[YScalar] = []  # nothing after the colon: a block list follows
            indent: str | None = None
            while index < len(rows) and (item := _SIMPLE_ITEM.fullmatch(rows[index])):
                if indent is not None and item.group("indent") != indent:
                    return None
                indent = item.group("indent")
                items.append(_simple_scalar(item, first_line + index))
                index += 1
            if indent is None:
                return None
            value = YSeq(tuple(items), items[0].line, len(indent) + 1)
        else:  # or a block mapping of scalars, one level deep (impact:)
            inner: list[tuple[YScalar, Node]] = []
            inner_keys: set[str] = set()
            margin: str | None = None
            while index < len(rows) and (entry := _SIMPLE_ENTRY.fullmatch(rows[index])):
                key = entry.group("key")
                if (
                    (margin is not None and entry.group("indent") != margin)
                    or key in inner_keys
                    or _implicit_type(key) is not None
                ):
                    return None
                margin = entry.group("indent")
                inner_keys.add(key)
                number = first_line + index
                inner.append(
                    (YScalar(key, True, number, len(margin) + 1), _simple_scalar(entry, number))
                )
                index += 1
            if margin is None:
                return None  # an empty value (YAML's null): YAML reports what it means
            value = YMap(tuple(inner), inner[0][0].line, len(margin) + 1)
        pairs.append((YScalar(name, True, line, 1), value))
    if not pairs:
        return None
    return YMap(tuple(pairs), first_line, 1)


def compose(text: str, first_line: int) -> tuple[YMap | None, list[Problem]]:
    """Compose front-matter YAML into a :class:`YMap`.

    With problems, the mapping is still returned when it is safe to look at (only
    some keys were refused), so the caller can report the other keys too.

    Events come from libyaml when available, for clean documents only: a
    document libyaml rejects, one with any problem, and any text where the two
    parsers are known to differ (see ``_NOT_FAST``) are read again by PyYAML's
    pure-Python parser, whose messages and positions are the contract.
    """
    simple = _compose_simple(text, first_line)
    if simple is not None:
        return simple, []
    if _FAST_LOADER is None or _NOT_FAST.search(text):
        return _compose(text, first_line, yaml.SafeLoader)
    builder = _Composer(text, first_line)
    try:
        # yaml.parse's loop, without a generator between libyaml and the builder
        loader = _FAST_LOADER(text)
        try:
            while loader.check_event():
                builder.feed(loader.get_event())
                if builder.stop:
                    return None, builder.problems
        finally:
            loader.dispose()
    except Exception:  # any failure: let the reference parser explain it
        return _compose(text, first_line, yaml.SafeLoader)
    if builder.problems or builder.empty_plain:
        # libyaml reads some refused constructs (tags) differently and places some
        # empty values one column off: what is not clean is read again by the reference
        return _compose(text, first_line, yaml.SafeLoader)
    return _finish(builder, first_line)


def _compose(text: str, first_line: int, loader: type) -> tuple[YMap | None, list[Problem]]:
    """Compose with ``loader``'s event parser, turning its errors into problems."""
    builder = _Composer(text, first_line)
    try:
        for event in yaml.parse(text, Loader=loader):
            builder.feed(event)
            if builder.stop:
                return None, builder.problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = builder.at(mark.index) if mark is not None else (first_line, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, [*builder.problems, Problem(*where, f"invalid YAML: {what}")]
    except yaml.reader.ReaderError as exc:
        line, column = builder.at(exc.position)
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        message = f"invalid YAML: the control character U+{code:04X} is not allowed; remove it"
        return None, [*builder.problems, Problem(line, column, message)]
    except (yaml.YAMLError, ValueError, RecursionError, MemoryError) as exc:
        return None, [
            *builder.problems,
            Problem(first_line, 1, f"invalid YAML: {type(exc).__name__}"),
        ]
    return _finish(builder, first_line)


def _finish(builder: _Composer, first_line: int) -> tuple[YMap | None, list[Problem]]:
    """The composed mapping, or why the front matter cannot be used."""
    root = builder.root
    if builder.unusable:
        return None, builder.problems
    if root is None:
        return None, [Problem(first_line - 1, 1, "front matter is empty; it must hold YAML keys")]
    if not isinstance(root, YMap):
        what = "a list" if isinstance(root, YSeq) else "a single value"
        return None, [
            Problem(
                root.line,
                root.column,
                f"front matter is {what}, not a mapping; write 'key: value' lines",
            )
        ]
    return root, builder.problems


def show(text: str, limit: int = 40) -> str:
    """A short, quoted rendering of an untrusted value for a message (control chars escaped,
    likely secrets and personal data redacted: a message never repeats one)."""
    shown = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in redact(text)
    )
    if len(shown) > limit:
        shown = shown[:limit] + "…"
    return f"'{shown}'"
