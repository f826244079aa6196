"""The body: sections (PM010/PM011), timeline (PM020/PM021), whys, action items (PM040/PM041)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import VALID_FRONT_MATTER, postmortem_text
from postmortem_kb.model import (
    ActionItem,
    ActionStatus,
    Diagnostic,
    Level,
    Postmortem,
    Section,
    Severity,
    TimelineEvent,
    Why,
)
from postmortem_kb.parse import (
    PLACEHOLDER_RE,
    Placeholder,
    find_placeholders,
    parse_pattern,
    parse_postmortem,
    parse_timestamp,
)
from postmortem_kb.settings import Settings

FRONT = """\
---
title: Checkout latency
date: 2025-03-14
severity: P2
status: draft
authors: [Dana Analyst]
timezone: UTC
started: 2025-03-14T09:00Z
detected: 2025-03-14T09:03Z
mitigated: 2025-03-14T09:12Z
detection: monitoring
services: [checkout]
root_causes: [cache-stampede]
---
"""
FIRST_BODY_LINE = 15

SECTIONS = {
    "Summary": "Checkout was slow for twelve minutes.",
    "Timeline": "| Time | Event | Source |\n|---|---|---|\n| 09:00 | Cache flushed | job log |",
    "Impact": "Slow pages.",
    "Root Cause Analysis": "1. Why? Because. Evidence: graph",
    "Detection and Response": "An alert fired.",
    "What Went Well": "Rollback.",
    "What Could Be Improved": "Canaries.",
    "Action Items": "| ID | Action | Owner | Priority | Due Date |\n|---|---|---|---|---|\n"
    "| A1 | Add a canary | SRE | P2 | 2025-04-01 |",
    "Lessons Learned": "Canaries matter.",
}


def body(**replace: str | None) -> str:
    """The nine sections in order; keyword = section title with underscores, value = content or None to drop."""
    parts = []
    for title, content in SECTIONS.items():
        key = title.replace(" ", "_")
        if key in replace and replace[key] is None:
            continue
        parts.append(f"## {title}\n\n{replace.get(key, content)}\n")
    return "\n".join(parts)


def parse(text: str) -> tuple[Postmortem | None, list[Diagnostic]]:
    return parse_postmortem(text.encode("utf-8"), "postmortems/x.md", Settings())


def where(diagnostics: list[Diagnostic]) -> list[tuple[str, Level, int, int]]:
    return [(d.code, d.level, d.line, d.column) for d in diagnostics]


def line_of(text: str, needle: str) -> int:
    """1-based file line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


# -- sections ----------------------------------------------------------------------------------
def test_sections_are_recorded_with_keys_lines_and_markdown() -> None:
    text = FRONT + "# Checkout latency\n\n" + body(Impact="Slow.\n\n## Customer Quotes\n\nOuch.")
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    assert [(s.title, s.key, s.line) for s in pm.sections][:4] == [
        ("Summary", "summary", 17),
        ("Timeline", "timeline", 21),
        ("Impact", "impact", 27),
        ("Customer Quotes", None, 31),
    ]
    assert pm.sections[0] == Section(
        "Summary", "summary", 17, "\nCheckout was slow for twelve minutes.\n"
    )
    assert pm.summary == "Checkout was slow for twelve minutes."
    assert pm.lessons == "Canaries matter."


def test_section_names_match_case_insensitively() -> None:
    text = FRONT + body().replace("## Root Cause Analysis", "##   root CAUSE analysis ##")
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    assert pm.section("root cause analysis") is not None


def test_headings_inside_fences_are_not_sections() -> None:
    fenced = "```\n## Timeline\n```\n\n~~~~\n## Impact\n~~~~"
    pm, diagnostics = parse(FRONT + body(Summary=fenced))
    assert diagnostics == []
    assert pm is not None
    assert len(pm.sections) == 9


