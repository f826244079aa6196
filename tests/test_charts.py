"""Tests for postmortem_kb.charts: inline-able, theme-aware, accessible, reproducible SVG."""

from __future__ import annotations

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
    Table,
    detection_share_svg,
    detection_share_table,
    duration_svg,
    duration_table,
    incidents_per_quarter_svg,
    incidents_per_quarter_table,
)
from postmortem_kb.model import Postmortem, Severity
from test_analytics import make_pm

SVG_NS = "{http://www.w3.org/2000/svg}"


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


# -- reproducible, inline-able --------------------------------------------------------
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


def test_importing_charts_does_not_import_matplotlib() -> None:
    code = "import sys, postmortem_kb.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_svg_starts_at_the_svg_element_and_is_well_formed(
    charts: dict[str, str], name: str
) -> None:
    svg = charts[name]
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert "DOCTYPE" not in svg
    assert "<metadata" not in svg
    assert ET.fromstring(svg).tag == f"{SVG_NS}svg"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_url_other_than_namespace_declarations(charts: dict[str, str], name: str) -> None:
    svg = charts[name]
    urls = re.findall(r"https?://[^\"'\s)]*", svg)
    namespaces = re.findall(r'xmlns(?::\w+)?="(https?://[^"]*)"', svg)
    assert sorted(urls) == sorted(namespaces)
    assert set(namespaces) == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


# -- theme-aware ----------------------------------------------------------------------
@pytest.mark.parametrize("name", CHART_NAMES)
def test_text_and_axes_follow_the_page_colour(charts: dict[str, str], name: str) -> None:
    svg = charts[name]
    assert "currentColor" in svg
    assert "#010203" not in svg.lower()
    assert "fill: currentColor" in svg  # tick labels
    assert "stroke: currentColor" in svg  # axes and ticks
    # No opaque background: the figure rectangle is unfilled, and nothing is painted white/black.
    assert re.search(r"fill: ?#(?:ffffff|000000)\b", svg) is None
    assert re.search(r"stroke: ?#(?:ffffff|000000)\b", svg) is None


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


def test_series_colours_appear_in_the_chart(charts: dict[str, str]) -> None:
    # Unhatched series are filled directly; hatched ones through a pattern.
    assert f"fill: {SEVERITY_COLORS[Severity.P0]}" in charts["quarters"]
    for colour in list(SEVERITY_COLORS.values())[1:]:
        assert f'fill="{colour}"' in charts["quarters"]
    for colour in list(DETECTION_COLORS.values())[1:]:
        assert f'fill="{colour}"' in charts["detection"]


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
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert [child.tag for child in root][:2] == [f"{SVG_NS}title", f"{SVG_NS}desc"]
    assert root[0].get("id") == f"{chart_id}-title"
    assert root[0].text == title
    assert root[1].get("id") == f"{chart_id}-desc"
    assert root[1].text


def test_desc_summarises_the_data(charts: dict[str, str]) -> None:
    desc = ET.fromstring(charts["quarters"])[1].text
    assert desc == (
        "Stacked bar chart of 5 incidents per quarter from 2024-Q4 to 2025-Q3, split by"
        " severity P0 to P3; the busiest quarter is 2024-Q4 with 2."
    )


def _ids_and_refs(svg: str) -> tuple[list[str], set[str]]:
    ids = re.findall(r'\bid="([^"]+)"', svg)
    refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    return ids, refs


@pytest.mark.parametrize("name", CHART_NAMES)
def test_ids_are_prefixed_unique_and_every_reference_resolves(
    charts: dict[str, str], name: str
) -> None:
    svg = charts[name]
    chart_id = ET.fromstring(svg).get("id")
    ids, refs = _ids_and_refs(svg)
    assert len(ids) == len(set(ids))
    assert all(i == chart_id or i.startswith(f"{chart_id}-") for i in ids)
    assert refs
    assert refs <= set(ids)
    assert f'<style type="text/css">#{chart_id} *{{' in svg  # matplotlib's "*" rule is scoped


