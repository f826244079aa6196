"""Real MkDocs build of a small corpus: the learning pages show the right figures, the
downloads and feeds are valid, and nothing in the site needs the network."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from pathlib import Path

import feedparser
import numpy
import pytest

from site_helpers import (
    HOSTILE_TITLE,
    MKDOCS_YML,
    Node,
    build_site,
    parse_html,
    pattern,
    postmortem,
    write_project,
)

OLD_ACTIONS = (
    "| A2 | Review cache jobs with their consumers | platform-team | P3 | 2030-01-31 | open |"
)


def incident(
    day: str,
    *,
    detected: str,
    severity: str = "P2",
    status: str = "final",
    detection: str = "monitoring",
    actions: str = "",
    **kwargs: object,
) -> str:
    """A valid post-mortem started at 09:00 on ``day``, detected at ``detected`` (HH:MM)."""
    text = postmortem(date=day, severity=severity, status=status, **kwargs)  # type: ignore[arg-type]
    text = text.replace(f"detected: {day}T09:03Z", f"detected: {day}T{detected}Z")
    text = text.replace("detection: monitoring", f"detection: {detection}")
    return text.replace(OLD_ACTIONS, actions or OLD_ACTIONS)


# today is 2025-06-01 (see CONFIG). Time to detect in minutes per incident:
# 2025-Q1: 1, 4, 5 (and a draft, never published); 2025-Q2: 2; 2024-Q2: 3.
FILES = {
    "postmortems/2025-01-10-a.md": incident(
        "2025-01-10",
        detected="09:01",
        severity="P1",
        title="Checkout cache emptied",
        actions=(
            "| A2 | Page the owner on stale caches | sre team | P1 | 2025-02-01 | open |\n"
            '| A3 | =HYPERLINK("x") | sre team | P2 | 2025-03-01 | in-progress |'
        ),
    ),
    "postmortems/2025-02-20-b.md": incident(
        "2025-02-20",
        detected="09:04",
        detection="user-report",
        title=HOSTILE_TITLE,
        actions="| A2 | Alert on checkout latency | platform-team | P1 | 2025-05-01 | open |",
    ),
    "postmortems/2025-03-05-c.md": incident("2025-03-05", detected="09:05", title="Third"),
    "postmortems/2025-03-06-draft.md": incident(
        "2025-03-06", detected="09:00", status="draft", title="Draft one"
    ),
    "postmortems/2025-04-15-d.md": incident(
        "2025-04-15",
        detected="09:02",
        severity="P1",
        services=["search"],
        root_causes=["retry-storm"],
        title="Search retried forever",
        lesson="Budget every retry loop.",
    ),
    "postmortems/2024-06-02-e.md": incident(
        "2024-06-02", detected="09:03", severity="P3", status="in-review", title="Year-old"
    ),
    "docs/patterns/cache-stampede.md": pattern("Cache stampede", "Many misses at once."),
    "docs/patterns/retry-storm.md": pattern("Retry storm", "Retries amplify an outage."),
    "docs/index.md": "# Our incidents\n\nWelcome.\n\n<!-- postmortems: home -->\n\n## Written by us\n",
}
TTD = {"2025-Q1": [1.0, 4.0, 5.0], "2025-Q2": [2.0], "2024-Q2": [3.0]}

CONFIG = {
    **MKDOCS_YML,
    "plugins": ["search", "tags", {"postmortems": {"today": "2025-06-01", "overdue": "off"}}],
    "nav": [
        {"Home": "index.md"},
        {"Dashboard": "dashboard.md"},
        {"Action items": "actions.md"},
        {"Lessons learned": "lessons.md"},
        {"Graph": "graph.md"},
        {"Incidents": "incidents/index.md"},
        {"Patterns": "patterns/index.md"},
        {"Services": "services/index.md"},
    ],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One strict build of the corpus above."""
    root = tmp_path_factory.mktemp("learning")
    config = write_project(root, FILES, CONFIG)
    build_site(config, root / "site")
    return root / "site"


def page(site: Path, path: str) -> Node:
    return parse_html((site / path).read_text(encoding="utf-8"))