def test_pm010_missing_section_points_at_the_heading_before() -> None:
    text = FRONT + body(Impact=None)
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM010", Level.ERROR, line_of(text, "## Timeline"), 1)]
    assert (
        diagnostics[0].message == "required section '## Impact' is missing; add it after 'Timeline'"
    )


def test_pm010_missing_summary_points_at_body_start() -> None:
    _, diagnostics = parse(FRONT + body(Summary=None))
    assert where(diagnostics) == [("PM010", Level.ERROR, FIRST_BODY_LINE, 1)]
    assert "'## Summary' is missing; add it first" in diagnostics[0].message


def test_pm010_out_of_order_points_at_the_heading() -> None:
    text = FRONT + body(Impact=None) + "\n## Impact\n\nSlow pages.\n"
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM010", Level.ERROR, line_of(text, "## Impact"), 1)]
    assert diagnostics[0].message == (
        "section 'Impact' is out of order; move it after 'Timeline' and before 'Root Cause Analysis'"
    )


def test_pm010_extra_section_before_summary() -> None:
    text = FRONT + "## Background\n\nx\n\n" + body()
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM010", Level.ERROR, FIRST_BODY_LINE, 1)]
    assert "comes before 'Summary'" in diagnostics[0].message


def test_pm010_duplicate_section() -> None:
    text = FRONT + body() + "\n## Summary\n\nAgain.\n"
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM010", Level.ERROR, text.count("\n") - 2, 1)]
    assert "appears twice (first on line 15)" in diagnostics[0].message


def test_pm010_no_sections_at_all_is_one_diagnostic() -> None:
    _, diagnostics = parse(FRONT + "Just prose.\nSummary\n-------\n")
    assert where(diagnostics) == [("PM010", Level.ERROR, FIRST_BODY_LINE, 1)]
    assert diagnostics[0].message.startswith("the body has none of the required sections")


def test_pm011_empty_section_including_comment_only() -> None:
    text = FRONT + body(Impact="", What_Went_Well="<!-- fill in\nlater -->")
    _, diagnostics = parse(text)
    assert where(diagnostics) == [
        ("PM011", Level.ERROR, line_of(text, "## Impact"), 1),
        ("PM011", Level.ERROR, line_of(text, "## What Went Well"), 1),
    ]
    assert diagnostics[0].message.startswith("section 'Impact' is empty")


def test_pm011_placeholders_one_per_line_with_column() -> None:
    text = FRONT + body(
        Impact="About [number] users, see [describe the impact].\nOn YYYY-MM-DD at HH:MM."
    )
    _, diagnostics = parse(text)
    line = line_of(text, "About [number]")
    assert where(diagnostics) == [
        ("PM011", Level.ERROR, line, 7),
        ("PM011", Level.ERROR, line + 1, 4),
    ]
    assert diagnostics[0].message == (
        "template placeholders '[number]', '[describe the impact]' left in; replace them with the "
        "real content"
    )


def test_pm011_template_table_rows_are_placeholders_not_time_errors() -> None:
    timeline = "| Time | Event | Source |\n|---|---|---|\n| HH:MM | [event] | [source] |"
    actions = (
        "| ID | Action | Owner | Priority | Due Date |\n|---|---|---|---|---|\n"
        "| A1 | [action] | [team/person] | P2 | YYYY-MM-DD |"
    )
    text = FRONT + body(Timeline=timeline, Action_Items=actions)
    pm, diagnostics = parse(text)
    assert where(diagnostics) == [
        ("PM011", Level.ERROR, line_of(text, "| HH:MM"), 3),
        ("PM011", Level.ERROR, line_of(text, "| A1 | [action]"), 8),
    ]
    assert pm is not None
    assert pm.timeline[0].at is None
    assert pm.action_items[0].due is None


def test_pm011_front_matter_title_placeholder() -> None:
    _, diagnostics = parse(
        FRONT.replace("title: Checkout latency", "title: '[incident title]'") + body()
    )
    assert where(diagnostics) == [("PM011", Level.ERROR, 2, 8)]


