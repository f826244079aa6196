"""The immutable, typed model of a post-mortem knowledge base.

Everything here is a frozen dataclass or a ``StrEnum``: parsing produces these
values once, and every later stage (rules, graph, analytics, pages, exports)
only reads them.

Time: every timestamp in the model is an *aware* ``datetime`` in UTC. Python
subtracts two datetimes that share one ``tzinfo`` object as wall-clock times
(ignoring a daylight-saving change between them), so keeping UTC in the model
makes every duration absolute. Convert with :meth:`Postmortem.local` for display.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "NOT_GIVEN",
    "ActionItem",
    "ActionStatus",
    "Citations",
    "Detection",
    "Diagnostic",
    "Impact",
    "Level",
    "PartialPostmortem",
    "Pattern",
    "Postmortem",
    "Rollback",
    "Section",
    "Severity",
    "Status",
    "TimelineEvent",
    "Why",
    "is_not_given",
]


class Level(StrEnum):
    """How loud a diagnostic is: errors always fail, warnings only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem in one file, at a 1-based line and column, with a stable code."""

    path: str
    line: int
    column: int
    code: str
    level: Level
    message: str

    def format(self) -> str:
        """The text form: ``path:line:column: CODE level: message``."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.level}: {self.message}"

    def to_dict(self) -> dict[str, str | int]:
        """The JSON form: exactly the six keys."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "level": str(self.level),
            "message": self.message,
        }


class Severity(StrEnum):
    """Incident severity (and action-item priority): P0 is the worst."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class Status(StrEnum):
    """Review status of a post-mortem."""

    DRAFT = "draft"
    IN_REVIEW = "in-review"
    FINAL = "final"


class Detection(StrEnum):
    """How the incident was detected."""

    MONITORING = "monitoring"
    USER_REPORT = "user-report"
    INTERNAL_REPORT = "internal-report"
    OTHER = "other"


class Rollback(StrEnum):
    """Was rolling back considered, and was it viable."""

    USED = "used"
    CONSIDERED = "considered"
    NOT_VIABLE = "not-viable"
    NOT_CONSIDERED = "not-considered"


class ActionStatus(StrEnum):
    """Lifecycle of an action item; ``verified`` = done and its effect checked."""

    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    VERIFIED = "verified"
    WONT_DO = "wont-do"

    @property
    def is_open(self) -> bool:
        """Still owes work (counts towards overdue and action-item debt)."""
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class Section:
    """A level-2 section of the body, as the author wrote it."""

    title: str  # heading text as written
    key: str | None  # canonical lower-case name of a contract section, None for extra sections
    line: int  # file line of the heading
    markdown: str  # body of the section (without its heading), as written


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One row of the timeline table."""

    line: int
    time_text: str  # the Time cell as written (a Cause cell refers to this text)
    at: datetime | None  # absolute time (UTC); None when the Time cell did not parse
    event: str
    source: str
    cause: str | None = None  # Time text of an earlier row that led to this one

    @property
    def is_decision(self) -> bool:
        """A decision point: the Event starts with ``Decision:`` (in bold or italics too)."""
        return _DECISION.match(self.event) is not None

    @property
    def explains_gap(self) -> bool:
        """The Event explains the gap before this row: ``Gap:`` followed by the explanation
        (the word itself: ``Stopgap:`` is not it)."""
        return _GAP.search(self.event) is not None


NOT_GIVEN = frozenset(
    {"-", "--", "—", "–", "?", "...", "…", "n/a", "na", "none", "tbd", "tba", "todo", "unknown"}
)
"""Texts that stand for a missing value: a source or evidence written as one is not given."""


def is_not_given(text: str) -> bool:
    """``text`` is empty, or only says that nothing is given (``-``, ``n/a``, ``TBD``...)."""
    bare = text.strip().strip("*_`.").strip().casefold()
    return not bare or bare in NOT_GIVEN or text.strip().casefold() in NOT_GIVEN


# Emphasis may wrap the marker: "**Decision:** roll back", "_Gap:_ waiting for the vendor".
_DECISION = re.compile(r"\s*[*_]*decision[*_]*:", re.IGNORECASE)
_GAP = re.compile(r"(?<![^\W_])gap[*_]*:[*_]*\s*[^\s*_]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Why:
    """One level of the 5-whys root cause analysis."""

    line: int
    text: str  # the list item's markdown
    evidence: tuple[str, ...] = ()  # link targets and ``Evidence:`` texts found in it


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One row of the action items table."""

    line: int
    id: str
    action: str
    owner: str
    priority: Severity | None
    due: date | None
    status: ActionStatus = ActionStatus.OPEN
    link: str | None = None

    def is_overdue(self, today: date) -> bool:
        """Open (or in progress) with a due date strictly before ``today``."""
        return self.status.is_open and self.due is not None and self.due < today


@dataclass(frozen=True, slots=True)
class Impact:
    """The optional ``impact`` mapping."""

    users_affected: int | str | None = None  # integer or percentage string ("12%")
    revenue_usd: float | None = None
    slo_budget_burned: str | None = None  # percentage string


# the keys whose lines the cross-file rules report on (PM007, PM050, PM051)
_CITING_KEYS = ("id", "root_causes", "contributing_factors", "related")


