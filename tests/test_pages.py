"""Generated Markdown pages, without MkDocs: URIs, contents, escaping discipline."""

from __future__ import annotations

import doctest
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2
import markdown
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from postmortem_kb import escape
from postmortem_kb import pages as pages_module
from postmortem_kb.kb import KnowledgeBase
from postmortem_kb.model import (
    ActionItem,
    ActionStatus,
    Detection,
    Impact,
    Pattern,
    Postmortem,
    Rollback,
    Section,
    Severity,
    Status,
    TimelineEvent,
    Why,
)
from postmortem_kb.pages import (
    GENERATORS,
    HtmlStash,
    SiteContext,
    UnescapedValueError,
    format_duration,
    generate,
    href,
    template_environment,
)
from postmortem_kb.settings import Settings

T0 = datetime(2025, 1, 1, 9, tzinfo=UTC)


def incident(
    incident_id: str,
    day: int,
    causes: Sequence[str] = ("dns",),
    *,
    contributing: Sequence[str] = (),
    services: Sequence[str] = ("api",),
    title: str = "",
    status: Status = Status.FINAL,
    statement: str = "",
    actions: Sequence[ActionItem] = (),
    lessons: str = "",
) -> Postmortem:
    at = T0 + timedelta(days=day)
    sections = [
        Section("Summary", "summary", 10, "It broke {{ 7*7 }} <script>x</script>.\n"),
        Section(
            "Timeline",
            "timeline",
            12,
            "Local times.\n\n| Time | Event | Source | Cause |\n|---|---|---|---|\n| 09:00 | a | b | |\n",
        ),
    ]
    if lessons:
        sections.append(Section("Lessons Learned", "lessons learned", 40, lessons))
    return Postmortem(
        id=incident_id,
        path=f"postmortems/{incident_id}.md",
        title=title or f"Incident {incident_id}",
        date=at.date(),
        severity=Severity.P1,
        status=status,
        authors=("sre",),
        timezone="UTC",
        started=at,
        detected=at + timedelta(minutes=4),
        mitigated=at + timedelta(minutes=30),
        resolved=at + timedelta(hours=2),
        detection=Detection.MONITORING,
        services=tuple(services),
        root_causes=tuple(causes),
        contributing_factors=tuple(contributing),
        sections=tuple(sections),
        timeline=(
            TimelineEvent(13, "08:55", at - timedelta(minutes=5), "deploy", "ci"),
            TimelineEvent(14, "09:00", at, "errors start", "logs", "08:55"),
            TimelineEvent(
                15, "09:10", at + timedelta(minutes=10), "Decision: roll back", "chat", "09:00"
            ),
        ),
        whys=(Why(20, "first"), Why(21, statement or f"statement of {incident_id}")),
        action_items=tuple(actions),
    )


def knowledge_base(incidents: Sequence[Postmortem], patterns: dict[str, Pattern]) -> KnowledgeBase:
    ordered = sorted(incidents, key=lambda pm: (pm.date, pm.id), reverse=True)
    return KnowledgeBase(
        settings=Settings(root=Path("/kb")),
        today=date(2025, 6, 1),
        incidents=tuple(ordered),
        patterns=patterns,
        diagnostics=(),
        files=(),
        _by_id={pm.id: pm for pm in ordered},
    )


PATTERNS = {
    "dns": Pattern(
        "dns",
        "DNS misconfiguration",
        path="docs/patterns/dns.md",
        summary="Names.",
        body="# DNS\n\nCurated.",
    ),
    "retry": Pattern("retry", "Retry"),  # cited, not defined
}


@pytest.fixture(scope="module")
def site() -> dict[str, str]:
    a1 = ActionItem(
        30, "A1", "done thing", "team", Severity.P2, date(2025, 1, 1), ActionStatus.DONE
    )
    a2 = ActionItem(31, "A2", "open thing", "team", Severity.P1, date(2025, 3, 1))
    kb = knowledge_base(
        [
            incident("a", 0, ["dns"], actions=[a1, a2], lessons="Keep TTLs short.\n"),
            incident(
                "b",
                10,
                ["dns"],
                contributing=["retry"],
                services=["api", "db"],
                title="<b>{{ 7*7 }}</b>",
            ),
            incident("c", 30, ["dns"], status=Status.DRAFT),
        ],
        PATTERNS,
    )
    return generate(kb)


