"""Static, inline-able SVG charts of the aggregates in :mod:`postmortem_kb.analytics`.

Each chart has two functions: ``*_svg`` returns SVG text to inline in a page,
and ``*_table`` returns the same data as a :class:`Table` (render it with
:meth:`Table.to_markdown`) for screen readers and for anyone who prefers numbers.

========================================  =====================================================
``incidents_per_quarter_svg/_table``      stacked bars: incidents per quarter by severity
``duration_svg/_table``                   box plots of a duration metric per quarter or severity
``detection_share_svg/_table``            100 % stacked bars: detection source per quarter
========================================  =====================================================

Every SVG

- is drawn by matplotlib's SVG backend on a bare ``Figure`` (no pyplot, no
  global backend switch; matplotlib is imported inside the functions so that
  importing the package stays fast);
- follows the page's light or dark palette: the background is transparent and
  text, axes, ticks, gridlines, whiskers and hatches are ``currentColor`` (drawn
  in a sentinel colour, then replaced). Series colours have a contrast ratio of
  at least 3:1 against both white and Material's slate background (#1e2129), and
  stacked series are also hatched so that colour is never the only cue;
- has ``role="img"``, a ``<title>`` and a ``<desc>`` named by ``aria-labelledby``;
- has no XML prolog, DOCTYPE or metadata, and every ``id`` (and reference to it)
  prefixed with the ``chart_id`` so several charts can be inlined in one page;
- is byte-for-byte reproducible (fixed ``svg.hashsalt``, no date, fixed font);
- escapes every label (matplotlib escapes XML; ``$`` is escaped so no label is
  ever parsed as mathtext) and contains no URL except the ``xmlns`` declarations.

Durations use a symmetric log scale (linear below 1 minute, logarithmic above):
detection times range from 0 to days, and a plain log scale cannot show 0.
Box plots follow matplotlib's defaults: the box spans the quartiles, the line is
the median, whiskers reach the furthest value within 1.5 × IQR, dots are outliers.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape

from .analytics import DetectionReport, DurationReport, DurationStats, QuarterCount
from .model import Detection, Severity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DETECTION_COLORS",
    "SEVERITY_COLORS",
    "Table",
    "detection_share_svg",
    "detection_share_table",
    "duration_svg",
    "duration_table",
    "incidents_per_quarter_svg",
    "incidents_per_quarter_table",
]

# Drawn wherever the page's text colour belongs, then replaced by currentColor.
_SENTINEL = "#010203"
_HASH_SALT = "postmortem-kb"
_FONT = "DejaVu Sans"  # ships with matplotlib: same text metrics, so same bytes, everywhere
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
_HATCHES = ("", "///", "...", "xx")  # second cue besides colour, per stacked series
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
    """A minute value for a table (``–`` when undefined)."""
    return _NONE if value is None else f"{value:g}"


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
    """A duration metric's count, median, p90, min and max (minutes) per quarter or severity."""
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
        caption=f"{report.metric.label} per {by}, in minutes",
        columns=(by.capitalize(), "Incidents", "Median", "p90", "Min", "Max"),
        rows=tuple(rows),
    )


def _detection_label(d: Detection) -> str:
    return d.value.replace("-", " ").capitalize()


def detection_share_table(report: DetectionReport) -> Table:
    """How incidents were detected per quarter, as counts and percentages, then overall."""
    rows = [
        (share.key, str(share.total), *(_percent(share.counts[d], share.total) for d in Detection))
        for share in (*report.by_quarter, report.overall)
    ]
    rows[-1] = ("All", *rows[-1][1:])
    return Table(
        caption="How incidents were detected, per quarter",
        columns=("Quarter", "Incidents", *(_detection_label(d) for d in Detection)),
        rows=tuple(rows),
    )


# -- drawing --------------------------------------------------------------------------
def _rc() -> dict[Any, Any]:  # matplotlib types keys as a Literal of every rc name
    return {
        "svg.hashsalt": _HASH_SALT,
        "svg.fonttype": "none",  # real <text>: selectable, searchable, currentColor
        "font.family": _FONT,
        "font.size": 10,
        "text.usetex": False,
        "text.color": _SENTINEL,
        "axes.edgecolor": _SENTINEL,
        "axes.labelcolor": _SENTINEL,
        "axes.facecolor": "none",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": _SENTINEL,
        "ytick.color": _SENTINEL,
        "grid.color": _SENTINEL,
        "grid.alpha": 0.25,
        "hatch.color": _SENTINEL,
        "hatch.linewidth": 0.6,
        "figure.facecolor": "none",
        "savefig.transparent": True,
        "legend.frameon": False,
    }


