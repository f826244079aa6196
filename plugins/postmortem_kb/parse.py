"""One file's bytes → a typed model plus diagnostics (PM001–PM006, PM010, PM011, PM020, PM021, PM040, PM041).

Parsing never raises: every problem becomes a :class:`Diagnostic` and the
caller gets ``None`` instead of a model only when the front matter is unusable
or a required typed field is missing or invalid. Relations between parsed
values (timestamp order, chronology, whys counts, duplicates…) are checked by
``rules.py`` on the model this module returns.

Line numbers are always *file* lines: a UTF-8 BOM is dropped and CRLF or lone
CR line endings are normalized without changing the line count. Front matter
is read through :mod:`._frontmatter` (no YAML implicit typing, no tags,
anchors, aliases, merge keys or duplicate keys); every scalar is converted
here, per key, so ``severity: 0`` or ``status: no`` is a PM004 that names the
key and the expected form.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo, available_timezones

from ._frontmatter import (
    Block,
    Node,
    YMap,
    YScalar,
    YSeq,
    compose,
    opens_front_matter,
    show,
    split,
)
from ._markdown import (
    Row,
    Table,
    TableError,
    fence_blocks,
    find_table,
    first_ordered_list,
    heading,
    link_targets,
    mask_code_spans,
    strip_comments,
)
from .model import (
    ActionItem,
    ActionStatus,
    Citations,
    Detection,
    Diagnostic,
    Impact,
    Level,
    PartialPostmortem,
    Pattern,
    Postmortem,
    Rollback,
    Section,
    Severity,
    Status,
    TimelineEvent,
    Why,
    is_not_given,
)
from .privacy import redact

if TYPE_CHECKING:
    from .settings import Settings

__all__ = [
    "CONTRACT_SECTIONS",
    "KNOWN_KEYS",
    "PATTERN_KEYS",
    "PLACEHOLDER_RE",
    "SLUG_RE",
    "Placeholder",
    "find_placeholders",
    "is_slug",
    "parse_citations",
    "parse_for_checks",
    "parse_pattern",
    "parse_postmortem",
    "parse_timestamp",
]

SLUG_RE = re.compile(
    r"[a-z0-9][a-z0-9-]{0,79}", re.ASCII
)  # use with fullmatch (no "$" newline hole)

CONTRACT_SECTIONS: tuple[str, ...] = (
    "summary",
    "timeline",
    "impact",
    "root cause analysis",
    "detection and response",
    "what went well",
    "what could be improved",
    "action items",
    "lessons learned",
)
_TITLES = {key: key.title().replace(" And ", " and ") for key in CONTRACT_SECTIONS}

REQUIRED_KEYS: tuple[str, ...] = (
    "title",
    "date",
    "severity",
    "status",
    "authors",
    "started",
    "detected",
    "mitigated",
    "detection",
    "services",
    "root_causes",
)
KNOWN_KEYS: frozenset[str] = frozenset(
    {
        *REQUIRED_KEYS,
        "id",
        "timezone",
        "responded",
        "escalated",
        "resolved",
        "rollback",
        "contributing_factors",
        "related",
        "tags",
        "impact",
    }
)
PATTERN_KEYS: frozenset[str] = frozenset({"title", "summary", "aliases", "category"})
_IMPACT_KEYS = ("users_affected", "revenue_usd", "slo_budget_burned")

# A template placeholder: a bracketed lower-case phrase ("[event]", "[team/person]",
# "[describe the impact]") or a literal date/time mask. find_placeholders() adds the
# context rules (not a link, not a task checkbox, not code, not an HTML comment).
PLACEHOLDER_RE = re.compile(
    r"\[(?P<phrase>[a-z][a-z0-9 /'’,.&+?_-]*)\]"
    r"|(?<![A-Za-z0-9])(?P<literal>YYYY-MM-DD|HH:MM(?::SS)?)(?![A-Za-z0-9])"
)
# Every placeholder holds "[", "YYYY-MM-DD" or "HH:MM"; "<!--" may open a comment that
# spans lines. A line with none of them is skipped by find_placeholders at once.
_MAY_HOLD_PLACEHOLDER = re.compile(r"\[|YYYY-MM-DD|HH:MM|<!--")
# Where nothing is masked (no comment, no code span), a placeholder is a date or time
# mask, or a bracketed phrase that no neighbour makes a link, image or nested bracket: a
# necessary condition (the context rules only reject more). The masks are found by
# substring search, the phrases by a regex that starts with a literal (so ``re`` skips
# through the text at C speed); the character before each phrase is checked after.
_BRACKETED = re.compile(r"\[[a-z][a-z0-9 /'’,.&+?_-]*\](?![(\[\]])")


def _may_hold_placeholder(text: str) -> bool:
    if "YYYY-MM-DD" in text or "HH:MM" in text:
        return True
    for match in _BRACKETED.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if not (before.isascii() and before.isalnum()) and before not in ("]", "[", "!", "\\"):
            return True
    return False


_REFERENCE_DEFINITION = re.compile(r" {0,3}\[((?:[^\[\]\\]|\\.)+)\]:[ \t]*(\S+).*")
_TASK_PREFIX = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?"
    r"[ \t]*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
_TIMELINE_TIME = re.compile(
    r"(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})(?::(\d{2}))?[ \t]*(Z|[+-]\d{2}:?\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP_FORMS = (
    "an ISO 8601 timestamp like 2025-03-14T09:12:00Z, 2025-03-14 09:12 or 2025-03-14T09:12+01:00"
)
_PERCENT = re.compile(r"\d{1,9}(?:\.\d{1,6})?%")
_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]{1,40}(?:/[A-Za-z0-9_+-]{1,40}){0,3}")

E = TypeVar("E", bound=StrEnum)


# -- small public helpers ----------------------------------------------------------------------
def _stem(path: str) -> str:
    """``PurePosixPath(path).stem``, without building a path object for every file."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def is_slug(text: str) -> bool:
    """``text`` is a valid id: ``^[a-z0-9][a-z0-9-]{0,79}$``, ASCII only."""
    return SLUG_RE.fullmatch(text) is not None


