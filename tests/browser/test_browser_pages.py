"""Pattern and incident pages in the browser: what they list agrees with the export, and the links open."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, expect

from browser.browser_kit import REPO, Tab, subprocess_env

pytestmark = pytest.mark.browser

# the card of a resolved incident, with an escalation: its duration is its time to resolve
# (start → resolved)
CARD_LABELS = [
    "Severity",
    "Status",
    "Date",
    "Duration",
    "Time to detect",
    "Time to respond",
    "Time to escalate",
    "Time to mitigate",
    "Detection",
    "Services",
    "Authors",
    "Root causes",
]


def minutes(shown: str) -> float:
    """Minutes of a duration as the card shows it ("1 d 2 h 05 min", "1 h 34 min", "49 min"),
    before the span it measures ("(start → resolved)")."""
    match = re.fullmatch(r"(?:(\d+) d )?(?:(\d+) h )?(\d+) min(?: \([^()]*\))?", shown)
    assert match is not None, shown
    days, hours, mins = (int(g or 0) for g in match.groups())
    return float(days * 1440 + hours * 60 + mins)


def incidents_table(tab: Tab) -> Locator:
    """The table after the "Incidents" heading (Material wraps tables in scrolling boxes)."""
    return tab.page.locator("article h2#incidents").locator("xpath=following::table[1]")


def card(tab: Tab) -> dict[str, str]:
    """The incident header card as shown: label -> value."""
    box = tab.page.locator("article .pmkb-card")
    expect(box).to_be_visible()
    shown: dict[str, str] = {}
    for item in box.locator("li").all():
        label, _, value = item.inner_text().partition(":")
        shown[label.strip()] = value.strip()
    return shown


def assert_links_open(tab: Tab, links: list[Locator]) -> None:
    """Each link resolves, against the page's URL, to a page the server returns (one is clicked too)."""
    for link in links:
        target: str = link.evaluate("(a) => a.href")
        assert target.startswith(tab.origin), target
        assert tab.page.request.get(target).status == 200, target


def busiest_pattern(export: dict[str, Any]) -> dict[str, Any]:
    """The defined pattern with the most incidents (root cause or contributing), first by id on a tie."""
    defined = [p for p in export["patterns"] if p["defined"]]
    return min(defined, key=lambda p: (-len(p["incidents"]) - len(p["contributing_to"]), p["id"]))


def test_pattern_page_lists_its_incidents_and_the_links_open_them(
    tab: Tab, export: dict[str, Any]
) -> None:
    pattern = busiest_pattern(export)
    incidents = {i["id"]: i for i in export["incidents"]}
    expected = {*pattern["incidents"], *pattern["contributing_to"]}
    assert len(expected) >= 2

    tab.open(f"patterns/{pattern['id']}/")
    assert tab.heading() == pattern["title"]
    rows = incidents_table(tab).locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    listed: dict[str, tuple[str, str, str]] = {}
    for row in rows.all():
        cells = row.locator("td")
        link = cells.nth(2).locator("a")
        incident_id = (link.get_attribute("href") or "").rstrip("/").rsplit("/", 1)[-1]
        listed[incident_id] = (
            cells.nth(0).inner_text(),
            link.inner_text(),
            cells.nth(3).inner_text(),
        )
    assert listed == {
        i: (
            incidents[i]["date"],
            incidents[i]["title"],
            "root cause" if i in pattern["incidents"] else "contributing factor",
        )
        for i in expected
    }
    tab.screenshot("pattern")

    table = incidents_table(tab)
    assert_links_open(tab, [table.locator(f"a[href$='/{i}/']") for i in sorted(expected)])
    first = sorted(expected)[0]
    table.locator(f"a[href$='/{first}/']").click()
    tab.page.wait_for_url(f"**/incidents/{first}/")
    assert tab.heading() == incidents[first]["title"]
    tab.assert_clean()