def test_doctests() -> None:
    """The module's examples hold."""
    assert doctest.testmod(pages_module).failed == 0


def test_generated_uris(site: dict[str, str]) -> None:
    """One page per incident, pattern (cited or defined) and service, the indexes, graph.json,
    and the learning pages and files."""
    assert list(site) == [
        "actions.csv",
        "actions.json",
        "actions.md",
        "dashboard.md",
        "feed.json",
        "feed.xml",
        "graph.json",
        "graph.md",
        "incidents/a.md",
        "incidents/b.md",
        "incidents/c.md",
        "incidents/index.md",
        "index.md",
        "lessons.md",
        "patterns/dns.md",
        "patterns/index.md",
        "patterns/retry.md",
        "services/api.md",
        "services/db.md",
        "services/index.md",
    ]


def test_titles_and_content_are_data_not_templates(site: dict[str, str]) -> None:
    """``{{ 7*7 }}`` and HTML in a title or section come out escaped and literal."""
    page = site["incidents/b.md"]
    # front matter: a JSON string, which YAML reads as is (the plugin escapes it for HTML)
    assert 'title: "<b>{{ 7*7 }}</b>"\n' in page
    assert "\n# &lt;b\\>\\{\\{ 7\\*7 \\}\\}&lt;/b\\>\n" in page
    assert "It broke {{ 7*7 }} &lt;script>x&lt;/script>." in page
    assert "49" not in page


def test_incident_page_card_timeline_and_banner(site: dict[str, str]) -> None:
    """Card figures, elapsed times (negative before impact), decision marker, causal anchors."""
    page = site["incidents/a.md"]
    for line in (
        "- **Duration:** 2 h 00 min (start → resolved)",
        "- **Time to detect:** 4 min (start → detected)",
        "- **Time to respond:** —",
        "- **Root causes:** [DNS misconfiguration](../patterns/dns.md)",
        "- **Services:** [api](../services/api.md)",
        '| <span id="t1"></span>08:55 (−5 min) | deploy | ci |  |',
        '| <span id="t2"></span>09:00 (+0 min) | errors start | logs | [← 08:55](#t1) |',
        '| 09:10 (+10 min) | <span class="pmkb-decision" title="Decision point">◆</span> '
        "Decision: roll back | chat | [← 09:00](#t2) |",
    ):
        assert line + "\n" in page
    assert page.count("| Time (elapsed) |") == 1  # the author's table is replaced, prose kept
    assert "| Time |" not in page
    assert "Local times." in page
    assert '<p class="admonition-title">Draft</p>' not in page
    assert (
        '<div class="admonition warning">\n<p class="admonition-title">Draft</p>\n'
        "<p>This post-mortem is a draft: its analysis and action items may still change.</p>\n"
        "</div>\n" in site["incidents/c.md"]
    )


def _card_lines(page: str) -> list[str]:
    """The card's fact lines of a Markdown incident page."""
    card = page[page.index('<div class="pmkb-card') : page.index("</div>")]
    return [line for line in card.splitlines() if line.startswith("- ")]


def test_card_shows_every_figure_of_the_spec_and_the_front_matter_once() -> None:
    """Duration, time to detect / respond / escalate / mitigate (the spec's order), rollback
    and impact; a resolved incident's duration is its time to resolve, shown once. Each
    duration says what it measures: escalation counts from detection, mitigation from the
    start, so a later-looking escalation is not read as coming first."""
    pm = replace(
        incident("a", 0),
        responded=T0 + timedelta(minutes=6),
        escalated=T0 + timedelta(minutes=19),
        rollback=Rollback.NOT_VIABLE,
        impact=Impact(users_affected=3900, revenue_usd=91500.0, slo_budget_burned="64%"),
    )
    page = generate(knowledge_base([pm], PATTERNS))["incidents/a.md"]
    assert _card_lines(page)[:13] == [
        "- **Severity:** P1",
        "- **Status:** final",
        "- **Date:** 2025-01-01 (UTC)",
        "- **Duration:** 2 h 00 min (start → resolved)",
        "- **Time to detect:** 4 min (start → detected)",
        "- **Time to respond:** 2 min (detected → responded)",
        "- **Time to escalate:** 15 min (detected → escalated)",
        "- **Time to mitigate:** 30 min (start → mitigated)",
        "- **Detection:** monitoring",
        "- **Rollback:** not-viable",
        "- **Users affected:** 3,900",
        "- **Revenue impact:** 91,500 USD",
        "- **SLO budget burned:** 64%",
    ]
    assert "Time to resolve:" not in page