def _slug_hint(text: str) -> str:
    """A slug close to ``text``, for the message."""
    if redact(text) != text:
        return ""  # made of a secret or personal datum: no hint repeats it
    ascii_text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")
    return f" (e.g. {slug!r})" if slug else ""


def _slug_message(what: str, text: str) -> str:
    return (
        f"{what} {show(text)} is not a valid slug: use lower-case ASCII letters, digits and "
        f"hyphens, starting with a letter or digit, at most 80 characters{_slug_hint(text)}"
    )


@dataclass(frozen=True, slots=True, order=True)
class Placeholder:
    """A template placeholder left in text: 1-based line and column within that text."""

    line: int
    column: int
    text: str


@lru_cache(maxsize=32)
def _forms(kind: type[StrEnum]) -> str:
    """The values of an enum, listed for a message."""
    return ", ".join(member.value for member in kind)


def find_placeholders(text: str) -> list[Placeholder]:
    """Template placeholders in Markdown ``text``, outside code, comments and links."""
    if "<!--" not in text and "`" not in text and not _may_hold_placeholder(text):
        return []  # nothing to mask, so nothing the loop below could find
    lines = text.split("\n")
    fenced = fence_blocks(lines)
    references = _reference_labels(lines, fenced)
    found: list[Placeholder] = []
    in_comment = False
    for index, line in enumerate(lines):
        if not in_comment and not _MAY_HOLD_PLACEHOLDER.search(line):
            continue  # nothing to find, and no comment opens here
        if fenced[index] or _REFERENCE_DEFINITION.fullmatch(line):
            continue
        visible, in_comment = _mask_comments(line, in_comment)
        visible = mask_code_spans(visible)
        for match in PLACEHOLDER_RE.finditer(visible):
            phrase = match.group("phrase")
            if phrase is not None and not _is_placeholder_context(visible, match, references):
                continue
            found.append(Placeholder(index + 1, match.start() + 1, match.group(0)))
    return found


def _is_placeholder_context(line: str, match: re.Match[str], references: set[str]) -> bool:
    """A bracketed phrase that is not a link, reference, checkbox, index or wiki link."""
    start, end = match.span()
    before = line[start - 1] if start else ""
    after = line[end] if end < len(line) else ""
    if after in ("(", "[", "]") or before in ("]", "[", "!", "\\") or before.isalnum():
        return False
    if match.group("phrase") == "x" and _TASK_PREFIX.fullmatch(line[:start]):
        return False  # a ticked task-list checkbox
    return match.group("phrase").casefold() not in references


def _reference_labels(lines: Sequence[str], fenced: Sequence[int]) -> set[str]:
    return {
        m.group(1).casefold()
        for i, line in enumerate(lines)
        if "]:" in line and not fenced[i] and (m := _REFERENCE_DEFINITION.fullmatch(line))
    }


def _references(lines: Sequence[str], fenced: Sequence[int]) -> dict[str, str]:
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        # every definition holds "]:"; most lines do not, and skip the regex
        match = None if fenced[index] or "]:" not in line else _REFERENCE_DEFINITION.fullmatch(line)
        if match:
            found.setdefault(match.group(1).casefold(), match.group(2).strip("<>"))
    return found


def _mask_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Blank out HTML comments (which may span lines); returns the line and the new state."""
    if not in_comment and "<!--" not in line:
        return line, False
    out = []
    position = 0
    while position < len(line):
        if in_comment:
            close = line.find("-->", position)
            if close < 0:
                out.append(" " * (len(line) - position))
                return "".join(out), True
            out.append(" " * (close + 3 - position))
            position = close + 3
            in_comment = False
        else:
            opening = line.find("<!--", position)
            if opening < 0:
                out.append(line[position:])
                break
            out.append(line[position:opening])
            position = opening
            in_comment = True
    return "".join(out), in_comment


# -- timestamps --------------------------------------------------------------------------------
def parse_timestamp(value: str | datetime | date, zone: tzinfo) -> datetime | str:
    """An ISO 8601 timestamp → aware UTC datetime, or a message saying what is wrong.

    A timestamp without an offset is local time in ``zone``; a local time that
    does not exist there (daylight-saving gap) or exists twice (fold) is refused.
    The message reads after a subject, e.g. ``f"started {message}"``.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(UTC)
        return _localize(value, zone)
    if isinstance(value, date):
        return f"must be {_TIMESTAMP_FORMS} (got the date {value.isoformat()} without a time)"
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        return f"must be {_TIMESTAMP_FORMS} (got {show(value)})"
    year, month, day, hour, minute = map(int, match.group(1, 2, 3, 4, 5))
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or "0").ljust(6, "0"))
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as exc:
        return f"must be a real date and time, {_TIMESTAMP_FORMS} (got {show(value)}: {exc})"
    offset = match.group(8)
    if offset is None:
        return _localize(naive, zone)
    try:
        return naive.replace(tzinfo=_offset(offset)).astimezone(UTC)
    except ValueError:
        return f"has an impossible UTC offset {show(offset)}; offsets run from -23:59 to +23:59"


def _offset(text: str) -> timezone:
    """``Z``, ``+01``, ``+0100`` or ``+01:00`` as a fixed zone (ValueError when out of range)."""
    if text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(text)
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _format_offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _localize(naive: datetime, zone: tzinfo) -> datetime | str:
    """Local wall-clock time in ``zone`` → UTC, refusing DST gaps and folds."""
    naive = naive.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=zone)
    second = naive.replace(tzinfo=zone, fold=1)
    try:
        utc = first.astimezone(UTC)
        if first.utcoffset() == second.utcoffset():
            return utc  # both folds agree: neither a gap nor a repeated hour (PEP 495)
        round_trip = utc.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        return f"is out of range ({_shown(naive)})"
    shown, name = _shown(naive), str(zone)
    if round_trip != naive:
        return (
            f"names {shown}, a local time that does not exist in {name} (skipped by a "
            "daylight-saving change); write the time with an explicit offset, e.g. "
            f"{naive.isoformat(timespec='minutes')}{_format_offset(first.utcoffset())}"
        )
    return (  # the folds disagree and the time exists: it exists twice
        f"names {shown}, a local time that happens twice in {name} (repeated by a "
        "daylight-saving change); write it with an explicit offset: "
        f"{_format_offset(first.utcoffset())} for the first, "
        f"{_format_offset(second.utcoffset())} for the second"
    )