def related_ids(path: str) -> list[str]:
    """Incident ids ``pmkb related`` ranks for a post-mortem file, in its order."""
    proc = subprocess.run(
        [sys.executable, "-m", "postmortem_kb", "related", path],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return re.findall(r"^\s+\d+\. (\S+) \(", proc.stdout, flags=re.MULTILINE)


def test_incident_page_shows_header_card_and_related_incidents_whose_links_open(
    tab: Tab, export: dict[str, Any]
) -> None:
    # the first resolved and escalated incident of the busiest pattern with two related
    # incidents or more
    pattern = busiest_pattern(export)
    cited = {*pattern["incidents"], *pattern["contributing_to"]}
    candidates = [
        i
        for i in export["incidents"]
        if i["id"] in cited
        and i["time_to_resolve"] is not None
        and i["time_to_escalate"] is not None
    ]
    incident, related = next(
        (i, ids)
        for i in sorted(candidates, key=lambda i: i["id"])
        if len(ids := related_ids(i["path"])) >= 2
    )
    titles = {i["id"]: i["title"] for i in export["incidents"]}
    patterns = {p["id"]: p["title"] for p in export["patterns"]}

    tab.open(incident["url"])
    assert tab.heading() == incident["title"]
    shown = card(tab)
    assert [label for label in CARD_LABELS if label in shown] == CARD_LABELS
    assert shown["Severity"] == incident["severity"]
    assert shown["Status"] == incident["status"]
    assert shown["Date"] == f"{incident['date']} ({incident['timezone']})"
    duration = minutes(shown["Duration"])
    assert duration == incident["duration"] == incident["time_to_resolve"]
    assert shown["Duration"].endswith(" (start → resolved)")
    spans = {
        "detect": "start → detected",
        "respond": "detected → responded",
        "escalate": "detected → escalated",
        "mitigate": "start → mitigated",
    }
    for label, span in spans.items():
        assert minutes(shown[f"Time to {label}"]) == incident[f"time_to_{label}"], label
        assert shown[f"Time to {label}"].endswith(f" ({span})"), label
    assert shown["Detection"] == incident["detection"]
    assert shown["Services"] == ", ".join(incident["services"])
    assert shown["Authors"] == ", ".join(incident["authors"])
    assert shown["Root causes"] == ", ".join(patterns[p] for p in incident["root_causes"])
    tab.screenshot("incident")

    items = (
        tab.page.locator("article h2#related-incidents")
        .locator("xpath=following::ul[1]")
        .locator("> li")
    )
    expect(items).to_have_count(len(related))
    first_links = [item.locator("a").first for item in items.all()]
    assert [a.inner_text() for a in first_links] == [titles[i] for i in related]

    assert_links_open(tab, first_links)
    first_links[0].click()
    tab.page.wait_for_url(f"**/incidents/{related[0]}/")
    assert tab.heading() == titles[related[0]]
    tab.page.go_back()
    tab.page.wait_for_url(f"**/{incident['url']}")
    # the card's pattern link opens the pattern page
    tab.page.locator("article .pmkb-card li", has_text="Root causes:").locator("a").first.click()
    tab.page.wait_for_url(f"**/patterns/{incident['root_causes'][0]}/")
    assert tab.heading() == patterns[incident["root_causes"][0]]
    tab.assert_clean()


def test_a_pattern_query_preselects_the_incidents_index_filter(
    tab: Tab, export: dict[str, Any]
) -> None:
    """`incidents/?pattern=<id>` (a link anyone can share) opens the index filtered."""
    citing: dict[str, set[str]] = {}
    for incident in export["incidents"]:
        for pattern_id in [*incident["root_causes"], *incident["contributing_factors"]]:
            citing.setdefault(pattern_id, set()).add(incident["title"])
    pattern_id, titles = max(sorted(citing.items()), key=lambda item: len(item[1]))
    total = len(export["incidents"])
    assert 1 < len(titles) < total  # a filter that shows something and hides something

    tab.open(f"incidents/?pattern={pattern_id}")
    rows = tab.page.locator("table.pmkb-filterable tbody tr")
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(titles)} of {total}")
    visible = {row.locator("td").nth(3).inner_text() for row in rows.all() if row.is_visible()}
    assert visible == titles
    tab.assert_clean()