def test_two_charts_inlined_in_one_page_share_no_id() -> None:
    counts = incidents_per_quarter(corpus())
    one = _ids_and_refs(incidents_per_quarter_svg(counts, chart_id="first"))[0]
    two = _ids_and_refs(incidents_per_quarter_svg(counts, chart_id="second"))[0]
    assert len(one) == len(two) > 10
    assert not set(one) & set(two)


@pytest.mark.parametrize("bad", ["", "Upper", "1st", "a b", 'x"><script>'])
def test_chart_id_must_be_a_simple_slug(bad: str) -> None:
    with pytest.raises(ValueError, match="chart_id must match"):
        incidents_per_quarter_svg(incidents_per_quarter(corpus()), chart_id=bad)


def test_labels_are_escaped_and_never_mathtext() -> None:
    hostile = '<script>alert(1)</script>&"$x^2$'
    stats = DurationStats.of([1.0, 5.0])
    report = DurationReport(
        metric=Metric.TIME_TO_DETECT,
        overall=stats,
        by_quarter=MappingProxyType({hostile: stats}),
        by_severity=MappingProxyType(dict.fromkeys(Severity, stats)),
    )
    svg = duration_svg(report, chart_id="hostile")
    assert "<script" not in svg
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    assert texts[:2] == [hostile, "n=2"]  # one literal line: no mathtext, no markup


def test_title_and_desc_escape_data() -> None:
    hostile = "</desc><script>x</script>"
    counts = (QuarterCount(hostile, MappingProxyType({Severity.P0: 1})),)
    svg = incidents_per_quarter_svg(counts, chart_id="hostile")
    assert "<script" not in svg
    desc = ET.fromstring(svg)[1].text
    assert desc is not None
    assert f"from {hostile} to {hostile}" in desc


# -- empty data -----------------------------------------------------------------------
def test_charts_of_no_incidents_say_so() -> None:
    empty = all_charts([])
    for svg in empty.values():
        root = ET.fromstring(svg)
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
        assert texts == ["No incidents yet"]
    assert ET.fromstring(empty["quarters"])[1].text == "No incidents yet."


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
    assert by_quarter.caption == "Time to detect per quarter, in minutes"
    assert by_quarter.columns == ("Quarter", "Incidents", "Median", "p90", "Min", "Max")
    # 2025-Q3: 90 and 7 minutes → median 48.5; p90 = 7 + 0.9 × 83 = 81.7
    assert by_quarter.rows == (
        ("2024-Q4", "2", "14", "22.8", "3", "25"),
        ("2025-Q1", "1", "0", "0", "0", "0"),
        ("2025-Q2", "0", "–", "–", "–", "–"),
        ("2025-Q3", "2", "48.5", "81.7", "7", "90"),
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
    assert table.columns == (
        "Quarter",
        "Incidents",
        "Monitoring",
        "User report",
        "Internal report",
        "Other",
    )
    assert table.rows == (
        ("2024-Q4", "2", "1 (50.0%)", "1 (50.0%)", "0 (0.0%)", "0 (0.0%)"),
        ("2025-Q1", "1", "1 (100.0%)", "0 (0.0%)", "0 (0.0%)", "0 (0.0%)"),
        ("2025-Q2", "0", "–", "–", "–", "–"),
        ("2025-Q3", "2", "1 (50.0%)", "0 (0.0%)", "0 (0.0%)", "1 (50.0%)"),
        ("All", "5", "3 (60.0%)", "1 (20.0%)", "0 (0.0%)", "1 (20.0%)"),
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
    assert table.rows == (("All", "0", "–", "–", "–", "–"),)


def test_charts_are_remembered_by_their_input_data() -> None:
    """Equal data (a new but equal report, as after a serve rebuild) reuses the drawn SVG."""
    first = duration_svg(duration_report(corpus(), Metric.TIME_TO_DETECT), by="severity")
    again = duration_svg(duration_report(corpus(), Metric.TIME_TO_DETECT), by="severity")
    assert again is first
    fewer = duration_svg(duration_report(corpus()[1:], Metric.TIME_TO_DETECT), by="severity")
    assert fewer is not first and fewer != first