def test_card_of_an_unresolved_incident_says_its_duration_runs_to_mitigation() -> None:
    """No escalation, rollback or impact: no rows for them; no resolution: said so."""
    pm = replace(incident("a", 0), resolved=None, status=Status.IN_REVIEW)
    page = generate(knowledge_base([pm], PATTERNS))["incidents/a.md"]
    assert _card_lines(page)[3:8] == [
        "- **Duration:** 30 min (start → mitigated, unresolved)",
        "- **Time to detect:** 4 min (start → detected)",
        "- **Time to respond:** —",
        "- **Time to mitigate:** 30 min (start → mitigated)",
        "- **Time to resolve:** — (not resolved yet)",
    ]
    assert "Rollback" not in page and "Users affected" not in page and "escalate" not in page
    index = generate(knowledge_base([pm], PATTERNS))["incidents/index.md"]
    assert "<th>Duration (start → resolved)</th></tr></thead>" in index
    assert "<td>30 min (start → mitigated, unresolved)</td></tr>" in index


def test_card_counts_the_action_items_and_names_the_overdue_ones(site: dict[str, str]) -> None:
    """Against the site's "today", as the action items page counts them; the link opens that
    page filtered to the incident (a Markdown site gets the plain page)."""
    assert _card_lines(site["incidents/a.md"])[-1] == (
        "- **Action items:** 2 (1 still to do, 1 overdue on 2025-06-01: A2); "
        "see them on the [action items page](../actions.md)"
    )
    assert "Action items:" not in site["incidents/b.md"]  # none: no row
    done = ActionItem(30, "A1", "done", "team", Severity.P2, date(2025, 1, 1), ActionStatus.DONE)
    later = ActionItem(31, "A<2>", "later", "team", Severity.P2, date(2030, 1, 1))
    kb = knowledge_base(
        [incident("a", 0, actions=[done]), incident("b x", 1, actions=[done, later])], PATTERNS
    )
    pages = generate(kb, link_style="directory")
    assert (
        "<li><strong>Action items:</strong> 1 (none still to do); see them on the "
        '<a href="../../actions/?incident=a">action items page</a></li>'
    ) in pages["incidents/a.md"]
    assert (
        "<li><strong>Action items:</strong> 2 (1 still to do, none overdue); see them on the "
        '<a href="../../actions/?incident=b+x">action items page</a></li>'
    ) in pages["incidents/b x.md"]
    overdue = replace(later, due=date(2025, 5, 1))
    kb = knowledge_base([incident("b", 1, actions=[done, overdue])], PATTERNS)
    assert (
        "1 overdue on 2025-06-01: A&lt;2&gt;);"
        in generate(kb, link_style="directory")["incidents/b.md"]
    )


def test_card_values_from_the_front_matter_are_escaped() -> None:
    """A percentage string from the impact mapping is text, in HTML and in Markdown."""
    pm = replace(incident("a", 0), impact=Impact(users_affected="<b>12%</b>"))
    assert "- **Users affected:** &lt;b\\>12%&lt;/b\\>" in _card_lines(
        generate(knowledge_base([pm], PATTERNS))["incidents/a.md"]
    )
    html = generate(knowledge_base([pm], PATTERNS), link_style="directory")["incidents/a.md"]
    assert "<li><strong>Users affected:</strong> &lt;b&gt;12%&lt;/b&gt;</li>" in html