def test_a_pattern_query_preselects_the_action_items_filter(
    tab: Tab, export: dict[str, Any]
) -> None:
    """A pattern page whose action items are cut links to `actions/?pattern=<id>`: the action
    items page opens showing the action items of the incidents citing that pattern."""
    items: dict[str, list[str]] = {}
    total = 0
    for incident in export["incidents"]:
        total += len(incident["action_items"])
        for pattern_id in {*incident["root_causes"], *incident["contributing_factors"]}:
            items.setdefault(pattern_id, []).extend(a["id"] for a in incident["action_items"])
    pattern_id, ids = max(sorted(items.items()), key=lambda item: len(item[1]))
    assert 1 < len(ids) < total  # a filter that shows something and hides something

    tab.open(f"actions/?pattern={pattern_id}")
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(ids)} of {total}")
    assert sorted(_visible_action_ids(tab)) == sorted(ids)
    # an incident's heading is shown with its items, and hidden with them
    citing = [
        i["title"]
        for i in export["incidents"]
        if i["action_items"] and pattern_id in {*i["root_causes"], *i["contributing_factors"]}
    ]
    assert sorted(_visible_groups(tab)) == sorted(citing)
    tab.assert_clean()


def _visible_action_ids(tab: Tab) -> list[str]:
    """The IDs of the action items shown (each item's first cell; the heading row of an
    incident's group has none)."""
    rows = tab.page.locator("table.pmkb-actions tbody tr:not(.pmkb-group)")
    return [row.locator("td").nth(0).inner_text() for row in rows.all() if row.is_visible()]


def _visible_groups(tab: Tab) -> list[str]:
    """The incident headings shown above the action items (their links' text)."""
    heads = tab.page.locator("table.pmkb-actions tbody tr.pmkb-group")
    return [head.locator("a").inner_text() for head in heads.all() if head.is_visible()]


# the widths of the page, of each filterable table and of the box it scrolls in (CSS px)
WIDTHS = """() => ({
    page: document.documentElement.scrollWidth,
    tables: Array.from(document.querySelectorAll("article table.pmkb-filterable")).map((t) => {
        const box = t.closest(".md-typeset__scrollwrap");
        return { table: t.scrollWidth, box: box ? box.clientWidth : -1, scrolls: box ? box.scrollWidth > box.clientWidth : false };
    }),
})"""


@pytest.mark.parametrize("path", ["incidents/", "services/checkout/", "actions/"])
def test_wide_tables_scroll_in_their_box_on_a_phone(tab: Tab, path: str) -> None:
    """390 px wide: the page itself never scrolls sideways; a filterable table that does
    not fit scrolls inside Material's table box, below its filters."""
    tab.page.set_viewport_size({"width": 390, "height": 800})
    tab.open(path)
    expect(tab.page.locator(".pmkb-filters")).to_have_count(1)
    widths = tab.page.evaluate(WIDTHS)
    assert widths["page"] == 390, widths
    assert [t["scrolls"] for t in widths["tables"]] == [True], widths
    # the filters sit above the scrolling box, not inside it
    assert tab.page.locator(".md-typeset__scrollwrap .pmkb-filters").count() == 0
    tab.assert_clean()


def test_an_incident_heading_stays_readable_when_the_actions_scroll_sideways(tab: Tab) -> None:
    """390 px wide, the action items scroll sideways in their box: each incident's heading
    wraps within the screen and, scrolled, sticks at the box's left edge however far."""
    tab.page.set_viewport_size({"width": 390, "height": 800})
    tab.open("actions/")
    table = tab.page.locator("article table.pmkb-actions")
    table.scroll_into_view_if_needed()
    heading = table.locator("tr.pmkb-group .pmkb-group-name").first
    lefts = []
    for scrolled in (0, 150, 10_000):  # 10,000: as far as it goes
        table.evaluate(
            "(t, x) => { t.closest('.md-typeset__scrollwrap').scrollLeft = x; }", scrolled
        )
        shown = heading.evaluate("(h) => h.getBoundingClientRect().toJSON()")
        assert shown["left"] >= 0 and shown["right"] <= 390, (scrolled, shown)
        lefts.append(shown["left"])
    # scrolled, it stays stuck at the box's edge (6.4 px: its 0.5em), no longer moving
    assert abs(lefts[1] - lefts[2]) <= 1 and lefts[1] < lefts[0], lefts
    assert table.evaluate("(t) => t.closest('.md-typeset__scrollwrap').scrollLeft") > 150
    tab.assert_clean()


