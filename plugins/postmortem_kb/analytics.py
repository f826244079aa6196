"""Derived figures and aggregates over a set of post-mortems.

Pure functions: they take a sequence of :class:`~postmortem_kb.model.Postmortem`
(and an injected ``today`` where "now" matters) and return frozen dataclasses of
plain values. Nothing here reads files, knows MkDocs or draws anything
(:mod:`postmortem_kb.charts` draws from these values).

API
---
========================================  ==================================================
``quarter_of(d)``                         ``"2025-Q1"`` for a date
``quarter_span(postmortems)``             every quarter from the first to the last incident
``incidents_per_quarter(pms)``            ``QuarterCount`` per quarter, zeros included, P0..P3
``duration_stats(pms, metric)``           ``DurationStats`` for any subset
``duration_report(pms, metric)``          ``DurationReport``: overall, per quarter, per severity
``detection_report(pms)``                 ``DetectionReport``: share per detection source
``recurring_patterns(pms)``               ``PatternRecurrence`` per pattern, most frequent first
``top_services(pms)``                     ``ServiceCount`` per service, most incidents first
``co_occurring_patterns(pms)``            ``PatternPair`` per pair cited by the same incident
``tracked_actions(pms, today)``           every action item with its incident (``TrackedAction``)
``action_summary(pms, today)``            ``ActionSummary``: open, overdue, by status/priority/owner
``lessons_by_pattern(pms)`` / ``_service``  ``LessonGroup`` per pattern / service
``on_this_day(pms, today, window_days)``  ``Anniversary`` per incident on this day in past years
``analyze(pms, today)``                   ``Analytics``: all of the above in one value
``to_jsonable(value)``                    any value above → JSON-ready dicts/lists/str/int/float
``duration_text(delta)``                  ``"1 d 2 h 05 min"``: a duration as pages show it
``minutes_text(minutes)``                 the same for a figure in minutes, to the nearest minute
========================================  ==================================================

Conventions
-----------
- **Quarters** are calendar quarters of the incident's ``date`` (the day it
  started in its own time zone), written ``YYYY-Qn``. Series over quarters
  contain *every* quarter between the first and the last incident, with zeros.
- **Durations** are in minutes, as floats rounded to 0.1 minute (timestamps may
  carry seconds). Each incident's value is rounded first; statistics are
  computed on the rounded values and rounded again to 0.1.
- **No means.** Incident durations are heavily skewed (a few very long
  incidents dominate any mean; see the VOID report), so only ``count``,
  ``median``, ``p90``, ``min``, ``max`` and the raw values are given.
- **Percentiles**: ``p90 = statistics.quantiles(values, n=10, method="inclusive")[8]``,
  i.e. linear interpolation between the two closest ranks at position
  ``(n - 1) * 0.9`` of the sorted values (numpy's default "linear" method); with
  a single value it is that value. ``median`` is ``statistics.median`` (mean of
  the two middle values for an even count).
- **Undefined** statistics (no values) are ``None``; no NaN or infinity ever
  appears, so every result converts to JSON with :func:`to_jsonable`.
- **Order**: every tuple is sorted as its docstring says, ties broken by id,
  so the same input always gives the same output.
- **Patterns** of an incident are ``Postmortem.patterns`` (root causes then
  contributing factors, no repeats) unless ``root_causes_only=True``.
- **Owners** are compared as written (surrounding spaces stripped); an empty
  owner is reported as ``"(none)"``, a missing priority as ``"unset"``.
- **On this day**: an incident's anniversary in a year is the same month and day;
  a 29 February incident has its anniversary on 28 February in common years.
  With ``window_days=N`` an incident matches when its nearest anniversary lies
  within N days of ``today``, across year ends; only anniversaries at least one
  year after the incident count.

Everything is linear in the number of incidents (plus sorting); co-occurrence
counts the pairs of each incident's own patterns.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from itertools import combinations, pairwise
from types import MappingProxyType
from typing import Any

from .model import ActionItem, ActionStatus, Detection, Postmortem, Severity

__all__ = [
    "NO_OWNER",
    "UNSET_PRIORITY",
    "ActionSummary",
    "Analytics",
    "Anniversary",
    "DetectionReport",
    "DetectionShare",
    "DurationReport",
    "DurationStats",
    "Lesson",
    "LessonGroup",
    "Metric",
    "OwnerFollowThrough",
    "PatternPair",
    "PatternRecurrence",
    "QuarterCount",
    "ServiceCount",
    "TrackedAction",
    "action_summary",
    "analyze",
    "co_occurring_patterns",
    "detection_report",
    "duration_report",
    "duration_stats",
    "incidents_per_quarter",
    "lessons_by_pattern",
    "lessons_by_service",
    "minutes",
    "on_this_day",
    "quarter_of",
    "quarter_range",
    "quarter_span",
    "recurring_patterns",
    "to_jsonable",
    "top_services",
    "tracked_actions",
]

NO_OWNER = "(none)"
UNSET_PRIORITY = "unset"
_URGENT = (Severity.P0, Severity.P1)
_MAX_WINDOW = 182  # half a year: a wider window would see two anniversaries of one incident


# -- quarters -------------------------------------------------------------------------
def quarter_of(d: date) -> str:
    """The calendar quarter of ``d`` as ``YYYY-Qn``.

    >>> quarter_of(date(2025, 4, 1))
    '2025-Q2'
    """
    return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"


def _quarter_index(quarter: str) -> int:
    year, q = quarter.split("-Q")
    return int(year) * 4 + int(q) - 1


def quarter_range(first: str, last: str) -> tuple[str, ...]:
    """Every quarter from ``first`` to ``last`` inclusive (empty when ``last < first``).

    >>> quarter_range("2024-Q4", "2025-Q2")
    ('2024-Q4', '2025-Q1', '2025-Q2')
    """
    start, stop = _quarter_index(first), _quarter_index(last)
    return tuple(f"{i // 4:04d}-Q{i % 4 + 1}" for i in range(start, stop + 1))


def quarter_span(postmortems: Iterable[Postmortem]) -> tuple[str, ...]:
    """Every quarter from the earliest to the latest incident date (empty for none)."""
    dates = [pm.date for pm in postmortems]
    if not dates:
        return ()
    return quarter_range(quarter_of(min(dates)), quarter_of(max(dates)))


@dataclass(frozen=True, slots=True)
class QuarterCount:
    """Incidents started in one quarter, by severity (keys P0..P3, always all four)."""

    quarter: str
    by_severity: Mapping[Severity, int]

    @property
    def total(self) -> int:
        """All incidents of the quarter."""
        return sum(self.by_severity.values())


def _severity_counts(counter: Mapping[Severity, int]) -> Mapping[Severity, int]:
    return MappingProxyType({s: counter.get(s, 0) for s in Severity})


def incidents_per_quarter(postmortems: Sequence[Postmortem]) -> tuple[QuarterCount, ...]:
    """Incident counts per quarter and severity, oldest quarter first, zeros included."""
    counts: dict[str, Counter[Severity]] = defaultdict(Counter)
    for pm in postmortems:
        counts[quarter_of(pm.date)][pm.severity] += 1
    return tuple(
        QuarterCount(q, _severity_counts(counts.get(q, Counter())))
        for q in quarter_span(postmortems)
    )


# -- durations ------------------------------------------------------------------------
class Metric(StrEnum):
    """A duration derived from the incident's timestamps (see the format contract)."""

    TIME_TO_DETECT = "time-to-detect"
    TIME_TO_RESPOND = "time-to-respond"
    TIME_TO_ESCALATE = "time-to-escalate"
    TIME_TO_MITIGATE = "time-to-mitigate"
    TIME_TO_RESOLVE = "time-to-resolve"
    DURATION = "duration"

    @property
    def label(self) -> str:
        """Human label, e.g. ``"Time to detect"``."""
        return self.value.replace("-", " ").capitalize()

    def of(self, pm: Postmortem) -> timedelta | None:
        """This metric for one incident (None when a timestamp it needs is absent)."""
        return _METRIC_GETTERS[self](pm)