def test_incident_chrome_is_html_on_a_mkdocs_site() -> None:
    """Card, related incidents and neighbourhood: escaped HTML blocks with hrefs per URL style."""
    kb = knowledge_base(
        [incident("a", 0), incident("b", 10, title="<b>{{ 7*7 }}</b>", services=("api", "db"))],
        PATTERNS,
    )
    page = generate(kb, link_style="directory")["incidents/a.md"]
    card = page[page.index('<div class="pmkb-card') : page.index("</div>") + 7]
    assert card.splitlines()[:3] == [
        '<div class="pmkb-card pmkb-sev-p1">',
        '<ul class="pmkb-facts">',
        "<li><strong>Severity:</strong> P1</li>",
    ]
    assert (
        '<li><strong>Root causes:</strong> <a href="../../patterns/dns/">DNS misconfiguration</a></li>'
        in card
    )
    related = page[page.index("## Related incidents\n\n") + 22 :]
    assert related == (
        '<ul class="pmkb-related" data-search-exclude>\n'
        '<li><a href="../b/">&lt;b&gt;{{ 7*7 }}&lt;/b&gt;</a> (P1, 2025-01-11) — '
        "shared pattern DNS misconfiguration; shared service api</li>\n</ul>\n\n"
        '<p class="pmkb-neighbours" data-search-exclude><strong>Neighbourhood:</strong> '
        "3 neighbours in all (1 pattern, 1 service, 1 incident); see the "
        '<a href="../../graph/">graph view</a>.</p>\n'
    )
    html_page = generate(kb, link_style="html")["incidents/a.md"]
    assert '<a href="b.html">&lt;b&gt;' in html_page
    assert '<a href="../patterns/dns.html">' in html_page


def test_pattern_page_is_enriched(site: dict[str, str]) -> None:
    """Curated text (its own H1 dropped), citing incidents with statements, figures, actions."""
    page = site["patterns/dns.md"]
    assert page.count("\n# ") == 1 and "Curated." in page
    rows = [line for line in page.splitlines() if line.startswith("| 2025")]
    assert rows == [
        "| 2025-01-31 | P1 | [Incident c](../incidents/c.md) | root cause | statement of c |",
        "| 2025-01-11 | P1 | [&lt;b\\>\\{\\{ 7\\*7 \\}\\}&lt;/b\\>](../incidents/b.md) | root cause | statement of b |",
        "| 2025-01-01 | P1 | [Incident a](../incidents/a.md) | root cause | statement of a |",
    ]
    assert "- **Incidents:** 3 (3 as root cause, 0 as contributing factor)" in page
    assert "- **Recurrence:** every 15 days (median interval)" in page
    actions = [line for line in page.splitlines() if line.startswith("| [Incident a]")]
    assert [line.split(" | ")[1] for line in actions] == ["A2", "A1"]  # open first
    assert "open **(overdue)**" in actions[0]
    lessons = page[page.index("## Lessons learned\n") : page.index("## Co-occurring")]
    assert lessons == (
        "## Lessons learned\n\n**[Incident a](../incidents/a.md)** *(P1, 2025-01-01)*\n\n"
        "Keep TTLs short.\n\n\n"
    )
    assert "- [Retry](retry.md): 1 incident\n" in page


def test_undefined_pattern_gets_a_generated_page(site: dict[str, str]) -> None:
    """A cited-but-undefined pattern says so and where to define it."""
    page = site["patterns/retry.md"]
    assert '<p class="admonition-title">Not yet defined</p>' in page
    assert "<code>docs/patterns/retry.md</code>" in page
    assert "| contributing factor | statement of b |" in page


def test_pattern_page_says_whose_root_cause_statement_a_row_shows(site: dict[str, str]) -> None:
    """The statement column is the incident's own root cause: its header says so, and a page
    with contributing-factor rows says that their statement is about another cause."""
    header = "| Date | Severity | Incident | Cited as | The incident's root-cause statement |\n"
    note = (
        "The last column is each incident's own root-cause statement (the last of its whys). "
        "Where\nan incident cites this pattern as a contributing factor, that statement is about "
        "its root\ncause, not about this pattern.\n\n" + header
    )
    assert note in site["patterns/retry.md"]
    assert header in site["patterns/dns.md"] and "The last column" not in site["patterns/dns.md"]
    kb = knowledge_base([incident("b", 10, ["dns"], contributing=["retry"])], PATTERNS)
    html = generate(kb, link_style="directory")["patterns/retry.md"]
    assert (
        "<thead><tr><th>Date</th><th>Severity</th><th>Incident</th><th>Cited as</th>"
        "<th>The incident's root-cause statement</th></tr></thead>\n"
    ) in html
    assert "about its root\ncause, not about this pattern." in html


