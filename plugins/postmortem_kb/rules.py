"""Per-file rules on the parsed model: one small function per PM code.

Parsing (``parse.py``) reports what is malformed; these rules judge what was
parsed: timestamp order (PM008), the timeline (PM022–PM027), the root cause
analysis (PM030, PM031), action items (PM042, PM043), blaming language
(PM060, :mod:`.blameless`) and privacy (PM070, PM071, :mod:`.privacy`).

Every rule reads the model (and, for the line-based scans, the file's lines)
and returns diagnostics; :func:`check_postmortem` runs them all and sorts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._markdown import strip_comments
from .blameless import check_blameless
from .model import (
    Diagnostic,
    Level,
    PartialPostmortem,
    Postmortem,
    Severity,
    TimelineEvent,
    is_not_given,
)
from .privacy import check_privacy
from .settings import Settings

__all__ = ["RULES", "check_postmortem", "file_lines"]


Checked = Postmortem | PartialPostmortem
"""What the rules check: a whole post-mortem, or what could be read of a broken one."""


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule may read: the model, the file's lines, the settings and today."""

    pm: Checked
    lines: Sequence[str]  # lines[0] is file line 1
    settings: Settings
    today: date


Rule = Callable[[Context], Iterator[Diagnostic]]

MAX_NESTING = 32
"""Deepest list/quote nesting of a body; Python-Markdown hits the recursion limit near 250."""


