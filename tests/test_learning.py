"""Learning pages without MkDocs: downloads, dashboard, home merge, graph view, lessons, neighbourhoods."""

from __future__ import annotations

import csv
import doctest
import html
import io
import json
import re
from datetime import date
from typing import Any

import pytest

from postmortem_kb import learning
from postmortem_kb.analytics import action_summary, tracked_actions
from postmortem_kb.charts import text_width
from postmortem_kb.learning import HOME_MARKER, actions_csv, actions_json, csv_cell, merge_home
from postmortem_kb.model import ActionItem, ActionStatus, Pattern, Severity
from postmortem_kb.pages import generate
from test_pages import PATTERNS, incident, knowledge_base


def test_doctests() -> None:
    assert doctest.testmod(learning).failed == 0


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        (17, "17"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def actions_kb():  # type: ignore[no-untyped-def]
    items = [
        ActionItem(30, "A1", '=HYPERLINK("http://x")', "ops team", Severity.P1, date(2025, 3, 1)),
        ActionItem(31, "A2", 'line\nbreak, "quoted"', "", None, None, ActionStatus.DONE),
    ]
    return knowledge_base([incident("a", 0, actions=items)], PATTERNS)


def test_actions_csv_round_trips_through_the_csv_module() -> None:
    kb = actions_kb()
    text = actions_csv(tracked_actions(kb.incidents, kb.today))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(learning.CSV_COLUMNS)
    assert rows[1][5:12] == [
        '\'=HYPERLINK("http://x")',
        "ops team",
        "P1",
        "2025-03-01",
        "open",
        "yes",
        "92",
    ]
    # plain text on one line; commas and quotes quoted
    assert rows[2][5:12] == ['line break, "quoted"', "(none)", "unset", "", "done", "no", ""]
    assert len(rows) == 3


def markdown_actions_kb():  # type: ignore[no-untyped-def]
    link = "[EXP-51](https://tracker.example.com/browse/EXP-51)"
    items = [
        ActionItem(
            30,
            "A1",
            "Answer `503` with `Retry-After` per [RFC 9110](https://x.org)",
            "web team",
            Severity.P1,
            date(2025, 3, 1),
            link=link,
        ),
        ActionItem(31, "A2", "Set `a|b` <b>now</b>", "web team", Severity.P2, None, link="OPS-12"),
        ActionItem(32, "A3", "Plain", "web team", Severity.P2, None, link="javascript:alert(1)"),
    ]
    return knowledge_base([incident("a", 0, actions=items)], PATTERNS)


def test_downloads_carry_plain_text_and_the_links_url_and_label() -> None:
    """CSV and JSON: the action without Markdown, the Link cell as its URL (absolute,
    allowed schemes only) and its text; the JSON keeps the author's Markdown too."""
    kb = markdown_actions_kb()
    actions = tracked_actions(kb.incidents, kb.today)
    rows = list(csv.DictReader(io.StringIO(actions_csv(actions), newline="")))
    assert [(r["action"], r["link"], r["link_label"]) for r in rows] == [
        (
            "Answer 503 with Retry-After per RFC 9110",
            "https://tracker.example.com/browse/EXP-51",
            "EXP-51",
        ),
        ("Set a|b <b>now</b>", "", "OPS-12"),
        ("Plain", "", "javascript:alert(1)"),
    ]
    data = json.loads(actions_json(action_summary(kb.incidents, kb.today), actions))
    assert [
        (i["action"], i["action_markdown"], i["link"], i["link_label"]) for i in data["items"]
    ] == [
        (
            "Answer 503 with Retry-After per RFC 9110",
            "Answer `503` with `Retry-After` per [RFC 9110](https://x.org)",
            "https://tracker.example.com/browse/EXP-51",
            "EXP-51",
        ),
        ("Set a|b <b>now</b>", "Set `a|b` <b>now</b>", None, "OPS-12"),
        ("Plain", "Plain", None, "javascript:alert(1)"),
    ]


def test_action_pages_show_code_spans_as_code_and_nothing_else_unescaped() -> None:
    """The action items page (HTML), the dashboard and the home page (Markdown tables)
    render an action's code spans as code; any other markup is text."""
    pages = generate(markdown_actions_kb(), link_style="directory")
    assert (
        "<td>Answer <code>503</code> with <code>Retry-After</code> per RFC 9110 "
        '<a href="https://tracker.example.com/browse/EXP-51">(link)</a></td>'
    ) in pages["actions.md"]
    assert "<td>Set <code>a|b</code> &lt;b&gt;now&lt;/b&gt;</td>" in pages["actions.md"]
    cell = "A1: Answer <code>503</code> with <code>Retry-After</code> per RFC 9110 |"
    assert cell in pages["dashboard.md"]
    assert cell in pages["index.md"]


def test_links_with_parentheses_or_a_title_keep_their_url_and_text() -> None:
    """A link's URL may hold balanced parentheses and be followed by a title (as
    Python-Markdown reads it): the action text keeps only the link's text and the Link
    cell's URL survives, on the actions page, dashboard, home page and both downloads."""
    retry = "https://en.wikipedia.org/wiki/Retry_(computing)"
    items = [
        ActionItem(
            30,
            "A1",
            f'Retry per [RB]({retry}) and [the doc](https://x.org/d "Doc (v2)").',
            "web team",
            Severity.P1,
            date(2025, 3, 1),
            link=f"[RB]({retry})",
        ),
        ActionItem(
            31, "A2", "Plain", "web team", Severity.P1, date(2025, 3, 1), link='[a](https://x "t")'
        ),
    ]
    kb = knowledge_base([incident("a", 0, actions=items)], PATTERNS)
    actions = tracked_actions(kb.incidents, kb.today)
    rows = list(csv.DictReader(io.StringIO(actions_csv(actions), newline="")))
    assert [(r["action"], r["link"], r["link_label"]) for r in rows] == [
        ("Retry per RB and the doc.", retry, "RB"),
        ("Plain", "https://x", "a"),
    ]
    data = json.loads(actions_json(action_summary(kb.incidents, kb.today), actions))
    assert [(i["action"], i["link"], i["link_label"]) for i in data["items"]] == [
        ("Retry per RB and the doc.", retry, "RB"),
        ("Plain", "https://x", "a"),
    ]
    pages = generate(kb, link_style="directory")
    assert f'<td>Retry per RB and the doc. <a href="{retry}">(link)</a></td>' in pages["actions.md"]
    assert '<td>Plain <a href="https://x">(link)</a></td>' in pages["actions.md"]
    for page in ("dashboard.md", "index.md"):
        assert "| A1: Retry per RB and the doc. |" in pages[page]


def test_actions_json_has_no_nan_and_typed_values() -> None:
    kb = actions_kb()
    summary = action_summary(kb.incidents, kb.today)
    data = json.loads(actions_json(summary, tracked_actions(kb.incidents, kb.today)))
    assert [(i["overdue"], i["days_overdue"], i["due"]) for i in data["items"]] == [
        (True, 92, "2025-03-01"),
        (False, None, None),
    ]
    assert data["owners"][0] == {
        "owner": "ops team",
        "total": 1,
        "open": 1,
        "overdue": 1,
        "urgent_overdue": 1,
        "max_days_overdue": 92,
    }


def test_merge_home_needs_the_marker() -> None:
    generated = f"# Site\n\n{HOME_MARKER}\n## Newest\n"
    assert merge_home("# Mine\n", generated) is None
    assert (
        merge_home(f"# Mine\n{HOME_MARKER}\n## Tail\n", generated)
        == "# Mine\n\n## Newest\n\n## Tail\n"
    )


def test_generation_is_deterministic() -> None:
    kb = actions_kb()
    assert generate(kb) == generate(kb)


def test_graph_view_caps_incidents_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learning, "GRAPH_MAX_INCIDENTS", 2)
    kb = knowledge_base([incident(f"i{n}", n) for n in range(5)], PATTERNS)
    page = generate(kb)["graph.md"]
    assert page.count('data-kind="incident"') == 2
    assert 'href="incidents/i4.md"' in page and 'href="incidents/i3.md"' in page  # the newest
    assert "draws the 2 newest of 5 incidents" in page