def _shown(naive: datetime) -> str:
    return naive.isoformat(sep=" ", timespec="minutes" if naive.second == 0 else "seconds")


@cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name, as the ``tzdata`` package lists them: the same on every host
    (the system's zone folder also holds ``localtime``, this host's zone, and more)."""
    try:
        listed = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        listed = [*available_timezones() - {"localtime", "posixrules", "posix", "right"}]
    return frozenset(listed)


def _zone(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None (no paths, no files outside the tz database)."""
    if name not in _zone_names() or not _ZONE_NAME.fullmatch(name):
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # zoneinfo raises several types for bad keys; any means "unknown"
        return None


# -- diagnostics -------------------------------------------------------------------------------
@dataclass
class _Report:
    """Collects one file's diagnostics."""

    path: str
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, line: int, column: int, message: str) -> None:
        self.items.append(
            Diagnostic(self.path, max(line, 1), max(column, 1), code, Level.ERROR, message)
        )

    def warning(self, code: str, line: int, column: int, message: str) -> None:
        self.items.append(
            Diagnostic(self.path, max(line, 1), max(column, 1), code, Level.WARNING, message)
        )


# -- decoding ----------------------------------------------------------------------------------
def _decode(data: bytes, report: _Report) -> list[str] | None:
    """UTF-8 bytes → newline-normalized lines (BOM dropped), or None after a PM001."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", "replace")
        prefix = prefix.replace("\r\n", "\n").replace("\r", "\n")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        if line == 1 and prefix.startswith("\ufeff"):
            column -= 1
        report.error(
            "PM001",
            line,
            column,
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}, column "
            f"{column}); save it as UTF-8",
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        report.error("PM001", 1, 1, "file is empty; a post-mortem starts with '---' front matter")
        return None
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def _front_matter(lines: list[str], report: _Report) -> tuple[YMap | None, Block | None, bool]:
    """Split and compose the front matter: (mapping to check, block, usable); PM002 per problem."""
    block, problems = split(lines)
    mapping = None
    if block is not None:
        mapping, problems = compose(block.text, block.first_line)
    for problem in problems:
        report.error("PM002", problem.line, problem.column, problem.message)
    return mapping, block, mapping is not None and not problems


# -- typed front matter ------------------------------------------------------------------------
class _Fields:
    """Converts front-matter nodes per key; records PM003–PM006 and which keys failed."""

    def __init__(self, mapping: YMap, report: _Report, known: frozenset[str]) -> None:
        self.nodes: dict[str, tuple[YScalar, Node]] = {
            key.text: (key, value) for key, value in mapping.items
        }
        self.report = report
        self.invalid: set[str] = set()
        self.key_lines = {name: key.line for name, (key, _) in self.nodes.items()}
        if self.nodes.keys() <= known:
            return  # no unknown key to report
        for name, (key, _) in sorted(self.nodes.items(), key=lambda kv: kv[1][0].line):
            if name not in known:
                hint = _suggest(name, sorted(known))
                report.warning("PM005", key.line, key.column, f"unknown key {show(name)}; {hint}")

    def line(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def missing(self, key: str, required: bool, why: str = "") -> None:
        if required:
            self.invalid.add(key)
            self.report.error(
                "PM003", 1, 1, f"required key {key!r} is missing{why}; add it to the front matter"
            )

    def bad(self, key: str, node: Node, message: str, code: str = "PM004") -> None:
        self.invalid.add(key)
        self.report.error(code, node.line, node.column, message)

    def scalar(self, key: str, required: bool, expected: str) -> YScalar | None:
        if key not in self.nodes:
            self.missing(key, required)
            return None
        node = self.nodes[key][1]
        if not isinstance(node, YScalar):
            self.bad(key, node, f"{key} must be {expected} (got {_kind(node)})")
            return None
        return node

    def string(self, key: str, required: bool = False) -> str | None:
        node = self.scalar(key, required, "a string")
        if node is None:
            return None
        text = self._text(key, node, "a non-empty string")
        return None if text is None else text

    def _text(self, key: str, node: YScalar, expected: str) -> str | None:
        """A string scalar: not something YAML would type implicitly, not blank."""
        kind = node.yaml_type
        if kind is not None and node.text.strip():
            self.bad(
                key,
                node,
                f"{key} must be {expected} (got {show(node.text)}, which YAML reads as {kind}); "
                "put it in quotes",
            )
            return None
        if not node.text.strip():
            self.bad(key, node, f"{key} must be {expected} (got nothing)")
            return None
        return node.text.strip()

    def choice(self, key: str, kind: type[E], required: bool = False) -> E | None:
        forms = _forms(kind)
        node = self.scalar(key, required, f"one of {forms}")
        if node is None:
            return None
        found = _member(kind, node.text)
        if found is not None:
            return found
        self.bad(key, node, f"{key} must be one of {forms} (got {show(node.text)})")
        return None

    def day(self, key: str, required: bool = False) -> date | None:
        node = self.scalar(key, required, "a date YYYY-MM-DD")
        if node is None:
            return None
        value = _parse_date(node.text.strip())
        if isinstance(value, str):
            self.bad(key, node, f"{key} {value}")
            return None
        return value

    def timestamp(self, key: str, zone: tzinfo, required: bool = False) -> datetime | None:
        node = self.scalar(key, required, _TIMESTAMP_FORMS)
        if node is None:
            return None
        value = parse_timestamp(node.text, zone)
        if isinstance(value, str):
            self.bad(key, node, f"{key} {value}")
            return None
        return value

    def strings(
        self, key: str, required: bool = False, slugs: str = "", minimum: int = 0
    ) -> tuple[str, ...] | None:
        """A list of strings (``slugs`` names what each item is when items must be slugs)."""
        expected = f"a list of {'ids' if slugs else 'strings'}, e.g. [{'api-gateway' if slugs else 'Jane Doe'}]"
        if key not in self.nodes:
            self.missing(key, required)
            return None
        node = self.nodes[key][1]
        if not isinstance(node, YSeq):
            self.bad(key, node, f"{key} must be {expected} (got {_kind(node)})")
            return None
        if len(node.items) < minimum:
            self.bad(key, node, f"{key} must list at least one item (got an empty list)")
            return None
        items: list[str] = []
        ok = True
        for item in node.items:
            if not isinstance(item, YScalar):
                self.bad(key, item, f"each item of {key} must be a string (got {_kind(item)})")
                ok = False
                continue
            text = self._text(key, item, "a list of non-empty strings")
            if text is None:
                ok = False
            elif slugs and PLACEHOLDER_RE.fullmatch(text):
                # a scaffold's "[pattern-id]": the author has not filled it in yet
                self.bad(
                    key,
                    item,
                    f"{key} still holds the template placeholder {show(text)}; replace it",
                    code="PM011",
                )
                ok = False
            elif slugs and not is_slug(text):
                self.bad(key, item, _slug_message(f"{key}: {slugs}", text), code="PM006")
                ok = False
            else:
                items.append(text)
        return tuple(items) if ok else None

    def placeholders(self, key: str) -> None:
        """PM011 for template placeholders left in a string value."""
        if key not in self.nodes:
            return
        node = self.nodes[key][1]
        scalars = (
            [node]
            if isinstance(node, YScalar)
            else [i for i in getattr(node, "items", ()) if isinstance(i, YScalar)]
        )
        for scalar in scalars:
            hits = [m.group(0) for m in PLACEHOLDER_RE.finditer(scalar.text)]
            if hits:
                self.report.error(
                    "PM011",
                    scalar.line,
                    scalar.column,
                    f"{key} still holds the template placeholder {show(hits[0])}; replace it",
                )

    def impact(self) -> Impact | None:
        if "impact" not in self.nodes:
            return None
        node = self.nodes["impact"][1]
        if not isinstance(node, YMap):
            self.bad(
                "impact",
                node,
                f"impact must be a mapping with {', '.join(_IMPACT_KEYS)} (got {_kind(node)})",
            )
            return None
        values: dict[str, int | float | str | None] = dict.fromkeys(_IMPACT_KEYS)
        for sub, value in node.items:
            name = sub.text
            if name not in _IMPACT_KEYS:
                hint = _suggest(name, _IMPACT_KEYS)
                self.report.warning(
                    "PM005", sub.line, sub.column, f"unknown impact key {show(name)}; {hint}"
                )
                continue
            converted = _impact_value(name, value)
            if isinstance(converted, _Bad):
                self.report.error("PM004", value.line, value.column, converted.message)
            else:
                values[name] = converted
        users = values["users_affected"]
        revenue = values["revenue_usd"]
        burned = values["slo_budget_burned"]
        return Impact(
            users_affected=users if isinstance(users, int | str) else None,
            revenue_usd=float(revenue) if isinstance(revenue, int | float) else None,
            slo_budget_burned=burned if isinstance(burned, str) else None,
        )


def _suggest(name: str, known: Sequence[str]) -> str:
    """ "did you mean …?" for the nearest known key, else the list of known keys."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    close = close or [key for key in known if len(name) >= 3 and key.startswith(name)][:1]
    return f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"


