"""Per-file rules on the parsed model (rules.py), with models built by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import VALID_BODY, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb.model import (
    ActionItem,
    ActionStatus,
    Detection,
    Diagnostic,
    Level,
    Postmortem,
    Section,
    Severity,
    Status,
    TimelineEvent,
    Why,
)
from postmortem_kb.parse import parse_postmortem
from postmortem_kb.rules import RULES, check_postmortem, file_lines
from postmortem_kb.settings import Settings

TODAY = date(2025, 4, 1)
PATH = "postmortems/2025-03-14-checkout.md"


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A moment on the incident day, in UTC."""
    return datetime(2025, 3, 14, hour, minute, second, tzinfo=UTC)


def row(
    line: int,
    hhmm: str,
    event: str = "Checked dashboards",
    source: str = "#inc-chat",
    cause: str | None = None,
) -> TimelineEvent:
    hour, minute = (int(part) for part in hhmm.split(":")[:2])
    return TimelineEvent(line, hhmm, at(hour, minute), event, source, cause)


TIMELINE = (
    row(20, "09:00", "Deploy of checkout v2.14 starts", "deploy log"),
    row(21, "09:04", "Latency alert fires", "PagerDuty", cause="09:00"),
    row(22, "09:06", "On-call engineer acknowledges", "PagerDuty"),
    row(23, "09:10", "Decision: roll back rather than hotfix", "#inc-checkout"),
    row(24, "09:14", "Rollback complete, latency recovering", "deploy log", cause="09:10"),
    row(25, "09:18", "Latency back to baseline", "Grafana"),
)
WHYS = tuple(
    Why(
        40 + n,
        f"Why {n}? Because. Evidence: [graph](https://grafana.example.com/d/{n})",
        (f"https://grafana.example.com/d/{n}",),
    )
    for n in range(1, 6)
)
ACTIONS = (
    ActionItem(60, "AI-1", "Add a canary stage", "Payments SRE", Severity.P1, date(2025, 4, 30)),
    ActionItem(
        61,
        "AI-2",
        "Alert on pool saturation",
        "Payments SRE",
        Severity.P2,
        date(2025, 3, 20),
        ActionStatus.DONE,
    ),
)
SECTIONS = (
    Section("Summary", "summary", 16, "Checkout was slow."),
    Section("Timeline", "timeline", 18, "| Time | Event | Source |"),
    Section("Impact", "impact", 28, "Slow checkout."),
    Section("Root Cause Analysis", "root cause analysis", 38, "1. Why"),
    Section("Action Items", "action items", 58, "| ID |"),
)
KEY_LINES = {
    "title": 2,
    "date": 3,
    "severity": 4,
    "timezone": 5,
    "started": 6,
    "detected": 7,
    "responded": 8,
    "escalated": 9,
    "mitigated": 10,
    "resolved": 11,
}


def make_pm(**changes: object) -> Postmortem:
    """A clean P1 post-mortem; keyword arguments replace fields."""
    pm = Postmortem(
        id="2025-03-14-checkout",
        path=PATH,
        title="Checkout latency after a deploy",
        date=date(2025, 3, 14),
        severity=Severity.P1,
        status=Status.FINAL,
        authors=("Dana Whitfield",),
        timezone="UTC",
        started=at(9, 0),
        detected=at(9, 4),
        responded=at(9, 6),
        escalated=at(9, 8),
        mitigated=at(9, 14),
        resolved=at(9, 18),
        detection=Detection.MONITORING,
        services=("checkout",),
        root_causes=("missing-canary",),
        sections=SECTIONS,
        timeline=TIMELINE,
        whys=WHYS,
        action_items=ACTIONS,
        key_lines=KEY_LINES,
        body_line=15,
    )
    return replace(pm, **changes)  # type: ignore[arg-type]


def check(
    pm: Postmortem, settings: Settings | None = None, today: date = TODAY
) -> list[Diagnostic]:
    return check_postmortem(pm, b"", settings or Settings(), today)


def codes(diagnostics: list[Diagnostic], code: str) -> list[tuple[int, int, Level]]:
    return [(d.line, d.column, d.level) for d in diagnostics if d.code == code]


def test_clean_model_has_no_diagnostics() -> None:
    assert check(make_pm()) == []