def test_patterns_index_ranks_by_count_then_reach(site: dict[str, str]) -> None:
    """Most frequent first; undefined patterns flagged."""
    rows = [line for line in site["patterns/index.md"].splitlines() if line.startswith("| [")]
    assert rows[:2] == [
        "| [DNS misconfiguration](dns.md) | 3 | 3 | 2025-01-31 | Names. |",
        "| [Retry](retry.md) (not yet defined) | 1 | 3 | 2025-01-11 |  |",
    ]


def test_incidents_index_is_one_filterable_table(site: dict[str, str]) -> None:
    """Data attributes for the filters, titles HTML-escaped, links in the chosen style;
    several patterns in a cell are a list (wrapped, they would run together)."""
    page = site["incidents/index.md"]
    assert (
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">\n'
        '<table class="pmkb-filterable pmkb-incidents"'
        ' data-pmkb-filters="severity status service pattern year" '
        'data-pmkb-labels="{&quot;pattern&quot;:{&quot;dns&quot;:&quot;DNS misconfiguration'
        '&quot;,&quot;retry&quot;:&quot;Retry&quot;}}" data-search-exclude>\n'
    ) in page
    assert page.endswith("</tbody>\n</table>\n</div></div>\n")
    assert (
        '<tr data-severity="P1" data-status="final" data-year="2025" data-service="api db" '
        'data-pattern="dns retry"><td>2025-01-11</td><td>P1</td><td>final</td>'
        '<td><a href="b.md">&lt;b&gt;{{ 7*7 }}&lt;/b&gt;</a></td><td>api, db</td>'
        '<td><ul class="pmkb-cell-list"><li>DNS misconfiguration</li><li>Retry</li></ul></td>'
        "<td>2 h 00 min</td></tr>\n"
    ) in page
    # one pattern: its title alone
    assert "<td>DNS misconfiguration</td><td>" in page
    kb = knowledge_base([incident("a", 0)], PATTERNS)
    assert '<a href="a/">' in generate(kb, link_style="directory")["incidents/index.md"]
    assert '<a href="a.html">' in generate(kb, link_style="html")["incidents/index.md"]


def test_templates_refuse_values_without_an_escape_filter() -> None:
    """The escape filters are the only way a value gets into a page."""
    env = template_environment()
    with pytest.raises(UnescapedValueError):
        env.from_string("{{ title }}").render(title="<b>x</b>")
    with pytest.raises(UnescapedValueError):
        env.from_string("{{ flag }}").render(flag=True)
    assert env.from_string("{{ title|md_text }} {{ n }}").render(title="<b>", n=3) == "&lt;b\\> 3"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing|md_text }}").render()


def test_adding_a_page_is_adding_a_generator() -> None:
    """A generator function's pages join the others."""

    def hello(ctx: SiteContext) -> Iterator[tuple[str, str]]:
        yield "hello.md", f"# {len(ctx.kb.incidents)} incidents\n"

    out = generate(knowledge_base([incident("a", 0)], PATTERNS), generators=(*GENERATORS, hello))
    assert out["hello.md"] == "# 1 incidents\n"


def test_links_and_durations() -> None:
    """Relative links for each style; durations read as people write them."""
    assert href("incidents/a.md", "patterns/p.md") == "../patterns/p.md"
    assert href("incidents/a.md", "incidents/b.md", "directory") == "../b/"
    assert href("services/index.md", "services/api.md", "directory") == "api/"
    assert href("services/api.md", "services/index.md", "directory") == "../"
    assert href("incidents/a.md", "graph.json", "html") == "../graph.json"
    assert [format_duration(timedelta(minutes=m)) for m in (0, 59, 60, 61, 1440)] == [
        "0 min",
        "59 min",
        "1 h 00 min",
        "1 h 01 min",
        "1 d 0 h 00 min",
    ]
    assert format_duration(None) == "—"


def test_timeline_without_causal_links_has_no_cause_column() -> None:
    """The Cause column shows only when some row links to an earlier one."""
    pm = incident("a", 0)
    pm = replace(pm, timeline=tuple(replace(ev, cause="") for ev in pm.timeline))
    page = generate(knowledge_base([pm], PATTERNS))["incidents/a.md"]
    start = page.index("| Time (elapsed) |")
    table = page[start : page.index("\n\n", start)]
    assert table.splitlines() == [
        "| Time (elapsed) | Event | Source |",
        "|---|---|---|",
        "| 08:55 (−5 min) | deploy | ci |",
        "| 09:00 (+0 min) | errors start | logs |",
        '| 09:10 (+10 min) | <span class="pmkb-decision" title="Decision point">◆</span> '
        "Decision: roll back | chat |",
    ]


