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


# every label's box as drawn (user units), and the drawing's viewBox
LABELS = """(svg) => ({
    view: [svg.viewBox.baseVal.x, svg.viewBox.baseVal.y, svg.viewBox.baseVal.width, svg.viewBox.baseVal.height],
    labels: Array.from(svg.querySelectorAll("a.pmkb-label text")).map((t) => {
        const b = t.getBBox();
        return { text: t.textContent, box: [b.x, b.y, b.x + b.width, b.y + b.height] };
    }),
    // labels are painted last: what the browser hits at a label's centre is that label
    // (no shape or edge drawn over it), and its link opens its node's page
    covered: Array.from(svg.querySelectorAll("a.pmkb-label")).filter((a) => {
        a.scrollIntoView({ block: "center", behavior: "instant" });
        const r = a.querySelector("text").getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const node = svg.querySelector(`[data-node="${a.dataset.label}"]`);
        return !(hit && a.contains(hit)) || node.getAttribute("href") !== a.getAttribute("href");
    }).map((a) => a.textContent),
})"""


def test_graph_labels_are_inside_the_drawing_and_never_overlap(tab: Tab) -> None:
    """Measured in the browser's own font: no label is cut at the drawing's edge, drawn
    over another or covered by anything; every pattern and service has one."""
    tab.open("graph/")
    svg = tab.page.locator("article svg.pmkb-graph-svg")
    found = svg.evaluate(LABELS)
    left, top, width, height = found["view"]
    boxes = [label["box"] for label in found["labels"]]
    for label in found["labels"]:
        x1, y1, x2, y2 = label["box"]
        assert left <= x1 and x2 <= left + width and top <= y1 and y2 <= top + height, label
    overlapping = [
        (a["text"], b["text"])
        for i, a in enumerate(found["labels"])
        for b in found["labels"][i + 1 :]
        if min(a["box"][2], b["box"][2]) > max(a["box"][0], b["box"][0])
        and min(a["box"][3], b["box"][3]) > max(a["box"][1], b["box"][1])
    ]
    assert overlapping == []
    assert found["covered"] == []
    # the sample site has room for every pattern's and service's label
    hubs = svg.locator("a.pmkb-node-pattern, a.pmkb-node-service")
    assert svg.locator("a.pmkb-label-pattern, a.pmkb-label-service").count() == hubs.count()
    assert len(boxes) > hubs.count()  # some incidents are labelled too
    tab.assert_clean()


# the labels shown on the drawing as the reader sees them: their boxes (CSS px), the height
# of their font on screen, and the boxes of the nodes' shapes
SHOWN_LABELS = """(svg) => {
    const view = svg.getBoundingClientRect();
    const perUnit = view.width / svg.viewBox.baseVal.width;
    const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const scale = parseFloat(getComputedStyle(svg).getPropertyValue("--pmkb-label-scale") || "1");
    return {
        view: box(svg),
        scale: scale,
        labels: Array.from(svg.querySelectorAll("a.pmkb-label"))
            .filter((a) => getComputedStyle(a).display !== "none")
            .map((a) => ({
                node: a.dataset.label,
                kind: a.classList.contains("pmkb-label-incident") ? "incident" : "hub",
                px: parseFloat(getComputedStyle(a.querySelector("text")).fontSize) * scale * perUnit,
                box: box(a.querySelector("text")),
            })),
        shapes: Array.from(svg.querySelectorAll("a.pmkb-node")).map((a) => ({
            node: a.dataset.node,
            kind: a.classList.contains("pmkb-node-incident") ? "incident" : "hub",
            box: box(a.querySelector("rect, polygon, circle")),
        })),
    };
}"""