def test_every_rule_is_registered_once() -> None:
    assert len(RULES) == len(set(RULES)) == 14


# -- PM008 --------------------------------------------------------------------------
def test_pm008_detected_before_started_names_both_keys_and_local_times() -> None:
    pm = make_pm(timezone="Europe/Berlin", started=at(9, 5), detected=at(9, 4))
    found = [d for d in check(pm) if d.code == "PM008"]
    assert found == [
        Diagnostic(
            PATH, 7, 1, "PM008", Level.ERROR,
            "`detected` (2025-03-14 10:04 CET) is before `started` (2025-03-14 10:05 CET); "
            "timestamps must be in the order started ≤ detected ≤ responded ≤ mitigated ≤ resolved "
            "and detected ≤ escalated ≤ resolved (for the keys present)",
        )
    ]  # fmt: skip


def test_pm008_skips_absent_keys_and_compares_with_the_nearest_present_one() -> None:
    pm = make_pm(responded=None, mitigated=at(9, 3))  # mitigated before detected (09:04)
    assert codes(check(pm), "PM008") == [(10, 1, Level.ERROR)]


def test_pm008_escalation_chain() -> None:
    late_escalation = make_pm(escalated=at(9, 30))  # after resolved 09:18
    assert codes(check(late_escalation), "PM008") == [(11, 1, Level.ERROR)]
    early_escalation = make_pm(escalated=at(9, 2))  # before detected 09:04
    assert codes(check(early_escalation), "PM008") == [(9, 1, Level.ERROR)]


def test_pm008_equal_timestamps_are_in_order() -> None:
    pm = make_pm(detected=at(9, 4), responded=at(9, 4), escalated=at(9, 4))
    assert codes(check(pm), "PM008") == []


def test_pm008_shows_seconds_when_present() -> None:
    pm = make_pm(started=at(9, 4, 30), detected=at(9, 4, 10))
    (found,) = [d for d in check(pm) if d.code == "PM008"]
    assert (
        "(2025-03-14 09:04:10 UTC) is before `started` (2025-03-14 09:04:30 UTC)" in found.message
    )


# -- PM022 --------------------------------------------------------------------------
def test_pm022_row_earlier_than_the_one_above() -> None:
    timeline = (*TIMELINE[:3], row(23, "09:05", "Decision: roll back"), *TIMELINE[4:])
    found = [d for d in check(make_pm(timeline=timeline)) if d.code == "PM022"]
    assert [(d.line, d.level) for d in found] == [(23, Level.ERROR)]
    assert found[0].message.startswith(
        "timeline not chronological: 09:05 is earlier than the row above it (09:06, line 22)"
    )


def test_pm022_equal_times_and_unparsed_rows_are_fine() -> None:
    unparsed = TimelineEvent(23, "9h10", None, "Decision: roll back", "#inc")
    timeline = (*TIMELINE[:3], unparsed, row(24, "09:06", "Rollback starts"), *TIMELINE[4:])
    assert codes(check(make_pm(timeline=timeline)), "PM022") == []


# -- PM023 --------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["", "   ", "-", "—", "n/a", "N/A", "TBD", "?", "**none**"])
def test_pm023_row_without_source(source: str) -> None:
    timeline = (*TIMELINE[:2], replace(TIMELINE[2], source=source), *TIMELINE[3:])
    assert codes(check(make_pm(timeline=timeline)), "PM023") == [(22, 1, Level.ERROR)]


# -- PM024 --------------------------------------------------------------------------
def test_pm024_unexplained_gap_gives_length_and_limit() -> None:
    timeline = (
        *TIMELINE[:5],
        row(25, "09:20", "Latency back to baseline", "Grafana"),
    )  # 6 min after 09:14
    found = [d for d in check(make_pm(timeline=timeline, resolved=at(9, 20))) if d.code == "PM024"]
    assert found == [
        Diagnostic(
            PATH, 25, 1, "PM024", Level.ERROR,
            "unexplained gap of 6 min since the row at line 24, over the limit of 5 min "
            "(gap_limit_minutes); add `Gap: <what happened meanwhile>` to this row's Event",
        )
    ]  # fmt: skip