def table_after(doc: Node, summary_or_heading: str) -> list[list[str]]:
    """Rows (cell texts) of the first table after the element whose text starts as given."""
    found = False
    for node in doc.iter():
        if not found and node.tag in ("summary", "h2", "h3", "h4"):
            found = node.text().strip().startswith(summary_or_heading)
        elif found and node.tag == "table":
            return [
                [cell.text().strip() for cell in row.iter() if cell.tag in ("td", "th")]
                for row in node.iter("tr")
            ]
    raise AssertionError(f"no table after {summary_or_heading!r}")


def test_dashboard_median_and_p90_time_to_detect_per_quarter(site: Path) -> None:
    """The per-quarter table matches statistics.median and numpy's 90th percentile, shown
    as incident cards show durations (to the nearest minute: 4.8 min is 5 min)."""
    rows = table_after(page(site, "dashboard/index.html"), "Data table: Time to detect per quarter")
    by_quarter = {row[0]: row for row in rows[1:]}
    q1 = TTD["2025-Q1"]
    assert (statistics.median(q1), round(float(numpy.percentile(q1, 90)), 1)) == (4.0, 4.8)
    assert by_quarter["2025-Q1"][1:4] == [str(len(q1)), "4 min", "5 min"]
    assert by_quarter["2024-Q3"][1:4] == ["0", "–", "–"]  # empty quarters are listed, undefined
    assert rows[0] == ["Quarter", "Incidents", "Median", "p90", "Min", "Max"]


def test_dashboard_shows_charts_counts_and_never_a_mean(site: Path) -> None:
    html = (site / "dashboard/index.html").read_text(encoding="utf-8")
    doc = parse_html(html)
    charts = [n for n in doc.iter("svg") if "pmkb-chart" in n.attrs.get("class", "")]
    assert len(charts) == 8  # per quarter, 3 metrics × 2 groupings, detection share
    assert all(c.attrs.get("role") == "img" for c in charts)
    rows = table_after(doc, "Data table: Incidents per quarter by severity")
    assert ["2025-Q1", "1", "1", "2", "0", "4"] not in rows  # the draft is not counted
    assert ["2025-Q1", "0", "1", "2", "0", "3"] in rows
    headers = {th.text().strip().lower() for th in doc.iter("th")}
    assert {"median", "p90"} <= headers and not headers & {"mean", "average", "avg"}
    text = " ".join(doc.text().split())
    assert "Monitoring detected 80% of all incidents, users reported 20%." in text
    assert "Median 3 min, 90th percentile 5 min over 5 incidents." in text
    assert "Data table: Time to detect per quarter" in text and "in minutes" not in text


def test_follow_through_counts_overdue_per_owner(site: Path) -> None:
    """sre team: two items past due on 2025-06-01, one of them P1; the oldest 120 days late."""
    doc = page(site, "actions/index.html")
    rows = {row[0]: row for row in table_after(doc, "Follow-through by owner")[1:]}
    due = {"A2": "2025-02-01", "A3": "2025-03-01"}
    overdue = sorted(
        (numpy.datetime64("2025-06-01") - numpy.datetime64(d)).astype(int) for d in due.values()
    )
    assert rows["sre team"] == ["sre team", "2", "2", str(len(due)), "1", str(overdue[-1])]
    assert rows["platform-team"][1:5] == ["9", "4", "1", "1"]