@contextmanager
def _figure(categories: int) -> Iterator[tuple[Figure, Axes]]:
    """A bare SVG-backed figure (no pyplot) whose width grows with the number of categories."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    width = min(14.0, max(6.0, 2.5 + 0.5 * categories))
    with matplotlib.rc_context(_rc()):
        figure = Figure(figsize=(width, 3.6), layout="constrained")
        FigureCanvasSVG(figure)
        yield figure, figure.add_subplot()


def _label(text: str) -> str:
    """Text for matplotlib that is never parsed as mathtext."""
    return text.replace("$", r"\$")


def _render(figure: Figure, chart_id: str, title: str, desc: str) -> str:
    buffer = io.StringIO()
    metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    figure.savefig(buffer, format="svg", metadata=metadata, transparent=True)
    return _finish(buffer.getvalue(), chart_id, title, desc)


_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_FONT_FAMILY = re.compile(r"font-family: '?" + re.escape(_FONT) + "'?")


def _finish(raw: str, chart_id: str, title: str, desc: str) -> str:
    """Make matplotlib's SVG inline-able, theme-aware, unique and accessible."""
    svg = raw[raw.index("<svg") :]  # drop the XML prolog and DOCTYPE
    svg = _ID_ATTR.sub(lambda m: f'id="{chart_id}-{m[1]}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{chart_id}-{m[1]})", svg)
    svg = _HREF_REF.sub(lambda m: f'{m[1]}="#{chart_id}-{m[2]}"', svg)
    svg = re.sub(re.escape(_SENTINEL), "currentColor", svg, flags=re.IGNORECASE)
    # Layout used DejaVu metrics; the page's sans-serif is no wider, so labels still fit.
    svg = _FONT_FAMILY.sub("font-family: 'DejaVu Sans', sans-serif", svg)
    # matplotlib's global "*{…}" rule would reach the whole HTML page once inlined.
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{chart_id} *{{', 1)
    head_end = svg.index(">") + 1
    attributes = (
        f' id="{chart_id}" class="pmkb-chart" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        ' style="max-width: 100%; height: auto"'
    )
    accessible = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return svg[: head_end - 1] + attributes + ">\n " + accessible + svg[head_end:]


def _check_id(chart_id: str) -> str:
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must match {_CHART_ID.pattern}, not {chart_id!r}")
    return chart_id


def _category_axis(axes: Axes, labels: Sequence[str]) -> None:
    positions = list(range(len(labels)))
    axes.set_xticks(positions, [_label(label) for label in labels])
    if len(labels) > 8:
        axes.tick_params(axis="x", labelrotation=45)
        for tick in axes.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")


def _no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, "No incidents yet", ha="center", va="center", transform=axes.transAxes)


_CACHE_SIZE = 32
_svg_cache: dict[str, str] = {}


def _memo(draw: Callable[..., str]) -> Callable[..., str]:
    """Remember a chart by its input data: ``mkdocs serve`` rebuilds the site after every edit,
    and the aggregates rarely change with one post-mortem (matplotlib costs 0.05–0.3 s a chart).

    The key is a digest of the arguments' ``repr`` (the reports are frozen dataclasses of
    plain values, so equal data gives equal text); the oldest entry goes beyond
    :data:`_CACHE_SIZE`.
    """

    @functools.wraps(draw)
    def cached(*args: Any, **kwargs: Any) -> str:
        text = repr((draw.__name__, args, sorted(kwargs.items())))
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        found = _svg_cache.get(key)
        if found is None:
            found = _svg_cache[key] = draw(*args, **kwargs)
            while len(_svg_cache) > _CACHE_SIZE:
                del _svg_cache[next(iter(_svg_cache))]
        return found

    return cached


@_memo
def incidents_per_quarter_svg(
    counts: Sequence[QuarterCount], *, chart_id: str = "pmkb-incidents-per-quarter"
) -> str:
    """Stacked bars of incidents per quarter, one segment per severity (P0 at the bottom)."""
    _check_id(chart_id)
    from matplotlib.ticker import MaxNLocator

    total = sum(q.total for q in counts)
    with _figure(len(counts)) as (figure, axes):
        if not counts:
            _no_data(axes)
        else:
            positions = list(range(len(counts)))
            bottoms = [0] * len(counts)
            for severity, hatch in zip(Severity, _HATCHES, strict=True):
                heights = [q.by_severity.get(severity, 0) for q in counts]
                axes.bar(
                    positions,
                    heights,
                    bottom=bottoms,
                    width=0.7,
                    color=SEVERITY_COLORS[severity],
                    hatch=hatch,
                    edgecolor="none",
                    label=str(severity),
                )
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            _category_axis(axes, [q.quarter for q in counts])
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(True, axis="y")
            axes.set_axisbelow(True)
            axes.set_ylabel("Incidents")
            axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4)
        if counts:
            busiest = max(counts, key=lambda q: q.total)
            desc = (
                f"Stacked bar chart of {total} incidents per quarter from {counts[0].quarter}"
                f" to {counts[-1].quarter}, split by severity P0 to P3; the busiest quarter"
                f" is {busiest.quarter} with {busiest.total}."
            )
        else:
            desc = "No incidents yet."
        return _render(figure, chart_id, "Incidents per quarter by severity", desc)


def _duration_ticks(axes: Axes, highest: float) -> None:
    """Human minute ticks up to the first one at or above ``highest``."""
    ticks = []
    for value, text in _DURATION_TICKS:
        ticks.append((value, text))
        if value >= highest:
            break
    axes.set_yticks([v for v, _ in ticks], [t for _, t in ticks])
    axes.set_ylim(0, max(ticks[-1][0], highest) * 1.15)  # beyond a year: no outlier clipped
    axes.minorticks_off()


@_memo
def duration_svg(
    report: DurationReport, *, by: GroupBy = "quarter", chart_id: str | None = None
) -> str:
    """Box plots of ``report.metric`` per quarter or per severity (symmetric log minute axis)."""
    groups = _groups(report, by)
    chart_id = _check_id(chart_id or f"pmkb-{report.metric.value}-by-{by}")
    title = f"{report.metric.label} per {by}"
    with _figure(len(groups)) as (figure, axes):
        if report.overall.count == 0:
            _no_data(axes)
            desc = f"No incident has a {report.metric.label.lower()} yet."
        else:
            line = {"color": _SENTINEL, "linewidth": 1.0}
            axes.boxplot(
                [list(stats.values) for _, stats in groups],
                positions=list(range(len(groups))),
                widths=0.6,
                patch_artist=True,
                boxprops={"facecolor": _BOX_COLOR, "edgecolor": _SENTINEL, "linewidth": 1.0},
                medianprops={"color": _SENTINEL, "linewidth": 2.0},
                whiskerprops=line,
                capprops=line,
                flierprops={
                    "marker": "o",
                    "markersize": 3,
                    "markerfacecolor": "none",
                    "markeredgecolor": _SENTINEL,
                },
            )
            axes.set_yscale("symlog", linthresh=1.0, linscale=0.5)
            _duration_ticks(axes, report.overall.max or 0.0)
            _category_axis(axes, [f"{key}\nn={stats.count}" for key, stats in groups])
            axes.set_xlim(-0.6, len(groups) - 0.4)
            axes.grid(True, axis="y")
            axes.set_axisbelow(True)
            axes.set_ylabel(f"{report.metric.label} (log scale)")
            desc = (
                f"Box plots of {report.metric.label.lower()} in minutes per {by}, on a"
                f" logarithmic axis, over {report.overall.count} incidents; overall median"
                f" {_num(report.overall.median)} minutes, 90th percentile"
                f" {_num(report.overall.p90)} minutes."
            )
        return _render(figure, chart_id, title, desc)


@_memo
def detection_share_svg(report: DetectionReport, *, chart_id: str = "pmkb-detection-share") -> str:
    """100 % stacked bars: the share of each detection source per quarter."""
    _check_id(chart_id)
    from matplotlib.ticker import PercentFormatter

    quarters = report.by_quarter
    with _figure(len(quarters)) as (figure, axes):
        if report.overall.total == 0:
            _no_data(axes)
            desc = "No incidents yet."
        else:
            positions = list(range(len(quarters)))
            bottoms = [0.0] * len(quarters)
            for source, hatch in zip(Detection, _HATCHES, strict=True):
                heights = [100 * q.counts[source] / q.total if q.total else 0.0 for q in quarters]
                axes.bar(
                    positions,
                    heights,
                    bottom=bottoms,
                    width=0.7,
                    color=DETECTION_COLORS[source],
                    hatch=hatch,
                    edgecolor="none",
                    label=_detection_label(source),
                )
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            _category_axis(axes, [q.key for q in quarters])
            axes.set_ylim(0, 100)
            axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
            axes.grid(True, axis="y")
            axes.set_axisbelow(True)
            axes.set_ylabel("Share of incidents")
            axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4)
            overall = report.overall
            monitoring = overall.counts[Detection.MONITORING]
            desc = (
                f"100% stacked bar chart of how incidents were detected, per quarter from"
                f" {quarters[0].key} to {quarters[-1].key}: monitoring, user report,"
                f" internal report, other. Overall, monitoring detected {monitoring} of"
                f" {overall.total} incidents."
            )
        return _render(figure, chart_id, "How incidents were detected, per quarter", desc)