def test_action_items_fit_a_desktop_column_and_filters_show_titles(
    tab: Tab, export: dict[str, Any]
) -> None:
    """1280 px wide: every column of the action items is in view; the pattern and incident
    filters offer titles (their values stay ids)."""
    tab.page.set_viewport_size({"width": 1280, "height": 800})
    tab.open("actions/")
    widths = tab.page.evaluate(WIDTHS)
    assert [t["scrolls"] for t in widths["tables"]] == [False], widths
    assert widths["tables"][0]["table"] <= widths["tables"][0]["box"], widths
    options = tab.page.locator(".pmkb-filters label", has_text="Pattern").locator("option")
    shown = {o.get_attribute("value"): o.inner_text() for o in options.all()}
    cited = {p for i in export["incidents"] if i["action_items"] for p in i["root_causes"]}
    titles = {p["id"]: p["title"] for p in export["patterns"]}
    assert shown[""] == "all"
    assert {v: t for v, t in shown.items() if v in cited} == {p: titles[p] for p in cited}
    # the incident filter: "date — title", newest first (as the table)
    options = tab.page.locator(".pmkb-filters label", has_text="Incident").locator("option")
    listed = [(o.get_attribute("value"), o.inner_text()) for o in options.all()]
    newest = sorted(
        (i for i in export["incidents"] if i["action_items"]),
        key=lambda i: (i["date"], [-ord(c) for c in i["id"]]),
        reverse=True,
    )
    assert listed == [("", "all")] + [(i["id"], f"{i['date']} — {i['title']}") for i in newest]
    tab.assert_clean()


def test_a_url_filter_value_no_row_has_is_said_and_spaces_in_owners_match(
    tab: Tab, export: dict[str, Any]
) -> None:
    """`?incident=nope` filters nothing and says so above the table, until a filter is
    chosen; an owner written with plain spaces in the URL selects that owner."""
    total = sum(len(i["action_items"]) for i in export["incidents"])
    tab.open("actions/?incident=nope&status=done")
    notice = tab.page.locator("article p.pmkb-filter-notice")
    expect(notice).to_have_text("No incident ‘nope’ here; showing all.")
    assert notice.evaluate(
        "(p) => p.previousElementSibling.classList.contains('pmkb-filters')"
        " && p.nextElementSibling.querySelector('table.pmkb-actions') !== null"
    )
    done = [a for i in export["incidents"] for a in i["action_items"] if a["status"] == "done"]
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(done)} of {total}")
    filters = tab.page.locator(".pmkb-filters")
    filters.locator("label", has_text="Status").locator("select").select_option("")
    expect(notice).to_have_count(0)
    assert _query(tab) == ""  # the unknown value is dropped with the filter chosen

    owners = sorted({a["owner"] for i in export["incidents"] for a in i["action_items"]})
    owner = next(o for o in owners if " " in o)
    mine = [a for i in export["incidents"] for a in i["action_items"] if a["owner"] == owner]
    tab.open(f"actions/?owner={owner.replace(' ', '+')}")
    select = filters.locator("label", has_text="Owner").locator("select")
    assert select.input_value() == owner.replace(" ", "\u00a0")
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(mine)} of {total}")
    expect(tab.page.locator("article p.pmkb-filter-notice")).to_have_count(0)
    tab.assert_clean()