def test_pm024_gap_with_hours_and_seconds_reads_naturally() -> None:
    last = TimelineEvent(25, "10:19:30", at(10, 19, 30), "Latency back to baseline", "Grafana")
    pm = make_pm(timeline=(*TIMELINE[:5], last), mitigated=at(9, 14), resolved=at(10, 20))
    (found,) = [d for d in check(pm) if d.code == "PM024"]
    assert "gap of 1 h 05 min 30 s since the row at line 24" in found.message


def test_pm024_explained_gap_exact_limit_and_configured_limit() -> None:
    explained = (
        *TIMELINE[:5],
        row(25, "09:30", "Gap: waited for caches to warm; latency normal", "Grafana"),
    )
    assert codes(check(make_pm(timeline=explained, resolved=at(9, 30))), "PM024") == []
    exactly_five = (*TIMELINE[:5], row(25, "09:19", "Latency normal", "Grafana"))
    assert codes(check(make_pm(timeline=exactly_five, resolved=at(9, 19))), "PM024") == []
    ten = (*TIMELINE[:5], row(25, "09:24", "Latency normal", "Grafana"))
    pm = make_pm(timeline=ten, resolved=at(9, 24))
    assert codes(check(pm), "PM024") == [(25, 1, Level.ERROR)]
    assert codes(check(pm, Settings(gap_limit_minutes=10)), "PM024") == []


# -- PM025 --------------------------------------------------------------------------
NO_DECISION = tuple(replace(r, event=r.event.replace("Decision: ", "")) for r in TIMELINE)


@pytest.mark.parametrize("severity", [Severity.P0, Severity.P1])
def test_pm025_severe_incident_without_decision_point(severity: Severity) -> None:
    found = [
        d for d in check(make_pm(severity=severity, timeline=NO_DECISION)) if d.code == "PM025"
    ]
    assert [(d.line, d.column, d.level) for d in found] == [(18, 1, Level.WARNING)]
    assert f"of a {severity} incident" in found[0].message


def test_pm025_not_for_minor_incidents_nor_with_a_decision() -> None:
    assert codes(check(make_pm(severity=Severity.P2, timeline=NO_DECISION)), "PM025") == []
    assert codes(check(make_pm(severity=Severity.P0)), "PM025") == []


# -- PM026 --------------------------------------------------------------------------
def test_pm026_started_before_the_first_row() -> None:
    found = [d for d in check(make_pm(started=at(8, 55))) if d.code == "PM026"]
    assert found == [
        Diagnostic(
            PATH, 6, 1, "PM026", Level.ERROR,
            "`started` (2025-03-14 08:55 UTC) is outside the timeline's span (2025-03-14 09:00 UTC "
            "to 2025-03-14 09:18 UTC); add a timeline row for it or correct the timestamp",
        )
    ]  # fmt: skip


def test_pm026_detected_after_the_last_row() -> None:
    pm = make_pm(
        detected=at(9, 19), responded=None, escalated=None, mitigated=at(9, 20), resolved=None
    )
    assert codes(check(pm), "PM026") == [(7, 1, Level.ERROR)]


def test_pm026_span_ignores_unparsed_rows_and_empty_timelines() -> None:
    unparsed = TimelineEvent(19, "yesterday", None, "Config change merged", "git")
    assert codes(check(make_pm(timeline=(unparsed, *TIMELINE))), "PM026") == []
    assert codes(check(make_pm(timeline=())), "PM026") == []


# -- PM027 --------------------------------------------------------------------------
def test_pm027_cause_naming_no_earlier_row() -> None:
    timeline = (*TIMELINE[:2], replace(TIMELINE[2], cause="09:40"), *TIMELINE[3:])
    found = [d for d in check(make_pm(timeline=timeline)) if d.code == "PM027"]
    assert found == [
        Diagnostic(
            PATH, 22, 1, "PM027", Level.ERROR,
            "Cause `09:40` names no earlier row; a Cause is the Time of an earlier row exactly "
            "as written there (e.g. `09:04`)",
        )
    ]  # fmt: skip


def test_pm027_cause_naming_itself_or_a_later_row() -> None:
    timeline = (
        replace(TIMELINE[0], cause="09:04"),
        TIMELINE[1],
        replace(TIMELINE[2], cause="09:06"),
        *TIMELINE[3:],
    )
    assert codes(check(make_pm(timeline=timeline)), "PM027") == [
        (20, 1, Level.ERROR),
        (22, 1, Level.ERROR),
    ]