# -- placeholders ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "[event]",
        "Owner: [team/person]",
        "[describe the impact]",
        "At HH:MM:SS",
        "(YYYY-MM-DD)",
        "- [x] is a placeholder when not a checkbox [x]",
    ],
)
def test_placeholders_found(text: str) -> None:
    assert find_placeholders(text)


@pytest.mark.parametrize(
    "text",
    [
        "[runbook](https://x.example)",
        "![graph](g.png)",
        "[see][ref]\n\n[ref]: https://x.example",
        "[runbook]\n\n[runbook]: https://x.example",
        "- [ ] open task\n- [x] done task\n1. [x] numbered task",
        "`[event]` and ``HH:MM``",
        "```\n[event]\n```",
        "<!-- [event] -->",
        "<!--\n[event]\n-->",
        "items[i] and [Proper Noun] and [A]",
        "HHH:MM and YYYY-MM-DDx and [[wiki]]",
    ],
)
def test_not_placeholders(text: str) -> None:
    assert find_placeholders(text) == []


def test_find_placeholders_positions_and_regex() -> None:
    assert find_placeholders("a\n  x [event] HH:MM") == [
        Placeholder(2, 5, "[event]"),
        Placeholder(2, 13, "HH:MM"),
    ]
    assert PLACEHOLDER_RE.fullmatch("[team/person]")
    assert PLACEHOLDER_RE.fullmatch("YYYY-MM-DD")
    assert not PLACEHOLDER_RE.fullmatch("[Event]")


# -- timeline ----------------------------------------------------------------------------------
def test_timeline_rows_with_dates_escapes_and_causes() -> None:
    timeline = (
        "Time | Event | Source | Cause\n"
        "--- | :---: | ---: | ---\n"
        "23:50 | Deploy a \\| b | [ci](https://ci.example/1) | |\n"
        "2025-03-15 00:05 | Errors | alert | 23:50\n"
        "00:07:30 | Decision: roll back | chat | 2025-03-15 00:05"
    )
    text = FRONT + body(Timeline=timeline)
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    first = line_of(text, "23:50 | Deploy")
    assert pm.timeline == (
        TimelineEvent(
            first,
            "23:50",
            datetime(2025, 3, 14, 23, 50, tzinfo=UTC),
            "Deploy a | b",
            "[ci](https://ci.example/1)",
        ),
        TimelineEvent(
            first + 1,
            "2025-03-15 00:05",
            datetime(2025, 3, 15, 0, 5, tzinfo=UTC),
            "Errors",
            "alert",
            "23:50",
        ),
        TimelineEvent(
            first + 2,
            "00:07:30",
            datetime(2025, 3, 15, 0, 7, 30, tzinfo=UTC),
            "Decision: roll back",
            "chat",
            "2025-03-15 00:05",
        ),
    )


def test_timeline_bare_times_use_the_incident_zone() -> None:
    text = FRONT.replace("timezone: UTC", "timezone: America/New_York") + body()
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    assert pm.timeline[0].at == datetime(2025, 3, 14, 13, 0, tzinfo=UTC)


def test_pm020_missing_table() -> None:
    text = FRONT + body(Timeline="We have no table.")
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM020", Level.ERROR, line_of(text, "## Timeline"), 1)]
    assert (
        diagnostics[0].message
        == "timeline table is missing; add a table with the columns Time | Event | Source"
    )