# the action items table as laid out: the table font's em, each column's width, how many
# lines each ID cell takes, and the words of the Action cells broken across two lines
ACTION_LAYOUT = """(table) => {
    const lines = (node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
    };
    const rows = Array.from(table.querySelectorAll("tbody tr:not(.pmkb-group)")).slice(0, 40);
    const broken = [];
    for (const row of rows) {
        const walker = document.createTreeWalker(row.children[1], NodeFilter.SHOW_TEXT);
        for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            // a word may break after its hyphens ("Retry-|After"), nowhere else
            for (const match of text.data.matchAll(/[^\\s-]+-*/g)) {
                const range = document.createRange();
                range.setStart(text, match.index);
                range.setEnd(text, match.index + match[0].length);
                const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
                if (tops.size > 1) { broken.push(match[0]); }
            }
        }
    }
    const box = table.closest(".md-typeset__scrollwrap");
    return {
        em: parseFloat(getComputedStyle(table).fontSize),
        page: document.documentElement.scrollWidth,
        scrolls: box.scrollWidth > box.clientWidth,
        widths: Array.from(rows[0].children).map((td) => td.getBoundingClientRect().width),
        idLines: rows.map((row) => lines(row.children[0])),
        broken: broken,
    };
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_action_items_keep_a_readable_action_column_and_ids_on_one_line(
    tab: Tab, width: int
) -> None:
    """The Action column is at least 14em wide and breaks no word that fits it; an ID stays
    on one line, and a pathological 254-character one is cut at 10em (its full text in the
    title) rather than pushing the other columns away; on a desktop the table fits."""
    tab.page.set_viewport_size({"width": width, "height": 800})
    tab.open("actions/")
    table = tab.page.locator("article table.pmkb-actions")
    shown = table.evaluate(ACTION_LAYOUT)
    em = shown["em"]
    assert shown["page"] == width, shown
    assert shown["scrolls"] == (width == 390), shown
    assert shown["widths"][1] >= 14 * em - 0.5, shown  # 14em, to the pixel
    assert set(shown["idLines"]) == {1}, shown
    assert shown["broken"] == [], shown
    tab.screenshot(f"actions-{width}")

    long_id = "X" * 127 + "-" + "Y" * 126  # the longest ID a post-mortem can have, and more
    cell = table.locator("tbody tr:not(.pmkb-group)").first.locator("td").nth(0)
    cell.evaluate("(td, id) => { td.textContent = id; td.title = id; }", long_id)
    after = table.evaluate(ACTION_LAYOUT)
    assert after["widths"][0] <= 11 * em + 1, after  # 10em and its padding
    assert after["widths"][1] >= 14 * em - 0.5, after
    assert set(after["idLines"]) == {1}, after
    assert after["page"] == width, after  # at worst the table scrolls in its box
    assert cell.evaluate("(td) => td.scrollWidth > td.clientWidth")  # cut, with an ellipsis
    assert cell.evaluate("(td) => getComputedStyle(td).textOverflow") == "ellipsis"
    tab.assert_clean()


def test_an_incident_card_opens_its_action_items_filtered(tab: Tab, export: dict[str, Any]) -> None:
    """The card counts the incident's action items, names the overdue ones, and its link
    opens the action items page showing exactly that incident's items."""
    total = sum(len(i["action_items"]) for i in export["incidents"])
    incident = next(i for i in export["incidents"] if any(a["overdue"] for a in i["action_items"]))
    items = incident["action_items"]
    overdue = [a["id"] for a in items if a["overdue"]]
    to_do = sum(a["status"] in ("open", "in-progress") for a in items)
    tab.open(incident["url"])
    shown = card(tab)["Action items"]
    assert shown.startswith(f"{len(items)} ({to_do} still to do, {len(overdue)} overdue on ")
    assert shown.endswith(f": {', '.join(overdue)}); see them on the action items page")
    tab.page.locator("article .pmkb-card li", has_text="Action items:").locator("a").click()
    tab.page.wait_for_url(f"**/actions/?incident={incident['id']}")
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(items)} of {total}")
    visible = _visible_action_ids(tab)
    assert sorted(visible) == sorted(a["id"] for a in items)
    assert _visible_groups(tab) == [incident["title"]]
    tab.assert_clean()


def _query(tab: Tab) -> str:
    return urlsplit(tab.page.url).query


def test_choosing_filters_puts_them_in_the_url_to_share(tab: Tab, export: dict[str, Any]) -> None:
    """Each filter chosen is a query parameter (the names the page reads on load), "all"
    removes it, and the URL opens the same filtered view; no history step is added."""
    incidents = export["incidents"]
    service = "checkout"
    p1 = [i for i in incidents if i["severity"] == "P1"]
    both = [i for i in p1 if service in i["services"]]
    assert 0 < len(both) < len(p1) < len(incidents)
    tab.open("incidents/")
    history = tab.page.evaluate("() => history.length")
    filters = tab.page.locator(".pmkb-filters")
    filters.locator("label", has_text="Severity").locator("select").select_option("P1")
    assert _query(tab) == "severity=P1"
    filters.locator("label", has_text="Service").locator("select").select_option(service)
    assert _query(tab) == f"severity=P1&service={service}"
    count = f"{len(both)} of {len(incidents)}"
    expect(tab.page.locator(".pmkb-count")).to_have_text(count)
    shared = tab.page.url
    filters.locator("label", has_text="Severity").locator("select").select_option("")
    assert _query(tab) == f"service={service}"
    assert tab.page.evaluate("() => history.length") == history
    filters.locator("label", has_text="Service").locator("select").select_option("")
    assert tab.page.url == tab.origin + "incidents/"

    tab.page.goto(shared, wait_until="load")
    expect(tab.page.locator(".pmkb-count")).to_have_text(count)
    assert tab.page.locator(".pmkb-filters select").evaluate_all(
        "(selects) => selects.map((s) => s.value)"
    ) == ["P1", "", service, "", ""]  # severity status service pattern year
    tab.assert_clean()


