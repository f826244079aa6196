"""The organizational-learning pages: dashboard, action items, lessons, graph view, feeds, home.

Each page is a generator of :mod:`postmortem_kb.pages` (``SiteContext`` in,
``(uri, content or its renderer)`` out), listed in :data:`LEARNING_GENERATORS`. Figures come
from :mod:`postmortem_kb.analytics` (distributions, never a bare mean), charts
from :mod:`postmortem_kb.charts` (inline SVG, each followed by its data table),
feeds from :mod:`postmortem_kb.feeds`.

Generated files besides the pages: ``actions.csv`` and ``actions.json`` (every
action item), ``feed.xml`` (Atom) and ``feed.json`` (JSON Feed 1.1).

Scale (20,000 incidents), decided here:

- the dashboard and the action items page are single pages linear in the corpus;
- the lessons page shows the newest :data:`LESSONS_PER_GROUP` lessons of each
  pattern and service and links to the pattern or service page for the rest;
- the graph view draws every pattern and service up to :data:`GRAPH_MAX_HUBS`
  (most incidents first) and the newest :data:`GRAPH_MAX_INCIDENTS` incidents,
  and says so; the layout (networkx ``spring_layout``, fixed seed, 50 steps) stays below
  500 nodes, where networkx needs numpy only; labels are placed greedily (a grid indexes
  what is placed: about linear), clear of shapes, other labels and the drawing's edges;
- the neighbourhood on an incident page costs O(degree) and lists no neighbour (it
  counts them); a pattern page's reuses the counts the page has.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import charts, escape
from .analytics import (
    NO_OWNER,
    UNSET_PRIORITY,
    ActionSummary,
    Metric,
    TrackedAction,
    action_summary,
    analyze,
    lessons_by_pattern,
    lessons_by_service,
    minutes_text,
    on_this_day,
    recurring_patterns,
    to_jsonable,
    tracked_actions,
)
from .escape import Safe
from .feeds import ATOM_PATH, JSON_FEED_PATH, atom, feed_of, json_feed
from .model import ActionStatus, Detection, Severity
from .pages import (
    INCIDENT_FILTER,
    SEARCH_EXCLUDE,
    Content,
    SiteContext,
    _front_matter,
    _pattern_title,
    filter_labels,
    href,
    incident_uri,
    pattern_uri,
    service_uri,
)

__all__ = [
    "ACTIONS_CSV",
    "ACTIONS_JSON",
    "AUTHOR_MARKDOWN_PAGES",
    "CSV_COLUMNS",
    "GRAPH_MAX_HUBS",
    "GRAPH_MAX_INCIDENTS",
    "HOME_MARKER",
    "LEARNING_GENERATORS",
    "LEARNING_PAGES",
    "LESSONS_PER_GROUP",
    "ON_THIS_DAY_WINDOW",
    "action_pages",
    "actions_csv",
    "actions_json",
    "csv_cell",
    "dashboard_page",
    "feed_files",
    "feed_links",
    "graph_page",
    "home_page",
    "inline_html",
    "inline_md",
    "lessons_page",
    "merge_home",
    "neighbourhood",
    "owner_token",
    "pattern_neighbourhood",
    "plain_text",
    "to_do",
]

DASHBOARD = "dashboard.md"
ACTIONS = "actions.md"
LESSONS = "lessons.md"
GRAPH = "graph.md"
HOME = "index.md"
ACTIONS_CSV = "actions.csv"
ACTIONS_JSON = "actions.json"
LEARNING_PAGES = frozenset({DASHBOARD, ACTIONS, LESSONS, GRAPH})
"""The learning pages meant for the site's navigation."""
AUTHOR_MARKDOWN_PAGES = frozenset({LESSONS})
"""Learning pages that render an author's Markdown (the others show it as plain text):
the site sanitizes their HTML like incident and pattern pages."""

HOME_MARKER = "<!-- postmortems: home -->"
"""Put this line in ``docs/index.md`` to have the generated home sections inserted there."""

TOP = 10
ON_THIS_DAY_WINDOW = 3
"""Anniversaries within this many days of today count as "on this day"."""
NEWEST = 5
LESSONS_PER_GROUP = 20
GRAPH_MAX_HUBS = 150
GRAPH_MAX_INCIDENTS = 250
GRAPH_SEED = 7
# 50 force-directed steps settle ~400 nodes as well as 100 (mean edge length within 1%,
# no more overlaps) in half the time
GRAPH_ITERATIONS = 50
_DURATION_METRICS = (Metric.TIME_TO_DETECT, Metric.TIME_TO_MITIGATE, Metric.TIME_TO_RESOLVE)
_NBSP = "\u00a0"