def _hits(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_graph_labels_stay_readable_on_a_phone(tab: Tab) -> None:
    """390 px wide, the drawing is a third of its size: its labels are scaled up to stay
    readable (a pattern's 9 px at least), those that would then collide are hidden, none
    covers another label or is cut at the edge, no incident's label covers a shape and no
    label a pattern's or service's shape (a hub's label may cover incidents' dots);
    without the script, incident labels are left out of a narrow page."""
    tab.page.set_viewport_size({"width": 390, "height": 800})
    tab.open("graph/")
    svg = tab.page.locator("article svg.pmkb-graph-svg")
    svg.scroll_into_view_if_needed()
    found = svg.evaluate(SHOWN_LABELS)
    assert found["scale"] > 1.5, found["scale"]
    labels = found["labels"]
    assert sum(label["kind"] == "hub" for label in labels) >= 5
    assert min(label["px"] for label in labels if label["kind"] == "hub") >= 9 - 0.01
    assert min(label["px"] for label in labels) >= 7.5
    left, top, right, bottom = found["view"]
    for i, label in enumerate(labels):
        x1, y1, x2, y2 = label["box"]
        assert left <= x1 and x2 <= right and top <= y1 and y2 <= bottom, label
        assert not any(_hits(label["box"], other["box"]) for other in labels[i + 1 :]), label
        assert not any(
            _hits(label["box"], s["box"])
            for s in found["shapes"]
            if s["node"] != label["node"] and (s["kind"] == "hub" or label["kind"] == "incident")
        ), label
    tab.screenshot("graph-phone")

    # zoomed in, the drawing is large enough again: labels at their own size, all shown
    for _ in range(6):
        tab.page.get_by_role("button", name="Zoom in").click()
    zoomed = svg.evaluate(SHOWN_LABELS)
    assert zoomed["scale"] == 1
    assert len(zoomed["labels"]) == svg.locator("a.pmkb-label").count()

    # without the script (no --pmkb-label-scale), a narrow page shows no incident label
    svg.evaluate(
        """(svg) => {
            svg.closest(".pmkb-graph").classList.remove("pmkb-graph-live");
            svg.style.removeProperty("--pmkb-label-scale");
        }"""
    )
    bare = svg.evaluate(SHOWN_LABELS)
    assert {label["kind"] for label in bare["labels"]} == {"hub"}
    tab.assert_clean()


KEY_FILLS = """(page) => {
    const fill = (el) => el ? getComputedStyle(el).fill : null;
    const shapes = "rect, polygon, circle";
    return Array.from(page.querySelectorAll(".pmkb-graph-legend li")).map((li) => {
        const g = li.querySelector("g.pmkb-node");
        const shape = g && g.querySelector(shapes);
        const cls = g ? Array.from(g.classList).join(".") : null;
        const node = cls ? page.querySelector("svg.pmkb-graph-svg a." + cls + " " + shape.tagName) : null;
        return { text: li.textContent.trim(), key: fill(shape), node: fill(node), stroke: shape ? getComputedStyle(shape).stroke : null };
    });
}"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_graph_key_shows_the_drawings_shapes_and_colours_in_both_palettes(
    tab: Tab, scheme: str
) -> None:
    tab.open("graph/")
    if scheme == "slate":
        tab.page.locator("label[title='Switch to dark mode']").click()
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", scheme)
    legend = tab.page.locator("article ul.pmkb-graph-legend")
    expect(legend).to_be_visible()
    key = tab.page.locator("article").evaluate(KEY_FILLS)
    assert [k["text"] for k in key] == [
        "Pattern",
        "Service",
        "P0 incident",
        "P1 incident",
        "P2 incident",
        "P3 incident",
        "Cites a pattern or affects a service",
        "Names a related incident",
        "Larger square or diamond: more incidents link to it",
    ]
    # each node swatch has the fill of the drawing's nodes of its kind (the sample site has
    # incidents of every severity), and the outline of the page's text colour
    text = tab.page.locator("article p").first.evaluate("(p) => getComputedStyle(p).color")
    for k in key[:6]:
        assert k["key"] == k["node"] and k["key"] is not None, k
        assert k["stroke"] == text, k
    # each edge swatch is drawn as the drawing's edges of its kind: width, opacity, dashes
    strokes = tab.page.locator("article").evaluate(
        """(page) => ["cites", "related"].map((kind) => [
            page.querySelector(".pmkb-graph-legend line.pmkb-edge-" + kind),
            page.querySelector("svg.pmkb-graph-svg line.pmkb-edge-" + kind),
        ].map((line) => {
            const style = getComputedStyle(line);
            return [style.strokeWidth, style.strokeOpacity, style.strokeDasharray];
        }))"""
    )
    assert strokes == [
        [["1px", "0.3", "none"], ["1px", "0.3", "none"]],
        [["1px", "0.6", "4px, 3px"], ["1px", "0.6", "4px, 3px"]],
    ]
    tab.screenshot(f"graph-key-{scheme}")
    tab.assert_clean()