_METRIC_GETTERS: dict[Metric, Callable[[Postmortem], timedelta | None]] = {
    Metric.TIME_TO_DETECT: lambda pm: pm.time_to_detect,
    Metric.TIME_TO_RESPOND: lambda pm: pm.time_to_respond,
    Metric.TIME_TO_ESCALATE: lambda pm: pm.time_to_escalate,
    Metric.TIME_TO_MITIGATE: lambda pm: pm.time_to_mitigate,
    Metric.TIME_TO_RESOLVE: lambda pm: pm.time_to_resolve,
    Metric.DURATION: lambda pm: pm.duration,
}


def duration_text(delta: timedelta) -> str:
    """A duration as people write it, in whole minutes (seconds dropped): ``1 d 2 h 05 min``,
    ``1 h 34 min``, ``49 min``; a minus sign when negative.

    >>> duration_text(timedelta(hours=26, minutes=5)), duration_text(timedelta(minutes=-3))
    ('1 d 2 h 05 min', '−3 min')
    """
    sign = "−" if delta < timedelta(0) else ""
    whole = math.floor(abs(delta).total_seconds() / 60)
    days, rest = divmod(whole, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h {mins:02d} min"
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def minutes_text(value: float) -> str:
    """A figure in minutes (a median, a percentile) as :func:`duration_text`, to the nearest
    minute (half up): statistics fall between whole minutes.

    >>> minutes_text(288.6), minutes_text(4462.2), minutes_text(0.5), minutes_text(2715.8)
    ('4 h 49 min', '3 d 2 h 22 min', '1 min', '1 d 21 h 16 min')
    """
    return duration_text(timedelta(minutes=math.floor(value + 0.5)))


def minutes(delta: timedelta) -> float:
    """A duration in minutes, rounded to 0.1.

    >>> minutes(timedelta(minutes=2, seconds=20))
    2.3
    """
    return round(delta.total_seconds() / 60, 1)


@dataclass(frozen=True, slots=True)
class DurationStats:
    """Distribution of one metric over a group of incidents, in minutes (no mean, on purpose)."""

    count: int
    median: float | None
    p90: float | None
    min: float | None
    max: float | None
    values: tuple[float, ...]  # sorted ascending, for histograms and box plots

    @classmethod
    def of(cls, values: Iterable[float]) -> DurationStats:
        """Statistics of raw minute values (see the module docstring for the method)."""
        ordered = tuple(sorted(values))
        if not ordered:
            return cls(0, None, None, None, None, ())
        if len(ordered) == 1:
            p90 = ordered[0]
        else:
            p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8]
        return cls(
            count=len(ordered),
            median=round(statistics.median(ordered), 1),
            p90=round(p90, 1),
            min=ordered[0],
            max=ordered[-1],
            values=ordered,
        )