def file_lines(data: bytes) -> list[str]:
    """The file's text lines, numbered like the parser numbers them (``lines[0]`` is line 1).

    ``str.splitlines`` is avoided on purpose: it also splits on form feeds and
    Unicode separators, which would shift every later line number.
    """
    text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _zone(pm: Checked) -> ZoneInfo:
    """The incident's zone, UTC when the name is unusable (parse reports that as PM004)."""
    try:
        return ZoneInfo(pm.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _when(pm: Checked, moment: datetime) -> str:
    """A timestamp shown in the incident's zone, e.g. ``2025-03-14 09:12 CET``."""
    local = moment.astimezone(_zone(pm))
    shape = "%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M"
    return f"{local.strftime(shape)} {local.tzname()}"


def _length(span: timedelta) -> str:
    """A duration for people: ``42 min``, ``1 h 05 min``, ``5 min 30 s``."""
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return f"{text} {secs} s" if secs else text


def _diag(
    ctx: Context, line: int, code: str, message: str, level: Level = Level.ERROR
) -> Diagnostic:
    return Diagnostic(ctx.pm.path, line, 1, code, level, message)


# -- PM008 ----------------------------------------------------------------------------
_ORDER_CHAINS: tuple[tuple[str, ...], ...] = (
    ("started", "detected", "responded", "mitigated", "resolved"),
    ("detected", "escalated", "resolved"),
)


def check_timestamp_order(ctx: Context) -> Iterator[Diagnostic]:
    """PM008: each present timestamp is not before the nearest present one before it in its chain."""
    pm = ctx.pm
    chain_text = " and ".join(" ≤ ".join(chain) for chain in _ORDER_CHAINS)
    seen: set[tuple[str, str]] = set()
    for chain in _ORDER_CHAINS:
        present = [(key, value) for key in chain if isinstance(value := getattr(pm, key), datetime)]
        for (early_key, early), (late_key, late) in pairwise(present):
            if late >= early or (early_key, late_key) in seen:
                continue
            seen.add((early_key, late_key))
            yield _diag(
                ctx,
                pm.key_lines.get(late_key, 1),
                "PM008",
                f"`{late_key}` ({_when(pm, late)}) is before `{early_key}` ({_when(pm, early)}); "
                f"timestamps must be in the order {chain_text} (for the keys present)",
            )


# -- timeline ---------------------------------------------------------------------------
def _timed(pm: Checked) -> list[tuple[TimelineEvent, datetime]]:
    """Timeline rows whose time parsed (an unparseable one is PM021, reported by the parser)."""
    return [(row, row.at) for row in pm.timeline if row.at is not None]


def check_timeline_order(ctx: Context) -> Iterator[Diagnostic]:
    """PM022: every timed row is at or after the timed row above it (equal times are fine)."""
    rows = _timed(ctx.pm)
    for (before, before_at), (row, row_at) in pairwise(rows):
        if row_at < before_at:
            yield _diag(
                ctx,
                row.line,
                "PM022",
                f"timeline not chronological: {row.time_text.strip()} is earlier than the row "
                f"above it ({before.time_text.strip()}, line {before.line}); order the rows by time "
                "(crossing midnight needs a full `YYYY-MM-DD HH:MM` time)",
            )


def check_timeline_sources(ctx: Context) -> Iterator[Diagnostic]:
    """PM023: every row names its Source (the evidence for the event)."""
    for row in ctx.pm.timeline:
        if is_not_given(strip_comments(row.source)):  # a comment alone renders as nothing
            yield _diag(
                ctx,
                row.line,
                "PM023",
                "timeline row without a source: say where this is recorded "
                "(alert, dashboard, chat channel, ticket, deploy log)",
            )


def check_timeline_gaps(ctx: Context) -> Iterator[Diagnostic]:
    """PM024: a gap over the limit is explained by ``Gap:`` in the row that ends it."""
    limit = timedelta(minutes=ctx.settings.gap_limit_minutes)
    for before, row in pairwise(ctx.pm.timeline):
        if before.at is None or row.at is None or row.line != before.line + 1:
            continue  # a row between them did not parse (PM020/PM021): the gap is unknown
        gap = row.at - before.at
        if gap > limit and not row.explains_gap:
            yield _diag(
                ctx,
                row.line,
                "PM024",
                f"unexplained gap of {_length(gap)} since the row at line {before.line}, over the "
                f"limit of {_length(limit)} (gap_limit_minutes); add `Gap: <what happened "
                "meanwhile>` to this row's Event",
            )


def check_decision_points(ctx: Context) -> Iterator[Diagnostic]:
    """PM025: a P0/P1 timeline records at least one ``Decision:`` row."""
    pm = ctx.pm
    heading = pm.section("timeline")
    if pm.severity not in (Severity.P0, Severity.P1) or heading is None or not pm.timeline:
        return
    if not any(row.is_decision for row in pm.timeline):
        yield _diag(
            ctx,
            heading.line,
            "PM025",
            f"no decision point in the timeline of a {pm.severity} incident: start the Event of "
            "each key decision with `Decision:` (what was decided, and why)",
            Level.WARNING,
        )


def check_timeline_span(ctx: Context) -> Iterator[Diagnostic]:
    """PM026: ``started`` and ``detected`` fall within the first and last timed rows."""
    pm = ctx.pm
    times = [at for _, at in _timed(pm)]
    if not times:
        return
    first, last = min(times), max(times)
    for key in ("started", "detected"):
        moment: datetime | None = getattr(pm, key)
        if moment is not None and not first <= moment <= last:
            yield _diag(
                ctx,
                pm.key_lines.get(key, 1),
                "PM026",
                f"`{key}` ({_when(pm, moment)}) is outside the timeline's span "
                f"({_when(pm, first)} to {_when(pm, last)}); add a timeline row for it "
                "or correct the timestamp",
            )


def check_timeline_causes(ctx: Context) -> Iterator[Diagnostic]:
    """PM027: a Cause cell repeats the Time of an earlier row, as written there."""
    earlier: list[str] = []
    for row in ctx.pm.timeline:
        cause = (row.cause or "").strip()
        if cause and cause not in earlier:
            hint = f" (e.g. `{earlier[-1]}`)" if earlier else ""
            yield _diag(
                ctx,
                row.line,
                "PM027",
                f"Cause `{cause}` names no earlier row; a Cause is the Time of an earlier "
                f"row exactly as written there{hint}",
            )
        if row.time_text.strip():
            earlier.append(row.time_text.strip())


# -- root cause analysis -------------------------------------------------------------
def check_why_count(ctx: Context) -> Iterator[Diagnostic]:
    """PM030: the analysis has at least ``min_whys`` levels (a missing section is PM010)."""
    pm = ctx.pm
    heading = pm.section("root cause analysis")
    minimum = ctx.settings.min_whys
    if heading is None or len(pm.whys) >= minimum:
        return
    yield _diag(
        ctx,
        heading.line,
        "PM030",
        f"root cause analysis has {len(pm.whys)} level{'s' if len(pm.whys) != 1 else ''}; at "
        f"least {minimum} are required (min_whys): write an ordered list, one item per "
        '"why", ending with the root-cause statement',
    )


def check_why_evidence(ctx: Context) -> Iterator[Diagnostic]:
    """PM031: every why level cites evidence (a link, or text after ``Evidence:``)."""
    for number, why in enumerate(ctx.pm.whys, start=1):
        if not why.evidence:
            yield _diag(
                ctx,
                why.line,
                "PM031",
                f"why level {number} cites no evidence: add a link (graph, log, ticket) "
                "or `Evidence: <what shows it>`",
            )


# -- action items ---------------------------------------------------------------------
def check_action_ids(ctx: Context) -> Iterator[Diagnostic]:
    """PM042: action item ids are unique within the incident (compared case-insensitively)."""
    first_line: dict[str, int] = {}
    for item in ctx.pm.action_items:
        key = item.id.strip().casefold()
        if not key:
            continue  # a missing id is the parser's PM040/PM041
        if key in first_line:
            yield _diag(
                ctx,
                item.line,
                "PM042",
                f"duplicate action item id `{item.id.strip()}` (first used at line "
                f"{first_line[key]}); give each action item its own id",
            )
        else:
            first_line[key] = item.line


def check_overdue(ctx: Context) -> Iterator[Diagnostic]:
    """PM043: open or in-progress items whose due date has passed (level from ``overdue``)."""
    if ctx.settings.overdue == "off":
        return
    level = Level.ERROR if ctx.settings.overdue == "error" else Level.WARNING
    for item in ctx.pm.action_items:
        if item.due is not None and item.is_overdue(ctx.today):
            days = (ctx.today - item.due).days
            yield _diag(
                ctx,
                item.line,
                "PM043",
                f"action item `{item.id.strip()}` is overdue: due {item.due.isoformat()}, "
                f"{days} day{'s' if days != 1 else ''} ago, and still {item.status}; "
                "finish it, or update its status or due date",
                level,
            )


# -- line-based scans ----------------------------------------------------------------
def check_blaming_language(ctx: Context) -> Iterator[Diagnostic]:
    """PM060: see :mod:`.blameless`."""
    yield from check_blameless(ctx.pm, ctx.lines, ctx.settings)


def check_private_data(ctx: Context) -> Iterator[Diagnostic]:
    """PM070, PM071: see :mod:`.privacy`."""
    yield from check_privacy(ctx.pm.path, ctx.lines)


def check_nesting_depth(ctx: Context) -> Iterator[Diagnostic]:
    """PM001: a list or quote nested past what Python-Markdown can render (it recurses per level)."""
    body = ctx.lines[ctx.pm.body_line - 1 :]
    joined = "\n".join(body)
    if ">" not in joined and "\t" not in joined and " " * (4 * MAX_NESTING + 4) not in joined:
        return  # without quotes or tabs, only that many leading spaces nest too deep
    fence = ""
    for number, line in enumerate(body, start=ctx.pm.body_line):
        stripped = line.lstrip(" \t>")
        if fence:  # code is shown literally, however deep it is indented
            fence = "" if stripped.startswith(fence) else fence
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        prefix = line[: len(line) - len(stripped)]
        depth = prefix.count(">") + len(prefix.replace(">", "").expandtabs(4)) // 4
        if depth > MAX_NESTING:
            yield _diag(
                ctx,
                number,
                "PM001",
                f"text nested {depth} levels deep (lists, quotes, indentation); at most "
                f"{MAX_NESTING} levels can be rendered: flatten it",
            )
            return


RULES: tuple[Rule, ...] = (
    check_timestamp_order,
    check_timeline_order,
    check_timeline_sources,
    check_timeline_gaps,
    check_decision_points,
    check_timeline_span,
    check_timeline_causes,
    check_why_count,
    check_why_evidence,
    check_action_ids,
    check_overdue,
    check_blaming_language,
    check_private_data,
    check_nesting_depth,
)


def check_postmortem(pm: Checked, data: bytes, settings: Settings, today: date) -> list[Diagnostic]:
    """Every per-file rule on one parsed post-mortem (or what could be read of it), sorted
    by line, column and code."""
    ctx = Context(pm, file_lines(data), settings, today)
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(ctx))
    found.sort()
    return found