def test_action_table_rows_are_filterable_and_overdue_marked(site: Path) -> None:
    doc = page(site, "actions/index.html")
    table = next(t for t in doc.iter("table") if "pmkb-actions" in t.attrs.get("class", ""))
    assert table.attrs["data-pmkb-filters"] == "status owner priority overdue pattern incident"
    rows = _item_rows(table)
    assert len(rows) == 11  # two per incident from the helper, minus replaced, plus ours
    # each row can be filtered by its incident's patterns (a pattern page links here so)
    patterns = {r.attrs["data-incident"]: r.attrs["data-pattern"] for r in rows}
    assert patterns == {
        "2025-01-10-a": "cache-stampede",
        "2025-02-20-b": "cache-stampede",
        "2025-03-05-c": "cache-stampede",
        "2025-04-15-d": "retry-storm",
        "2024-06-02-e": "cache-stampede",
    }
    overdue = [r for r in rows if r.attrs.get("class") == "pmkb-overdue"]
    assert [r.attrs["data-owner"] for r in overdue] == [
        "platform-team",
        "sre\u00a0team",
        "sre\u00a0team",
    ]
    assert all(r.attrs["data-overdue"] == "yes" and "overdue" in r.text() for r in overdue)
    # a group of rows per incident, newest first, under a heading row that links the
    # incident once (with its date and severity); its rows' incident filter value is its id
    groups = list(table.iter("tbody"))
    heads = [body.iter("tr")[0] for body in groups]
    assert all(h.attrs["class"] == "pmkb-group" for h in heads)
    assert [(h.iter("th")[0].attrs["colspan"], h.iter("th")[0].attrs["scope"]) for h in heads] == [
        ("6", "rowgroup")
    ] * 5
    linked = [h.iter("a")[0].attrs["href"].split("/")[-2] for h in heads]
    assert linked == [
        "2025-04-15-d",
        "2025-03-05-c",
        "2025-02-20-b",
        "2025-01-10-a",
        "2024-06-02-e",
    ]
    assert " ".join(heads[0].text().split()) == "Search retried forever 2025-04-15 · P1"
    for incident, body in zip(linked, groups, strict=True):
        assert {r.attrs["data-incident"] for r in body.iter("tr")[1:]} == {incident}
    assert [th.text() for th in table.iter("thead")[0].iter("th")] == [
        "ID",
        "Action",
        "Owner",
        "Priority",
        "Due",
        "Status",
    ]


def _item_rows(table: Node) -> list[Node]:
    """The action items' rows of the action items table (not its header or group headings)."""
    return [r for r in table.iter("tr")[1:] if r.attrs.get("class") != "pmkb-group"]


def _scroll_box(doc: Node, table_class: str) -> list[str]:
    """The classes of a table's two parents, outermost first."""
    found: list[str] = []

    def walk(node: Node, parents: list[Node]) -> None:
        for child in node.children:
            if isinstance(child, Node):
                if child.tag == "table" and table_class in child.attrs.get("class", "").split():
                    found.extend(p.attrs.get("class", "") for p in parents[-2:])
                walk(child, [*parents, child])

    walk(doc, [])
    return found


def test_filterable_tables_sit_in_materials_scrolling_box(site: Path) -> None:
    """Material wraps a table without a class in a scrolling box when the page loads; the
    filterable tables (which have a class) come in the same box, so that they scroll inside
    it rather than widen the page."""
    box = ["md-typeset__scrollwrap", "md-typeset__table"]
    assert _scroll_box(page(site, "actions/index.html"), "pmkb-actions") == box
    assert _scroll_box(page(site, "incidents/index.html"), "pmkb-filterable") == box
    assert _scroll_box(page(site, "services/checkout/index.html"), "pmkb-filterable") == box


def test_the_wide_tables_pages_give_the_table_of_contents_width_to_the_table(
    site: Path,
) -> None:
    """The action items page and the incidents index hide Material's contents sidebar (one
    entry, or none): the seven-column tables get its width. Other pages keep theirs."""
    toc = '<div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" data-md-type="toc" '
    for path in ("actions/index.html", "incidents/index.html"):
        assert toc + "hidden>" in (site / path).read_text(encoding="utf-8"), path
    for path in ("dashboard/index.html", "services/checkout/index.html"):
        assert toc + ">" in (site / path).read_text(encoding="utf-8"), path


