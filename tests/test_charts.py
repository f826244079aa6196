"""Tests for postmortem_kb.charts: inline-able, theme-aware, accessible, reproducible SVG."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from postmortem_kb.analytics import (
    DetectionReport,
    DurationReport,
    DurationStats,
    Metric,
    QuarterCount,
    detection_report,
    duration_report,
    incidents_per_quarter,
)
from postmortem_kb.charts import (
    DETECTION_COLORS,
    SEVERITY_COLORS,
    BoxStats,
    Table,
    box_stats,
    detection_share_svg,
    detection_share_table,
    duration_svg,
    duration_table,
    incidents_per_quarter_svg,
    incidents_per_quarter_table,
)
from postmortem_kb.model import Detection, Postmortem, Severity
from test_analytics import make_pm

SVG_NS = "{http://www.w3.org/2000/svg}"
TEXT = f"{SVG_NS}text"


def corpus() -> list[Postmortem]:
    return [
        make_pm("a", date(2024, 11, 2), "P0", detect=3, mitigate=40, detection="monitoring"),
        make_pm("b", date(2024, 12, 1), "P1", detect=25, mitigate=300, detection="user-report"),
        make_pm("c", date(2025, 1, 9), "P2", detect=0, mitigate=20, detection="monitoring"),
        make_pm("d", date(2025, 7, 4), "P2", detect=90, mitigate=2000, detection="other"),
        make_pm("e", date(2025, 7, 5), "P3", detect=7, mitigate=65, detection="monitoring"),
    ]


def all_charts(pms: list[Postmortem]) -> dict[str, str]:
    return {
        "quarters": incidents_per_quarter_svg(incidents_per_quarter(pms)),
        "detect": duration_svg(duration_report(pms, Metric.TIME_TO_DETECT)),
        "mitigate": duration_svg(duration_report(pms, Metric.TIME_TO_MITIGATE), by="severity"),
        "detection": detection_share_svg(detection_report(pms)),
    }


@pytest.fixture(scope="module")
def charts() -> dict[str, str]:
    return all_charts(corpus())


CHART_NAMES = ["quarters", "detect", "mitigate", "detection"]


def texts(svg: str) -> list[str]:
    """The text of every <text> element, in document order (tspans joined by '|')."""
    found = []
    for node in ET.fromstring(svg).iter(TEXT):
        spans = [span.text or "" for span in node]
        found.append("|".join(spans) if spans else node.text or "")
    return found


def duration_of(values: dict[str, list[float]]) -> DurationReport:
    """A time-to-detect report whose quarters hold exactly ``values``."""
    everything = [v for group in values.values() for v in group]
    return DurationReport(
        metric=Metric.TIME_TO_DETECT,
        overall=DurationStats.of(everything),
        by_quarter=MappingProxyType({q: DurationStats.of(v) for q, v in values.items()}),
        by_severity=MappingProxyType({s: DurationStats.of(everything) for s in Severity}),
    )


def gridlines(svg: str) -> list[float]:
    """The y of every horizontal gridline, in tick order (bottom first)."""
    grid = re.search(r'<path d="([^"]+)" stroke="currentColor" stroke-opacity="0.25"', svg)
    assert grid is not None
    return [float(y) for y in re.findall(r"M[\d.]+ ([\d.]+)H", grid[1])]


# -- reproducible, inline-able, cheap -------------------------------------------------
def test_same_input_gives_identical_bytes(charts: dict[str, str]) -> None:
    assert all_charts(corpus()) == charts


def test_bytes_do_not_depend_on_the_process_hash_seed(charts: dict[str, str]) -> None:
    tests_dir = str(Path(__file__).resolve().parent)
    code = (
        f"import sys; sys.path.insert(0, {tests_dir!r}); from test_charts import all_charts, corpus;"
        " sys.stdout.write(all_charts(corpus())['quarters'])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout == charts["quarters"]


def test_drawing_every_chart_imports_no_plotting_library() -> None:
    tests_dir = str(Path(__file__).resolve().parent)
    code = (
        f"import sys; sys.path.insert(0, {tests_dir!r}); from test_charts import all_charts, corpus;"
        " all_charts(corpus()); print(sorted(m for m in sys.modules if m.split('.')[0]"
        " in {'matplotlib', 'numpy', 'PIL'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_svg_starts_at_the_svg_element_and_is_well_formed(
    charts: dict[str, str], name: str
) -> None:
    svg = charts[name]
    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>\n")
    for absent in ("<?xml", "DOCTYPE", "<metadata", "<style", "<script", "<image", "<a "):
        assert absent not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("style") == "max-width: 100%; height: auto"


@pytest.mark.parametrize(
    ("name", "width"), [("quarters", "432pt"), ("detect", "432pt"), ("detection", "432pt")]
)
def test_width_grows_with_the_categories(charts: dict[str, str], name: str, width: str) -> None:
    root = ET.fromstring(charts[name])
    assert (root.get("width"), root.get("height")) == (width, "260pt")
    assert root.get("viewBox") == f"0 0 {width[:-2]} 260"
    many = [
        QuarterCount(f"20{y}-Q{q}", MappingProxyType({Severity.P0: 1}))
        for y in range(10, 40)
        for q in (1, 2, 3, 4)
    ]
    assert ET.fromstring(incidents_per_quarter_svg(many[:12])).get("width") == "612pt"  # 2.5 + 6 in
    assert ET.fromstring(incidents_per_quarter_svg(many)).get("width") == "1008pt"  # 14 in at most


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_url_other_than_the_namespace_declaration(charts: dict[str, str], name: str) -> None:
    svg = charts[name]
    urls = re.findall(r"https?://[^\"'\s)]*", svg)
    assert urls == ["http://www.w3.org/2000/svg"]
    assert "href" not in svg


# -- theme-aware ----------------------------------------------------------------------
@pytest.mark.parametrize("name", CHART_NAMES)
def test_text_lines_and_marks_follow_the_page_colour(charts: dict[str, str], name: str) -> None:
    svg = charts[name]
    root = ET.fromstring(svg)
    assert root.get("fill") == "currentColor"  # texts inherit it; none sets its own
    assert all(node.get("fill") is None for node in root.iter(TEXT))
    assert set(re.findall(r'stroke="([^"]*)"', svg)) == {"currentColor"}
    # No background: nothing is painted white or black, nothing is opaque but the series.
    assert re.search(r"#(?:fff|ffffff|000|000000)\b", svg, re.IGNORECASE) is None


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", sorted({*SEVERITY_COLORS.values(), *DETECTION_COLORS.values()}))
def test_series_colours_read_on_light_and_dark_backgrounds(colour: str) -> None:
    assert _contrast(colour, "#ffffff") >= 3.0
    assert _contrast(colour, "#1e2129") >= 3.0  # mkdocs-material slate background


def test_stacked_series_are_coloured_and_hatched_but_the_first(charts: dict[str, str]) -> None:
    svg = charts["quarters"]
    fills = re.findall(r'fill="([^"]*)"', svg)
    prefix = "pmkb-incidents-per-quarter-hatch"
    # the root, three pattern tiles, the bars series by series, the legend, the unfilled axes
    series = [SEVERITY_COLORS[Severity.P0], *(f"url(#{prefix}-{k})" for k in (1, 2, 3))]
    tiles = [SEVERITY_COLORS[s] for s in (Severity.P1, Severity.P2, Severity.P3)]
    assert fills == ["currentColor", *tiles, *series, *series, "none"]
    patterns = re.findall(
        r'<pattern id="([^"]+)"[^>]*><rect [^>]*fill="([^"]+)"/>(.*?)</pattern>', svg
    )
    assert [(p, c) for p, c, _ in patterns] == [
        (f"{prefix}-1", SEVERITY_COLORS[Severity.P1]),
        (f"{prefix}-2", SEVERITY_COLORS[Severity.P2]),
        (f"{prefix}-3", SEVERITY_COLORS[Severity.P3]),
    ]
    assert [tile.count("currentColor") for _, _, tile in patterns] == [1, 0, 1]  # dots inherit
    detection = re.findall(
        r'<pattern id="[^"]+"[^>]*><rect [^>]*fill="([^"]+)"', charts["detection"]
    )
    # no incident was reported internally: that source has no series (see below)
    assert detection == [DETECTION_COLORS[Detection.USER_REPORT], DETECTION_COLORS[Detection.OTHER]]


# -- accessible and unique ------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "chart_id", "title"),
    [
        ("quarters", "pmkb-incidents-per-quarter", "Incidents per quarter by severity"),
        ("detect", "pmkb-time-to-detect-by-quarter", "Time to detect per quarter"),
        ("mitigate", "pmkb-time-to-mitigate-by-severity", "Time to mitigate per severity"),
        ("detection", "pmkb-detection-share", "How incidents were detected, per quarter"),
    ],
)
def test_svg_has_role_title_and_desc(
    charts: dict[str, str], name: str, chart_id: str, title: str
) -> None:
    root = ET.fromstring(charts[name])
    assert root.get("id") == chart_id
    assert root.get("class") == "pmkb-chart"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert [child.tag for child in root][:2] == [f"{SVG_NS}title", f"{SVG_NS}desc"]
    assert root[0].get("id") == f"{chart_id}-title"
    assert root[0].text == title
    assert root[1].get("id") == f"{chart_id}-desc"


def test_desc_summarises_the_data(charts: dict[str, str]) -> None:
    descs = {name: ET.fromstring(svg)[1].text for name, svg in charts.items()}
    assert descs == {
        "quarters": "Stacked bar chart of 5 incidents per quarter from 2024-Q4 to 2025-Q3, split by"
        " severity P0 to P3; the busiest quarter is 2024-Q4 with 2.",
        "detect": "Box plots of time to detect per quarter, on a logarithmic axis,"
        " over 5 incidents; overall median 7 min, 90th percentile 1 h 04 min.",
        "mitigate": "Box plots of time to mitigate per severity, on a logarithmic axis,"
        " over 5 incidents; overall median 1 h 05 min, 90th percentile 22 h 00 min.",
        "detection": "100% stacked bar chart of how incidents were detected, per quarter from"
        " 2024-Q4 to 2025-Q3: monitoring, user report, other. Overall,"
        " monitoring detected 3 of 5 incidents.",
    }


def test_every_label_is_written_once_in_reading_order(charts: dict[str, str]) -> None:
    assert texts(charts["quarters"]) == [
        *("P0", "P1", "P2", "P3"),  # legend
        *("0", "1", "2"),  # integer ticks up to the busiest quarter
        "Incidents",
        *("2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"),  # every quarter of the span
    ]
    assert texts(charts["detect"]) == [
        *("0", "1 min", "5 min", "15 min", "1 h", "4 h"),  # up to the first tick above 90 min
        "Time to detect (log scale)",
        *("2024-Q4|n=2", "2025-Q1|n=1", "2025-Q2|n=0", "2025-Q3|n=2"),
    ]
    assert texts(charts["mitigate"])[6:] == [
        "1 d",
        "1 wk",
        "Time to mitigate (log scale)",
        "P0|n=1",
        "P1|n=1",
        "P2|n=2",
        "P3|n=1",
    ]
    assert texts(charts["detection"]) == [
        *("Monitoring", "User report", "Other"),  # no incident was reported internally
        *("0%", "20%", "40%", "60%", "80%", "100%"),
        "Share of incidents",
        *("2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"),
    ]


def _ids_and_refs(svg: str) -> tuple[list[str], set[str]]:
    ids = re.findall(r'\bid="([^"]+)"', svg)
    refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    return ids, refs


@pytest.mark.parametrize(
    ("name", "styles"),
    [("quarters", (1, 2, 3)), ("detect", ()), ("mitigate", ()), ("detection", (1, 3))],
)
def test_ids_are_prefixed_unique_and_every_reference_resolves(
    charts: dict[str, str], name: str, styles: tuple[int, ...]
) -> None:
    svg = charts[name]
    chart_id = ET.fromstring(svg).get("id")
    ids, refs = _ids_and_refs(svg)
    hatches = [f"{chart_id}-hatch-{k}" for k in styles]
    assert ids == [chart_id, f"{chart_id}-title", f"{chart_id}-desc", *hatches]
    assert refs == set(hatches)


def test_two_charts_inlined_in_one_page_share_no_id() -> None:
    counts = incidents_per_quarter(corpus())
    one = _ids_and_refs(incidents_per_quarter_svg(counts, chart_id="first"))[0]
    two = _ids_and_refs(incidents_per_quarter_svg(counts, chart_id="second"))[0]
    assert len(one) == len(two) == 6
    assert not set(one) & set(two)


@pytest.mark.parametrize("bad", ["", "Upper", "1st", "a b", 'x"><script>'])
def test_chart_id_must_be_a_simple_slug(bad: str) -> None:
    with pytest.raises(ValueError, match="chart_id must match"):
        incidents_per_quarter_svg(incidents_per_quarter(corpus()), chart_id=bad)
    with pytest.raises(ValueError, match="chart_id must match"):
        duration_svg(duration_report(corpus(), Metric.DURATION), chart_id=bad)
    with pytest.raises(ValueError, match="chart_id must match"):
        detection_share_svg(detection_report(corpus()), chart_id=bad)


def test_labels_are_escaped_and_kept_literally() -> None:
    hostile = '<script>alert(1)</script>&"$x^2$'
    svg = duration_svg(duration_of({hostile: [1.0, 5.0]}), chart_id="hostile")
    assert "<script" not in svg
    assert '&lt;script&gt;alert(1)&lt;/script&gt;&amp;"$x^2$' in svg
    assert texts(svg)[-1] == f"{hostile}|n=2"  # one literal line: no markup, no mathtext


def test_title_and_desc_escape_data() -> None:
    hostile = "</desc><script>x</script>"
    counts = (QuarterCount(hostile, MappingProxyType({Severity.P0: 1})),)
    svg = incidents_per_quarter_svg(counts, chart_id="hostile")
    assert "<script" not in svg
    desc = ET.fromstring(svg)[1].text
    assert desc is not None
    assert f"from {hostile} to {hostile}" in desc
    assert texts(svg)[-1] == hostile


# -- box plots on a symlog minute axis ------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # quartiles by linear interpolation; 16 is beyond q3 + 1.5 × 4.5 = 14.5
        (
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 16],
            BoxStats(q1=3.25, median=5.5, q3=7.75, low=1, high=9, outliers=(16,)),
        ),
        # a value exactly at q3 + 1.5 × IQR is the whisker's end, not an outlier
        (
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 14.5],
            BoxStats(q1=3.25, median=5.5, q3=7.75, low=1, high=14.5, outliers=()),
        ),
        # and below the box: q1 - 1.5 × 4.5 = -3.5
        (
            [-3.5, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            BoxStats(q1=3.25, median=5.5, q3=7.75, low=-3.5, high=10, outliers=()),
        ),
        (
            [-4, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            BoxStats(q1=3.25, median=5.5, q3=7.75, low=2, high=10, outliers=(-4,)),
        ),
        # IQR 0: whiskers stop at the box, each outlying value listed once
        (
            [5, 5, 60, 5, 5, 5, 0, 5, 5, 5, 60],
            BoxStats(q1=5, median=5, q3=5, low=5, high=5, outliers=(0, 60)),
        ),
        # no value between q1 - 1.5 IQR and q1: the lower whisker stays at q1 (never inside the box)
        ([0, 100, 100, 100], BoxStats(q1=75, median=100, q3=100, low=75, high=100, outliers=(0,))),
        ([7], BoxStats(q1=7, median=7, q3=7, low=7, high=7, outliers=())),
        ([2.5, 4.0], BoxStats(q1=2.875, median=3.25, q3=3.625, low=2.5, high=4.0, outliers=())),
    ],
)
def test_box_stats_follow_tukey_as_matplotlib_draws_them(
    values: list[float], expected: BoxStats
) -> None:
    assert box_stats(values) == expected


def test_box_stats_of_nothing_is_none() -> None:
    assert box_stats([]) is None


def test_duration_axis_is_linear_to_one_minute_then_logarithmic() -> None:
    svg = duration_svg(duration_of({"2025-Q1": [1, 1, 5, 15, 60]}))
    zero, one, five, fifteen, hour = gridlines(svg)
    assert texts(svg)[:5] == ["0", "1 min", "5 min", "15 min", "1 h"]
    unit = (zero - one) / (0.5 / 0.9)  # symlog: 0..1 min spans linscale 0.5 of a decade, adjusted
    assert (zero - five) / unit == pytest.approx(0.5 / 0.9 + math.log10(5), abs=0.01)
    assert (zero - fifteen) / unit == pytest.approx(0.5 / 0.9 + math.log10(15), abs=0.01)
    assert (zero - hour) / unit == pytest.approx(0.5 / 0.9 + math.log10(60), abs=0.01)


def test_box_whiskers_median_and_outliers_land_on_their_values() -> None:
    # quartiles 1 and 15 min, median 5, whiskers within 1.5 × 14: 1..15; 60 min is an outlier
    svg = duration_svg(duration_of({"2025-Q1": [1, 1, 5, 15, 60], "2025-Q2": []}))
    _, one, five, fifteen, hour = gridlines(svg)
    box = re.search(r'<g fill="#228be6" stroke="currentColor">\n<rect ([^>]*)/>\n</g>', svg)
    assert box is not None
    attrs = dict(re.findall(r'(\w+)="([^"]+)"', box[1]))
    assert float(attrs["y"]) == fifteen
    assert float(attrs["y"]) + float(attrs["height"]) == pytest.approx(one, abs=0.1)
    median = re.search(
        r'<path d="M[\d.]+ ([\d.]+)h[\d.]+" stroke="currentColor" stroke-width="2"/>', svg
    )
    assert median is not None and float(median[1]) == five
    circles = re.search(r'<path d="([^"]+)" fill="none" stroke="currentColor"/>', svg)
    assert circles is not None
    assert re.findall(r"M[\d.]+ ([\d.]+)a1.5", circles[1]) == [str(hour).removesuffix(".0")]
    assert texts(svg)[-2:] == ["2025-Q1|n=5", "2025-Q2|n=0"]  # an empty group: a label, no box


def test_many_equal_outliers_are_one_circle() -> None:
    values = [10.0] * 50 + [1000.0] * 2000 + [5000.0] * 3 + [0.0] * 100
    svg = duration_svg(duration_of({"2025-Q1": values}))
    assert box_stats(values) == BoxStats(1000, 1000, 1000, 1000, 1000, (0, 10, 5000))
    assert svg.count("a1.5 1.5 0 1 0 3 0") == 3
    assert len(svg) < 3000


def test_duration_ticks_reach_past_the_longest_value() -> None:
    assert texts(duration_svg(duration_of({"2025-Q1": [0.0]})))[:2] == ["0", "1 min"]
    long = texts(duration_svg(duration_of({"2025-Q1": [2.0, 600_000.0]})))
    assert long[:10] == [
        "0",
        "1 min",
        "5 min",
        "15 min",
        "1 h",
        "4 h",
        "1 d",
        "1 wk",
        "30 d",
        "1 yr",
    ]


# -- bars -----------------------------------------------------------------------------
def test_stacked_bars_are_as_tall_as_their_counts(charts: dict[str, str]) -> None:
    svg = charts["quarters"]
    zero, one, two = gridlines(svg)
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/>', svg)
    # series by series (P0 .. P3), skipping empty segments: P0 Q4, P1 Q4, P2 Q1, P2 Q3, P3 Q3
    tops = [(float(x), float(y), float(y) + float(h)) for x, y, h in bars]
    assert [round(bottom - top, 1) for _, top, bottom in tops] == [round(zero - one, 1)] * 5
    assert [top for _, top, _ in tops] == [one, two, one, one, two]
    assert tops[0][0] == tops[1][0] < tops[2][0] < tops[3][0] == tops[4][0]


def test_detection_shares_fill_each_quarter_with_incidents(charts: dict[str, str]) -> None:
    svg = charts["detection"]
    grid = gridlines(svg)
    assert len(grid) == 6
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/>', svg)
    spans: dict[str, float] = {}
    for x, _, h in bars:
        spans[x] = spans.get(x, 0.0) + float(h)
    # three quarters with incidents, each 100 %; 2025-Q2 (no incidents) has no bar
    assert [round(span) for span in spans.values()] == [round(grid[0] - grid[-1])] * 3


def test_more_than_eight_categories_get_slanted_labels() -> None:
    counts = [QuarterCount(f"2020-Q{q}", MappingProxyType({Severity.P2: q})) for q in (1, 2, 3, 4)]
    few = incidents_per_quarter_svg(counts * 2)
    many = incidents_per_quarter_svg(counts * 3)
    assert "rotate(-45)" not in few
    assert many.count("rotate(-45)") == 12


# -- empty data -----------------------------------------------------------------------
def test_charts_of_no_incidents_say_so() -> None:
    empty = all_charts([])
    for svg in empty.values():
        assert texts(svg) == ["No incidents yet"]
        assert "<rect" not in svg and "<path" not in svg
    assert ET.fromstring(empty["quarters"])[1].text == "No incidents yet."
    assert ET.fromstring(empty["detect"])[1].text == "No incident has a time to detect yet."


# -- tables ---------------------------------------------------------------------------
# -- tables ---------------------------------------------------------------------------
def test_incidents_per_quarter_table_has_every_quarter_and_severity() -> None:
    table = incidents_per_quarter_table(incidents_per_quarter(corpus()))
    assert table.columns == ("Quarter", "P0", "P1", "P2", "P3", "Total")
    assert table.rows == (
        ("2024-Q4", "1", "1", "0", "0", "2"),
        ("2025-Q1", "0", "0", "1", "0", "1"),
        ("2025-Q2", "0", "0", "0", "0", "0"),
        ("2025-Q3", "0", "0", "1", "1", "2"),
    )


def test_duration_table_per_quarter_and_per_severity() -> None:
    report = duration_report(corpus(), Metric.TIME_TO_DETECT)
    by_quarter = duration_table(report)
    assert by_quarter.caption == "Time to detect per quarter"
    assert by_quarter.columns == ("Quarter", "Incidents", "Median", "p90", "Min", "Max")
    # durations as incident cards show them, to the nearest minute (half up):
    # 2024-Q4: 3 and 25 minutes → p90 = 3 + 0.9 × 22 = 22.8;
    # 2025-Q3: 90 and 7 minutes → median 48.5; p90 = 7 + 0.9 × 83 = 81.7
    assert by_quarter.rows == (
        ("2024-Q4", "2", "14 min", "23 min", "3 min", "25 min"),
        ("2025-Q1", "1", "0 min", "0 min", "0 min", "0 min"),
        ("2025-Q2", "0", "–", "–", "–", "–"),
        ("2025-Q3", "2", "49 min", "1 h 22 min", "7 min", "1 h 30 min"),
    )
    by_severity = duration_table(report, by="severity")
    assert [row[:2] for row in by_severity.rows] == [
        ("P0", "1"),
        ("P1", "1"),
        ("P2", "2"),
        ("P3", "1"),
    ]
    with pytest.raises(ValueError, match="by must be"):
        duration_table(report, by="owner")  # type: ignore[arg-type]


def test_detection_share_table_has_counts_percentages_and_overall_row() -> None:
    table = detection_share_table(detection_report(corpus()))
    # no column for internal reports: no incident was reported so
    assert table.columns == ("Quarter", "Incidents", "Monitoring", "User report", "Other")
    assert table.rows == (
        ("2024-Q4", "2", "1 (50.0%)", "1 (50.0%)", "0 (0.0%)"),
        ("2025-Q1", "1", "1 (100.0%)", "0 (0.0%)", "0 (0.0%)"),
        ("2025-Q2", "0", "–", "–", "–"),
        ("2025-Q3", "2", "1 (50.0%)", "0 (0.0%)", "1 (50.0%)"),
        ("All", "5", "3 (60.0%)", "1 (20.0%)", "1 (20.0%)"),
    )


def test_table_markdown_escapes_cells() -> None:
    table = Table("c", ("Quarter", "n"), (("a|b <i>*x*</i>\nnext", "1"),))
    assert table.to_markdown() == (
        "| Quarter | n |\n| :-- | --: |\n| a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; next | 1 |\n"
    )


def test_table_html_escapes_cells_and_aligns_numbers() -> None:
    table = Table("c", ("Quarter", "n"), (("a|b <i>*x*</i>\nnext", "1"),))
    assert table.to_html() == (
        "<table>\n"
        '<thead><tr><th>Quarter</th><th style="text-align: right">n</th></tr></thead>\n'
        "<tbody>\n"
        '<tr><td>a|b &lt;i&gt;*x*&lt;/i&gt; next</td><td style="text-align: right">1</td></tr>\n'
        "</tbody>\n</table>\n"
    )


def test_empty_detection_report_table_has_only_the_overall_row() -> None:
    table = detection_share_table(DetectionReport(detection_report([]).overall, ()))
    assert (table.columns, table.rows) == (("Quarter", "Incidents"), (("All", "0"),))


def test_a_detection_source_no_incident_has_is_left_out() -> None:
    """No always-empty series, legend entry or column (an "Other" that nobody chose); every
    source shown keeps its colour and hatch, which belong to the source."""
    pms = [
        make_pm("a", date(2025, 1, 2), "P1", detect=3, mitigate=9, detection="monitoring"),
        make_pm("b", date(2025, 1, 3), "P1", detect=3, mitigate=9, detection="internal-report"),
        make_pm("c", date(2025, 4, 4), "P1", detect=3, mitigate=9, detection="monitoring"),
    ]
    report = detection_report(pms)
    table = detection_share_table(report)
    assert table.columns == ("Quarter", "Incidents", "Monitoring", "Internal report")
    assert table.rows == (
        ("2025-Q1", "2", "1 (50.0%)", "1 (50.0%)"),
        ("2025-Q2", "1", "1 (100.0%)", "0 (0.0%)"),
        ("All", "3", "2 (66.7%)", "1 (33.3%)"),
    )
    svg = detection_share_svg(report)
    assert texts(svg)[:3] == ["Monitoring", "Internal report", "0%"]
    assert ET.fromstring(svg)[1].text == (
        "100% stacked bar chart of how incidents were detected, per quarter from 2025-Q1 to"
        " 2025-Q2: monitoring, internal report. Overall, monitoring detected 2 of 3 incidents."
    )
    prefix = "pmkb-detection-share-hatch"
    legend = re.findall(r'<rect x="[\d.]+" y="5.5" width="20" height="7" fill="([^"]+)"/>', svg)
    assert legend == [DETECTION_COLORS[Detection.MONITORING], f"url(#{prefix}-2)"]
    tiles = re.findall(
        r'<pattern id="([^"]+)"[^>]*><rect [^>]*fill="([^"]+)"/>(.*?)</pattern>', svg
    )
    dots = '<circle cx="1.5" cy="1.5" r="0.8"/><circle cx="4.5" cy="4.5" r="0.8"/>'
    assert tiles == [(f"{prefix}-2", DETECTION_COLORS[Detection.INTERNAL_REPORT], dots)]


def test_an_absurdly_long_label_leaves_the_plot_its_room() -> None:
    counts = [
        QuarterCount("Q" * 400 + str(k), MappingProxyType({Severity.P0: 1})) for k in range(9)
    ]
    svg = incidents_per_quarter_svg(counts)
    spines = re.search(r'<path d="M([\d.]+) ([\d.]+)V([\d.]+)H([\d.]+)', svg)
    assert spines is not None
    left, top, bottom, right = (float(v) for v in spines.groups())
    # 9 quarters: 7 in (504 pt) wide; the margins stop at a third of it and half the height
    assert (left, top, right, bottom) == (168, 26, 494, 119)