_HOSTILE_VALUES = (
    'a "quoted": title # not a comment',
    "- looks: [like, yaml]\n---\n...",
    "tab\tnewline\nnull\x00 del\x7f c1\x85\x9f",
    "line\u2028para\u2029bom\ufeff nonchar\ufffe\uffff",
    "emoji 😀 accents é ü 漢字",
    "yes",
    "2025-01-01",
    "~",
    "",
)


@pytest.mark.parametrize("value", _HOSTILE_VALUES)
def test_front_matter_reads_back_as_the_same_values(value: str) -> None:
    """Each ``key: <JSON>`` line is YAML that reads back as exactly the value written."""
    text = pages_module._front_matter(title=value, tags=[value, "x"], search={"boost": 2})
    assert text.startswith("---\n") and text.endswith("\n---\n")
    assert yaml.safe_load(text[4:-4]) == {
        "search": {"boost": 2},
        "tags": [value, "x"],
        "title": value,
    }
    assert text.count("\n") == 5  # one line per key: no value spills onto another line


def test_front_matter_leaves_out_empty_values() -> None:
    assert pages_module._front_matter(title="T", tags=[], search=None) == '---\ntitle: "T"\n---\n'


def test_a_long_service_page_lists_the_newest_and_links_to_the_filtered_index() -> None:
    """30 incidents of one service: the newest 25 in its table, the rest one filter away."""
    kb = knowledge_base(
        [
            incident(f"i{day:02d}", day, services=("api", "db" if day < 2 else "api"))
            for day in range(30)
        ],
        PATTERNS,
    )
    pages = generate(kb, link_style="directory")
    api = pages["services/api.md"]
    assert "30 incidents affected this service." in api
    assert (
        "\n## Incidents\n\nThe newest 25 of 30 incidents; see [all 30 incidents of this service]"
        "(../incidents/index.md?service=api) in the incidents index.\n\n" in api
    )
    listed = re.findall(r'<a href="\.\./\.\./incidents/(i[0-9]+)/">', api)
    assert listed == [f"i{day:02d}" for day in range(29, 4, -1)]
    db = pages["services/db.md"]
    assert "2 incidents affected this service." in db and "The newest" not in db
    assert re.findall(r'<a href="\.\./\.\./incidents/(i[0-9]+)/">', db) == ["i01", "i00"]


def test_every_service_page_links_to_the_index_filtered_by_it() -> None:
    """Not only a long one: the incidents index, filtered to the service, is one link away
    (a Markdown site's index reads no filter from a link: no such line there)."""
    kb = knowledge_base(
        [incident("a", 0, services=("api", "db")), incident("b", 1, services=("api",))], PATTERNS
    )
    pages = generate(kb, link_style="directory")
    assert (
        "\n## Incidents\n\nAlso in the incidents index: [all 2 incidents of this service]"
        "(../incidents/index.md?service=api).\n\n" in pages["services/api.md"]
    )
    assert (
        "\n## Incidents\n\nAlso in the incidents index: [the incident of this service]"
        "(../incidents/index.md?service=db).\n\n" in pages["services/db.md"]
    )
    markdown_site = generate(kb)["services/api.md"]
    assert "incidents index" not in markdown_site