def test_pm027_cause_matches_after_strip_and_blank_cause_is_none() -> None:
    timeline = (
        *TIMELINE[:2],
        replace(TIMELINE[2], cause=" 09:00 "),
        replace(TIMELINE[3], cause="  "),
        *TIMELINE[4:],
    )
    assert codes(check(make_pm(timeline=timeline)), "PM027") == []


# -- PM030 / PM031 ------------------------------------------------------------------
def test_pm030_too_few_whys_at_the_heading() -> None:
    found = [d for d in check(make_pm(whys=WHYS[:3])) if d.code == "PM030"]
    assert [(d.line, d.level) for d in found] == [(38, Level.ERROR)]
    assert found[0].message.startswith(
        "root cause analysis has 3 levels; at least 5 are required (min_whys)"
    )


def test_pm030_configurable_minimum_and_missing_section() -> None:
    assert codes(check(make_pm(whys=WHYS[:3]), Settings(min_whys=3)), "PM030") == []
    without_rca = tuple(s for s in SECTIONS if s.key != "root cause analysis")
    assert codes(check(make_pm(whys=(), sections=without_rca)), "PM030") == []


def test_pm031_level_without_evidence() -> None:
    whys = (*WHYS[:2], replace(WHYS[2], evidence=()), *WHYS[3:])
    found = [d for d in check(make_pm(whys=whys)) if d.code == "PM031"]
    assert [(d.line, d.column, d.level) for d in found] == [(43, 1, Level.ERROR)]
    assert found[0].message.startswith("why level 3 cites no evidence")


# -- PM042 / PM043 ------------------------------------------------------------------
def test_pm042_duplicate_action_id_names_the_first_line() -> None:
    items = (*ACTIONS, replace(ACTIONS[0], line=62, id="ai-1 "))
    found = [d for d in check(make_pm(action_items=items)) if d.code == "PM042"]
    assert found == [
        Diagnostic(
            PATH, 62, 1, "PM042", Level.ERROR,
            "duplicate action item id `ai-1` (first used at line 60); give each action item its own id",
        )
    ]  # fmt: skip


def test_pm042_distinct_ids_and_blank_ids_are_not_duplicates() -> None:
    items = (*ACTIONS, replace(ACTIONS[0], line=62, id=""), replace(ACTIONS[0], line=63, id=" "))
    assert codes(check(make_pm(action_items=items)), "PM042") == []


def test_pm043_overdue_open_item_is_a_warning_with_days() -> None:
    items = (replace(ACTIONS[0], due=date(2025, 3, 20)), ACTIONS[1])
    found = [d for d in check(make_pm(action_items=items)) if d.code == "PM043"]
    assert found == [
        Diagnostic(
            PATH, 60, 1, "PM043", Level.WARNING,
            "action item `AI-1` is overdue: due 2025-03-20, 12 days ago, and still open; "
            "finish it, or update its status or due date",
        )
    ]  # fmt: skip


def test_pm043_level_follows_settings() -> None:
    items = (replace(ACTIONS[0], due=date(2025, 3, 31), status=ActionStatus.IN_PROGRESS),)
    pm = make_pm(action_items=items)
    assert codes(check(pm, Settings(overdue="error")), "PM043") == [(60, 1, Level.ERROR)]
    assert codes(check(pm, Settings(overdue="off")), "PM043") == []
    (found,) = [d for d in check(pm) if d.code == "PM043"]
    assert "1 day ago, and still in-progress" in found.message


def test_pm043_not_for_done_items_nor_due_today() -> None:
    items = (
        replace(ACTIONS[0], due=TODAY),
        replace(ACTIONS[0], line=61, id="AI-2", due=date(2025, 1, 1), status=ActionStatus.VERIFIED),
        replace(ACTIONS[0], line=62, id="AI-3", due=date(2025, 1, 1), status=ActionStatus.WONT_DO),
        replace(ACTIONS[0], line=63, id="AI-4", due=None),
    )
    assert codes(check(make_pm(action_items=items)), "PM043") == []
    assert codes(check(make_pm(action_items=items), today=TODAY + timedelta(days=1)), "PM043") == [
        (60, 1, Level.WARNING)
    ]


