"""Static, inline-able SVG charts of the aggregates in :mod:`postmortem_kb.analytics`.

Each chart has two functions: ``*_svg`` returns SVG text to inline in a page,
and ``*_table`` returns the same data as a :class:`Table` (render it with
:meth:`Table.to_markdown`) for screen readers and for anyone who prefers numbers.

========================================  =====================================================
``incidents_per_quarter_svg/_table``      stacked bars: incidents per quarter by severity
``duration_svg/_table``                   box plots of a duration metric per quarter or severity
``detection_share_svg/_table``            100 % stacked bars: detection source per quarter
``detection_sources(report)``             the sources those show: those some incident has
``text_width(text, size)``                estimated width of a label (wide side), to lay text out
========================================  =====================================================

Every SVG

- is written element by element (a few rects, paths and texts; no plotting
  library: matplotlib cost ~0.2 s a chart and ~0.35 s to import);
- follows the page's light or dark palette: there is no background, and text,
  axes, ticks, gridlines, whiskers, outliers and hatches are ``currentColor``;
  text takes the page's font. Series colours have a contrast ratio of at least
  3:1 against both white and Material's slate background (#1e2129), and stacked
  series are also hatched so that colour is never the only cue;
- has ``role="img"``, a ``<title>`` and a ``<desc>`` named by ``aria-labelledby``;
- has no XML prolog, DOCTYPE, metadata or stylesheet, and every ``id`` (and
  reference to it) prefixed with the ``chart_id`` so several charts can be
  inlined in one page;
- is byte-for-byte reproducible (coordinates rounded to 0.1 px, nothing else varies);
- escapes every label and contains no URL except the ``xmlns`` declaration.

Durations use matplotlib's symmetric log scale (``symlog``, linear threshold
1 minute, linear scale 0.5, base 10): linear below 1 minute, logarithmic above;
detection times range from 0 to days, and a plain log scale cannot show 0.
Box plots follow matplotlib's (Tukey's) definition: the box spans the quartiles
(linear interpolation, numpy's default), the thick line is the median, whiskers
reach the furthest value within 1.5 × IQR of the box, circles are the outliers
beyond (drawn once per distinct value).
"""

from __future__ import annotations

import html
import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from .analytics import DetectionReport, DurationReport, DurationStats, QuarterCount, minutes_text
from .model import Detection, Severity

__all__ = [
    "DETECTION_COLORS",
    "SEVERITY_COLORS",
    "BoxStats",
    "Table",
    "box_stats",
    "detection_share_svg",
    "detection_share_table",
    "detection_sources",
    "duration_svg",
    "duration_table",
    "incidents_per_quarter_svg",
    "incidents_per_quarter_table",
    "text_width",
]

_CHART_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_NONE = "–"

# Luminance between ~0.15 and ~0.30: ≥ 3:1 against white and against #1e2129.
SEVERITY_COLORS: dict[Severity, str] = {
    Severity.P0: "#e03131",
    Severity.P1: "#b07d00",
    Severity.P2: "#228be6",
    Severity.P3: "#868e96",
}
DETECTION_COLORS: dict[Detection, str] = {
    Detection.MONITORING: "#009e73",
    Detection.USER_REPORT: "#d55e00",
    Detection.INTERNAL_REPORT: "#5c7cfa",
    Detection.OTHER: "#868e96",
}
_HATCHES = ("", "///", "...", "xx")  # second cue besides colour, per category of a kind
_BOX_COLOR = "#228be6"

# Human ticks for minute axes: (minutes, label).
_DURATION_TICKS = (
    (0.0, "0"),
    (1.0, "1 min"),
    (5.0, "5 min"),
    (15.0, "15 min"),
    (60.0, "1 h"),
    (240.0, "4 h"),
    (1440.0, "1 d"),
    (10080.0, "1 wk"),
    (43200.0, "30 d"),
    (525600.0, "1 yr"),
)

# -- tables ---------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_RIGHT = ' style="text-align: right"'


def _cell(text: str) -> str:
    """A value made safe for a Markdown table cell (no markup, no HTML, no row breaks)."""
    flat = " ".join(text.split())
    escaped = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", escaped)