@pytest.mark.parametrize(
    ("table", "row", "words"),
    [
        (
            "| Time | What | Source |\n|---|---|---|\n| 09:00 | a | b |",
            0,
            "header must be 'Time | Event | Source'",
        ),
        ("| Time | Event | Source |\n| 09:00 | a | b |", 0, "needs a delimiter row"),
        (
            "| Time | Event | Source |\n|---|---|\n| 09:00 | a | b |",
            1,
            "delimiter row has 2 cells but the header has 3",
        ),
        (
            "| Time | Event | Source |\n|---|---|---|\n| 09:00 | a | b | c |",
            2,
            "row has 4 cells but the header has 3",
        ),
        ("| Time | Event | Source |\n|---|---|---|", 0, "has no rows"),
    ],
)
def test_pm020_malformed_table(table: str, row: int, words: str) -> None:
    text = FRONT + body(Timeline=table)
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM020", Level.ERROR, line_of(text, "| Time") + row, 1)]
    assert words in diagnostics[0].message


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("9am", "is not a time; write HH:MM, HH:MM:SS or YYYY-MM-DD HH:MM[:SS]"),
        ("25:00", "is not a valid time of day"),
        ("2025-02-30 09:00", "has a date that must be a real calendar date"),
        ("09:00 +25:00", "impossible UTC offset"),
    ],
)
def test_pm021_unparseable_time(cell: str, words: str) -> None:
    timeline = f"| Time | Event | Source |\n|---|---|---|\n| {cell} | a | b |"
    text = FRONT + body(Timeline=timeline)
    pm, diagnostics = parse(text)
    assert where(diagnostics) == [("PM021", Level.ERROR, line_of(text, f"| {cell}"), 3)]
    assert words in diagnostics[0].message
    assert pm is not None
    assert pm.timeline[0].at is None


def test_pm021_dst_gap_and_fold_and_explicit_offset() -> None:
    front = FRONT.replace("timezone: UTC", "timezone: Europe/Berlin").replace(
        "date: 2025-03-14", "date: 2025-03-30"
    )
    timeline = (
        "| Time | Event | Source |\n|---|---|---|\n"
        "| 01:59 | a | s |\n| 02:30 | gap | s |\n| 02:30+01:00 | offset | s |\n"
        "| 2025-10-26 02:30 | fold | s |\n| 2025-10-26 02:30+01:00 | second | s |"
    )
    text = front + body(Timeline=timeline)
    pm, diagnostics = parse(text)
    first = line_of(text, "| 01:59")
    assert [(d.code, d.line) for d in diagnostics if d.code.startswith("PM02")] == [
        ("PM021", first + 1),
        ("PM021", first + 3),
    ]
    assert "does not exist in Europe/Berlin" in diagnostics[0].message
    assert "happens twice in Europe/Berlin" in diagnostics[1].message
    assert pm is not None
    assert [event.at for event in pm.timeline] == [
        datetime(2025, 3, 30, 0, 59, tzinfo=UTC),
        None,
        datetime(2025, 3, 30, 1, 30, tzinfo=UTC),
        None,
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
    ]


def test_pm021_model_times_around_dst() -> None:
    front = FRONT.replace("timezone: UTC", "timezone: Europe/Berlin").replace(
        "date: 2025-03-14", "date: 2025-03-30"
    )
    timeline = "| Time | Event | Source |\n|---|---|---|\n| 01:59 | a | s |\n| 03:01 | b | s |"
    pm, diagnostics = parse(front + body(Timeline=timeline))
    assert diagnostics == []
    assert pm is not None
    assert pm.timeline[1].at is not None and pm.timeline[0].at is not None
    assert pm.timeline[1].at - pm.timeline[0].at == timedelta(minutes=2)


# -- root cause analysis -----------------------------------------------------------------------
def test_whys_first_ordered_list_with_continuations_and_evidence() -> None:
    rca = (
        "Intro paragraph.\n\n"
        "1. Pages were slow. **Evidence:** p99 graph\n"
        "2. The cache was cold,\n"
        '   see [the dashboard](https://grafana.example/d/1 "title").\n\n'
        "   ```\n   1. not an item\n   ```\n"
        "3. A flush ran at peak. <https://ci.example/run/7> and https://wiki.example/page.\n"
        "4. Nobody reviewed the schedule [log][l].\n"
        "5. No guard rail existed. `[x](not-a-link)`\n\n"
        "Afterwards.\n\n"
        "1. A second list\n\n"
        "[l]: https://logs.example/9"
    )
    text = FRONT + body(Root_Cause_Analysis=rca)
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    first = line_of(text, "1. Pages were slow")
    assert pm.whys == (
        Why(first, "Pages were slow. **Evidence:** p99 graph", ("p99 graph",)),
        Why(
            first + 1,
            'The cache was cold,\nsee [the dashboard](https://grafana.example/d/1 "title").\n\n```\n1. not an item\n```',
            ("https://grafana.example/d/1",),
        ),
        Why(
            first + 7,
            "A flush ran at peak. <https://ci.example/run/7> and https://wiki.example/page.",
            ("https://ci.example/run/7", "https://wiki.example/page"),
        ),
        Why(first + 8, "Nobody reviewed the schedule [log][l].", ("https://logs.example/9",)),
        Why(first + 9, "No guard rail existed. `[x](not-a-link)`", ()),
    )
    assert pm.root_cause_statement == "No guard rail existed. `[x](not-a-link)`"