def test_filters_and_cells_show_pattern_titles_not_ids(site: Path) -> None:
    """Rows filter by ids; the Patterns cells and the filters' options show titles."""
    doc = page(site, "incidents/index.html")
    table = next(t for t in doc.iter("table") if "pmkb-filterable" in t.attrs.get("class", ""))
    assert json.loads(table.attrs["data-pmkb-labels"]) == {
        "pattern": {"cache-stampede": "Cache stampede", "retry-storm": "Retry storm"}
    }
    assert table.iter("th")[5].text() == "Patterns"
    cells = {r.attrs["data-pattern"]: r.iter("td")[5].text() for r in table.iter("tr")[1:]}
    assert cells == {"cache-stampede": "Cache stampede", "retry-storm": "Retry storm"}
    actions = page(site, "actions/index.html")
    table = next(t for t in actions.iter("table") if "pmkb-actions" in t.attrs.get("class", ""))
    labels = json.loads(table.attrs["data-pmkb-labels"])
    assert labels["pattern"] == {"cache-stampede": "Cache stampede", "retry-storm": "Retry storm"}
    # the incident filter's options are read from the groups' headings by the page's
    # script (date and title, newest first, in the table's order): not repeated here
    assert "incident" not in labels and table.attrs["data-pmkb-group"] == "incident"
    shown = []
    for body in table.iter("tbody"):
        head = body.iter("tr")[0]
        date = next(n for n in head.iter("span") if "data-pmkb-date" in n.attrs)
        shown.append(
            (
                body.iter("tr")[1].attrs["data-incident"],
                date.attrs["data-pmkb-date"],
                head.iter("a")[0].text(),
            )
        )
    assert [value for value, _, _ in shown] == sorted(
        {r.attrs["data-incident"] for r in _item_rows(table)}, reverse=True
    )
    by_id = {value: (date, title) for value, date, title in shown}
    assert by_id["2025-04-15-d"] == ("2025-04-15", "Search retried forever")
    assert by_id["2025-02-20-b"] == ("2025-02-20", HOSTILE_TITLE)


def test_action_counts_say_still_to_do_where_the_status_filter_says_open(site: Path) -> None:
    """The status filter's "open" is one status; items still owing work (open or in
    progress) are "still to do" on the action items page and the dashboard, split by status."""
    text = " ".join(page(site, "actions/index.html").text().split())
    assert (
        "6 of 11 are still to do (5 open, 1 in progress) and 3 are overdue on 2025-06-01 "
        "(still to do, with a due date before that day)."
    ) in text
    assert "P0/P1 items still to do past their due date are the follow-through signal" in text
    owners = table_after(page(site, "actions/index.html"), "Follow-through by owner")
    assert owners[0] == [
        "Owner",
        "Items",
        "To do",
        "Overdue",
        "P0/P1 to do, past due",
        "Most days overdue",
    ]
    dashboard = page(site, "dashboard/index.html")
    text = " ".join(dashboard.text().split())
    assert (
        "6 of 11 action items are still to do (5 open, 1 in progress); 3 are overdue on 2025-06-01."
    ) in text
    assert table_after(dashboard, "Action items")[0] == ["Priority", "To do", "All"]


def test_actions_csv_round_trips_and_defuses_formulas(site: Path) -> None:
    text = (site / "actions.csv").read_bytes().decode("utf-8")  # keep the CRLF row ends
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 11
    a3 = next(r for r in rows if r["action_id"] == "A3")
    assert a3["action"] == '\'=HYPERLINK("x")'
    assert (a3["owner"], a3["priority"], a3["overdue"], a3["days_overdue"]) == (
        "sre team",
        "P2",
        "yes",
        "92",
    )
    hostile = next(r for r in rows if r["incident_id"] == "2025-02-20-b")
    assert hostile["incident_title"] == HOSTILE_TITLE
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    assert out.getvalue() == text  # the same bytes after a csv round trip


def test_actions_json_is_valid_without_nan(site: Path) -> None:
    def refuse(value: str) -> float:
        raise AssertionError(f"non-standard JSON constant {value}")

    data = json.loads((site / "actions.json").read_text(encoding="utf-8"), parse_constant=refuse)
    assert (data["today"], data["total"], data["open"], data["overdue"]) == ("2025-06-01", 11, 6, 3)
    owners = {o["owner"]: o for o in data["owners"]}
    assert owners["sre team"]["overdue"] == 2
    assert owners["sre team"]["urgent_overdue"] == 1
    assert {i["days_overdue"] for i in data["items"] if not i["overdue"]} == {None}