def _chart(ctx: SiteContext, svg: str, table: charts.Table) -> Safe:
    """An inline chart followed by its data table in a collapsible block."""
    return ctx.raw(
        f'<div class="pmkb-chart-box">\n{svg.strip()}\n</div>\n\n'
        '<details class="pmkb-data">\n'
        f"<summary>Data table: {escape.html_text(table.caption)}</summary>\n"
        f"{table.to_html()}</details>\n"
    )


def _minutes(value: float | None) -> Safe:
    """A figure in minutes as incident cards show durations."""
    return Safe("–" if value is None else minutes_text(value))


def to_do(summary: ActionSummary) -> Safe:
    """What the action items still to do are: ``10 open, 9 in progress``.

    "Still to do" is open or in progress (what overdue and the follow-through count); the
    status filter's "open" is the one status.
    """
    by_status = summary.by_status
    return Safe(
        f"{by_status[ActionStatus.OPEN]} open, {by_status[ActionStatus.IN_PROGRESS]} in progress"
    )


def _share(part: int, total: int) -> Safe:
    return Safe("–" if total == 0 else f"{100 * part / total:.0f}%")


# --- dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class _DurationBlock:
    metric: Metric
    label: str
    count: int
    median: Safe
    p90: Safe
    by_quarter: Safe
    by_severity: Safe