@dataclass(frozen=True, slots=True)
class Table:
    """A chart's data as rows of text cells, for screen readers and Markdown pages."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_markdown(self) -> str:
        """A Markdown pipe table (cells escaped; numbers right-aligned after the first column)."""
        header = "| " + " | ".join(_cell(c) for c in self.columns) + " |"
        align = "| " + " | ".join([":--", *["--:"] * (len(self.columns) - 1)]) + " |"
        body = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in self.rows]
        return "\n".join([header, align, *body]) + "\n"

    def to_html(self) -> str:
        """An HTML table (cells escaped; numbers right-aligned after the first column).

        Raw HTML costs a Markdown page nothing to convert, where a pipe table is parsed
        cell by cell.
        """

        def row(cells: Sequence[str], tag: str) -> str:
            return (
                "<tr>"
                + "".join(
                    f"<{tag}{'' if i == 0 else _RIGHT}>{html.escape(' '.join(c.split()), quote=False)}</{tag}>"
                    for i, c in enumerate(cells)
                )
                + "</tr>"
            )

        body = "\n".join(row(r, "td") for r in self.rows)
        return f"<table>\n<thead>{row(self.columns, 'th')}</thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


def _num(value: float | None) -> str:
    """A minute value for a table, as incident cards show durations (``–`` when undefined)."""
    return _NONE if value is None else minutes_text(value)


def _incidents(count: int) -> str:
    """``1 incident``, ``2 incidents``."""
    return f"{count} incident{'' if count == 1 else 's'}"


def _percent(part: int, total: int) -> str:
    return _NONE if total == 0 else f"{part} ({100 * part / total:.1f}%)"


def incidents_per_quarter_table(counts: Sequence[QuarterCount]) -> Table:
    """Incidents per quarter (rows) and severity (columns), with totals."""
    return Table(
        caption="Incidents per quarter by severity",
        columns=("Quarter", *(str(s) for s in Severity), "Total"),
        rows=tuple(
            (q.quarter, *(str(q.by_severity.get(s, 0)) for s in Severity), str(q.total))
            for q in counts
        ),
    )


GroupBy = Literal["quarter", "severity"]


def _groups(report: DurationReport, by: GroupBy) -> list[tuple[str, DurationStats]]:
    if by == "quarter":
        return list(report.by_quarter.items())
    if by == "severity":
        return [(str(s), stats) for s, stats in report.by_severity.items()]
    raise ValueError(f"by must be 'quarter' or 'severity', not {by!r}")


def duration_table(report: DurationReport, *, by: GroupBy = "quarter") -> Table:
    """A duration metric's count, median, p90, min and max per quarter or severity."""
    rows = [
        (
            key,
            str(stats.count),
            _num(stats.median),
            _num(stats.p90),
            _num(stats.min),
            _num(stats.max),
        )
        for key, stats in _groups(report, by)
    ]
    return Table(
        caption=f"{report.metric.label} per {by}",
        columns=(by.capitalize(), "Incidents", "Median", "p90", "Min", "Max"),
        rows=tuple(rows),
    )


def _detection_label(d: Detection) -> str:
    return d.value.replace("-", " ").capitalize()


def detection_sources(report: DetectionReport) -> tuple[Detection, ...]:
    """The detection sources a chart and its table show: those of at least one incident, in
    enum order (a source no incident has would be an always-empty series and column)."""
    return tuple(d for d in Detection if report.overall.counts[d])


def detection_share_table(report: DetectionReport) -> Table:
    """How incidents were detected per quarter, as counts and percentages, then overall."""
    sources = detection_sources(report)
    rows = [
        (share.key, str(share.total), *(_percent(share.counts[d], share.total) for d in sources))
        for share in (*report.by_quarter, report.overall)
    ]
    rows[-1] = ("All", *rows[-1][1:])
    return Table(
        caption="How incidents were detected, per quarter",
        columns=("Quarter", "Incidents", *(_detection_label(d) for d in sources)),
        rows=tuple(rows),
    )


# -- box-plot numbers -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BoxStats:
    """What one box plot draws: quartiles, median, whisker ends and outliers (minutes)."""

    q1: float
    median: float
    q3: float
    low: float  # lower whisker end: the smallest value ≥ q1 - 1.5 × IQR
    high: float  # upper whisker end: the largest value ≤ q3 + 1.5 × IQR
    outliers: tuple[float, ...]  # the values beyond the whiskers, ascending, each once