def test_feeds_parse_and_list_final_postmortems_newest_first(site: Path) -> None:
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.version == "atom10"
    titles = [e.title for e in atom.entries]
    # final only: no draft, no in-review; newest first
    assert titles == ["Search retried forever", "Third", HOSTILE_TITLE, "Checkout cache emptied"]
    assert atom.feed.updated == "2025-04-15T09:15:00Z"  # the newest entry's resolution
    assert atom.entries[0].link == "incidents/2025-04-15-d/"
    # feedparser 6.0 reads no JSON Feed: check the 1.1 spec's required members instead
    jf = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert jf["version"] == "https://jsonfeed.org/version/1.1"
    assert jf["title"] == "Test knowledge base"
    assert [i["title"] for i in jf["items"]] == titles
    assert all(isinstance(i["id"], str) and i["content_text"] for i in jf["items"])
    assert jf["items"][0]["date_modified"] == "2025-04-15T09:15:00Z"


def test_home_indexes_and_learning_pages_announce_the_feeds(site: Path) -> None:
    """Not each incident, pattern or service page: a thousand of them would repeat the links."""

    def feeds(path: str) -> list[tuple[str, str]]:
        return [
            (n.attrs["type"], n.attrs["href"])
            for n in page(site, path).iter("link")
            if n.attrs.get("rel") == "alternate"
        ]

    for path, prefix in (
        ("index.html", ""),
        ("incidents/index.html", "../"),
        ("dashboard/index.html", "../"),
    ):
        assert feeds(path) == [
            ("application/atom+xml", prefix + "feed.xml"),
            ("application/feed+json", prefix + "feed.json"),
        ], path
    for path in (
        "incidents/2025-03-05-c/index.html",
        "patterns/retry-storm/index.html",
        "services/search/index.html",
    ):
        assert feeds(path) == [], path


def test_home_keeps_the_authors_page_and_adds_the_sections_at_the_marker(site: Path) -> None:
    doc = page(site, "index.html")
    headings = [h.text().strip().rstrip("¶") for h in doc.iter() if h.tag in ("h1", "h2")]
    assert headings[headings.index("Our incidents") :] == [
        "Our incidents",
        "Newest post-mortems",
        "Overdue P0/P1 action items",
        "Top patterns",
        "On this day",
        "Learn from the whole record",
        "Written by us",
    ]
    text = " ".join(doc.text().split())
    assert "Year-old: 1 year ago, on 2024-06-02 (P3)" in text
    urgent = table_after(doc, "Overdue P0/P1 action items")
    assert [row[0] for row in urgent[1:]] == ["Checkout cache emptied", HOSTILE_TITLE]
    assert [row[-1] for row in urgent[1:]] == ["120", "31"]
    assert any(n.attrs.get("for") == "__search" for n in doc.iter("label"))


def test_counts_agree_with_their_nouns(site: Path) -> None:
    """One incident, two incidents: no "(s)" anywhere in the generated text."""
    home = " ".join(page(site, "index.html").text().split())
    assert "2 urgent action items are past their due date on 2025-06-01:" in home
    assert "Cache stampede: 4 incidents, last on 2025-03-05" in home
    assert "Retry storm: 1 incident, last on 2025-04-15" in home
    assert "1 year ago" in home
    service = " ".join(page(site, "services/search/index.html").text().split())
    assert "1 incident affected this service." in service
    checkout = " ".join(page(site, "services/checkout/index.html").text().split())
    assert "4 incidents affected this service." in checkout
    dashboard = " ".join(page(site, "dashboard/index.html").text().split())
    assert "5 published post-mortems from 2024-Q2 to 2025-Q2" in dashboard
    for path in ("index.html", "services/search/index.html", "dashboard/index.html"):
        assert "(s)" not in (site / path).read_text(encoding="utf-8"), path


def test_lessons_grouped_by_pattern_and_service_link_back(site: Path) -> None:
    doc = page(site, "lessons/index.html")
    text = " ".join(doc.text().split())
    assert "Budget every retry loop." in text
    links = {a.text().strip(): a.attrs["href"] for a in doc.iter("a")}
    assert links["Search retried forever"] == "../incidents/2025-04-15-d/"
    assert links["Retry storm"] == "../patterns/retry-storm/"
    assert links["search"] == "../services/search/"
    assert HOSTILE_TITLE in text and not doc.iter("img")