def dashboard_page(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``dashboard.md``: incidents, durations, detection, patterns, services, action debt."""
    yield DASHBOARD, functools.partial(_dashboard, ctx)


def _dashboard(ctx: SiteContext) -> str:
    """The dashboard, rendered."""
    uri = DASHBOARD
    data = analyze(ctx.kb.incidents, ctx.kb.today)
    durations = []
    for metric in _DURATION_METRICS:
        report = data.durations[metric]
        durations.append(
            _DurationBlock(
                metric=metric,
                label=metric.label,
                count=report.overall.count,
                median=_minutes(report.overall.median),
                p90=_minutes(report.overall.p90),
                by_quarter=_chart(
                    ctx,
                    charts.duration_svg(report, by="quarter"),
                    charts.duration_table(report, by="quarter"),
                ),
                by_severity=_chart(
                    ctx,
                    charts.duration_svg(report, by="severity"),
                    charts.duration_table(report, by="severity"),
                ),
            )
        )
    with_incidents = [q for q in data.detection.by_quarter if q.total]
    trend = None
    if len(with_incidents) >= 2:
        first, last = with_incidents[0], with_incidents[-1]
        trend = (
            first.key,
            _share(first.counts[Detection.MONITORING], first.total),
            last.key,
            _share(last.counts[Detection.MONITORING], last.total),
        )
    overall = data.detection.overall
    return ctx.render(
        "dashboard.md.j2",
        front_matter=_front_matter(title="Dashboard", search=SEARCH_EXCLUDE),
        data=data,
        per_quarter=_chart(
            ctx,
            charts.incidents_per_quarter_svg(data.per_quarter),
            charts.incidents_per_quarter_table(data.per_quarter),
        ),
        durations=durations,
        detection=_chart(
            ctx,
            charts.detection_share_svg(data.detection),
            charts.detection_share_table(data.detection),
        ),
        monitoring=_share(overall.counts[Detection.MONITORING], overall.total),
        users=_share(overall.counts[Detection.USER_REPORT], overall.total),
        trend=trend,
        patterns=data.patterns[:TOP],
        pattern_titles=ctx.kb.patterns,
        services=data.services[:TOP],
        severities=list(Severity),
        priorities=_priorities(data.actions),
        actions=data.actions,
        to_do=to_do(data.actions),
        overdue=[(a, inline_md(a.item.action)) for a in data.actions.overdue_items[:TOP]],
        rel=lambda to: href(uri, to),
        incident_uri=incident_uri,
        pattern_uri=pattern_uri,
        service_uri=service_uri,
    )


def _priorities(summary: ActionSummary) -> list[str]:
    """The dashboard's priority rows: P0..P3 always (a zero says something), "unset" only
    when some item has no priority (else it is an always-empty row)."""
    return [p for p in summary.by_priority if p != UNSET_PRIORITY or summary.by_priority[p]]


# --- action items ----------------------------------------------------------------------

CSV_COLUMNS = (
    "incident_id",
    "incident_title",
    "incident_date",
    "incident_severity",
    "action_id",
    "action",
    "owner",
    "priority",
    "due",
    "status",
    "overdue",
    "days_overdue",
    "link",
    "link_label",
)
"""The columns of ``actions.csv`` (``actions.json`` items have the same keys, and
``action_markdown``). Text is what a reader sees: ``action`` without Markdown (code spans
unwrapped, links as their text), ``link`` the URL of the Link cell (absolute ``http``,
``https`` or ``mailto`` only) and ``link_label`` its text; the JSON keeps the author's
Markdown of the action in ``action_markdown``."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting ``= + - @``, tab or CR gets a ``'``.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("plain"), csv_cell(None)
    ("'=HYPERLINK(1)", 'plain', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_values(a: TrackedAction) -> tuple[Any, ...]:
    item = a.item
    return (
        a.incident_id,
        a.incident_title,
        a.incident_date.isoformat(),
        a.incident_severity,
        item.id,
        plain_text(item.action),
        a.owner,
        a.priority,
        item.due.isoformat() if item.due else "",
        item.status,
        "yes" if a.overdue else "no",
        "" if a.days_overdue is None else a.days_overdue,
        _link_target(item.link) or "",
        _link_label(item.link) or "",
    )


def actions_csv(actions: Iterable[TrackedAction]) -> str:
    """Every action item as CSV (header row, RFC 4180 quoting, formula cells defused)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a in actions:
        writer.writerow([csv_cell(v) for v in _csv_values(a)])
    return buffer.getvalue()


def actions_json(summary: ActionSummary, actions: Sequence[TrackedAction]) -> str:
    """Every action item and the per-owner follow-through as JSON (never NaN)."""
    items = [
        {
            **{k: v for k, v in zip(CSV_COLUMNS, _csv_values(a), strict=True) if k != "overdue"},
            "due": a.item.due.isoformat() if a.item.due else None,
            "action_markdown": a.item.action,
            "link": _link_target(a.item.link),
            "link_label": _link_label(a.item.link),
            "days_overdue": a.days_overdue,
            "overdue": a.overdue,
            "incident_severity": str(a.incident_severity),
            "status": str(a.item.status),
        }
        for a in actions
    ]
    owners = [
        {
            "owner": o.owner,
            "total": o.total,
            "open": o.open,
            "overdue": o.overdue,
            "urgent_overdue": o.urgent_overdue,
            "max_days_overdue": o.max_days_overdue,
        }
        for o in summary.by_owner
    ]
    document = {
        "today": summary.today.isoformat(),
        "total": summary.total,
        "open": summary.open,
        "overdue": summary.overdue,
        "by_status": to_jsonable(summary.by_status),
        "by_priority": to_jsonable(summary.by_priority),
        "owners": owners,
        "items": items,
    }
    text = json.dumps(
        document, ensure_ascii=True, allow_nan=False, sort_keys=True, separators=(",", ":")
    )
    return text + "\n"


TO_DO = "to-do"
"""The action items' status filter value of the items still to do (open or in progress):
``actions/?status=to-do``."""


def owner_token(owner: str) -> str:
    """An owner as one filter value (the table filter splits values on spaces).

    >>> owner_token(" SRE  team ") == "SRE\\u00a0team"
    True
    """
    return _NBSP.join(owner.split()) or NO_OWNER


# a link's destination may hold balanced parentheses, one level deep, as Python-Markdown
# allows ("https://en.wikipedia.org/wiki/Retry_(computing)"), and a title after it
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_AUTOLINK = re.compile(r"^<([^<>\s]+)>$")


def _inline_parts(markdown: str) -> list[tuple[str, bool]]:
    """An action's text as ``(text, is_code)`` parts: one line, Markdown links as their
    text, code spans without their backticks (nothing escaped yet)."""
    flat = " ".join(markdown.split())
    return [
        (part if code else _MD_LINK.sub(r"\1", part), code)
        for part, code in escape.split_code_spans(flat)
    ]


def plain_text(markdown: str) -> str:
    """An author's one-line Markdown (an action, a Link cell) as the plain text a reader sees:
    link syntax and code-span backticks gone (the downloads carry this).

    >>> plain_text("Answer `503` per [the RFC](https://x.org/9110) and <https://y.org>")
    'Answer 503 per the RFC and <https://y.org>'
    """
    return " ".join("".join(part for part, _ in _inline_parts(markdown)).split())


def inline_html(markdown: str) -> Safe:
    """An action's text for an HTML cell: escaped, code spans as ``<code>``, links as text.

    Only code spans are rendered: the text is untrusted, so each part is escaped first.

    >>> inline_html("Answer `503` with `<b>` & [retry](https://x.org)")
    'Answer <code>503</code> with <code>&lt;b&gt;</code> &amp; retry'
    """
    return Safe(
        "".join(
            f"<code>{escape.html_text(part)}</code>" if code else escape.html_text(part)
            for part, code in _inline_parts(markdown)
        )
    )


def _md_part(text: str) -> str:
    """A part of a line as Markdown inline text, keeping the spaces at its ends."""
    if not text.strip():
        return " " if text else ""
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return f"{lead}{escape.md_text(text)}{trail}"


def inline_md(markdown: str) -> Safe:
    """An action's text for a Markdown table cell: escaped, code spans as ``<code>`` (their
    content escaped as Markdown text, which inline HTML leaves to Markdown), links as text.

    >>> print(inline_md("Set `max_*_size` | `a|b`"))
    Set <code>max\\_\\*\\_size</code> \\| <code>a\\|b</code>
    """
    return Safe(
        "".join(
            f"<code>{escape.md_text(part)}</code>" if code else _md_part(part)
            for part, code in _inline_parts(markdown)
        )
    )


_MD_TARGET = re.compile(
    r"^\[[^\]\n]*\]\(\s*"
    r"(?:<([^<>\n]*)>|((?:[^()\s]|\([^()\s]*\))*))"  # <url>, or a url with balanced (…)
    r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""  # an optional title
    r"\s*\)$"
)


def _link_label(link: str | None) -> str | None:
    """What a reader sees of an action item's Link cell: a Markdown link's text, an
    autolink's URL, else the cell as plain text (a ticket key stays a ticket key)."""
    if not link or not link.strip():
        return None
    autolink = _AUTOLINK.match(link.strip())
    return autolink.group(1) if autolink else plain_text(link)


def _link_target(link: str | None) -> str | None:
    """The absolute URL in an action item's Link cell (bare, or one Markdown link), if allowed."""
    if not link:
        return None
    found = _MD_TARGET.match(link.strip())
    target = (found.group(1) or found.group(2) or "") if found else link.strip()
    # only absolute links: a ticket key like "OPS-12" is not a page of this site
    absolute = target.lower().startswith(("https://", "http://", "mailto:"))
    return target if absolute and " " not in target and escape.is_safe_url(target) else None


def action_pages(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``actions.md`` (filterable table, follow-through), ``actions.csv``, ``actions.json``."""
    tracked = functools.cache(lambda: _tracked(ctx))
    yield ACTIONS, lambda: _actions_page(ctx, *tracked())
    yield ACTIONS_CSV, lambda: actions_csv(tracked()[1])
    yield ACTIONS_JSON, lambda: actions_json(*tracked())


def _tracked(ctx: SiteContext) -> tuple[ActionSummary, list[TrackedAction]]:
    """The action items' summary, and every item: newest incident first, in table order."""
    summary = action_summary(ctx.kb.incidents, ctx.kb.today)
    actions = sorted(
        tracked_actions(ctx.kb.incidents, ctx.kb.today),
        key=lambda a: (-a.incident_date.toordinal(), a.incident_id, a.item.line, a.item.id),
    )
    return summary, actions


def _actions_page(ctx: SiteContext, summary: ActionSummary, actions: list[TrackedAction]) -> str:
    """The action items page, rendered."""
    uri = ACTIONS
    patterns: dict[str, str] = {}  # an incident's patterns, one filter value each
    pattern_titles: dict[str, str] = {}  # what the pattern filter shows

    def patterns_of(incident_id: str) -> str:
        if incident_id not in patterns:
            pm = ctx.kb.incident(incident_id)
            cited = pm.patterns if pm is not None else ()
            patterns[incident_id] = " ".join(cited)
            for p in cited:
                pattern_titles[p] = _pattern_title(ctx, p)
        return patterns[incident_id]

    # one group of rows per incident (the items come grouped, newest incident first),
    # under a heading row that names it once
    groups: list[dict[str, Any]] = []
    for a in actions:
        if not groups or groups[-1]["a"].incident_id != a.incident_id:
            groups.append(
                {"a": a, "href": ctx.html_href(uri, incident_uri(a.incident_id)), "rows": []}
            )
        groups[-1]["rows"].append(
            {
                "a": a,
                # an item still to do (open or in progress) has the filter value "to-do" too
                "statuses": (
                    f"{a.item.status} {TO_DO}" if a.item.status.is_open else str(a.item.status)
                ),
                "owner_token": owner_token(a.owner),
                "patterns": patterns_of(a.incident_id),
                "action": inline_html(a.item.action),
                "link": _link_target(a.item.link),
            }
        )
    return ctx.render(
        "actions.md.j2",
        # the table needs the width: its one contents entry is not worth a sidebar
        front_matter=_front_matter(title="Action items", search=SEARCH_EXCLUDE, hide=["toc"]),
        summary=summary,
        to_do=to_do(summary),
        groups=groups,
        filters=f"status owner priority overdue pattern {INCIDENT_FILTER}",
        # the incident filter's options are the groups' headings ("date — title", newest
        # first), read by the page's script: not repeated in the labels
        group_filter=INCIDENT_FILTER,
        labels=filter_labels(
            # "still to do" first, then each status in its lifecycle's order
            status=[(TO_DO, "still to do"), *((str(st), str(st)) for st in ActionStatus)],
            pattern=pattern_titles,
        ),
        owners=summary.by_owner,
        csv_href=href(uri, ACTIONS_CSV),
        json_href=href(uri, ACTIONS_JSON),
    )


# --- lessons ----------------------------------------------------------------------------


def lessons_page(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``lessons.md``: lessons learned grouped by pattern and by service, linking back."""
    yield LESSONS, functools.partial(_lessons, ctx)


def _lessons(ctx: SiteContext) -> str:
    """The lessons page, rendered."""
    uri = LESSONS
    # as readers see the groups: patterns by title, services by name (case aside)
    by_pattern = sorted(
        lessons_by_pattern(ctx.kb.incidents),
        key=lambda g: (_pattern_title(ctx, g.key).casefold(), g.key),
    )
    by_service = sorted(
        lessons_by_service(ctx.kb.incidents), key=lambda g: (g.key.casefold(), g.key)
    )
    return ctx.render(
        "lessons.md.j2",
        front_matter=_front_matter(title="Lessons learned", search=SEARCH_EXCLUDE),
        by_pattern=by_pattern,
        by_service=by_service,
        limit=LESSONS_PER_GROUP,
        pattern_titles=ctx.kb.patterns,
        rel=lambda to: href(uri, to),
        byline=functools.partial(ctx.byline, uri),
        incident_uri=incident_uri,
        pattern_uri=pattern_uri,
        service_uri=service_uri,
    )


# --- graph view -------------------------------------------------------------------------

_WIDTH, _HEIGHT, _MARGIN = 1000.0, 700.0, 40.0
_KIND_LABEL = {"pattern": "Pattern", "service": "Service", "incident": "Incident"}
_KIND_PLURAL = {"pattern": "Patterns", "service": "Services", "incident": "Incidents"}
# label font size (user units; the stylesheet sets the same) and longest label, by kind
_LABEL_SIZE = {"pattern": 13.0, "service": 13.0, "incident": 11.0}
_LABEL_CHARS = {"pattern": 28, "service": 28, "incident": 22}
_HUB_SHORT = 14  # a pattern's or service's label cut to make room
_LABEL_GAP = 3.0  # between a node's shape and its label
_LABEL_PAD = 1.5  # room kept around a label (the width is an estimate)
_EDGE = 2.0  # labels keep this far inside the drawing
_CELL = 64.0  # grid cell of the label placer's collision index


def _node_uri(data: dict[str, Any]) -> str:
    kind, node_id = data["kind"], data["id"]
    if kind == "incident":
        return incident_uri(node_id)
    if kind == "pattern":
        return pattern_uri(node_id)
    return service_uri(node_id)


def _short(text: str, limit: int = 28) -> str:
    """A label cut at a word boundary: its visible words stay whole words of the node's
    accessible name (screen readers and voice control match them; axe checks it)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:-") + "…"


_Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlap(a: _Box, b: _Box) -> float:
    """The area two boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


class _Obstacles:
    """Boxes already on the drawing (node shapes, placed labels), indexed by grid cell."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[_Box]] = {}

    def _keys(self, box: _Box) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(box[0] / _CELL), math.floor(box[2] / _CELL) + 1):
            for j in range(math.floor(box[1] / _CELL), math.floor(box[3] / _CELL) + 1):
                yield i, j

    def add(self, box: _Box) -> None:
        for key in self._keys(box):
            self._cells.setdefault(key, []).append(box)

    def free(self, box: _Box) -> bool:
        """Whether ``box`` covers nothing already placed."""
        return not any(
            _overlap(box, b) for key in self._keys(box) for b in self._cells.get(key, ())
        )


def _label_spots(
    x: float, y: float, r: float, width: float, size: float
) -> list[tuple[str, str, float, float, _Box]]:
    """Where a label may go around a node, in order of preference: (text-anchor, side of
    the node, x, baseline y, box). Each spot is moved inside the drawing, so that no label
    is cut at its edge."""
    ascent, descent = 0.95 * size, 0.25 * size  # DejaVu Sans's, the widest common font
    below = y + r + _LABEL_GAP + ascent
    above = y - r - _LABEL_GAP - descent
    level = y + (ascent - descent) / 2
    side = r + _LABEL_GAP
    lean = 0.5 * r
    spots = [
        ("middle", "below", x, below),
        ("start", "level", x + side, level),
        ("end", "level", x - side, level),
        ("middle", "above", x, above),
        ("start", "below", x + lean, below),
        ("end", "below", x - lean, below),
        ("start", "above", x + lean, above),
        ("end", "above", x - lean, above),
    ]
    placed = []
    for anchor, where, bx, by in spots:
        left = {"middle": bx - width / 2, "start": bx, "end": bx - width}[anchor]
        dx = max(0.0, _EDGE + _LABEL_PAD - left) - max(
            0.0, left + width - (_WIDTH - _EDGE - _LABEL_PAD)
        )
        dy = max(0.0, _EDGE + _LABEL_PAD - (by - ascent)) - max(
            0.0, by + descent - (_HEIGHT - _EDGE - _LABEL_PAD)
        )
        box = (
            left + dx - _LABEL_PAD,
            by - ascent + dy - _LABEL_PAD,
            left + dx + width + _LABEL_PAD,
            by + descent + dy + _LABEL_PAD,
        )
        placed.append((anchor, where, round(bx + dx, 1), round(by + dy, 1), box))
    return placed


def _place_labels(nodes: Sequence[dict[str, Any]], order: Sequence[int]) -> None:
    """Give each node a label spot (``label_x``, ``label_y``, ``anchor``, the ``side`` of its
    node: below, level or above), nodes in ``order`` (the most important first;
    ``label_rank`` keeps it). No label covers another label or a pattern's or service's
    shape. An incident's label covers no shape at all; a pattern's or service's label
    covers no incident's either if it can, else it may, drawn over the incidents' dots
    with its halo: the hubs, in the crowded middle of a large graph, are what it is
    read for (at 1,000 incidents, 27 of the 44 drawn hubs had no free spot).

    Greedy, deterministic and about linear (a grid indexes what is placed). A node with
    no spot for its label gets none (``label`` emptied); a pattern or a service first
    tries its label cut shorter (``_HUB_SHORT`` characters). Its full name stays in its
    tooltip and accessible name.
    """
    taken = _Obstacles()  # every shape and label: where an incident's label may not go
    firm = _Obstacles()  # hubs' shapes and labels: where no label may go
    for n in nodes:
        box = (n["x"] - n["r"], n["y"] - n["r"], n["x"] + n["r"], n["y"] + n["r"])
        taken.add(box)
        if n["kind"] != "incident":
            firm.add(box)
    rank = 0  # the order labels are placed in, most important first (``label_rank``)
    for i in order:
        n = nodes[i]
        if not n["label"]:
            continue
        size = _LABEL_SIZE[n["kind"]]
        texts = [n["label"]]
        indexes = [taken]
        if n["kind"] != "incident":
            shorter = _short(n.get("title") or n["label"], _HUB_SHORT)
            if shorter != n["label"]:
                texts.append(shorter)
            indexes.append(firm)
        n["label"] = ""
        tries = (
            (text, spot, index)
            for index in indexes
            for text in texts
            for spot in _label_spots(n["x"], n["y"], n["r"], charts.text_width(text, size), size)
        )
        found = next(((t, s) for t, s, index in tries if index.free(s[4])), None)
        if found is not None:
            text, best = found
            n["label"] = text
            n["anchor"], n["side"], n["label_x"], n["label_y"], box = best
            n["label_rank"] = rank
            rank += 1
            taken.add(box)
            firm.add(box)


@dataclass(frozen=True)
class _Key:
    """One entry of the graph's key: a node kind (with a severity) or an edge kind."""

    kind: str
    text: str
    severity: str = ""


_LEGEND = (
    _Key("pattern", "Pattern"),
    _Key("service", "Service"),
    *(_Key("incident", f"{s} incident", str(s)) for s in Severity),
    _Key("cites", "Cites a pattern or affects a service"),
    _Key("related", "Names a related incident"),
    _Key("size", "Larger square or diamond: more incidents link to it"),
)
"""The graph's key: every shape, colour and line it draws, and what a hub's size says."""


@dataclass(frozen=True)
class _Drawing:
    nodes: tuple[dict[str, Any], ...]
    edges: tuple[dict[str, Any], ...]
    hubs_total: int
    incidents_total: int
    incidents_drawn: int


def _graph_drawing(ctx: SiteContext, from_uri: str) -> _Drawing:
    """The nodes and edges drawn on the graph page, laid out by networkx with a fixed seed,
    and their labels placed clear of each other and of the drawing's edges."""
    G = ctx.graph
    counts = {f"pattern:{p}": len(c) for p, c in ctx.by_pattern.items()}
    counts.update({f"service:{s}": len(pms) for s, pms in ctx.by_service.items()})
    hubs = [n for n, d in G.nodes(data=True) if d.get("kind") in ("pattern", "service")]
    hubs.sort(key=lambda n: (-counts.get(n, 0), n))
    drawn_hubs = hubs[:GRAPH_MAX_HUBS]
    newest = [f"incident:{pm.id}" for pm in ctx.kb.incidents[:GRAPH_MAX_INCIDENTS]]
    newest = [n for n in newest if n in G]
    chosen = set(drawn_hubs) | set(newest)
    order = sorted(chosen)
    import networkx as nx  # here: the process rendering this page may be the only one needing it

    H = nx.Graph()
    H.add_nodes_from(order)
    edges: list[tuple[str, str, str]] = []
    for node in sorted(newest):
        for _, other, key in sorted(G.out_edges(node, keys=True)):
            if key in ("cites", "affects", "related") and other in chosen:
                H.add_edge(node, other)
                edges.append((node, other, key))
    positions = nx.spring_layout(H, seed=GRAPH_SEED, iterations=GRAPH_ITERATIONS) if order else {}
    xs = [float(p[0]) for p in positions.values()] or [0.0]
    ys = [float(p[1]) for p in positions.values()] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def place(node: str) -> tuple[float, float]:
        x, y = positions[node]
        px = _MARGIN + (float(x) - min(xs)) / span_x * (_WIDTH - 2 * _MARGIN)
        py = _MARGIN + (float(y) - min(ys)) / span_y * (_HEIGHT - 2 * _MARGIN)
        return round(px, 1), round(py, 1)

    index = {node: f"n{i}" for i, node in enumerate(order)}
    nodes = []
    for node in order:
        data = G.nodes[node]
        x, y = place(node)
        degree = H.degree(node)
        kind = data["kind"]
        radius = 5.0 if kind == "incident" else round(6.0 + min(10.0, 2.0 * math.sqrt(degree)), 1)
        title = data.get("title") or data["id"]
        nodes.append(
            {
                "key": index[node],
                "kind": kind,
                "kind_label": _KIND_LABEL[kind],
                "title": title,
                "label": _short(title, _LABEL_CHARS[kind]),
                "href": ctx.html_href(from_uri, _node_uri(data)),
                "x": x,
                "y": y,
                "r": radius,
                "severity": data.get("severity", ""),
            }
        )
    # labels of the best-connected patterns and services first, then the newest incidents
    position = {node: i for i, node in enumerate(order)}
    hubs_first = sorted(
        (position[n] for n in drawn_hubs), key=lambda i: (-H.degree(order[i]), order[i])
    )
    _place_labels(nodes, [*hubs_first, *(position[n] for n in newest)])
    drawn_edges = []
    for a, b, key in edges:
        (x1, y1), (x2, y2) = place(a), place(b)
        drawn_edges.append(
            {"kind": key, "a": index[a], "b": index[b], "x1": x1, "y1": y1, "x2": x2, "y2": y2}
        )
    return _Drawing(
        nodes=tuple(nodes),
        edges=tuple(drawn_edges),
        hubs_total=len(hubs),
        incidents_total=len(ctx.kb.incidents),
        incidents_drawn=len(newest),
    )


def graph_page(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``graph.md``: the pattern / service / incident graph as a static, linked SVG."""
    yield GRAPH, functools.partial(_graph_view, ctx)


def _graph_view(ctx: SiteContext) -> str:
    """The graph view, rendered (its layout is the costly part)."""
    uri = GRAPH
    drawing = _graph_drawing(ctx, uri)
    return ctx.render(
        "graph.md.j2",
        front_matter=_front_matter(title="Graph", search=SEARCH_EXCLUDE),
        drawing=drawing,
        width=int(_WIDTH),
        height=int(_HEIGHT),
        max_hubs=GRAPH_MAX_HUBS,
        legend=_LEGEND,
        graph_json=href(uri, "graph.json"),
        incidents_index=href(uri, "incidents/index.md"),
    )


def neighbourhood(ctx: SiteContext, node: str, from_uri: str) -> Safe:
    """An incident's neighbourhood in the graph, a labelled line below its related incidents:
    how many patterns, services and incidents it links to, and the graph view.

    Counts only: the card links the patterns and services, the related incidents are listed
    just above (links repeated on 1,000 pages cost 0.35 MB). Costs O(degree of ``node``).
    A line, not a drawing: incident pages are sanitized, and the sanitizer removes inline SVG.
    """
    G = ctx.graph
    if node not in G:
        return Safe("")
    neighbours = {other for _, other in G.out_edges(node)} | {o for o, _ in G.in_edges(node)}
    neighbours.discard(node)
    if not neighbours:
        return Safe("")
    counts = dict.fromkeys(_KIND_LABEL, 0)
    for other in neighbours:
        counts[G.nodes[other]["kind"]] += 1
    summary = ", ".join(
        f"{count} {_KIND_PLURAL[kind].lower() if count != 1 else kind}"
        for kind, count in counts.items()
        if count
    )
    total = len(neighbours)
    graph = ctx.a(from_uri, GRAPH, "graph view")
    line = f"{total} neighbour{'s' if total != 1 else ''} in all ({summary}); see the {graph}."
    label = "<strong>Neighbourhood:</strong> " if ctx.html else "**Neighbourhood:** "
    return _neighbours_line(ctx, label + line)


def pattern_neighbourhood(ctx: SiteContext, from_uri: str, *, incidents: int) -> Safe:
    """A pattern's neighbourhood in the graph, a section of one line pointing to the graph
    view; nothing for a pattern no incident cites (it has no neighbour).

    Its neighbours are what its page lists already (its incidents, the services they
    affected, the patterns they also cite): the line names them, counts nothing again.
    """
    if not incidents:
        return Safe("")
    graph = ctx.a(from_uri, GRAPH, "graph view")
    line = (
        "See this pattern's neighbourhood (its incidents, the services they affected and the"
        f" patterns they also cite) in the {graph}."
    )
    return Safe("## Neighbourhood\n\n" + _neighbours_line(ctx, line))


def _neighbours_line(ctx: SiteContext, line: str) -> Safe:
    """A neighbourhood line, left out of search on HTML sites (like the related incidents)."""
    if ctx.html:
        return ctx.raw(f'<p class="pmkb-neighbours" data-search-exclude>{line}</p>\n')
    return Safe(f"{line}\n")


# --- feeds ------------------------------------------------------------------------------


def feed_files(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``feed.xml`` (Atom) and ``feed.json`` (JSON Feed 1.1) of the final post-mortems."""
    feed = functools.cache(
        lambda: feed_of(
            ctx.kb.incidents,
            title=ctx.site_name,
            site_url=ctx.site_url,
            link=lambda pm: href("index.md", incident_uri(pm.id), ctx.link_style),
        )
    )
    yield ATOM_PATH, lambda: atom(feed())
    yield JSON_FEED_PATH, lambda: json_feed(feed())


def feed_links(page_to_root: str, site_name: str) -> str:
    """``<link rel="alternate">`` tags for a page's head; ``page_to_root`` ends with ``/`` or is empty.

    >>> print(feed_links("../", "KB & co"))
    <link rel="alternate" type="application/atom+xml" title="KB &amp; co (Atom)" href="../feed.xml">
    <link rel="alternate" type="application/feed+json" title="KB &amp; co (JSON Feed)" href="../feed.json">
    """
    title = escape.html_attr(site_name)
    return (
        f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)"'
        f' href="{escape.html_attr(page_to_root + ATOM_PATH)}">\n'
        f'<link rel="alternate" type="application/feed+json" title="{title} (JSON Feed)"'
        f' href="{escape.html_attr(page_to_root + JSON_FEED_PATH)}">'
    )


# --- home -------------------------------------------------------------------------------


def home_page(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``index.md``: newest post-mortems, overdue P0/P1 actions, top patterns, on this day.

    The page starts with a title, then :data:`HOME_MARKER`, then the sections; a site
    with its own ``docs/index.md`` keeps it, and gets the sections where it puts the
    marker (see :func:`merge_home`).
    """
    yield HOME, functools.partial(_home, ctx)


def _home(ctx: SiteContext) -> str:
    """The generated home page, rendered."""
    uri = HOME
    incidents = ctx.kb.incidents
    summary = action_summary(incidents, ctx.kb.today)
    urgent = [a for a in summary.overdue_items if a.urgent_overdue]
    return ctx.render(
        "home.md.j2",
        front_matter=_front_matter(title="Home"),
        site_name=ctx.site_name,
        marker=Safe(HOME_MARKER),
        newest=incidents[:NEWEST],
        urgent=[(a, inline_md(a.item.action)) for a in urgent[:TOP]],
        urgent_total=len(urgent),
        patterns=recurring_patterns(incidents, limit=NEWEST),
        pattern_titles=ctx.kb.patterns,
        anniversaries=on_this_day(incidents, ctx.kb.today, window_days=ON_THIS_DAY_WINDOW),
        window=ON_THIS_DAY_WINDOW,
        today=ctx.kb.today,
        rel=lambda to: href(uri, to),
        incident_uri=incident_uri,
        pattern_uri=pattern_uri,
    )


def merge_home(own: str, generated: str) -> str | None:
    """``own`` (an author's home page) with the generated sections at its :data:`HOME_MARKER`.

    None when ``own`` has no marker: the author's page stays as written.

    >>> merge_home("# Hi\\n\\n<!-- postmortems: home -->\\n", "# T\\n<!-- postmortems: home -->\\nnew")
    '# Hi\\n\\n\\nnew\\n'
    """
    if HOME_MARKER not in own or HOME_MARKER not in generated:
        return None
    sections = generated.split(HOME_MARKER, 1)[1]
    return own.replace(HOME_MARKER, sections, 1)


LEARNING_GENERATORS = (
    dashboard_page,
    action_pages,
    lessons_page,
    graph_page,
    feed_files,
    home_page,
)
"""The learning generators, in the order :func:`postmortem_kb.pages.generate` runs them."""