def test_action_item_filters_go_into_the_url_with_the_incident_one(
    tab: Tab, export: dict[str, Any]
) -> None:
    """An owner with a space (written as one value) survives the round trip through the URL."""
    incident = next(i for i in export["incidents"] if len(i["action_items"]) > 1)
    tab.open(f"actions/?incident={incident['id']}")
    filters = tab.page.locator(".pmkb-filters")
    filters.locator("label", has_text="Status").locator("select").select_option("done")
    assert _query(tab) == f"incident={incident['id']}&status=done"
    filters.locator("label", has_text="Incident").locator("select").select_option("")
    assert _query(tab) == "status=done"
    owner = filters.locator("label", has_text="Owner").locator("select")
    value = owner.locator("option").nth(1).get_attribute("value")
    assert value is not None
    owner.select_option(value)
    shared = tab.page.url
    count = tab.page.locator(".pmkb-count").inner_text()
    tab.page.goto(shared, wait_until="load")
    expect(tab.page.locator(".pmkb-count")).to_have_text(count)
    assert owner.input_value() == value
    tab.assert_clean()


def test_the_status_filter_shows_the_items_still_to_do(tab: Tab, export: dict[str, Any]) -> None:
    """ "still to do", as the page counts them: open and in progress; `?status=to-do`."""
    items = [a for i in export["incidents"] for a in i["action_items"]]
    to_do = [a["id"] for a in items if a["status"] in ("open", "in-progress")]
    assert 0 < len(to_do) < len(items)
    tab.open("actions/")
    status = tab.page.locator(".pmkb-filters label", has_text="Status").locator("select")
    assert status.locator("option").all_inner_texts()[:2] == ["all", "still to do"]
    status.select_option(label="still to do")
    assert _query(tab) == "status=to-do"
    expect(tab.page.locator(".pmkb-count")).to_have_text(f"{len(to_do)} of {len(items)}")
    visible = _visible_action_ids(tab)
    assert sorted(visible) == sorted(to_do)
    tab.assert_clean()


# for each row of the incidents index: the lines its severity and status cells take, and
# its patterns as the list items shown (none: one pattern, its title as the cell's text)
INDEX_CELLS = """(table) => Array.from(table.querySelectorAll("tbody tr")).map((row) => {
    const lines = (td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
    };
    const items = Array.from(row.children[5].querySelectorAll("li"));
    return {
        lines: [lines(row.children[1]), lines(row.children[2])],
        patterns: row.dataset.pattern.split(" ").length,
        items: items.length,
        stacked: items.every((li, i) => i === 0 || li.getBoundingClientRect().top
            >= items[i - 1].getBoundingClientRect().bottom),
    };
})"""


def test_incidents_index_keeps_statuses_whole_and_lists_several_patterns(tab: Tab) -> None:
    """On a phone, "in-review" does not break at its hyphen; a cell's patterns are a list,
    one under the other, not titles run together."""
    tab.page.set_viewport_size({"width": 390, "height": 800})
    tab.open("incidents/")
    rows = tab.page.locator("article table.pmkb-incidents").evaluate(INDEX_CELLS)
    assert {tuple(r["lines"]) for r in rows} == {(1, 1)}
    assert any(r["patterns"] > 1 for r in rows)
    for r in rows:
        assert r["items"] == (r["patterns"] if r["patterns"] > 1 else 0), r
        assert r["stacked"], r
    tab.assert_clean()


def test_a_service_page_links_to_the_index_filtered_by_it(tab: Tab, export: dict[str, Any]) -> None:
    service = "checkout"
    mine = [i for i in export["incidents"] if service in i["services"]]
    tab.open(f"services/{service}/")
    link = tab.page.locator("article a", has_text=f"all {len(mine)} incidents of this service")
    link.click()
    tab.page.wait_for_url(f"**/incidents/?service={service}")
    expect(tab.page.locator(".pmkb-count")).to_have_text(
        f"{len(mine)} of {len(export['incidents'])}"
    )
    tab.assert_clean()