def box_stats(values: Sequence[float]) -> BoxStats | None:
    """Tukey box-plot numbers of ``values`` as matplotlib draws them (None for no values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    if len(ordered) == 1:
        q1 = median = q3 = ordered[0]
    else:
        q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    reach = 1.5 * (q3 - q1)
    # An empty whisker side (no value inside the reach on that side) stops at the box.
    low = min((v for v in ordered if v >= q1 - reach), default=q1)
    high = max((v for v in ordered if v <= q3 + reach), default=q3)
    low, high = min(low, q1), max(high, q3)
    outliers = tuple(sorted({v for v in ordered if v < low or v > high}))
    return BoxStats(q1, median, q3, low, high, outliers)


# -- drawing --------------------------------------------------------------------------
_HEIGHT = 260.0  # user units; shown in pt (3.6 in), as the matplotlib charts were
_TICK = 3.5  # tick length, and the gap between a tick and its label
_LINE = 12.0  # line height of the 10 px text
_ROTATE_BEYOND = 8  # more categories than this: x labels are rotated 45°
_SIN45 = math.sqrt(0.5)
_GRID = '<path d="{}" stroke="currentColor" stroke-opacity="0.25" stroke-width="0.8"/>'
_ROOT = (
    '<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="pmkb-chart" role="img"'
    ' aria-labelledby="{id}-title {id}-desc" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}"'
    ' style="max-width: 100%; height: auto" font-size="10" fill="currentColor">'
)
# Hatch tiles (6 px squares) drawn in currentColor over the series colour.
_HATCH_TILES = {
    "///": '<path d="M-1.5 1.5l3-3M0 6l6-6M4.5 7.5l3-3" stroke="currentColor" stroke-width="0.6"/>',
    "...": '<circle cx="1.5" cy="1.5" r="0.8"/><circle cx="4.5" cy="4.5" r="0.8"/>',
    "xx": '<path d="M0 0l6 6M6 0l-6 6" stroke="currentColor" stroke-width="0.6"/>',
}

# Advance widths of 10 px text, on the wide side (DejaVu Sans), to leave room for labels.
_NARROW = frozenset(" .,:;!'|()[]-ijlrtfI")
_WIDE = frozenset("mwMW%@&…")


def text_width(text: str, size: float = 10.0) -> float:
    """Estimated width of ``text`` at ``size`` px; a page font is rarely wider.

    >>> text_width("Wait"), text_width("Wait", 20)
    (22.9, 45.8)
    """
    return round(_text_width(text) * size / 10, 1)


def _text_width(text: str) -> float:
    """Estimated width of ``text`` at 10 px (see :func:`text_width`)."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 3.6
        elif char in _WIDE:
            width += 9.5
        elif char.isupper() or char.isdigit():
            width += 7.0
        else:
            width += 6.2
    return width


