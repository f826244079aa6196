"""Learning pages without MkDocs: CSV/JSON downloads, home merge, graph caps, neighbourhoods."""

from __future__ import annotations

import csv
import doctest
import io
import json
from datetime import date

import pytest

from postmortem_kb import learning
from postmortem_kb.analytics import action_summary, tracked_actions
from postmortem_kb.learning import HOME_MARKER, actions_csv, actions_json, csv_cell, merge_home
from postmortem_kb.model import ActionItem, ActionStatus, Severity
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


def test_neighbourhood_lists_at_most_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learning, "NEIGHBOURS_SHOWN", 3)
    kb = knowledge_base([incident(f"i{n}", n) for n in range(6)], PATTERNS)
    page = generate(kb)["patterns/dns.md"]
    section = page[page.index("## Neighbourhood") :]
    assert section == (
        "## Neighbourhood\n\n"
        "Incidents: [Incident i5](../incidents/i5.md), [Incident i4](../incidents/i4.md),"
        " [Incident i3](../incidents/i3.md). 6 neighbours in all (6 incidents); 3 of 6 listed;"
        " see the [graph view](../graph.md).\n\n"
    )
    html = generate(kb, link_style="directory")["patterns/dns.md"]
    assert html[html.index("## Neighbourhood") :] == (
        "## Neighbourhood\n\n"
        '<p class="pmkb-neighbours" data-search-exclude>Incidents: <a href="../../incidents/i5/">Incident i5</a>,'
        ' <a href="../../incidents/i4/">Incident i4</a>, <a href="../../incidents/i3/">'
        "Incident i3</a>. 6 neighbours in all (6 incidents); 3 of 6 listed; see the"
        ' <a href="../../graph/">graph view</a>.</p>\n\n'
    )


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