def test_whys_other_delimiter_starts_a_new_list() -> None:
    pm, _ = parse(FRONT + body(Root_Cause_Analysis="1. one\n2. two\n3) three"))
    assert pm is not None
    assert [w.text for w in pm.whys] == ["one", "two"]


def test_whys_absent_without_ordered_list() -> None:
    pm, _ = parse(FRONT + body(Root_Cause_Analysis="- a bullet"))
    assert pm is not None
    assert pm.whys == ()


# -- action items ------------------------------------------------------------------------------
def test_action_items_with_status_and_link() -> None:
    actions = (
        "| id | action | owner | priority | due date | status | link |\n|---|---|---|---|---|---|---|\n"
        "| A1 | Canary | SRE | p1 | 2025-04-01 | Verified | https://t.example/1 |\n"
        "| A2 | Docs | Docs team | P3 | 2025-05-01 | | |"
    )
    text = FRONT + body(Action_Items=actions)
    pm, diagnostics = parse(text)
    assert diagnostics == []
    assert pm is not None
    line = line_of(text, "| A1")
    assert pm.action_items == (
        ActionItem(
            line,
            "A1",
            "Canary",
            "SRE",
            Severity.P1,
            date(2025, 4, 1),
            ActionStatus.VERIFIED,
            "https://t.example/1",
        ),
        ActionItem(
            line + 1,
            "A2",
            "Docs",
            "Docs team",
            Severity.P3,
            date(2025, 5, 1),
            ActionStatus.OPEN,
            None,
        ),
    )


def test_pm040_missing_and_bad_header() -> None:
    text = FRONT + body(Action_Items="None yet.")
    _, diagnostics = parse(text)
    assert where(diagnostics) == [("PM040", Level.ERROR, line_of(text, "## Action Items"), 1)]
    text = FRONT + body(Action_Items="| ID | Action | Owner |\n|---|---|---|\n| A1 | x | y |")
    _, diagnostics = parse(text)
    assert where(diagnostics) == [
        ("PM040", Level.ERROR, line_of(text, "| ID | Action | Owner |"), 1)
    ]
    assert diagnostics[0].message.startswith(
        "action items table header must be 'ID | Action | Owner | Priority | Due Date' (optionally extended:"
    )


def test_pm041_each_bad_cell_with_its_column() -> None:
    actions = (
        "| ID | Action | Owner | Priority | Due Date | Status |\n|---|---|---|---|---|---|\n"
        "| A1 | Fix | | P5 | 2025-02-30 | later |\n"
        "| | Fix | SRE | P1 | 2025-03-01 | done |"
    )
    text = FRONT + body(Action_Items=actions)
    pm, diagnostics = parse(text)
    line = line_of(text, "| A1")
    assert where(diagnostics) == [
        ("PM041", Level.ERROR, line, 13),
        ("PM041", Level.ERROR, line, 16),
        ("PM041", Level.ERROR, line, 21),
        ("PM041", Level.ERROR, line, 34),
        ("PM041", Level.ERROR, line + 1, 2),
    ]
    assert [d.message for d in diagnostics] == [
        "action item 'A1' has no owner; name a team or role",
        "action item 'A1' priority must be one of P0, P1, P2, P3 (got 'P5')",
        "action item 'A1' due date must be a real calendar date YYYY-MM-DD (got '2025-02-30': day is out of range for month)",
        "action item 'A1' status must be one of open, in-progress, done, verified, wont-do or empty for open (got 'later')",
        "action item has no ID; give each item a short ID such as A1",
    ]
    assert pm is not None
    assert pm.action_items[0] == ActionItem(line, "A1", "Fix", "", None, None, ActionStatus.OPEN)