def test_a_pattern_pages_neighbourhood_points_to_the_graph_view_and_repeats_nothing() -> None:
    """Its neighbours (incidents, their services, co-occurring patterns) are listed above:
    the section names them, counts nothing again and links the graph view."""
    kb = knowledge_base(
        [
            incident(f"i{n}", n, ["dns", "retry"] if n % 2 else ["dns"], services=("api", "db"))
            for n in range(6)
        ],
        PATTERNS,
    )
    line = (
        "See this pattern's neighbourhood (its incidents, the services they affected and the"
        " patterns they also cite) in the "
    )
    page = generate(kb)["patterns/dns.md"]
    assert page[page.index("## Neighbourhood") :] == (
        f"## Neighbourhood\n\n{line}[graph view](../graph.md).\n\n"
    )
    html = generate(kb, link_style="directory")["patterns/dns.md"]
    assert html[html.index("## Neighbourhood") :] == (
        "## Neighbourhood\n\n"
        f'<p class="pmkb-neighbours" data-search-exclude>{line}'
        '<a href="../../graph/">graph view</a>.</p>\n\n'
    )


def test_a_pattern_neighbourhood_with_one_incident_or_none() -> None:
    """One incident: the same line, no count to get wrong; a pattern no incident cites: no
    neighbourhood at all."""
    patterns = {**PATTERNS, "lonely": Pattern("lonely", "Lonely", path="docs/patterns/lonely.md")}
    pages = generate(knowledge_base([incident("a", 0, ["dns"], services=())], patterns))
    dns = pages["patterns/dns.md"]
    assert dns[dns.index("## Neighbourhood") :] == (
        "## Neighbourhood\n\n"
        "See this pattern's neighbourhood (its incidents, the services they affected and the"
        " patterns they also cite) in the [graph view](../graph.md).\n\n"
    )
    assert "Neighbourhood" not in pages["patterns/lonely.md"]