def _n(value: float) -> str:
    """A coordinate for SVG: at most one decimal, no trailing ``.0``."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _check_id(chart_id: str) -> str:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must match {_CHART_ID.pattern}, not {chart_id!r}")
    return chart_id


def _svg(chart_id: str, width: float, title: str, desc: str, body: Sequence[str]) -> str:
    """The root element with its accessible name and description around ``body``."""
    head = _ROOT.format(id=chart_id, w=_n(width), h=_n(_HEIGHT))
    return "\n".join(
        [
            head,
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
            *body,
            "</svg>\n",
        ]
    )


def _chart_width(categories: int) -> float:
    """Wider with more categories: 6 to 14 inches, as before."""
    return 72 * min(14.0, max(6.0, 2.5 + 0.5 * categories))


def _no_data(chart_id: str, title: str, desc: str) -> str:
    width = _chart_width(0)
    text = (
        f'<text x="{_n(width / 2)}" y="{_n(_HEIGHT / 2)}" text-anchor="middle"'
        ' dominant-baseline="middle">No incidents yet</text>'
    )
    return _svg(chart_id, width, title, desc, [text])


@dataclass(frozen=True, slots=True)
class _Axes:
    """The plot area of a chart: categories along x, a scaled value axis along y."""

    width: float
    left: float
    top: float
    right: float
    bottom: float
    categories: int
    scale: Callable[[float], float]  # value → 0 (bottom) .. 1 (top)

    @property
    def slot(self) -> float:
        """The width given to one category."""
        return (self.right - self.left) / self.categories

    def x(self, index: int) -> float:
        """The centre of category ``index``."""
        return self.left + (index + 0.5) * self.slot

    def y(self, value: float) -> float:
        """The height of ``value``."""
        return self.bottom - self.scale(value) * (self.bottom - self.top)


def _layout(
    labels: Sequence[Sequence[str]],
    ticks: Sequence[tuple[float, str]],
    scale: Callable[[float], float],
    *,
    legend: bool,
) -> _Axes:
    """Margins that fit the tick labels, the axis label and the legend."""
    width = _chart_width(len(labels))
    tick_width = max(_text_width(text) for _, text in ticks)
    left = 16 + tick_width + 2 * _TICK  # axis label, tick labels, tick and gap
    lines = max(len(label) for label in labels)
    widest = max(_text_width(line) for label in labels for line in label)
    right = 10.0
    if len(labels) > _ROTATE_BEYOND:
        below = (widest + lines * _LINE) * _SIN45
        slot = (width - left - right) / len(labels)
        left = max(left, widest * _SIN45 - slot / 2 + 4)  # the first label hangs left
    else:
        below = lines * _LINE
        slot = (width - left - right) / len(labels)
        right = max(right, _text_width(labels[-1][0]) / 2 - slot / 2 + 4)
    top = 26.0 if legend else 10.0
    # Absurdly long labels are cut off by the chart's edge rather than squash the plot.
    left, right, below = min(left, width / 3), min(right, width / 3), min(below, _HEIGHT / 2)
    bottom = _HEIGHT - below - 2 * _TICK - 4
    return _Axes(width, left, top, width - right, bottom, len(labels), scale)


def _frame(
    axes: _Axes,
    labels: Sequence[Sequence[str]],
    ticks: Sequence[tuple[float, str]],
    ylabel: str,
) -> tuple[list[str], list[str]]:
    """Gridlines (to draw first), then spines, ticks and every label (to draw last)."""
    ys = [axes.y(value) for value, _ in ticks]
    grid = _GRID.format("".join(f"M{_n(axes.left)} {_n(y)}H{_n(axes.right)}" for y in ys))
    marks = [f"M{_n(axes.left)} {_n(y)}h-{_TICK}" for y in ys]
    marks += [f"M{_n(axes.x(i))} {_n(axes.bottom)}v{_TICK}" for i in range(axes.categories)]
    spines = f"M{_n(axes.left)} {_n(axes.top)}V{_n(axes.bottom)}H{_n(axes.right)}"
    above = [
        f'<path d="{spines}{"".join(marks)}" fill="none" stroke="currentColor" stroke-width="0.8"/>',
        '<g text-anchor="end">',
    ]
    label_x = _n(axes.left - 2 * _TICK)
    above += [
        f'<text x="{label_x}" y="{_n(y + 3.5)}">{escape(text)}</text>'
        for y, (_, text) in zip(ys, ticks, strict=True)
    ]
    above.append("</g>")
    middle = _n((axes.top + axes.bottom) / 2)
    above.append(
        f'<text transform="translate(12 {middle}) rotate(-90)" text-anchor="middle">'
        f"{escape(ylabel)}</text>"
    )
    label_top = axes.bottom + 2 * _TICK
    if axes.categories > _ROTATE_BEYOND:
        above.append('<g text-anchor="end">')
        for i, label in enumerate(labels):
            lines = "".join(
                f'<tspan x="0" y="{_n(8 + k * _LINE)}">{escape(line)}</tspan>'
                for k, line in enumerate(label)
            )
            above.append(
                f'<text transform="translate({_n(axes.x(i))} {_n(label_top)}) rotate(-45)">'
                f"{lines}</text>"
            )
    else:
        above.append('<g text-anchor="middle">')
        for i, label in enumerate(labels):
            x = _n(axes.x(i))
            lines = "".join(
                f'<tspan x="{x}" y="{_n(label_top + 8 + k * _LINE)}">{escape(line)}</tspan>'
                for k, line in enumerate(label)
            )
            above.append(f"<text>{lines}</text>")
    above.append("</g>")
    return [grid], above


def _linear(top: float) -> Callable[[float], float]:
    return lambda value: value / top


def _integer_ticks(highest: int) -> list[tuple[float, str]]:
    """Round integer ticks from 0 to the first at or above ``highest`` (at most 6 steps)."""
    step = 1
    for magnitude in (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000):
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * 6 >= highest:
                break
        else:
            continue
        break
    steps = max(1, math.ceil(highest / step))
    return [(float(k * step), str(k * step)) for k in range(steps + 1)]


@dataclass(frozen=True, slots=True)
class _Series:
    """One stacked series: its label, colour, style (the category's place among all of its
    kind, which picks the hatch) and heights. Colour and hatch belong to the category, so
    a series left out (no data) changes no other series' look."""

    label: str
    colour: str
    style: int
    heights: Sequence[float]