def duration_stats(postmortems: Iterable[Postmortem], metric: Metric) -> DurationStats:
    """``metric`` over ``postmortems``; incidents lacking the metric are left out."""
    values = []
    for pm in postmortems:
        delta = metric.of(pm)
        if delta is not None:
            values.append(minutes(delta))
    return DurationStats.of(values)


@dataclass(frozen=True, slots=True)
class DurationReport:
    """One metric overall, per quarter (every quarter in the span) and per severity (P0..P3)."""

    metric: Metric
    overall: DurationStats
    by_quarter: Mapping[str, DurationStats]  # oldest quarter first
    by_severity: Mapping[Severity, DurationStats]  # P0..P3


def duration_report(postmortems: Sequence[Postmortem], metric: Metric) -> DurationReport:
    """Distribution of ``metric`` overall, per quarter and per severity."""
    per_quarter: dict[str, list[Postmortem]] = defaultdict(list)
    per_severity: dict[Severity, list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        per_quarter[quarter_of(pm.date)].append(pm)
        per_severity[pm.severity].append(pm)
    return DurationReport(
        metric=metric,
        overall=duration_stats(postmortems, metric),
        by_quarter=MappingProxyType(
            {q: duration_stats(per_quarter.get(q, ()), metric) for q in quarter_span(postmortems)}
        ),
        by_severity=MappingProxyType(
            {s: duration_stats(per_severity.get(s, ()), metric) for s in Severity}
        ),
    )


# -- detection ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DetectionShare:
    """How a group of incidents was detected: counts and shares (0..1, rounded to 0.001)."""

    key: str  # a quarter, or "all"
    total: int
    counts: Mapping[Detection, int]  # every Detection, in enum order
    shares: Mapping[Detection, float | None]  # None when total is 0


@dataclass(frozen=True, slots=True)
class DetectionReport:
    """Detection sources overall and per quarter (every quarter in the span, oldest first)."""

    overall: DetectionShare
    by_quarter: tuple[DetectionShare, ...]


def _detection_share(key: str, counter: Mapping[Detection, int]) -> DetectionShare:
    total = sum(counter.values())
    counts = {d: counter.get(d, 0) for d in Detection}
    shares = {d: (round(n / total, 3) if total else None) for d, n in counts.items()}
    return DetectionShare(key, total, MappingProxyType(counts), MappingProxyType(shares))


def detection_report(postmortems: Sequence[Postmortem]) -> DetectionReport:
    """Share of incidents detected by monitoring, user report, internal report, other."""
    overall: Counter[Detection] = Counter()
    per_quarter: dict[str, Counter[Detection]] = defaultdict(Counter)
    for pm in postmortems:
        overall[pm.detection] += 1
        per_quarter[quarter_of(pm.date)][pm.detection] += 1
    return DetectionReport(
        overall=_detection_share("all", overall),
        by_quarter=tuple(
            _detection_share(q, per_quarter.get(q, Counter())) for q in quarter_span(postmortems)
        ),
    )


# -- patterns and services ------------------------------------------------------------
def _patterns_of(pm: Postmortem, root_causes_only: bool) -> tuple[str, ...]:
    return tuple(dict.fromkeys(pm.root_causes)) if root_causes_only else pm.patterns


def _by_date(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(postmortems, key=lambda pm: (pm.date, pm.id))


@dataclass(frozen=True, slots=True)
class PatternRecurrence:
    """How often a pattern recurs; ``median_interval_days`` is None below two incidents."""

    pattern: str
    count: int
    first_seen: date
    last_seen: date
    median_interval_days: float | None  # median gap between consecutive incidents, 0.1 day
    incidents: tuple[str, ...]  # incident ids, oldest first


def recurring_patterns(
    postmortems: Sequence[Postmortem], *, root_causes_only: bool = False, limit: int | None = None
) -> tuple[PatternRecurrence, ...]:
    """Patterns by incident count (most first), then most recently seen, then id."""
    cited: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in _by_date(postmortems):
        for pattern in _patterns_of(pm, root_causes_only):
            cited[pattern].append(pm)
    result = []
    for pattern, pms in cited.items():
        gaps = [(b.date - a.date).days for a, b in pairwise(pms)]
        interval = round(float(statistics.median(gaps)), 1) if gaps else None
        result.append(
            PatternRecurrence(
                pattern=pattern,
                count=len(pms),
                first_seen=pms[0].date,
                last_seen=pms[-1].date,
                median_interval_days=interval,
                incidents=tuple(pm.id for pm in pms),
            )
        )
    result.sort(key=lambda r: r.pattern)
    result.sort(key=lambda r: (r.count, r.last_seen), reverse=True)
    return tuple(result[:limit])


@dataclass(frozen=True, slots=True)
class ServiceCount:
    """Incidents that affected one service."""

    service: str
    count: int
    by_severity: Mapping[Severity, int]  # P0..P3
    first_seen: date
    last_seen: date


def top_services(
    postmortems: Sequence[Postmortem], *, limit: int | None = None
) -> tuple[ServiceCount, ...]:
    """Services by incident count (most first), then most recently hit, then name."""
    hits: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        for service in dict.fromkeys(pm.services):
            hits[service].append(pm)
    result = [
        ServiceCount(
            service=service,
            count=len(pms),
            by_severity=_severity_counts(Counter(pm.severity for pm in pms)),
            first_seen=min(pm.date for pm in pms),
            last_seen=max(pm.date for pm in pms),
        )
        for service, pms in hits.items()
    ]
    result.sort(key=lambda r: r.service)
    result.sort(key=lambda r: (r.count, r.last_seen), reverse=True)
    return tuple(result[:limit])


@dataclass(frozen=True, slots=True)
class PatternPair:
    """Two patterns cited by the same incidents; ``first < second``."""

    first: str
    second: str
    count: int
    incidents: tuple[str, ...]  # oldest first


def co_occurring_patterns(
    postmortems: Sequence[Postmortem], *, root_causes_only: bool = False, limit: int | None = None
) -> tuple[PatternPair, ...]:
    """Pattern pairs by number of incidents citing both (most first), then by the pair."""
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pm in _by_date(postmortems):
        for pair in combinations(sorted(_patterns_of(pm, root_causes_only)), 2):
            pairs[pair].append(pm.id)
    result = [PatternPair(a, b, len(ids), tuple(ids)) for (a, b), ids in pairs.items()]
    result.sort(key=lambda p: (-p.count, p.first, p.second))
    return tuple(result[:limit])


# -- action items ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TrackedAction:
    """One action item with its incident, and whether it is overdue on ``today``."""

    incident_id: str
    incident_title: str
    incident_severity: Severity
    incident_date: date
    item: ActionItem
    overdue: bool
    days_overdue: int | None  # today − due when overdue, else None

    @property
    def owner(self) -> str:
        """The owner as written, or ``"(none)"``."""
        return self.item.owner.strip() or NO_OWNER

    @property
    def priority(self) -> str:
        """``"P0"``..``"P3"``, or ``"unset"``."""
        return str(self.item.priority) if self.item.priority is not None else UNSET_PRIORITY

    @property
    def is_open(self) -> bool:
        """Still owes work (open or in progress)."""
        return self.item.status.is_open

    @property
    def urgent_overdue(self) -> bool:
        """A P0/P1 item past its due date: the follow-through signal."""
        return self.overdue and self.item.priority in _URGENT


def tracked_actions(postmortems: Iterable[Postmortem], today: date) -> tuple[TrackedAction, ...]:
    """Every action item of every incident, by incident date, incident id, then table row."""
    result = []
    for pm in _by_date(postmortems):
        for item in sorted(pm.action_items, key=lambda a: (a.line, a.id)):
            overdue = item.is_overdue(today)
            days = (today - item.due).days if overdue and item.due is not None else None
            result.append(TrackedAction(pm.id, pm.title, pm.severity, pm.date, item, overdue, days))
    return tuple(result)


@dataclass(frozen=True, slots=True)
class OwnerFollowThrough:
    """One owner's action items: how many, how many still open, overdue, urgent overdue."""

    owner: str
    total: int
    open: int
    overdue: int
    urgent_overdue: int  # open P0/P1 items past due
    max_days_overdue: int | None
    urgent_overdue_items: tuple[TrackedAction, ...]  # most days overdue first


@dataclass(frozen=True, slots=True)
class ActionSummary:
    """Action-item debt on ``today``."""

    today: date
    total: int
    open: int
    overdue: int
    by_status: Mapping[ActionStatus, int]  # every status, enum order
    by_priority: Mapping[str, int]  # "P0".."P3" then "unset" (all items)
    open_by_priority: Mapping[str, int]  # same keys, open items only
    by_owner: tuple[OwnerFollowThrough, ...]  # most urgent overdue, most overdue, most open, name
    open_items: tuple[TrackedAction, ...]  # earliest due first (no due date last)
    overdue_items: tuple[TrackedAction, ...]  # most days overdue first


def _overdue_order(actions: Iterable[TrackedAction]) -> tuple[TrackedAction, ...]:
    return tuple(sorted(actions, key=lambda a: (-(a.days_overdue or 0), a.incident_id, a.item.id)))


def action_summary(postmortems: Iterable[Postmortem], today: date) -> ActionSummary:
    """Counts of action items by status, priority and owner, with open and overdue lists."""
    actions = tracked_actions(postmortems, today)
    priorities = [*(str(s) for s in Severity), UNSET_PRIORITY]
    by_priority = Counter(a.priority for a in actions)
    open_actions = [a for a in actions if a.is_open]
    open_by_priority = Counter(a.priority for a in open_actions)
    status_counts = Counter(a.item.status for a in actions)

    per_owner: dict[str, list[TrackedAction]] = defaultdict(list)
    for a in actions:
        per_owner[a.owner].append(a)
    owners = []
    for owner, items in per_owner.items():
        overdue = [a.days_overdue for a in items if a.days_overdue is not None]
        owners.append(
            OwnerFollowThrough(
                owner=owner,
                total=len(items),
                open=sum(a.is_open for a in items),
                overdue=len(overdue),
                urgent_overdue=sum(a.urgent_overdue for a in items),
                max_days_overdue=max(overdue) if overdue else None,
                urgent_overdue_items=_overdue_order(a for a in items if a.urgent_overdue),
            )
        )
    owners.sort(key=lambda o: (-o.urgent_overdue, -o.overdue, -o.open, o.owner))
    due_never = date.max
    return ActionSummary(
        today=today,
        total=len(actions),
        open=len(open_actions),
        overdue=sum(a.overdue for a in actions),
        by_status=MappingProxyType({s: status_counts.get(s, 0) for s in ActionStatus}),
        by_priority=MappingProxyType({p: by_priority.get(p, 0) for p in priorities}),
        open_by_priority=MappingProxyType({p: open_by_priority.get(p, 0) for p in priorities}),
        by_owner=tuple(owners),
        open_items=tuple(
            sorted(
                open_actions,
                key=lambda a: (a.item.due or due_never, a.incident_id, a.item.id),
            )
        ),
        overdue_items=_overdue_order(a for a in actions if a.overdue),
    )


# -- lessons --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Lesson:
    """An incident's Lessons Learned markdown, as written (escape where it lands)."""

    incident_id: str
    incident_title: str
    incident_date: date
    severity: Severity
    markdown: str


@dataclass(frozen=True, slots=True)
class LessonGroup:
    """The lessons of every incident citing a pattern or affecting a service, newest first."""

    key: str
    lessons: tuple[Lesson, ...]


def _lessons(
    postmortems: Iterable[Postmortem], keys_of: Callable[[Postmortem], Iterable[str]]
) -> tuple[LessonGroup, ...]:
    groups: dict[str, list[Lesson]] = defaultdict(list)
    newest_first = sorted(postmortems, key=lambda pm: pm.id)
    newest_first.sort(key=lambda pm: pm.date, reverse=True)
    for pm in newest_first:
        text = pm.lessons
        if not text:
            continue
        lesson = Lesson(pm.id, pm.title, pm.date, pm.severity, text)
        for key in dict.fromkeys(keys_of(pm)):
            groups[key].append(lesson)
    return tuple(LessonGroup(key, tuple(groups[key])) for key in sorted(groups))


def lessons_by_pattern(
    postmortems: Iterable[Postmortem], *, root_causes_only: bool = False
) -> tuple[LessonGroup, ...]:
    """Lessons per pattern id (sorted by id); incidents without lessons are left out."""
    return _lessons(postmortems, lambda pm: _patterns_of(pm, root_causes_only))


def lessons_by_service(postmortems: Iterable[Postmortem]) -> tuple[LessonGroup, ...]:
    """Lessons per service (sorted by name); incidents without lessons are left out."""
    return _lessons(postmortems, lambda pm: pm.services)


# -- on this day ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Anniversary:
    """An incident whose anniversary falls on (or within the window around) ``today``."""

    incident_id: str
    incident_title: str
    incident_date: date
    severity: Severity
    anniversary: date  # the matching anniversary
    years_ago: int  # anniversary year − incident year (≥ 1)
    days_from_today: int  # anniversary − today: negative = days ago, 0 = today


def _anniversary(d: date, year: int) -> date:
    """``d``'s month and day in ``year``; 29 February falls back to 28 February."""
    if d.month == 2 and d.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return d.replace(year=year)


def on_this_day(
    postmortems: Iterable[Postmortem], today: date, *, window_days: int = 0
) -> tuple[Anniversary, ...]:
    """Incidents of past years whose anniversary is within ``window_days`` (0..182) of ``today``.

    Sorted by anniversary, then incident date, then id.
    """
    if not 0 <= window_days <= _MAX_WINDOW:
        raise ValueError(f"window_days must be between 0 and {_MAX_WINDOW}, not {window_days}")
    result = []
    for pm in postmortems:
        # The nearest anniversary is in last year, this year or next year (window ≤ half a year).
        candidates = []
        for year in (today.year - 1, today.year, today.year + 1):
            if year - pm.date.year < 1 or year > date.max.year or year < date.min.year:
                continue
            when = _anniversary(pm.date, year)
            offset = (when - today).days
            if abs(offset) <= window_days:
                candidates.append((abs(offset), offset, when))
        if not candidates:
            continue
        _, offset, when = min(candidates)
        result.append(
            Anniversary(
                incident_id=pm.id,
                incident_title=pm.title,
                incident_date=pm.date,
                severity=pm.severity,
                anniversary=when,
                years_ago=when.year - pm.date.year,
                days_from_today=offset,
            )
        )
    result.sort(key=lambda a: (a.anniversary, a.incident_date, a.incident_id))
    return tuple(result)


# -- everything at once ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Analytics:
    """Every aggregate for a dashboard, computed once."""

    today: date
    incident_count: int
    quarters: tuple[str, ...]
    per_quarter: tuple[QuarterCount, ...]
    durations: Mapping[Metric, DurationReport]  # every Metric, enum order
    detection: DetectionReport
    patterns: tuple[PatternRecurrence, ...]
    services: tuple[ServiceCount, ...]
    pattern_pairs: tuple[PatternPair, ...]
    actions: ActionSummary
    on_this_day: tuple[Anniversary, ...]


def analyze(
    postmortems: Sequence[Postmortem], today: date, *, on_this_day_window: int = 0
) -> Analytics:
    """All dashboard aggregates for ``postmortems`` on ``today``."""
    return Analytics(
        today=today,
        incident_count=len(postmortems),
        quarters=quarter_span(postmortems),
        per_quarter=incidents_per_quarter(postmortems),
        durations=MappingProxyType({m: duration_report(postmortems, m) for m in Metric}),
        detection=detection_report(postmortems),
        patterns=recurring_patterns(postmortems),
        services=top_services(postmortems),
        pattern_pairs=co_occurring_patterns(postmortems),
        actions=action_summary(postmortems, today),
        on_this_day=on_this_day(postmortems, today, window_days=on_this_day_window),
    )


# -- JSON -----------------------------------------------------------------------------
def to_jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses and mappings → dicts (keys as str),
    tuples → lists, enums → their value, dates → ISO strings, non-finite floats → None.

    >>> to_jsonable(DurationStats.of([3.0, 1.0]))["values"]
    [1.0, 3.0]
    """
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")