# -- running everything ---------------------------------------------------------------
def test_diagnostics_are_sorted_by_line_then_code() -> None:
    pm = make_pm(started=at(8, 55), whys=WHYS[:3], timeline=NO_DECISION)
    found = check(pm)
    assert [(d.line, d.code) for d in found] == [(6, "PM026"), (18, "PM025"), (38, "PM030")]
    assert found == sorted(found)


def test_check_postmortem_scans_the_file_lines_for_blame_and_privacy() -> None:
    data = "\n".join(["---"] * 15 + ["## Summary", "It was human error."]).encode()
    found = check_postmortem(make_pm(), data, Settings(), TODAY)
    assert [(d.line, d.column, d.code, d.level) for d in found] == [(17, 8, "PM060", Level.WARNING)]


def test_file_lines_numbers_lines_like_the_parser() -> None:
    data = "\ufeffa\r\nb\rc\nd\x0ce\u2028f\n".encode()
    assert file_lines(data) == ["a", "b", "c", "d\x0ce\u2028f", ""]
    assert file_lines(b"ok \xff")[0] == "ok \ufffd"


# -- end to end: whole files through parse_postmortem + check_postmortem ----------------------
def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def run_file(text: str, settings: Settings | None = None) -> list[tuple[int, int, str, Level]]:
    data = text.encode("utf-8")
    settings = settings or Settings()
    pm, parse_diagnostics = parse_postmortem(data, PATH, settings)
    assert pm is not None, parse_diagnostics
    assert parse_diagnostics == []
    return [
        (d.line, d.column, d.code, d.level) for d in check_postmortem(pm, data, settings, TODAY)
    ]


def test_end_to_end_valid_postmortem_is_clean() -> None:
    assert run_file(postmortem_text()) == []


BAD_TIMELINE = """\
## Timeline

| Time | Event | Source | Cause |
|---|---|---|---|
| 09:00 | Cache flushed by the nightly job | job log | |
| 09:03 | Latency alert fires | alert | 09:00 |
| 09:02 | On-call engineer acknowledges |  | |
| 09:08 | Cache warmer started | chat | |
| 09:14 | Latency back to normal | dashboard | |
| 09:15 | Warmer made part of the flush job | change | 09:20 |

"""


def test_end_to_end_every_rule_fires_at_the_right_line() -> None:
    front = (
        VALID_FRONT_MATTER.replace("severity: P2", "severity: P1")
        .replace("detected: 2025-03-14T09:03Z", "detected: 2025-03-14T08:59Z")
        .replace(
            "title: Checkout latency after cache flush", "title: Checkout latency after human error"
        )
    )
    timeline_start, impact_start = VALID_BODY.index("## Timeline"), VALID_BODY.index("## Impact")
    body = (
        (VALID_BODY[:timeline_start] + BAD_TIMELINE + VALID_BODY[impact_start:])
        .replace("4. The job has no warm-up step because it predates the checkout cache. Evidence: git history.\n", "4. Dana Analyst wrote the job before the checkout cache existed.\n")
        .replace(VALID_BODY[VALID_BODY.index("5. Nothing flagged") : VALID_BODY.index("## Detection")], "\n")
        .replace("| A1 | Warm the cache after every flush | platform-team | P2 | 2025-04-30 | done |", "| A1 | Warm the cache after every flush | platform-team | P2 | 2025-03-30 | open |\n| A1 | Log flushes | platform-team | P3 | 2025-05-30 | open |")
        .replace("About 8% of checkouts", "Customer 81.2.69.160 retried; about 8% of checkouts")
        .replace("The latency alert worked as intended.", "The alert log showed password=" + "hunter" + "2024! in clear.")
    )  # fmt: skip
    text = postmortem_text(front, body)
    assert run_file(text) == [
        (line_of(text, "title:"), 31, "PM060", Level.WARNING),
        (line_of(text, "detected:"), 1, "PM008", Level.ERROR),
        (line_of(text, "detected:"), 1, "PM026", Level.ERROR),
        (line_of(text, "## Timeline"), 1, "PM025", Level.WARNING),
        (line_of(text, "| 09:02 |"), 1, "PM022", Level.ERROR),
        (line_of(text, "| 09:02 |"), 1, "PM023", Level.ERROR),
        (line_of(text, "| 09:08 |"), 1, "PM024", Level.ERROR),
        (line_of(text, "| 09:14 |"), 1, "PM024", Level.ERROR),
        (line_of(text, "| 09:15 |"), 1, "PM027", Level.ERROR),
        (line_of(text, "Customer 81.2"), 10, "PM071", Level.WARNING),
        (line_of(text, "## Root Cause Analysis"), 1, "PM030", Level.ERROR),
        (line_of(text, "4. Dana Analyst"), 1, "PM031", Level.ERROR),
        (line_of(text, "4. Dana Analyst"), 4, "PM060", Level.WARNING),
        (line_of(text, "password="), 31, "PM070", Level.ERROR),
        (line_of(text, "| A1 | Warm"), 1, "PM043", Level.WARNING),
        (line_of(text, "| A1 | Log"), 1, "PM042", Level.ERROR),
    ]