# -- parse_timestamp ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-14T09:12:00Z", datetime(2025, 3, 14, 9, 12, tzinfo=UTC)),
        ("2025-03-14 09:12", datetime(2025, 3, 14, 8, 12, tzinfo=UTC)),
        ("2025-03-14T09:12+01:00", datetime(2025, 3, 14, 8, 12, tzinfo=UTC)),
        ("2025-03-14t09:12:30.5-0230", datetime(2025, 3, 14, 11, 42, 30, 500000, tzinfo=UTC)),
        (datetime(2025, 3, 14, 9, 12), datetime(2025, 3, 14, 8, 12, tzinfo=UTC)),
        (
            datetime(2025, 3, 14, 10, 12, tzinfo=timezone(timedelta(hours=1))),
            datetime(2025, 3, 14, 9, 12, tzinfo=UTC),
        ),
    ],
)
def test_parse_timestamp_accepts(value: str | datetime, expected: datetime) -> None:
    assert parse_timestamp(value, ZoneInfo("Europe/Berlin")) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("12:30", "must be an ISO 8601 timestamp"),
        ("2025-03-14", "must be an ISO 8601 timestamp"),
        (date(2025, 3, 14), "without a time"),
        ("2025-02-30 09:00", "must be a real date and time"),
        ("2025-03-14T09:00+24:00", "impossible UTC offset"),
        ("2025-03-30 02:30", "does not exist in Europe/Berlin"),
        ("2025-10-26 02:30", "happens twice in Europe/Berlin"),
    ],
)
def test_parse_timestamp_refuses(value: str | date, words: str) -> None:
    result = parse_timestamp(value, ZoneInfo("Europe/Berlin"))
    assert isinstance(result, str)
    assert words in result


def test_evidence_link_is_counted_once() -> None:
    pm, _ = parse(
        FRONT + body(Root_Cause_Analysis="1. Slow. Evidence: [graph](https://g.example/1)")
    )
    assert pm is not None
    assert pm.whys[0].evidence == ("https://g.example/1",)


def test_a_placeholder_left_in_an_id_list_is_pm011_not_pm006() -> None:
    """`pmkb new` without --pattern writes root_causes: ['[pattern-id]'] for the author to fill."""
    text = postmortem_text(
        VALID_FRONT_MATTER.replace("[cache-stampede]", "['[pattern-id]']").replace(
            "[checkout]", "['[service]']"
        )
    )
    pm, diagnostics = parse_postmortem(text.encode(), "postmortems/x.md", Settings())
    assert pm is None
    assert [(d.code, d.line, d.column, d.message) for d in diagnostics] == [
        ("PM011", 14, 12, "services still holds the template placeholder '[service]'; replace it"),
        (
            "PM011",
            15,
            15,
            "root_causes still holds the template placeholder '[pattern-id]'; replace it",
        ),
    ]


@pytest.mark.parametrize("parse", [parse_postmortem, parse_pattern])
def test_a_bug_in_the_parser_is_a_pm001_diagnostic_not_a_crash(
    parse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import postmortem_kb.parse as parse_module

    def broken(*args: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(parse_module, "_decode", broken)
    model, diagnostics = parse(b"---\ntitle: x\n---\n", "postmortems/x.md", Settings())
    assert model is None
    assert [(d.code, d.line, d.column, d.message) for d in diagnostics] == [
        ("PM001", 1, 1, "file could not be parsed (KeyError); please report this")
    ]