def _patterns(chart_id: str, series: Sequence[_Series]) -> tuple[str, list[str]]:
    """Fills of the stacked series (hatched but the first style) and their ``<defs>``."""
    fills = []
    defs = ["<defs>"]
    for one in series:
        k, colour, hatch = one.style, one.colour, _HATCHES[one.style]
        if not hatch:
            fills.append(colour)
            continue
        pattern = f"{chart_id}-hatch-{k}"
        defs.append(
            f'<pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{_HATCH_TILES[hatch]}</pattern>'
        )
        fills.append(f"url(#{pattern})")
    defs.append("</defs>")
    return "\n".join(defs), fills


def _stacked(chart_id: str, axes: _Axes, series: Sequence[_Series]) -> list[str]:
    """Stacked bars (series bottom-up) and their legend above the plot."""
    defs, fills = _patterns(chart_id, series)
    parts = [defs]
    bar = 0.7 * axes.slot
    bottoms = [0.0] * axes.categories
    for fill, one in zip(fills, series, strict=True):
        rects = []
        for i, height in enumerate(one.heights):
            if height > 0:
                y = axes.y(bottoms[i] + height)
                h = axes.y(bottoms[i]) - y
                rects.append(
                    f'<rect x="{_n(axes.x(i) - bar / 2)}" y="{_n(y)}"'
                    f' width="{_n(bar)}" height="{_n(h)}"/>'
                )
            bottoms[i] += height
        if rects:
            parts += [f'<g fill="{fill}">', *rects, "</g>"]
    x = axes.left
    for fill, label in zip(fills, (one.label for one in series), strict=True):
        parts.append(
            f'<rect x="{_n(x)}" y="5.5" width="20" height="7" fill="{fill}"/>'
            f'<text x="{_n(x + 24)}" y="12.5">{escape(label)}</text>'
        )
        x += 24 + _text_width(label) + 14
    return parts


def incidents_per_quarter_svg(
    counts: Sequence[QuarterCount], *, chart_id: str = "pmkb-incidents-per-quarter"
) -> str:
    """Stacked bars of incidents per quarter, one segment per severity (P0 at the bottom)."""
    _check_id(chart_id)
    title = "Incidents per quarter by severity"
    if not counts:
        return _no_data(chart_id, title, "No incidents yet.")
    total = sum(q.total for q in counts)
    busiest = max(counts, key=lambda q: q.total)
    desc = (
        f"Stacked bar chart of {_incidents(total)} per quarter from {counts[0].quarter}"
        f" to {counts[-1].quarter}, split by severity P0 to P3; the busiest quarter"
        f" is {busiest.quarter} with {busiest.total}."
    )
    labels = [(q.quarter,) for q in counts]
    ticks = _integer_ticks(busiest.total)
    axes = _layout(labels, ticks, _linear(ticks[-1][0]), legend=True)
    grid, frame = _frame(axes, labels, ticks, "Incidents")
    series = [
        _Series(str(s), SEVERITY_COLORS[s], k, [float(q.by_severity.get(s, 0)) for q in counts])
        for k, s in enumerate(Severity)
    ]
    return _svg(
        chart_id, axes.width, title, desc, [*grid, *_stacked(chart_id, axes, series), *frame]
    )


# matplotlib's symlog with linthresh=1, linscale=0.5, base 10: linear up to 1 minute.
_LINSCALE = 0.5 / (1 - 1 / 10)


def _symlog(minutes: float) -> float:
    return minutes * _LINSCALE if minutes <= 1 else _LINSCALE + math.log10(minutes)


def _duration_ticks(highest: float) -> list[tuple[float, str]]:
    """Human minute ticks up to the first one at or above ``highest`` (at least to 1 min)."""
    ticks = []
    for value, text in _DURATION_TICKS:
        ticks.append((value, text))
        if value >= highest and value > 0:
            break
    return ticks