def test_end_to_end_line_numbers_survive_bom_and_crlf() -> None:
    body = VALID_BODY.replace("About 8% of checkouts", "It was human error; about 8% of checkouts")
    text = postmortem_text(body=body)
    data = ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")
    pm, parse_diagnostics = parse_postmortem(data, PATH, Settings())
    assert pm is not None and parse_diagnostics == []
    found = check_postmortem(pm, data, Settings(), TODAY)
    assert [(d.line, d.column, d.code) for d in found] == [
        (line_of(text, "It was human error"), 8, "PM060")
    ]


# -- markers: `Gap:` needs its explanation, emphasis is allowed ----------------------------
@pytest.mark.parametrize(
    ("event", "explained"),
    [
        ("Gap: waited for the vendor's answer", True),
        ("Caches warm (gap: waited for the vendor)", True),
        ("**Gap:** waited for the vendor", True),
        ("_Gap:_ waited for the vendor", True),
        ("Fix deployed. Gap:", False),  # no explanation after it
        ("Gap:   ", False),
        ("Stopgap: fix deployed", False),  # not the word
        ("Fix deployed", False),
    ],
)
def test_pm024_gap_is_the_word_followed_by_an_explanation(event: str, explained: bool) -> None:
    timeline = (*TIMELINE[:5], row(25, "09:30", event, "Grafana"))
    found = codes(check(make_pm(timeline=timeline, resolved=at(9, 30))), "PM024")
    assert found == ([] if explained else [(25, 1, Level.ERROR)])


@pytest.mark.parametrize(
    ("event", "decision"),
    [
        ("Decision: roll back", True),
        ("decision: roll back", True),
        ("**Decision:** roll back", True),
        ("*Decision*: roll back", True),
        ("We made a decision: roll back", False),  # it must start the Event
    ],
)
def test_pm025_a_decision_starts_the_event_emphasis_allowed(event: str, decision: bool) -> None:
    timeline = (*NO_DECISION[:3], replace(NO_DECISION[3], event=event), *NO_DECISION[4:])
    found = codes(check(make_pm(severity=Severity.P1, timeline=timeline)), "PM025")
    assert found == ([] if decision else [(18, 1, Level.WARNING)])


# -- parser details the rules depend on ------------------------------------------------------
def parsed(text: str) -> list[Diagnostic]:
    """What parsing alone reports of ``text``."""
    return parse_postmortem(text.encode("utf-8"), PATH, Settings())[1]


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "posix/Europe/Berlin", "Mars/Base"])
def test_pm004_a_time_zone_must_be_an_iana_name_whatever_the_host_has(zone: str) -> None:
    text = postmortem_text(VALID_FRONT_MATTER.replace("timezone: UTC", f"timezone: {zone}"))
    (found,) = parsed(text)
    assert (found.line, found.column, found.code) == (7, 11, "PM004")
    assert found.message.startswith(
        f"timezone must be an IANA time zone name like Europe/Berlin or UTC (got '{zone}')"
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "CET"])
def test_iana_names_are_accepted(zone: str) -> None:
    text = postmortem_text(VALID_FRONT_MATTER.replace("timezone: UTC", f"timezone: {zone}"))
    assert [d.code for d in parsed(text) if d.code == "PM004"] == []