@dataclass(frozen=True, slots=True)
class _Bad:
    message: str


def _impact_value(name: str, node: Node) -> int | float | str | _Bad:
    """One ``impact`` sub-value, converted, or why it is wrong."""
    text = node.text.strip() if isinstance(node, YScalar) else ""
    got = show(node.text) if isinstance(node, YScalar) else _kind(node)
    if name == "users_affected":
        if text.isascii() and text.isdigit() and len(text) <= 15:
            return int(text)
        if _PERCENT.fullmatch(text) and float(text[:-1]) <= 100:
            return text
        return _Bad(
            f"impact.users_affected must be a whole number or a percentage like 12% or 12.5% (got {got})"
        )
    if name == "revenue_usd":
        if _NUMBER.fullmatch(text):
            return float(text)
        return _Bad(
            f"impact.revenue_usd must be a non-negative number like 1200 or 1200.50 (got {got})"
        )
    if _PERCENT.fullmatch(text):
        return text
    return _Bad(f"impact.slo_budget_burned must be a percentage like 40% or 12.5% (got {got})")


def _kind(node: Node) -> str:
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    return show(node.text) if node.text else "nothing"


@lru_cache(maxsize=4096)  # a timeline names its day on every row; due dates repeat too
def _parse_date(text: str) -> date | str:
    """``YYYY-MM-DD`` → date, or "must be …" saying what is wrong."""
    if not _DATE.fullmatch(text):
        return f"must be a date YYYY-MM-DD (got {show(text)})"
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        return f"must be a real calendar date YYYY-MM-DD (got {show(text)}: {exc})"


# -- the post-mortem ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Span:
    """A level-2 section's place in the file: heading index and body lines [start, end)."""

    section: Section
    start: int
    end: int


M = TypeVar("M")


def _never_raising(
    parse: Callable[[bytes, str, _Report], M], data: bytes, path: str
) -> tuple[M | None, list[Diagnostic]]:
    """Run one file parser; a bug in it surfaces as a diagnostic, never as an aborted build."""
    report = _Report(path)
    try:
        return parse(data, path, report), sorted(report.items)
    except Exception as exc:
        report.error(
            "PM001", 1, 1, f"file could not be parsed ({type(exc).__name__}); please report this"
        )
        return None, sorted(report.items)


def parse_postmortem(
    data: bytes, path: str, settings: Settings
) -> tuple[Postmortem | None, list[Diagnostic]]:
    """Parse one post-mortem file; never raises."""
    pm, diagnostics = _never_raising(_parse_postmortem, data, path)
    return (pm if isinstance(pm, Postmortem) else None), diagnostics


def parse_for_checks(
    data: bytes, path: str, settings: Settings
) -> tuple[Postmortem | PartialPostmortem | None, list[Diagnostic]]:
    """Like :func:`parse_postmortem`, but a file whose front matter has errors still gives
    what could be read of it (a :class:`PartialPostmortem`), for the rules to check."""
    return _never_raising(_parse_postmortem, data, path)