def _frozen(mapping: Mapping[str, int] | None = None) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Citations:
    """What the cross-file rules read of a post-mortem: its id and the ids it cites.

    ``pmkb validate`` keeps only this of each file (a :class:`Postmortem` has the
    same attributes), so checking a large corpus moves little data between processes.
    """

    id: str
    path: str
    status: Status | None  # None only in an incomplete file's citations
    root_causes: tuple[str, ...]
    contributing_factors: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=_frozen)  # the cited keys' lines
    complete: bool = True  # False: of a file whose front matter has errors (never published)

    @property
    def patterns(self) -> tuple[str, ...]:
        """Root causes then contributing factors, without repeats."""
        return tuple(dict.fromkeys(self.root_causes + self.contributing_factors))


@dataclass(frozen=True, slots=True)
class Postmortem:
    """One incident, parsed from ``postmortems/**/*.md``.

    ``path`` is relative to the project root, with ``/`` separators.
    ``key_lines`` maps each front-matter key to its file line.
    """

    id: str
    path: str
    title: str
    date: date
    severity: Severity
    status: Status
    authors: tuple[str, ...]
    timezone: str
    started: datetime
    detected: datetime
    mitigated: datetime
    detection: Detection
    services: tuple[str, ...]
    root_causes: tuple[str, ...]
    responded: datetime | None = None
    escalated: datetime | None = None
    resolved: datetime | None = None
    rollback: Rollback | None = None
    contributing_factors: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    impact: Impact | None = None
    sections: tuple[Section, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    whys: tuple[Why, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=_frozen)
    body_line: int = 1  # file line where the body (after the front matter) starts

    # -- derived -----------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        """The incident's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` shown in the incident's time zone."""
        return moment.astimezone(self.zone)

    def section(self, key: str) -> Section | None:
        """The contract section with canonical ``key`` (e.g. ``"lessons learned"``)."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def summary(self) -> str:
        """The Summary section's markdown (empty when missing)."""
        found = self.section("summary")
        return found.markdown.strip() if found else ""

    @property
    def lessons(self) -> str:
        """The Lessons Learned section's markdown (empty when missing)."""
        found = self.section("lessons learned")
        return found.markdown.strip() if found else ""

    @property
    def root_cause_statement(self) -> str:
        """The last why: the statement extracted onto every cited pattern's page."""
        return self.whys[-1].text if self.whys else ""

    @property
    def patterns(self) -> tuple[str, ...]:
        """Root causes then contributing factors, without repeats."""
        return tuple(dict.fromkeys(self.root_causes + self.contributing_factors))

    def citations(self) -> Citations:
        """The part of this post-mortem the cross-file rules read."""
        return _citations(self, self.id, complete=True)

    @property
    def time_to_detect(self) -> timedelta:
        """detected − started."""
        return self.detected - self.started

    @property
    def time_to_respond(self) -> timedelta | None:
        """responded − detected."""
        return None if self.responded is None else self.responded - self.detected

    @property
    def time_to_escalate(self) -> timedelta | None:
        """escalated − detected."""
        return None if self.escalated is None else self.escalated - self.detected

    @property
    def time_to_mitigate(self) -> timedelta:
        """mitigated − started."""
        return self.mitigated - self.started

    @property
    def time_to_resolve(self) -> timedelta | None:
        """resolved − started."""
        return None if self.resolved is None else self.resolved - self.started

    @property
    def duration(self) -> timedelta:
        """resolved − started, or mitigated − started while unresolved."""
        return (self.resolved or self.mitigated) - self.started


@dataclass(frozen=True, slots=True)
class PartialPostmortem:
    """What could be read of a post-mortem whose front matter has errors.

    The file is never published, but one run reports every problem of every file: the
    body's rules, the privacy and blameless scans and the cross-file rules still run on
    what is here. A value is None (or empty) when its key is missing or invalid, so a
    rule that needs it stays silent rather than report a knock-on error.
    """

    path: str
    id: str | None = None  # the file name's (or a valid ``id`` key's); None if neither is usable
    status: Status | None = None
    severity: Severity | None = None
    timezone: str = "UTC"
    authors: tuple[str, ...] = ()
    started: datetime | None = None
    detected: datetime | None = None
    responded: datetime | None = None
    escalated: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    root_causes: tuple[str, ...] = ()
    contributing_factors: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    whys: tuple[Why, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=_frozen)
    body_line: int = 1

    def section(self, key: str) -> Section | None:
        """The contract section with canonical ``key`` (see :meth:`Postmortem.section`)."""
        return next((s for s in self.sections if s.key == key), None)

    def citations(self) -> Citations | None:
        """Its citations for the cross-file rules (``complete`` False), if it has an id."""
        return None if self.id is None else _citations(self, self.id, complete=False)


def _citations(pm: Postmortem | PartialPostmortem, pm_id: str, *, complete: bool) -> Citations:
    lines = pm.key_lines
    return Citations(
        pm_id,
        pm.path,
        pm.status,
        pm.root_causes,
        pm.contributing_factors,
        pm.related,
        MappingProxyType({key: lines[key] for key in _CITING_KEYS if key in lines}),
        complete=complete,
    )


@dataclass(frozen=True, slots=True)
class Pattern:
    """A reusable root-cause pattern.

    Defined in ``docs/patterns/<id>.md`` (``path`` set), or generated because an
    incident cites it without a definition (``path`` is None, ``defined`` False).
    """

    id: str
    title: str
    path: str | None = None
    summary: str = ""
    aliases: tuple[str, ...] = ()
    category: str | None = None
    body: str = ""  # curated markdown after the front matter
    key_lines: Mapping[str, int] = field(default_factory=_frozen)

    @property
    def defined(self) -> bool:
        """Has a curated definition file."""
        return self.path is not None