def _section(page: str, heading: str) -> str:
    """A Markdown page's section from its ``## `` heading to the next."""
    start = page.index(f"## {heading}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end + 1 if end != -1 else len(page)]


def test_dashboard_says_when_it_shows_only_the_top_services_and_patterns() -> None:
    """Twelve services: the table stops at ten and says so, linking to the full index."""
    pms = [
        incident(f"i{n}", n, [f"p{n:02d}"], services=(f"svc{n:02d}",), actions=())
        for n in range(12)
    ]
    page = generate(knowledge_base(pms, PATTERNS))["dashboard.md"]
    services = _section(page, "Services with the most incidents")
    assert services.split("\n")[2] == (
        "The 10 of 12 services with the most incidents; the [services index](services/index.md)"
        " lists them all."
    )
    assert services.count("](services/svc") == 10
    patterns = _section(page, "Recurring patterns")
    assert patterns.split("\n")[2] == (
        "The 10 of 12 patterns with the most incidents; the [patterns index](patterns/index.md)"
        " lists them all."
    )
    few = generate(knowledge_base(pms[:10], PATTERNS))["dashboard.md"]
    assert _section(few, "Services with the most incidents").split("\n")[2].startswith("| Service")
    assert _section(few, "Recurring patterns").split("\n")[2].startswith("| Pattern")


def _priority_rows(dashboard: str) -> list[str]:
    lines = _section(dashboard, "Action items").split("\n")
    start = lines.index("| Priority | To do | All |")
    return lines[start : lines.index("", start)]


def test_dashboard_lists_unset_priority_only_when_an_item_lacks_one() -> None:
    with_priority = [ActionItem(30, "A1", "Do", "ops", Severity.P2, None)]
    page = generate(knowledge_base([incident("a", 0, actions=with_priority)], PATTERNS))
    assert _priority_rows(page["dashboard.md"]) == [
        "| Priority | To do | All |",
        "|:--|--:|--:|",
        "| P0 | 0 | 0 |",
        "| P1 | 0 | 0 |",
        "| P2 | 1 | 1 |",
        "| P3 | 0 | 0 |",
    ]
    page = generate(actions_kb())  # A2 has no priority (and is done)
    assert _priority_rows(page["dashboard.md"]) == [
        "| Priority | To do | All |",
        "|:--|--:|--:|",
        "| P0 | 0 | 0 |",
        "| P1 | 1 | 1 |",
        "| P2 | 0 | 0 |",
        "| P3 | 0 | 0 |",
        "| unset | 0 | 1 |",
    ]


def _drawn(kind: str, x: float, y: float, r: float, label: str) -> dict[str, object]:
    return {"kind": kind, "x": x, "y": y, "r": r, "label": label}


def _label_box(node: dict[str, Any]) -> tuple[float, float, float, float]:
    """The box the placer gives a label (the same estimate of its width and height)."""
    size = 11.0 if node["kind"] == "incident" else 13.0
    width = text_width(node["label"], size)
    left = {
        "middle": node["label_x"] - width / 2,
        "start": node["label_x"],
        "end": node["label_x"] - width,
    }
    x = left[node["anchor"]]
    return (x, node["label_y"] - 0.95 * size, x + width, node["label_y"] + 0.25 * size)


def test_graph_labels_stay_inside_the_drawing_and_clear_of_each_other() -> None:
    """A label at the left edge moves in (centred under its node, it would start at −1.4);
    close nodes take the spots left free (right, below, left); the most important first."""
    nodes = [
        _drawn("service", 40.0, 350.0, 8.0, "api-gateway"),
        _drawn("pattern", 500.0, 300.0, 10.0, "No alert on the symptom…"),
        _drawn("service", 505.0, 330.0, 8.0, "inventory-sync"),
        _drawn("incident", 480.0, 320.0, 5.0, "Checkout down"),
    ]
    learning._place_labels(nodes, [1, 2, 0, 3])
    assert [(n["label_x"], n["label_y"], n["anchor"]) for n in nodes] == [
        (44.9, 373.4, "middle"),
        (513.0, 304.6, "start"),
        (505.0, 353.4, "middle"),
        (472.0, 323.9, "end"),
    ]
    # which side of its node each label is on (a larger label grows away from it there),
    # and the order they were placed in, the most important first
    assert [(n["side"], n["label_rank"]) for n in nodes] == [
        ("below", 2),
        ("level", 0),
        ("below", 1),
        ("level", 3),
    ]
    boxes = [_label_box(n) for n in nodes]
    assert round(boxes[0][0], 1) == 3.5  # inside the drawing by _EDGE and the label's room
    shapes = [(n["x"] - n["r"], n["y"] - n["r"], n["x"] + n["r"], n["y"] + n["r"]) for n in nodes]
    for i, box in enumerate(boxes):
        assert 0 < box[0] < box[2] < 1000 and 0 < box[1] < box[3] < 700
        for other in [*boxes[:i], *boxes[i + 1 :], *shapes]:
            assert learning._overlap(box, other) == 0


def test_a_label_with_no_free_spot_is_left_out_never_drawn_over_anything() -> None:
    """Under a big pattern, an incident and a service have no free spot: no label (the
    title stays in the node's tooltip and accessible name), rather than one drawn over."""
    nodes = [
        _drawn("pattern", 500.0, 350.0, 40.0, "Big"),
        _drawn("incident", 500.0, 350.0, 5.0, "Hidden"),
        _drawn("service", 510.0, 350.0, 5.0, "db"),
    ]
    learning._place_labels(nodes, [0, 1, 2])
    assert [n["label"] for n in nodes] == ["Big", "", ""]
    assert "label_x" not in nodes[1] and "label_x" not in nodes[2]


def test_a_hub_ringed_by_incidents_is_labelled_over_their_dots() -> None:
    """A service in a ring of incident dots (every spot around it covers one): its label
    goes to its first spot, below, over the dots (drawn last, with its halo); an incident
    in the same ring gets none. No label covers a hub's shape or another label."""
    ring = [
        (500.0, 370.0), (540.0, 350.0), (460.0, 350.0), (500.0, 330.0),
        (535.0, 370.0), (465.0, 370.0), (535.0, 330.0), (465.0, 330.0),
    ]  # fmt: skip
    dots = [_drawn("incident", x, y, 5.0, "") for x, y in ring]
    hub = _drawn("service", 500.0, 350.0, 8.0, "checkout")
    learning._place_labels([hub, *dots], [0])
    assert (hub["label"], hub["label_x"], hub["label_y"], hub["anchor"], hub["side"]) == (
        "checkout",
        500.0,
        373.4,
        "middle",
        "below",
    )
    lone = _drawn("incident", 500.0, 350.0, 8.0, "Checkout down")
    learning._place_labels([lone, *dots], [0])
    assert lone["label"] == "" and "label_x" not in lone
    # a pattern's shape below it is never covered: the label goes to the next spot, to
    # the right, over the dot there
    wall = _drawn("pattern", 500.0, 372.0, 8.0, "")
    hub = _drawn("service", 500.0, 350.0, 8.0, "checkout")
    learning._place_labels([hub, wall, *dots], [0])
    assert (hub["label_x"], hub["label_y"], hub["anchor"], hub["side"]) == (
        511.0,
        354.6,
        "start",
        "level",
    )
    assert learning._overlap(_label_box(hub), (492.0, 364.0, 508.0, 380.0)) == 0
    assert learning._overlap(_label_box(hub), (535.0, 345.0, 545.0, 355.0)) > 0


def test_a_hub_label_with_no_free_spot_is_cut_shorter_first() -> None:
    """A service hemmed in by shapes on every side: its 28-character label fits nowhere,
    cut at a word to 14 characters it fits below; an incident's is never cut."""
    title = "inventory synchronisation service"
    hub = {**_drawn("service", 500.0, 350.0, 5.0, learning._short(title)), "title": title}
    walls = [(440.0, 372.0), (560.0, 372.0), (560.0, 350.0), (440.0, 350.0), (500.0, 320.0)]
    nodes = [hub, *(_drawn("pattern", x, y, 8.0, "") for x, y in walls)]
    learning._place_labels(nodes, [0])
    assert (hub["label"], hub["label_x"], hub["label_y"], hub["anchor"]) == (
        "inventory…",
        500.0,
        370.4,
        "middle",
    )
    lone = {**_drawn("incident", 500.0, 350.0, 5.0, "synchronisation failed"), "title": title}
    nodes = [lone, *(_drawn("pattern", x, y, 8.0, "") for x, y in walls)]
    learning._place_labels(nodes, [0])
    assert lone["label"] == ""


def test_graph_view_has_a_key_to_its_shapes_colours_and_lines() -> None:
    """As HTML before the drawing (read without it), each swatch drawn with the classes the
    graph's own shapes have, so that it takes their colours in either palette."""
    page = generate(knowledge_base([incident("a", 0)], PATTERNS), link_style="directory")
    graph = page["graph.md"]
    key = graph[graph.index('<ul class="pmkb-graph-legend"') : graph.index("</ul>")]
    assert key.split("\n")[0] == (
        '<ul class="pmkb-graph-legend" aria-label="Key to the graph" data-search-exclude>'
    )
    swatch = re.compile(
        r'<li><svg class="pmkb-swatch" [^>]*aria-hidden="true"[^>]*>(.*)</svg> (.*)</li>'
    )
    items = [swatch.fullmatch(line) for line in key.split("\n")[1:-1]]
    assert [(m[2], re.sub(r' [a-z0-9]+="[-0-9., ]+"', "", m[1])) for m in items if m] == [
        ("Pattern", '<g class="pmkb-node pmkb-node-pattern"><rect/></g>'),
        ("Service", '<g class="pmkb-node pmkb-node-service"><polygon/></g>'),
        ("P0 incident", '<g class="pmkb-node pmkb-node-incident pmkb-node-p0"><circle/></g>'),
        ("P1 incident", '<g class="pmkb-node pmkb-node-incident pmkb-node-p1"><circle/></g>'),
        ("P2 incident", '<g class="pmkb-node pmkb-node-incident pmkb-node-p2"><circle/></g>'),
        ("P3 incident", '<g class="pmkb-node pmkb-node-incident pmkb-node-p3"><circle/></g>'),
        ("Cites a pattern or affects a service", '<line class="pmkb-edge pmkb-edge-cites"/>'),
        ("Names a related incident", '<line class="pmkb-edge pmkb-edge-related"/>'),
        (
            "Larger square or diamond: more incidents link to it",
            '<g class="pmkb-node pmkb-node-pattern"><rect/><rect/></g>',
        ),
    ]
    assert graph.index("</ul>") < graph.index('<div class="pmkb-graph"')
    # the drawing's incident is the one P1 dot, labelled with its title
    assert (
        '<a class="pmkb-node pmkb-node-incident pmkb-node-p1" href="../incidents/a/"' in graph
        and ">Incident a</text></a>" in graph
    )
    # labels in a layer of their own after every shape and edge, so nothing covers them
    assert re.findall(r'<a class="pmkb-label pmkb-label-incident .*</a>', graph) == [
        '<a class="pmkb-label pmkb-label-incident pmkb-at-middle pmkb-at-below"'
        ' href="../incidents/a/" data-label="n0" tabindex="-1" aria-hidden="true">'
        '<text x="61.1" y="366.4" text-anchor="middle">Incident a</text></a>'
    ]
    assert graph.index('<g class="pmkb-edges">') < graph.index('<g class="pmkb-nodes">')
    assert graph.index('<g class="pmkb-nodes">') < graph.index('<g class="pmkb-labels">')
    assert "<text" not in graph[: graph.index('<g class="pmkb-labels">')]


def test_lessons_are_grouped_by_pattern_title_and_service_name_as_readers_see_them() -> None:
    """Not by pattern id ("alpha" is titled "Zebra crossing"), case aside; the intro says
    where the rest of the lessons are, and it is so."""
    patterns = {
        **PATTERNS,
        "alpha": Pattern("alpha", "Zebra crossing", path="docs/patterns/alpha.md"),
        "zulu": Pattern("zulu", "apple harvest", path="docs/patterns/zulu.md"),
    }
    kb = knowledge_base(
        [
            incident("a", 0, ["alpha", "dns"], services=("cache", "Billing"), lessons="One.\n"),
            incident("b", 1, ["zulu", "retry"], services=("api",), lessons="Two.\n"),
        ],
        patterns,
    )
    page = generate(kb)["lessons.md"]
    assert re.findall(r"^### \[([^\]]+)\]", page, flags=re.MULTILINE) == [
        "apple harvest",
        "DNS misconfiguration",
        "Retry",
        "Zebra crossing",
        "api",
        "Billing",
        "cache",
    ]
    assert (
        "Each group shows its 20 newest\nlessons: a pattern's page has all of them; a service's"
        " page lists its incidents, and each\nincident's page has its own lessons.\n"
    ) in page


def test_a_long_action_id_carries_its_full_text_in_a_title() -> None:
    """The actions page cuts an ID longer than its column with an ellipsis: one of more than
    16 characters has its full text in the cell's title; a short one has none."""
    long_id = "OPS-" + "9" * 30
    items = [
        ActionItem(30, long_id, "Do it", "web team", Severity.P2, None),
        ActionItem(31, "A2", "Do that", "web team", Severity.P2, None),
    ]
    pages = generate(knowledge_base([incident("a", 0, actions=items)], PATTERNS))
    assert f'<td title="{long_id}">{long_id}</td><td>Do it</td>' in pages["actions.md"]
    assert "<td>A2</td><td>Do that</td>" in pages["actions.md"]


def test_the_status_filter_offers_still_to_do() -> None:
    """Open and in-progress items carry the status filter value "to-do" besides their own;
    the filter shows it first as "still to do", as the page and the cards count them."""
    items = [
        ActionItem(30, "A1", "One", "web team", Severity.P2, None, status=ActionStatus.OPEN),
        ActionItem(31, "A2", "Two", "web team", Severity.P2, None, ActionStatus.IN_PROGRESS),
        ActionItem(32, "A3", "Three", "web team", Severity.P2, None, status=ActionStatus.DONE),
    ]
    page = generate(knowledge_base([incident("a", 0, actions=items)], PATTERNS))["actions.md"]
    assert re.findall(r'data-status="([^"]*)"', page) == ["open to-do", "in-progress to-do", "done"]
    labels = json.loads(html.unescape(re.search(r'data-pmkb-labels="([^"]*)"', page)[1]))
    assert labels["status"] == [
        ["to-do", "still to do"],
        ["open", "open"],
        ["in-progress", "in-progress"],
        ["done", "done"],
        ["verified", "verified"],
        ["wont-do", "wont-do"],
    ]