def test_a_pattern_page_lists_every_citing_incident_and_lesson_and_the_first_actions() -> None:
    """30 incidents cite one pattern: all 30 with their statements and lessons; of their 60
    action items, the 25 first (open ones first), and a link to all of them, filtered."""
    done = ActionStatus.DONE
    kb = knowledge_base(
        [
            incident(
                f"i{day:02d}",
                day,
                statement=f"Cause number {day} was never reviewed.",
                lessons=f"- Lesson number {day}.\n",
                actions=(
                    ActionItem(30, "A1", f"fix {day}", "team", Severity.P1, date(2030, 1, day + 1)),
                    ActionItem(31, "A2", f"closed {day}", "team", Severity.P2, None, done),
                ),
            )
            for day in range(30)
        ],
        PATTERNS,
    )
    page = generate(kb, link_style="directory")["patterns/dns.md"]
    assert "- **Incidents:** 30 (30 as root cause, 0 as contributing factor)" in page
    incidents = page[page.index("## Incidents\n") : page.index("## Action items\n")]
    listed = re.findall(r'<a href="\.\./\.\./incidents/(i[0-9]+)/">', incidents)
    assert listed == [f"i{day:02d}" for day in range(29, -1, -1)]  # every one, newest first
    statements = re.findall(r"Cause number ([0-9]+) was never reviewed\.", incidents)
    assert statements == [str(day) for day in range(29, -1, -1)]
    actions = page[page.index("## Action items\n") : page.index("## Lessons learned\n")]
    assert (
        "25 of 60 action items, those still to do first; see [all of them on the action "
        "items page](../actions.md?pattern=dns)." in actions
    )
    shown = re.findall(r"<td>(fix|closed) ([0-9]+)</td>", actions)
    assert len(shown) == 25 and {kind for kind, _ in shown} == {"fix"}  # the open ones first
    lessons = page[page.index("## Lessons learned\n") : page.index("## Co-occurring")]
    found = re.findall(r"Lesson number ([0-9]+)\.", lessons)
    assert found == [str(day) for day in range(29, -1, -1)]


@given(st.text(alphabet=st.sampled_from("ab <>[]()`*_&|\\:#-1."), max_size=40))
def test_cell_html_is_what_a_markdown_table_renders(text: str) -> None:
    """A pattern page's HTML cell equals the cell Python-Markdown makes of the escaped Markdown."""
    source = f"| h |\n|-|\n| {escape.md_cell_block(text)} |\n"
    rendered = markdown.markdown(source, extensions=["tables"])
    start = rendered.index("<td>", rendered.index("<tbody>")) + len("<td>")
    assert pages_module._cell_html(text) == rendered[start : rendered.rindex("</td>")]


