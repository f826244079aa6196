"""Graph view and dashboard in the browser: nodes drawn and clickable, charts legible in both palettes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from browser.browser_kit import Tab

pytestmark = pytest.mark.browser

# the first non-transparent background behind an element, and the element's fill, as [r, g, b]
COLOURS = """(el) => {
    const rgb = (value) => (value.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
    let node = el;
    let back = null;
    while (node && node.nodeType === 1) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) { back = c.slice(0, 3); break; }
        node = node.parentElement;
    }
    return { fill: rgb(getComputedStyle(el).fill).slice(0, 3), back: back || [255, 255, 255] };
}"""


def luminance(rgb: list[float]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    linear = [
        c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: list[float], b: list[float]) -> float:
    """WCAG contrast ratio of two colours."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def expected_nodes(export: dict[str, Any]) -> set[str]:
    """Site paths of every incident, pattern and service of the export."""
    services = {s for i in export["incidents"] for s in i["services"]}
    return (
        {i["url"] for i in export["incidents"]}
        | {f"patterns/{p['id']}/" for p in export["patterns"]}
        | {f"services/{s}/" for s in services}
    )


def test_graph_view_draws_every_node_and_a_click_opens_its_page(
    tab: Tab, export: dict[str, Any]
) -> None:
    tab.open("graph/")
    svg = tab.page.locator("article svg.pmkb-graph-svg")
    expect(svg).to_be_visible()
    nodes = svg.locator("a.pmkb-node")
    expected = expected_nodes(export)
    expect(nodes).to_have_count(len(expected))
    drawn = nodes.evaluate_all(
        """(links) => links.map((a) => {
            const box = a.getBoundingClientRect();
            return [new URL(a.href.baseVal || a.getAttribute("href"), location.href).pathname,
                    box.width > 0 && box.height > 0];
        })"""
    )
    assert {path.lstrip("/") for path, _ in drawn} == expected
    assert all(visible for _, visible in drawn)
    expect(svg.locator("line.pmkb-edge").first).to_be_visible()
    tab.screenshot("graph")

    # the pattern cited by most incidents: a square in the middle of its incidents
    pattern = max(
        (p for p in export["patterns"] if p["defined"]),
        key=lambda p: (len(p["incidents"]) + len(p["contributing_to"]), p["id"]),
    )
    svg.locator(f"a.pmkb-node[href$='patterns/{pattern['id']}/']").click()
    tab.page.wait_for_url(f"**/patterns/{pattern['id']}/")
    assert tab.heading() == pattern["title"]
    tab.assert_clean()


def chart_colours(tab: Tab) -> list[dict[str, list[float]]]:
    """Fill and background of the first text of every chart on the page."""
    charts = tab.page.locator("article svg.pmkb-chart")
    return [chart.locator("text").first.evaluate(COLOURS) for chart in charts.all()]


def test_dashboard_charts_are_drawn_and_legible_in_light_and_dark_palettes(tab: Tab) -> None:
    tab.open("dashboard/")
    charts = tab.page.locator("article svg.pmkb-chart")
    count = charts.count()
    assert count >= 3
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        expect(chart.locator("text").first).to_be_visible()
    charts.first.scroll_into_view_if_needed()
    assert tab.page.evaluate("document.body.dataset.mdColorScheme") == "default"
    light = chart_colours(tab)
    tab.screenshot("dashboard-light")

    tab.page.locator("label[title='Switch to dark mode']").click()
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    charts.first.scroll_into_view_if_needed()
    dark = chart_colours(tab)
    tab.screenshot("dashboard-dark")

    assert len(light) == len(dark) == count
    for before, after in zip(light, dark, strict=True):
        assert before["fill"] != after["fill"]
        assert before["back"] != after["back"]
        assert contrast(before["fill"], before["back"]) >= 4.5, before
        assert contrast(after["fill"], after["back"]) >= 4.5, after
    tab.assert_clean()
