"""PM060 blaming language (blameless.py), on file lines and a hand-built model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from postmortem_kb.blameless import check_blameless
from postmortem_kb.model import Detection, Level, Postmortem, Section, Severity, Status
from postmortem_kb.settings import DEFAULT_BLAME_PHRASES, Settings

PATH = "postmortems/2025-03-14-checkout.md"
FRONT = [
    "---",
    "title: Checkout latency after a config change",
    "date: 2025-03-14",
    "authors: [Dana Whitfield, Payments SRE]",
    "tags: [config, latency]",
    "---",
]  # lines 1-6; the body starts at line 7


def make_pm(
    lines: list[str], authors: tuple[str, ...] = ("Dana Whitfield", "Payments SRE")
) -> Postmortem:
    """A model whose sections and key lines match ``lines`` (headings found by ``## ``)."""
    sections = tuple(
        Section(text[3:], text[3:].lower(), number, "")
        for number, text in enumerate(lines, start=1)
        if text.startswith("## ")
    )
    moment = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    return Postmortem(
        id="2025-03-14-checkout",
        path=PATH,
        title="Checkout latency",
        date=date(2025, 3, 14),
        severity=Severity.P2,
        status=Status.FINAL,
        authors=authors,
        timezone="UTC",
        started=moment,
        detected=moment,
        mitigated=moment,
        detection=Detection.MONITORING,
        services=("checkout",),
        root_causes=("missing-canary",),
        sections=sections,
        key_lines={"title": 2, "date": 3, "authors": 4, "tags": 5},
        body_line=7,
    )


def scan(
    body: list[str],
    settings: Settings | None = None,
    front: list[str] = FRONT,
    **kw: tuple[str, ...],
) -> list[tuple[int, int, str]]:
    lines = [*front, *body]
    found = check_blameless(make_pm(lines, **kw), lines, settings or Settings())
    assert all(d.code == "PM060" and d.level is Level.WARNING and d.path == PATH for d in found)
    return [(d.line, d.column, d.message) for d in found]


def positions(
    body: list[str], settings: Settings | None = None, **kw: tuple[str, ...]
) -> list[tuple[int, int]]:
    return [(line, column) for line, column, _ in scan(body, settings, **kw)]


CLEAN_POSTMORTEM = [
    "## Summary",
    "Between 09:00 and 09:42 UTC, 18% of checkout requests timed out after a configuration change",
    "reduced the database connection pool from 200 to 20. The change was rolled back at 09:38.",
    "",
    "## Timeline",
    "| Time | Event | Source |",
    "|---|---|---|",
    "| 09:00 | Config change `pool_size: 20` merged and deployed | deploy log |",
    "| 09:04 | Decision: roll back rather than raise the limit by hand | #inc-checkout |",
    "",
    "## Root Cause Analysis",
    "1. Why did checkout time out? Requests waited for a database connection. Evidence: [pool graph](https://grafana.example.com/d/pool)",
    "2. Why was the pool exhausted? The config change lowered it to 20. Evidence: [PR 4121](https://git.example.com/pr/4121)",
    "3. Why did review not catch it? The value lives in a file without an owner. Evidence: CODEOWNERS history",
    "4. Why did the canary not catch it? Canary traffic is too low to saturate 20 connections. Evidence: canary dashboard",
    "5. Why is there no guard? Pool sizes are not validated against the load model. Evidence: config schema",
    "",
    "## Detection and Response",
    "The on-call engineer was paged within four minutes. The runbook's lazy-loading section was out of date,",
    "and the lazy loading of the config module hid the effective value. The fault injection suite and our",
    "fault tolerance tests never exercise a small pool. Reads use a sloppy quorum, which was not a factor.",
    "",
    "## What Went Well",
    "Nobody was to blame, and no one is to blame for the default. This was not human error: the tooling",
    "allowed a risky value. It's nobody's fault that the default was unsafe; it's fault-tolerant elsewhere.",
    "May's capacity review and Will's migration plan are unaffected.",
    "",
    "## What Could Be Improved",
    "Config changes should be validated: the operator had no way to see the effective pool size.",
    "",
    "## Lessons Learned",
    "Guard rails beat vigilance. Dana Whitfield has written the validation design.",
]


def test_realistic_clean_postmortem_has_no_findings() -> None:
    assert scan(CLEAN_POSTMORTEM, Settings(roster=("Ravi Kumar", "Dana Whitfield"))) == []


@pytest.mark.parametrize("phrase", sorted(DEFAULT_BLAME_PHRASES))
def test_every_default_phrase_is_flagged_with_its_suggestion(phrase: str) -> None:
    found = scan(["## Summary", f"In short: {phrase.upper()} here."])
    assert found == [
        (
            8,
            11,
            f'blaming language "{phrase.upper()}": {DEFAULT_BLAME_PHRASES[phrase]} '
            "(or opt the line out with `<!-- blameless: ignore -->`)",
        )
    ]


def test_phrase_across_white_space_and_only_on_word_boundaries() -> None:
    body = [
        "## Summary",
        "It was human   error again.",
        "Superhuman errors and careless-ish notes.",
        "carelessly",
    ]
    assert positions(body) == [(8, 8), (9, 23)]


def test_a_phrase_split_by_a_paragraph_line_break_is_flagged_where_it_starts() -> None:
    body = [
        "## Summary",
        "The outage was caused by human",  # line 8: the phrase starts here
        "error during the change.",
        "It was not human",  # denied, across the break too
        "error that broke it.",
        "- the list names a human",
        "- error budget item",  # a new list item, not the same paragraph
        "the cause was careless <!-- blameless: ignore -->",
        "ness of nobody",  # the line above opted out
    ]
    assert scan(body) == [
        (
            8,
            26,
            'blaming language "human error": describe the conditions that made the action '
            "possible (missing guard rail, unclear runbook, misleading UI) (or opt the line out "
            "with `<!-- blameless: ignore -->`)",
        )
    ]


def test_possessive_fault_but_not_engineering_terms() -> None:
    body = [
        "## Summary",
        "It was the on-call's fault.",
        "Honestly, Dana’s fault, not ours.",
        "The fault injection run, the service's fault tolerance, its fault-domain layout.",
        "It's nobody's fault and no one's fault. It's fault tolerant.",
    ]
    found = scan(body)
    assert [(line, column) for line, column, _ in found] == [(8, 12), (9, 11)]
    assert found[0][2].startswith('blaming language "on-call\'s fault": describe the conditions')


def test_configured_phrases_replace_the_defaults() -> None:
    settings = Settings(blame_phrases={"dropped the ball": "describe the hand-off that failed"})
    body = ["## Summary", "Ops dropped the ball. It was human error."]
    assert scan(body, settings) == [
        (
            8,
            5,
            'blaming language "dropped the ball": describe the hand-off that failed '
            "(or opt the line out with `<!-- blameless: ignore -->`)",
        )
    ]


def test_overlapping_phrases_report_the_longest_once() -> None:
    settings = Settings(
        blame_phrases={"error": "say what happened", "human error": "describe conditions"}
    )
    found = scan(["## Summary", "A human error."], settings)
    assert [(line, column) for line, column, _ in found] == [(8, 3)]
    assert '"human error": describe conditions' in found[0][2]


def test_front_matter_title_and_tags_are_scanned_but_not_other_keys() -> None:
    front = [
        "---",
        "title: Outage caused by operator error",
        "date: 2025-03-14",
        "authors: [Careless Whisper]",
        "tags: [human error]",
        "---",
    ]
    assert positions(["## Summary", "Fine."], front=front, authors=("Careless Whisper",)) == [
        (2, 25),
        (5, 8),
    ]


def test_code_comments_and_opt_out_are_skipped() -> None:
    body = [
        "## Summary",
        "The log said `human error` and ``operator error``.",
        "```text",
        "ERROR: human error detected",
        "```",
        "~~~~",
        "``` still inside the tilde fence: careless",
        "~~~~",
        "<!-- reviewers: avoid 'human error' -->",
        "<!-- a comment that",
        "spans lines: negligent",
        "-->",
        "It was careless. <!-- blameless: ignore -->",
        "<!--BLAMELESS:IGNORE--> sloppy work",
        "But this is sloppy.",
    ]
    assert positions(body) == [(21, 13)]


def test_authors_and_roster_named_in_root_cause_analysis() -> None:
    body = [
        "## Summary",
        "Dana Whitfield led the response.",  # outside the analysis: fine
        "## Root Cause Analysis",
        "1. Why? Because dana whitfield pushed the change. Evidence: PR",
        "2. Why? Because Dana skipped review. Evidence: PR",
        "3. Why? @ravi approved it. Evidence: PR",
        "4. Dana. Why? Ravi Kumar was tired. Evidence: rota",
        "5. Payments SRE owns the config. Evidence: CODEOWNERS",
        "## Impact",
        "Dana Whitfield and Ravi Kumar worked late.",
    ]
    found = scan(body, Settings(roster=("Ravi Kumar", "ravi")))
    assert [(line, column) for line, column, _ in found] == [(10, 17), (11, 17), (12, 9), (13, 15)]
    assert found[0][2].startswith(
        'the root cause analysis names a person ("Dana Whitfield"): a root cause'
    )
    assert '("Dana")' in found[1][2]
    assert '("ravi")' in found[2][2]
    assert '("Ravi Kumar")' in found[3][2]


def test_given_name_alone_is_case_sensitive_and_not_at_sentence_start() -> None:
    body = [
        "## Root Cause Analysis",
        "1. Will the retry storm recur? Yes. Evidence: load test",
        "2. We will add a limit; will it hold? Evidence: load test",
        "3. The fix from Will was reverted. Evidence: PR",
    ]
    assert positions(body, authors=("Will Ortega",)) == [(10, 17)]


def test_one_word_names_are_handles_matched_as_written() -> None:
    body = [
        "## Root Cause Analysis",
        "1. Mark the chart; we will fix it. Evidence: graph",
        "2. Why? mark merged it. Evidence: PR",
        "3. Will it recur? Reviewed by Will too. Evidence: PR",
    ]
    assert positions(body, authors=("mark", "Will")) == [(9, 9), (10, 31)]


def test_no_rca_section_means_no_name_findings() -> None:
    assert positions(["## Summary", "Dana Whitfield pushed it."]) == []


def test_empty_body_and_empty_file_are_handled() -> None:
    assert scan([]) == []
    assert check_blameless(make_pm([]), [], Settings()) == []