def _boxes(axes: _Axes, groups: Sequence[tuple[str, DurationStats]]) -> list[str]:
    """Boxes, whiskers with caps, medians and outlier circles, one element of each kind."""
    half = 0.3 * axes.slot
    cap = 0.15 * axes.slot
    boxes, whiskers, medians, outliers = [], [], [], []
    for i, (_, stats) in enumerate(groups):
        box = box_stats(stats.values)
        if box is None:
            continue
        x = axes.x(i)
        q1, q3 = axes.y(box.q1), axes.y(box.q3)
        low, high = axes.y(box.low), axes.y(box.high)
        boxes.append(
            f'<rect x="{_n(x - half)}" y="{_n(q3)}" width="{_n(2 * half)}" height="{_n(q1 - q3)}"/>'
        )
        whiskers.append(
            f"M{_n(x)} {_n(q1)}V{_n(low)}M{_n(x - cap)} {_n(low)}h{_n(2 * cap)}"
            f"M{_n(x)} {_n(q3)}V{_n(high)}M{_n(x - cap)} {_n(high)}h{_n(2 * cap)}"
        )
        medians.append(f"M{_n(x - half)} {_n(axes.y(box.median))}h{_n(2 * half)}")
        # Outliers at the same height are one circle: the picture is the same, the bytes fewer.
        for y in dict.fromkeys(_n(axes.y(v)) for v in box.outliers):
            outliers.append(f"M{_n(x - 1.5)} {y}a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0-3 0")
    if not boxes:
        return []
    parts = [
        f'<g fill="{_BOX_COLOR}" stroke="currentColor">',
        *boxes,
        "</g>",
        f'<path d="{"".join(whiskers)}" stroke="currentColor"/>',
        f'<path d="{"".join(medians)}" stroke="currentColor" stroke-width="2"/>',
    ]
    if outliers:
        parts.append(f'<path d="{"".join(outliers)}" fill="none" stroke="currentColor"/>')
    return parts


def duration_svg(
    report: DurationReport, *, by: GroupBy = "quarter", chart_id: str | None = None
) -> str:
    """Box plots of ``report.metric`` per quarter or per severity (symmetric log minute axis)."""
    groups = _groups(report, by)
    chart_id = _check_id(f"pmkb-{report.metric.value}-by-{by}" if chart_id is None else chart_id)
    title = f"{report.metric.label} per {by}"
    if report.overall.count == 0:
        return _no_data(chart_id, title, f"No incident has a {report.metric.label.lower()} yet.")
    desc = (
        f"Box plots of {report.metric.label.lower()} per {by}, on a"
        f" logarithmic axis, over {_incidents(report.overall.count)}; overall median"
        f" {_num(report.overall.median)}, 90th percentile {_num(report.overall.p90)}."
    )
    highest = report.overall.max or 0.0
    ticks = _duration_ticks(highest)
    top = _symlog(max(ticks[-1][0], highest) * 1.15)  # beyond a year: no outlier clipped
    labels = [(key, f"n={stats.count}") for key, stats in groups]
    axes = _layout(labels, ticks, lambda minutes: _symlog(minutes) / top, legend=False)
    grid, frame = _frame(axes, labels, ticks, f"{report.metric.label} (log scale)")
    return _svg(chart_id, axes.width, title, desc, [*grid, *_boxes(axes, groups), *frame])


_PERCENT_TICKS = tuple((float(p), f"{p}%") for p in range(0, 101, 20))


def detection_share_svg(report: DetectionReport, *, chart_id: str = "pmkb-detection-share") -> str:
    """100 % stacked bars: the share of each detection source per quarter."""
    _check_id(chart_id)
    title = "How incidents were detected, per quarter"
    quarters = report.by_quarter
    if report.overall.total == 0 or not quarters:
        return _no_data(chart_id, title, "No incidents yet.")
    overall = report.overall
    sources = detection_sources(report)
    names = ", ".join(_detection_label(d).lower() for d in sources)
    desc = (
        f"100% stacked bar chart of how incidents were detected, per quarter from"
        f" {quarters[0].key} to {quarters[-1].key}: {names}. Overall, monitoring detected"
        f" {overall.counts[Detection.MONITORING]} of {_incidents(overall.total)}."
    )
    labels = [(q.key,) for q in quarters]
    axes = _layout(labels, _PERCENT_TICKS, _linear(100.0), legend=True)
    grid, frame = _frame(axes, labels, _PERCENT_TICKS, "Share of incidents")
    styles = {source: k for k, source in enumerate(Detection)}
    series = [
        _Series(
            _detection_label(source),
            DETECTION_COLORS[source],
            styles[source],
            [100 * q.counts[source] / q.total if q.total else 0.0 for q in quarters],
        )
        for source in sources
    ]
    return _svg(
        chart_id, axes.width, title, desc, [*grid, *_stacked(chart_id, axes, series), *frame]
    )