def parse_citations(
    data: bytes, path: str, settings: Settings
) -> tuple[Citations | None, list[Diagnostic]]:
    """What the cross-file rules read of one post-mortem, from its front matter alone.

    The body is not parsed: the citations are those :func:`parse_postmortem`'s model
    would give (it too fails only on the front matter), at a fraction of the cost, and
    the diagnostics are the front matter's. Never raises.
    """
    pm, diagnostics = _never_raising(_parse_front_matter_only, data, path)
    return (None if pm is None else pm.citations()), diagnostics


def _parse_front_matter_only(
    data: bytes, path: str, report: _Report
) -> Postmortem | PartialPostmortem | None:
    return _parse_postmortem(data, path, report, body=False)


def _parse_postmortem(
    data: bytes, path: str, report: _Report, body: bool = True
) -> Postmortem | PartialPostmortem | None:
    lines = _decode(data, report)
    if lines is None:
        return None
    mapping, block, usable = _front_matter(lines, report)
    if block is None:
        # No front matter at all: the whole file is the body. Front matter left open: where
        # the body starts is unknown, so only the whole-file scans (privacy, blame) run.
        whole_body = body and not (lines and opens_front_matter(lines[0]))
        parts = _parse_body(lines, 0, None, ZoneInfo("UTC"), report) if whole_body else _Body()
        return _body_only(path, parts, 1)
    body_start = block.closing_line
    fields = _Fields(mapping, report, KNOWN_KEYS) if mapping is not None else None

    zone: ZoneInfo = ZoneInfo("UTC")
    zone_name = "UTC"
    day: date | None = None
    if fields is not None:
        zone_node = fields.scalar("timezone", False, "an IANA time zone name like Europe/Berlin")
        if zone_node is not None:
            found = _zone(zone_node.text.strip())
            if found is None:
                close = difflib.get_close_matches(
                    zone_node.text.strip(), sorted(_zone_names()), n=1
                )
                hint = f" did you mean {close[0]!r}?" if close else ""
                fields.bad(
                    "timezone",
                    zone_node,
                    f"timezone must be an IANA time zone name like Europe/Berlin or UTC "
                    f"(got {show(zone_node.text)});{hint}".rstrip(";"),
                )
            else:
                zone, zone_name = found, zone_node.text.strip()
        day = fields.day("date", True)

    parts = _parse_body(lines, body_start, day, zone, report) if body else _Body()
    if fields is None:
        return _body_only(path, parts, body_start + 1)
    return _build(fields, path, zone, zone_name, day, parts, body_start + 1, usable)


def _body_only(path: str, body: _Body, body_line: int) -> PartialPostmortem:
    """What can be checked of a file whose front matter gave nothing: its body."""
    stem = _stem(path)
    return PartialPostmortem(
        path=path,
        id=stem if is_slug(stem) else None,
        sections=body.sections,
        timeline=body.timeline,
        whys=body.whys,
        action_items=body.action_items,
        body_line=body_line,
    )