def test_graph_page_is_a_static_svg_whose_nodes_are_links(site: Path) -> None:
    doc = page(site, "graph/index.html")
    svg = next(n for n in doc.iter("svg") if "pmkb-graph-svg" in n.attrs.get("class", ""))
    links = svg.iter("a")
    nodes = {a.attrs["aria-label"]: a.attrs["href"] for a in links if "aria-label" in a.attrs}
    assert nodes["Pattern: Retry storm"] == "../patterns/retry-storm/"
    assert nodes["Service: checkout"] == "../services/checkout/"
    assert nodes[f"Incident: {HOSTILE_TITLE}"] == "../incidents/2025-02-20-b/"
    assert len(nodes) == 5 + 2 + 2  # published incidents, patterns, services
    assert len(svg.iter("line")) == 5 + 5  # each incident cites one pattern, affects one service
    # every node labelled, in a layer of its own after every shape: a second link to its page,
    # out of the tab order and the accessibility tree
    labels = [a for a in links if "pmkb-label" in a.attrs.get("class", "")]
    assert sorted(a.attrs["href"] for a in labels) == sorted(nodes.values())
    assert {(a.attrs["tabindex"], a.attrs["aria-hidden"]) for a in labels} == {("-1", "true")}
    assert len(labels) + len(nodes) == len(links)


def test_incident_page_shows_its_neighbourhood(site: Path) -> None:
    """The card links its patterns, services and action items; below the related incidents,
    the counts and graph view."""
    doc = page(site, "incidents/2025-04-15-d/index.html")
    line = next(n for n in doc.iter("p") if n.attrs.get("class") == "pmkb-neighbours")
    assert " ".join(line.text().split()) == (
        "Neighbourhood: 2 neighbours in all (1 pattern, 1 service); see the graph view."
    )
    assert [a.attrs["href"] for a in line.iter("a")] == ["../../graph/"]
    card = next(n for n in doc.iter("ul") if n.attrs.get("class") == "pmkb-facts")
    links = [a.attrs["href"] for a in card.iter("a")]
    assert links == [
        "../../services/search/",
        "../../patterns/retry-storm/",
        "../../actions/?incident=2025-04-15-d",
    ]


def test_pattern_page_neighbourhood_points_to_the_graph_view(site: Path) -> None:
    """Its incidents are in its Incidents table: the neighbourhood does not list them again."""
    doc = page(site, "patterns/cache-stampede/index.html")
    line = next(n for n in doc.iter("p") if n.attrs.get("class") == "pmkb-neighbours")
    assert " ".join(line.text().split()) == (
        "See this pattern's neighbourhood (its incidents, the services they affected and the"
        " patterns they also cite) in the graph view."
    )
    assert [a.attrs["href"] for a in line.iter("a")] == ["../../graph/"]


# attributes and CSS/JS constructs that make a browser fetch something
RESOURCE = re.compile(
    r"""(?:\b(?:src|srcset|poster|data|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?|\bimport\(\s*["']|fetch\(\s*["'])"""
    r"""(?:https?:)?//""",
    re.IGNORECASE,
)
EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def test_nothing_in_the_built_site_needs_the_network(site: Path) -> None:
    """No page, stylesheet or script loads anything from another host (Material's two inert
    fallbacks in its own bundle aside: see test_plugin), and no <link> points off-site."""
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.startswith("assets/javascripts/"):
            text = re.sub(r"https://unpkg\.com[^\"')]*", "", text)
        assert not RESOURCE.findall(text), rel
        if path.suffix == ".html":
            hrefs = [n.attrs.get("href", "") for n in parse_html(text).iter("link")]
            assert not [h for h in hrefs if EXTERNAL.match(h)], rel


def test_learning_pages_and_assets_name_no_external_url(site: Path) -> None:
    """Our pages' content and our own assets carry no external URL at all."""
    for rel in ("dashboard/index.html", "actions/index.html", "graph/index.html"):
        doc = page(site, rel)
        article = next(n for n in doc.iter("article"))
        urls = [a.attrs.get("href", "") for a in article.iter()] + [
            a.attrs.get("src", "") for a in article.iter()
        ]
        assert not [u for u in urls if EXTERNAL.match(u)], rel
        svg_text = "".join(str(c) for c in article.iter("svg"))
        assert "http" not in svg_text.replace("http://www.w3.org", ""), rel
    for asset in (site / "assets/postmortem_kb").iterdir():
        text = asset.read_text(encoding="utf-8")
        assert not EXTERNAL.findall(text), asset.name