def test_html_pattern_page_tables_are_html_blocks_the_citations_searched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Directory sites: citations and action items as HTML; the citations are put back
    before indexing (a root-cause statement finds its pattern), the action items (each
    on its incident's page too) only in the written page, sanitized where they are made."""
    item = ActionItem(30, "A1", "Fix `ttl` <b>now</b>", "team", Severity.P1, date(2025, 1, 1))
    sanitized: list[str] = []
    monkeypatch.setattr(pages_module, "sanitize", lambda html: sanitized.append(html) or html)
    kb = knowledge_base(
        [
            incident("a", 0, statement="TTL was `3600` & nobody knew", actions=[item]),
            incident("b", 10, title="<b>{{ 7*7 }}</b>", statement="Plain words. Evidence: x"),
        ],
        PATTERNS,
    )
    stash = HtmlStash()
    page = generate(kb, link_style="directory", stash=stash)["patterns/dns.md"]
    assert "| Date |" not in page and "| Incident |" not in page
    html = stash.inline(markdown.markdown(page.split("---\n", 2)[2]))
    assert (
        "<tbody>\n"
        '<tr><td>2025-01-11</td><td>P1</td><td><a href="../../incidents/b/">&lt;b&gt;{{ 7*7 }}'
        "&lt;/b&gt;</a></td><td>root cause</td><td>Plain words. Evidence: x</td></tr>\n"
        '<tr><td>2025-01-01</td><td>P1</td><td><a href="../../incidents/a/">Incident a</a></td>'
        "<td>root cause</td><td>TTL was <code>3600</code> &amp; nobody knew</td></tr>\n"
        "</tbody>"
    ) in html
    action_row = (
        '<tr><td><a href="../../incidents/a/">Incident a</a></td><td>A1</td>'
        "<td>Fix <code>ttl</code> &lt;b&gt;now&lt;/b&gt;</td><td>team</td><td>P1</td>"
        "<td>2025-01-01</td><td>open <strong>(overdue)</strong></td></tr>\n"
    )
    # before indexing: the citations only; the action items and the neighbourhood line
    # wait for the written page
    assert html.count("<table>") == 1 and action_row not in html
    written = stash.restore(stash.defer(html))
    assert written.count("<table>") == 2 and action_row in written
    # sanitized where it is made (pattern "dns" only: the other has no action items)
    assert len(sanitized) == 1 and action_row in sanitized[0]
    assert 'class="pmkb-neighbours"' not in html
    assert 'class="pmkb-neighbours"' in written


_SEGMENTS = st.lists(st.sampled_from(["a", "b", "x", "index", ".", "", ".."]), max_size=4)


@given(_SEGMENTS, _SEGMENTS)
def test_relpath_by_strings_agrees_with_posixpath(path: list[str], start: list[str]) -> None:
    """The string-only relative path is posixpath's, for every pair of relative paths."""
    to, here = "/".join(path).lstrip("/") or ".", "/".join(start).lstrip("/") or "."
    assert pages_module._relpath(to, here) == posixpath.relpath(to, here)


def test_html_stash_round_trip_through_markdown() -> None:
    """A stashed block reaches Markdown as one word and comes back exactly, in place."""
    stash = HtmlStash()
    block = '<table class="x">\n<tr><td>a &amp; b</td></tr>\n</table>\n'
    placeholder = stash.add(block)
    assert re.fullmatch(r"pmkb[0-9a-f]{16}x0\n", placeholder)
    html = markdown.markdown(f"# T\n\n{placeholder}\nafter *this*\n")
    assert html == f"<h1>T</h1>\n<p>{placeholder.strip()}</p>\n<p>after <em>this</em></p>"
    assert stash.restore(html) == (
        '<h1>T</h1>\n<table class="x">\n<tr><td>a &amp; b</td></tr>\n</table>\n'
        "<p>after <em>this</em></p>"
    )


def test_html_stash_restores_only_its_own_tokens() -> None:
    """Another stash's token, or a guessed one, is left as text: no author can name a block."""
    ours, other = HtmlStash(), HtmlStash()
    token = ours.add("<b>ours</b>").strip()
    foreign = other.add("<b>other</b>").strip()
    guessed = token[: -len("0")] + "7"
    page = f"<p>{token}</p>\n<p>{foreign}</p>\n<p>{guessed}</p>\n<p>x {token}</p>"
    assert (
        ours.restore(page) == f"<b>ours</b>\n<p>{foreign}</p>\n<p>{guessed}</p>\n<p>x {token}</p>"
    )
    assert other.restore("<p>nothing</p>") == "<p>nothing</p>"


def test_html_stash_defers_its_blocks_as_comments_until_restored() -> None:
    """Deferred, a placeholder paragraph is a comment (nothing for an indexer to read); restore fills it."""
    ours, other = HtmlStash(), HtmlStash()
    token = ours.add("<ul><li>card</li></ul>").strip()
    foreign = other.add("<b>other</b>").strip()
    page = f"<h1>T</h1>\n<p>{token}</p>\n<p>{foreign}</p>\n<p>x {token}</p>"
    deferred = ours.defer(page)
    assert deferred == f"<h1>T</h1>\n<!--{token}-->\n<p>{foreign}</p>\n<p>x {token}</p>"
    assert ours.restore(deferred) == (
        f"<h1>T</h1>\n<ul><li>card</li></ul>\n<p>{foreign}</p>\n<p>x {token}</p>"
    )
    assert other.restore(f"<!--{token}-->") == f"<!--{token}-->"
    assert ours.defer("<p>nothing</p>") == "<p>nothing</p>"


def test_stashed_site_restores_to_the_unstashed_pages() -> None:
    """With a stash every generated HTML block is out of the Markdown, and restoring puts it back."""
    kb = knowledge_base(
        [incident("a", 0), incident("b", 10, title="<b>{{ 7*7 }}</b>", services=("api", "db"))],
        PATTERNS,
    )
    plain = generate(kb, link_style="directory")
    stash = HtmlStash()
    stashed = generate(kb, link_style="directory", stash=stash)
    assert stashed.keys() == plain.keys()
    token = re.compile(r"^(pmkb[0-9a-f]{16}x[0-9]+)$", re.MULTILINE)
    for uri in ("incidents/a.md", "incidents/index.md", "actions.md", "graph.md", "dashboard.md"):
        assert "<table" not in stashed[uri] and "<svg" not in stashed[uri], uri
        restored = stash.restore(token.sub(r"<p>\1</p>", stashed[uri]))
        squeeze = re.compile(r"\n+")
        assert squeeze.sub("\n", restored) == squeeze.sub("\n", plain[uri]), uri
    # card, timeline note, related, neighbourhood
    assert len(token.findall(stashed["incidents/a.md"])) == 4