@dataclass
class _Body:
    sections: tuple[Section, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    whys: tuple[Why, ...] = ()
    action_items: tuple[ActionItem, ...] = ()


def _build(
    fields: _Fields,
    path: str,
    zone: ZoneInfo,
    zone_name: str,
    day: date | None,
    body: _Body,
    body_line: int,
    usable: bool = True,
) -> Postmortem | PartialPostmortem:
    """Convert every key, then assemble the model when the required ones are valid (and the
    front matter is ``usable``), else what could be read."""
    title = fields.string("title", True)
    fields.placeholders("title")
    severity = fields.choice("severity", Severity, True)
    status = fields.choice("status", Status, True)
    authors = fields.strings("authors", True, minimum=1)
    fields.placeholders("authors")
    stamps = {
        key: fields.timestamp(key, zone, key in REQUIRED_KEYS)
        for key in ("started", "detected", "responded", "escalated", "mitigated")
    }
    if "resolved" in fields.nodes or status is not Status.FINAL:
        stamps["resolved"] = fields.timestamp("resolved", zone)
    else:
        fields.missing("resolved", True, " (required when status is final)")
        fields.invalid.discard("resolved")  # reported, but the model is still useful to the rules
        stamps["resolved"] = None
    detection = fields.choice("detection", Detection, True)
    rollback = fields.choice("rollback", Rollback)
    services = fields.strings("services", True, slugs="service")
    root_causes = fields.strings("root_causes", True, slugs="pattern id", minimum=1)
    factors = fields.strings("contributing_factors", slugs="pattern id")
    related = fields.strings("related", slugs="incident id")
    tags = fields.strings("tags")
    fields.placeholders("tags")
    impact = fields.impact()

    stem = _stem(path)
    incident_id: str | None = stem
    if "id" in fields.nodes:
        given = fields.string("id")
        if given is not None and not is_slug(given):
            fields.bad("id", fields.nodes["id"][1], _slug_message("id", given), code="PM006")
            incident_id = None
        elif given is not None:
            incident_id = given
        else:
            incident_id = None
    elif not is_slug(stem):
        fields.invalid.add("id")
        incident_id = None
        fields.report.error(
            "PM006", 1, 1, _slug_message("file name", stem) + ", or set 'id' in the front matter"
        )

    started, detected, mitigated = stamps["started"], stamps["detected"], stamps["mitigated"]
    if (
        not usable
        or fields.invalid & {*REQUIRED_KEYS, "id", "timezone"}
        or incident_id is None
        or title is None
        or day is None
        or severity is None
        or status is None
        or authors is None
        or detection is None
        or services is None
        or root_causes is None
        or started is None
        or detected is None
        or mitigated is None
    ):
        return PartialPostmortem(
            path=path,
            id=incident_id,
            status=status,
            severity=severity,
            timezone=zone_name,
            authors=authors or (),
            started=started,
            detected=detected,
            responded=stamps["responded"],
            escalated=stamps["escalated"],
            mitigated=mitigated,
            resolved=stamps["resolved"],
            root_causes=root_causes or (),
            contributing_factors=factors or (),
            related=related or (),
            sections=body.sections,
            timeline=body.timeline,
            whys=body.whys,
            action_items=body.action_items,
            key_lines=MappingProxyType(dict(sorted(fields.key_lines.items()))),
            body_line=body_line,
        )
    return Postmortem(
        id=incident_id,
        path=path,
        title=title,
        date=day,
        severity=severity,
        status=status,
        authors=authors,
        timezone=zone_name,
        started=started,
        detected=detected,
        mitigated=mitigated,
        detection=detection,
        services=services,
        root_causes=root_causes,
        responded=stamps["responded"],
        escalated=stamps["escalated"],
        resolved=stamps["resolved"],
        rollback=rollback,
        contributing_factors=factors or (),
        related=related or (),
        tags=tags or (),
        impact=impact,
        sections=body.sections,
        timeline=body.timeline,
        whys=body.whys,
        action_items=body.action_items,
        key_lines=MappingProxyType(dict(sorted(fields.key_lines.items()))),
        body_line=body_line,
    )


# -- the body ----------------------------------------------------------------------------------
def _parse_body(
    lines: list[str], start: int, day: date | None, zone: ZoneInfo, report: _Report
) -> _Body:
    """Sections, timeline, whys and action items, with PM010/PM011/PM020/PM021/PM040/PM041."""
    fenced = fence_blocks(lines)
    for index in range(start):
        fenced[index] = 0
    spans, title_index = _sections(lines, start, fenced)
    _check_order(spans, title_index if title_index is not None else start, len(lines), report)
    placeholder_lines = _check_placeholders(lines, start, report)
    _check_empty(lines, spans, report)
    first = {span.section.key: span for span in reversed(spans) if span.section.key}
    references = _references(lines, fenced)
    body = _Body(sections=tuple(span.section for span in spans))
    if "timeline" in first:
        body.timeline = _timeline(
            lines, first["timeline"], fenced, day, zone, placeholder_lines, report
        )
    if "root cause analysis" in first:
        span = first["root cause analysis"]
        body.whys = tuple(
            Why(item.index + 1, item.text, tuple(_evidence(strip_comments(item.text), references)))
            for item in first_ordered_list(lines, span.start, span.end, fenced)
        )
    if "action items" in first:
        body.action_items = _actions(
            lines, first["action items"], fenced, placeholder_lines, report
        )
    return body


_SETEXT_UNDERLINE = re.compile(r"(=+|-+)[ \t]*")


def _sections(lines: list[str], start: int, fenced: list[int]) -> tuple[list[_Span], int | None]:
    """Every level-2 section, and the index of a level-1 heading before the first of them.

    Headings are ATX (``## Impact``) or setext (``Impact`` over a line of ``-``, or of
    ``=`` for level 1, the text opening a block as Python-Markdown reads it); a heading
    inside a fenced block or an HTML comment is no heading.
    """
    heads: list[tuple[int, str, int]] = []  # heading index, text, first content index
    title_index: int | None = None
    in_comment = False
    opener: str | None = None  # the line above, when it may be a setext heading's text
    for index in range(start, len(lines)):
        line = lines[index]
        if fenced[index]:
            opener = None
            continue
        if in_comment or "<!--" in line:
            line, in_comment = _mask_comments(line, in_comment)
        if opener is not None and line[:1] in "-=" and _SETEXT_UNDERLINE.fullmatch(line):
            if line[0] == "-":
                heads.append((index - 1, opener.strip(), index + 1))
            elif not heads and title_index is None:
                title_index = index - 1
            opener = None
            continue
        at_block_start = index == start or not lines[index - 1].strip()
        opener = line if at_block_start and line.strip() and not line.startswith("    ") else None
        if "#" not in line:
            continue  # every ATX heading holds a "#"
        found = heading(line)
        if found is None:
            continue
        opener = None
        if found.level == 2:
            heads.append((index, found.text, index + 1))
        elif found.level == 1 and not heads and title_index is None:
            title_index = index
    spans = []
    for number, (index, text, content) in enumerate(heads):
        end = heads[number + 1][0] if number + 1 < len(heads) else len(lines)
        key = " ".join(text.split()).casefold()
        section = Section(
            title=text,
            key=key if key in CONTRACT_SECTIONS else None,
            line=index + 1,
            markdown="\n".join(lines[content:end]),
        )
        spans.append(_Span(section, content, end))
    return spans, title_index


def _check_order(spans: list[_Span], anchor: int, total: int, report: _Report) -> None:
    """PM010: each contract section present once, in order, with Summary first."""
    if spans and spans[0].section.key == "summary":
        keys = tuple(span.section.key for span in spans if span.section.key is not None)
        if keys == CONTRACT_SECTIONS:
            return  # the usual case: all of them, once each, in order, Summary first
    seen: dict[str, _Span] = {}
    for span in spans:
        key = span.section.key
        if key is None:
            continue
        if key in seen:
            report.error(
                "PM010",
                span.section.line,
                1,
                f"section '{_TITLES[key]}' appears twice (first on line {seen[key].section.line}); "
                "merge them into one",
            )
        else:
            seen[key] = span
    present = list(seen.values())
    ranks = [CONTRACT_SECTIONS.index(span.section.key or "") for span in present]
    keep = set(_longest_increasing(ranks))
    in_order = [span for position, span in enumerate(present) if position in keep]
    for position, span in enumerate(present):
        if position in keep:
            continue
        key = span.section.key or ""
        rank = CONTRACT_SECTIONS.index(key)
        before = [s for s in in_order if CONTRACT_SECTIONS.index(s.section.key or "") < rank]
        after = [s for s in in_order if CONTRACT_SECTIONS.index(s.section.key or "") > rank]
        where = []
        if before:
            where.append(f"after '{before[-1].section.title}'")
        if after:
            where.append(f"before '{after[0].section.title}'")
        report.error(
            "PM010",
            span.section.line,
            1,
            f"section '{span.section.title}' is out of order; move it {' and '.join(where)}",
        )
    if not seen:
        listed = ", ".join(f"'## {_TITLES[key]}'" for key in CONTRACT_SECTIONS)
        report.error(
            "PM010",
            min(anchor + 1, max(total, 1)),
            1,
            f"the body has none of the required sections; add them in this order: {listed}",
        )
        return
    for rank, key in enumerate(CONTRACT_SECTIONS):
        if key in seen:
            continue
        before = [s for s in in_order if CONTRACT_SECTIONS.index(s.section.key or "") < rank]
        line = before[-1].section.line if before else min(anchor + 1, max(total, 1))
        place = (
            f"after '{before[-1].section.title}'" if before else "first, before any other section"
        )
        report.error(
            "PM010", line, 1, f"required section '## {_TITLES[key]}' is missing; add it {place}"
        )
    if "summary" in seen:
        for span in spans:
            if span is seen["summary"]:
                break
            if span.section.key is None:
                report.error(
                    "PM010",
                    span.section.line,
                    1,
                    f"section '{span.section.title}' comes before 'Summary'; Summary must be the "
                    "first section (extra sections may follow it)",
                )


def _longest_increasing(values: list[int]) -> list[int]:
    """Positions of one longest strictly increasing subsequence (earliest on ties)."""
    best: list[list[int]] = []
    for position, value in enumerate(values):
        candidates = [chain for chain in best if values[chain[-1]] < value]
        chain = max(candidates, key=len, default=[])
        best.append([*chain, position])
    return max(best, key=len, default=[])


def _check_placeholders(lines: list[str], start: int, report: _Report) -> set[int]:
    """PM011 for each body line holding template placeholders; returns those 0-based indexes."""
    grouped: dict[int, list[str]] = {}
    columns: dict[int, int] = {}
    for found in find_placeholders("\n".join(lines[start:])):
        index = start + found.line - 1
        grouped.setdefault(index, []).append(found.text)
        columns.setdefault(index, found.column)
    for index, texts in sorted(grouped.items()):
        unique = list(dict.fromkeys(texts))
        listed = ", ".join(show(text) for text in unique)
        what = "placeholder" if len(unique) == 1 else "placeholders"
        them = "it" if len(unique) == 1 else "them"
        report.error(
            "PM011",
            index + 1,
            columns[index],
            f"template {what} {listed} left in; replace {them} with the real content",
        )
    return set(grouped)


def _check_empty(lines: list[str], spans: list[_Span], report: _Report) -> None:
    """PM011 for a contract section with nothing but blank lines or comments."""
    for span in spans:
        if span.section.key is None:
            continue
        visible, _ = _mask_comments(" ".join(lines[span.start : span.end]), False)
        if not visible.strip():
            report.error(
                "PM011",
                span.section.line,
                1,
                f"section '{span.section.title}' is empty; write its content (see the format guide)",
            )


def _table(
    lines: list[str],
    span: _Span,
    fenced: list[int],
    code: str,
    name: str,
    accepted: Sequence[tuple[str, ...]],
    report: _Report,
) -> tuple[Table, tuple[str, ...]] | None:
    """The section's table with an accepted header, or None after a diagnostic."""
    shown = _header(accepted[0])
    found = find_table(lines, span.start, span.end, fenced)
    if found is None:
        report.error(
            code,
            span.section.line,
            1,
            f"{name} table is missing; add a table with the columns {shown}",
        )
        return None
    if isinstance(found, TableError):
        report.error(
            code, found.index + 1, found.column, f"{name} table is malformed: {found.message}"
        )
        return None
    header = tuple(" ".join(cell.text.split()).casefold() for cell in found.header.cells)
    if header not in accepted:
        options = " or ".join(f"'{_header(h)}'" for h in accepted[1:])
        report.error(
            code,
            found.header.index + 1,
            1,
            f"{name} table header must be '{shown}'"
            + (f" (optionally extended: {options})" if options else "")
            + f"; got {show(' | '.join(c.text for c in found.header.cells), 80)}",
        )
        return None
    for row in found.rows:
        if len(row.cells) != len(header):
            report.error(
                code,
                row.index + 1,
                1,
                f"{name} table row has {len(row.cells)} cells but the header has {len(header)}; "
                "escape pipes inside cells as \\|",
            )
    return found, header


def _header(names: Sequence[str]) -> str:
    """A table header as the format guide writes it."""
    return " | ".join("ID" if name == "id" else name.title() for name in names)


_TIMELINE_HEADERS = (("time", "event", "source"), ("time", "event", "source", "cause"))
_ACTION_HEADERS = tuple(
    ("id", "action", "owner", "priority", "due date", *extra)
    for extra in ((), ("status",), ("link",), ("status", "link"))
)


def _timeline(
    lines: list[str],
    span: _Span,
    fenced: list[int],
    day: date | None,
    zone: ZoneInfo,
    placeholder_lines: set[int],
    report: _Report,
) -> tuple[TimelineEvent, ...]:
    """Timeline rows → events (PM020 for the table, PM021 for times)."""
    parsed = _table(lines, span, fenced, "PM020", "timeline", _TIMELINE_HEADERS, report)
    if parsed is None:
        return ()
    table, header = parsed
    if not table.rows:
        report.error(
            "PM020", table.header.index + 1, 1, "timeline table has no rows; add one row per event"
        )
    events = []
    current_day = day
    for row in table.rows:
        if len(row.cells) != len(header):
            continue
        cell = row.cells[0]
        at, row_day, problem = _timeline_time(cell.text, current_day, zone)
        if row_day is not None:
            current_day = row_day
        if problem and not (row.index in placeholder_lines and PLACEHOLDER_RE.fullmatch(cell.text)):
            report.error(
                "PM021", row.index + 1, cell.column, f"timeline time {show(cell.text)} {problem}"
            )
        cause = row.cells[3].text if len(header) == 4 and row.cells[3].text else None
        events.append(
            TimelineEvent(row.index + 1, cell.text, at, row.cells[1].text, row.cells[2].text, cause)
        )
    return tuple(events)


def _timeline_time(
    text: str, day: date | None, zone: ZoneInfo
) -> tuple[datetime | None, date | None, str]:
    """A Time cell → (UTC time or None, the full date it names or None, problem or "")."""
    match = _TIMELINE_TIME.fullmatch(text.strip())
    if match is None:
        return None, None, "is not a time; write HH:MM, HH:MM:SS or YYYY-MM-DD HH:MM[:SS]"
    row_day = None
    if match.group(1):
        parsed_day = _parse_date(match.group(1))
        if isinstance(parsed_day, str):
            return None, None, f"has a date that {parsed_day}"
        row_day = parsed_day
    on = row_day or day
    if on is None:
        return None, None, ""  # the front matter's date is already reported
    try:
        naive = datetime(
            on.year,
            on.month,
            on.day,
            int(match.group(2)),
            int(match.group(3)),
            int(match.group(4) or 0),
        )
    except ValueError:
        return None, row_day, "is not a valid time of day; write HH:MM (00:00 to 23:59) or HH:MM:SS"
    if match.group(5):
        try:
            return naive.replace(tzinfo=_offset(match.group(5))).astimezone(UTC), row_day, ""
        except ValueError:
            return None, row_day, "has an impossible UTC offset; offsets run from -23:59 to +23:59"
    localized = _localize(naive, zone)
    if isinstance(localized, str):
        return None, row_day, localized
    return localized, row_day, ""


_EVIDENCE = re.compile(r"\bevidence[*_]*[ \t]*:[*_]*[ \t]*(\S.*)", re.IGNORECASE)


def _evidence(text: str, references: Mapping[str, str]) -> list[str]:
    """Link targets and ``Evidence:`` texts of one why."""
    found = link_targets(text, dict(references))
    for line in text.split("\n"):
        match = _EVIDENCE.search(line)
        if match:
            cited = match.group(1).strip().strip("*_").strip()
            if is_not_given(cited):
                continue  # "Evidence: TBD" is a promise of evidence, not evidence
            if not link_targets(cited, dict(references)):  # a cited link counts once
                found.append(cited)
    return list(dict.fromkeys(found))


def _actions(
    lines: list[str], span: _Span, fenced: list[int], placeholder_lines: set[int], report: _Report
) -> tuple[ActionItem, ...]:
    """Action item rows → items (PM040 for the table, PM041 per bad cell)."""
    parsed = _table(lines, span, fenced, "PM040", "action items", _ACTION_HEADERS, report)
    if parsed is None:
        return ()
    table, header = parsed
    if not table.rows:
        report.error(
            "PM040",
            table.header.index + 1,
            1,
            "action items table has no rows; add one row per follow-up action",
        )
    return tuple(
        _action_item(row, header, row.index in placeholder_lines, report)
        for row in table.rows
        if len(row.cells) == len(header)
    )


def _action_item(
    row: Row, header: tuple[str, ...], has_placeholder: bool, report: _Report
) -> ActionItem:
    """One action-item row → item; PM041 for each bad cell (placeholder cells are PM011 already)."""
    cells = dict(zip(header, row.cells, strict=True))
    line = row.index + 1

    def problem(name: str, message: str) -> None:
        if not (has_placeholder and PLACEHOLDER_RE.fullmatch(cells[name].text)):
            report.error("PM041", line, cells[name].column, message)

    item_id = cells["id"].text
    if not item_id:
        problem("id", "action item has no ID; give each item a short ID such as A1")
    owner = cells["owner"].text
    if not owner:
        problem("owner", f"action item {show(item_id)} has no owner; name a team or role")
    priority = _member(Severity, cells["priority"].text)
    if priority is None:
        problem(
            "priority",
            f"action item {show(item_id)} priority must be one of P0, P1, P2, P3 "
            f"(got {show(cells['priority'].text)})",
        )
    due = _parse_date(cells["due date"].text)
    if isinstance(due, str):
        problem(
            "due date",
            f"action item {show(item_id)} due date {due}",
        )
    status = ActionStatus.OPEN
    if "status" in cells and cells["status"].text:
        found = _member(ActionStatus, cells["status"].text)
        if found is None:
            forms = ", ".join(s.value for s in ActionStatus)
            problem(
                "status",
                f"action item {show(item_id)} status must be one of {forms} or empty for open "
                f"(got {show(cells['status'].text)})",
            )
        else:
            status = found
    link = cells["link"].text if "link" in cells and cells["link"].text else None
    return ActionItem(
        line=line,
        id=item_id,
        action=cells["action"].text,
        owner=owner,
        priority=priority,
        due=None if isinstance(due, str) else due,
        status=status,
        link=link,
    )


def _member(kind: type[E], text: str) -> E | None:
    """The member whose value is ``text`` (stripped, any case)."""
    return _members(kind).get(text.strip().casefold())


@lru_cache(maxsize=32)
def _members(kind: type[E]) -> dict[str, E]:
    return {member.value.casefold(): member for member in kind}


# -- patterns ----------------------------------------------------------------------------------
def parse_pattern(
    data: bytes, path: str, settings: Settings
) -> tuple[Pattern | None, list[Diagnostic]]:
    """Parse one pattern definition (``docs/patterns/<id>.md``); never raises."""
    return _never_raising(_parse_pattern, data, path)


def _parse_pattern(data: bytes, path: str, report: _Report) -> Pattern | None:
    lines = _decode(data, report)
    if lines is None:
        return None
    mapping, block, usable = _front_matter(lines, report)
    if mapping is None or block is None:
        return None
    fields = _Fields(mapping, report, PATTERN_KEYS)
    title = fields.string("title", True)
    summary = fields.string("summary") if "summary" in fields.nodes else ""
    category = fields.string("category") if "category" in fields.nodes else None
    aliases = fields.strings("aliases", slugs="alias")
    stem = PurePosixPath(path).stem
    if not is_slug(stem):
        report.error("PM006", 1, 1, _slug_message("pattern file name", stem) + "; rename the file")
        return None
    if title is None or fields.invalid or not usable:
        return None
    return Pattern(
        id=stem,
        title=title,
        path=path,
        summary=summary or "",
        aliases=aliases or (),
        category=category,
        body="\n".join(lines[block.closing_line :]),
        key_lines=MappingProxyType(dict(sorted(fields.key_lines.items()))),
    )