def test_pm010_a_heading_inside_an_html_comment_is_no_heading() -> None:
    commented = VALID_BODY.replace(
        "## What Went Well", "<!--\n## Impact\nkept for later\n-->\n\n## What Went Well"
    ).replace("## Detection and Response", "## Detection and Response <!-- ## Impact -->")
    assert run_file(postmortem_text(body=commented)) == []


def test_pm011_placeholders_left_in_tags() -> None:
    text = postmortem_text(VALID_FRONT_MATTER + "tags: [checkout, '[tag]']\n")
    assert [(d.line, d.column, d.code, d.message) for d in parsed(text)] == [
        (16, 18, "PM011", "tags still holds the template placeholder '[tag]'; replace it")
    ]


def test_pm040_an_action_items_table_without_rows() -> None:
    body = VALID_BODY.replace(
        "| A1 | Warm the cache after every flush | platform-team | P2 | 2025-04-30 | done |\n", ""
    )
    text = postmortem_text(body=body)
    lines = text.split("\n")
    header = next(n for n, line in enumerate(lines, 1) if line.startswith("| ID | Action"))
    assert [(d.line, d.code, d.message) for d in parsed(text)] == [
        (header, "PM040", "action items table has no rows; add one row per follow-up action")
    ]


def test_evidence_or_a_source_hidden_in_an_html_comment_does_not_count() -> None:
    body = VALID_BODY.replace("Evidence: job log.", "<!-- Evidence: job log. -->").replace(
        "| 09:05 | On-call engineer acknowledges | pager |",
        "| 09:05 | On-call engineer acknowledges | <!-- pager --> |",
    )
    text = postmortem_text(body=body)
    lines = text.split("\n")
    why_2 = next(n for n, line in enumerate(lines, 1) if line.startswith("2. Every request"))
    row_0905 = next(n for n, line in enumerate(lines, 1) if line.startswith("| 09:05"))
    assert [(line, code) for line, _, code, _ in run_file(text)] == [
        (row_0905, "PM023"),
        (why_2, "PM031"),
    ]


def test_pm024_no_gap_is_reported_across_a_row_that_did_not_parse() -> None:
    unparsed = replace(TIMELINE[3], at=None, time_text="9h10")  # PM021, from the parser
    skipped = (*TIMELINE[:3], *TIMELINE[4:])  # line 23 malformed (PM020): not in the model
    for timeline in ((*TIMELINE[:3], unparsed, *TIMELINE[4:]), skipped):
        assert codes(check(make_pm(timeline=timeline)), "PM024") == []
    with_gap = (*TIMELINE[:3], replace(TIMELINE[3], line=23, at=at(9, 30)))
    pm = make_pm(timeline=with_gap, mitigated=at(9, 30), resolved=at(9, 30))
    assert codes(check(pm), "PM024") == [(23, 1, Level.ERROR)]


def test_setext_headings_count_as_python_markdown_reads_them() -> None:
    body = VALID_BODY
    for title in ("Summary", "Impact", "Lessons Learned"):
        body = body.replace(f"## {title}\n", f"{title}\n{'-' * len(title)}\n")
    body = body.replace("# Checkout latency after cache flush\n", "Checkout latency\n===\n")
    assert run_file(postmortem_text(body=body)) == []
    # not at the start of a block: the paragraph's last line over "---" is text and a rule
    glued = VALID_BODY.replace(
        "The latency alert worked as intended.\n\n## What Went Well\n",
        "The latency alert worked as intended.\nWhat Went Well\n---\n",
    )
    assert [d.code for d in parsed(postmortem_text(body=glued))] == ["PM010"]


@pytest.mark.parametrize("given", ["TBD", "todo", "n/a", "-", "?"])
def test_pm031_evidence_that_says_none_is_given_does_not_count(given: str) -> None:
    body = VALID_BODY.replace("Evidence: job log.", f"Evidence: {given}")
    text = postmortem_text(body=body)
    line = next(n for n, t in enumerate(text.split("\n"), 1) if t.startswith("2. Every request"))
    assert [(n, code) for n, _, code, _ in run_file(text)] == [(line, "PM031")]
