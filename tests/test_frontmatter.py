"""Front matter: decoding (PM001), the safe YAML reader (PM002) and typed keys (PM003–PM006)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from postmortem_kb.model import Diagnostic, Impact, Level, Postmortem, Severity, Status
from postmortem_kb.parse import parse_pattern, parse_postmortem
from postmortem_kb.settings import Settings

PATH = "postmortems/2025-03-14-checkout.md"

FRONT = {
    "title": "Checkout latency",
    "date": "2025-03-14",
    "severity": "P2",
    "status": "draft",
    "authors": "[Dana Analyst]",
    "started": "2025-03-14T09:00Z",
    "detected": "2025-03-14T09:03Z",
    "mitigated": "2025-03-14T09:12Z",
    "detection": "monitoring",
    "services": "[checkout]",
    "root_causes": "[cache-stampede]",
}

BODY = """\
## Summary

Checkout was slow for twelve minutes.

## Timeline

| Time | Event | Source |
|---|---|---|
| 09:00 | Cache flushed | job log |

## Impact

Slow pages.

## Root Cause Analysis

1. Why? Because. Evidence: graph

## Detection and Response

An alert fired.

## What Went Well

Rollback.

## What Could Be Improved

Canaries.

## Action Items

| ID | Action | Owner | Priority | Due Date |
|---|---|---|---|---|
| A1 | Add a canary | SRE | P2 | 2025-04-01 |

## Lessons Learned

Canaries matter.
"""


def document(
    overrides: dict[str, str | None] | None = None, extra: str = "", body: str = BODY
) -> str:
    """A valid post-mortem; ``overrides`` replaces (or with None removes) front-matter keys."""
    keys = {**FRONT, **(overrides or {})}
    lines = [f"{key}: {value}" for key, value in keys.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n" + body


def parse(text: str | bytes, path: str = PATH) -> tuple[Postmortem | None, list[Diagnostic]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_postmortem(data, path, Settings())


def found(diagnostics: list[Diagnostic]) -> list[tuple[str, Level, int, int]]:
    return [(d.code, d.level, d.line, d.column) for d in diagnostics]


def only(text: str | bytes, code: str) -> Diagnostic:
    """The single diagnostic of a parse (asserting there is exactly one, with that code)."""
    _, diagnostics = parse(text)
    assert [d.code for d in diagnostics] == [code], diagnostics
    return diagnostics[0]


# -- a valid file ------------------------------------------------------------------------------
def test_valid_document_parses_without_diagnostics() -> None:
    pm, diagnostics = parse(document())
    assert diagnostics == []
    assert pm is not None
    assert pm.id == "2025-03-14-checkout"
    assert pm.path == PATH
    assert pm.title == "Checkout latency"
    assert pm.date == date(2025, 3, 14)
    assert pm.severity is Severity.P2
    assert pm.status is Status.DRAFT
    assert pm.authors == ("Dana Analyst",)
    assert pm.timezone == "UTC"
    assert pm.started == datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    assert pm.services == ("checkout",)
    assert pm.root_causes == ("cache-stampede",)
    assert pm.impact is None
    assert pm.body_line == 14


def test_key_lines_record_every_key_and_id_only_when_present() -> None:
    pm, _ = parse(document({"id": "checkout-latency"}))
    assert pm is not None
    assert pm.id == "checkout-latency"
    assert pm.key_lines["title"] == 2
    assert pm.key_lines["root_causes"] == 12
    assert pm.key_lines["id"] == 13
    pm, _ = parse(document())
    assert pm is not None
    assert "id" not in pm.key_lines


def test_timestamps_are_utc_in_every_accepted_form() -> None:
    pm, diagnostics = parse(
        document(
            {
                "timezone": "Europe/Berlin",
                "started": "2025-03-14 09:12",
                "detected": "2025-03-14T09:13:30",
                "responded": "2025-03-14T09:14+01:00",
                "mitigated": "'2025-03-14T09:20:00Z'",
            }
        )
    )
    assert diagnostics == []
    assert pm is not None
    assert pm.started == datetime(2025, 3, 14, 8, 12, tzinfo=UTC)
    assert pm.detected == datetime(2025, 3, 14, 8, 13, 30, tzinfo=UTC)
    assert pm.responded == datetime(2025, 3, 14, 8, 14, tzinfo=UTC)
    assert pm.mitigated == datetime(2025, 3, 14, 9, 20, tzinfo=UTC)
    assert pm.started.tzinfo is UTC


def test_severity_and_enums_are_case_insensitive() -> None:
    pm, diagnostics = parse(
        document({"severity": "p1", "status": "Final", "resolved": "2025-03-14T10:00Z"})
    )
    assert diagnostics == []
    assert pm is not None
    assert pm.severity is Severity.P1
    assert pm.status is Status.FINAL


def test_impact_values() -> None:
    pm, diagnostics = parse(
        document(
            {"impact": "{users_affected: 12.5%, revenue_usd: 1200.50, slo_budget_burned: 140%}"}
        )
    )
    assert diagnostics == []
    assert pm is not None
    assert pm.impact == Impact(users_affected="12.5%", revenue_usd=1200.5, slo_budget_burned="140%")
    pm, _ = parse(document({"impact": "{users_affected: 3400}"}))
    assert pm is not None
    assert pm.impact == Impact(users_affected=3400)


# -- PM001 -------------------------------------------------------------------------------------
def test_pm001_not_utf8_points_at_first_bad_byte() -> None:
    data = b"---\r\ntitle: caf\xe9\r\n"
    pm, diagnostics = parse(data)
    assert pm is None
    assert found(diagnostics) == [("PM001", Level.ERROR, 2, 11)]
    assert "not valid UTF-8" in diagnostics[0].message


def test_pm001_bad_byte_after_lone_cr_lines() -> None:
    assert found(parse(b"---\rtitle: x\r\r ab\x80")[1]) == [("PM001", Level.ERROR, 4, 4)]


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n"])
def test_pm001_empty_file(data: bytes) -> None:
    pm, diagnostics = parse(data)
    assert pm is None
    assert found(diagnostics) == [("PM001", Level.ERROR, 1, 1)]
    assert "empty" in diagnostics[0].message


def test_bom_and_crlf_are_accepted_with_file_line_numbers() -> None:
    text = "\ufeff" + document({"severity": "P9"}).replace("\n", "\r\n")
    pm, diagnostics = parse(text)
    assert pm is None
    assert found(diagnostics) == [("PM004", Level.ERROR, 4, 11)]


def test_lone_cr_line_endings_are_accepted() -> None:
    pm, diagnostics = parse(document().replace("\n", "\r"))
    assert diagnostics == []
    assert pm is not None
    assert pm.sections[0].line == 14


# -- PM002 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# Title\n\nNo front matter.\n", 1, "front matter is missing"),
        ("---\ntitle: x\n", 1, "not terminated"),
        ("---\ntitle: x\n----\nbody\n", 3, "not terminated: line 3 reads '----'"),
        ("---\ntitle: x\n...\nbody\n", 3, "closed with '...'"),
        ("-----\ntitle: x\n-----\n", 1, "opens with '-----', not '---'"),
        ("\n\n---\ntitle: x\n---\n", 3, "remove the 2 blank line(s)"),
        ('{"title": "x"}\n', 1, "JSON front matter is not supported"),
        ('{\n  "title": "x"\n}\n', 1, "JSON front matter is not supported"),
        ('+++\ntitle = "x"\n+++\n', 1, "TOML front matter ('+++') is not supported"),
        (" ---\ntitle: x\n---\n", 1, "must stand alone"),
        ("---\n---\nbody\n", 1, "front matter is empty"),
        ("---\n- a\n- b\n---\n", 2, "is a list, not a mapping"),
        ("---\njust text\n---\n", 2, "a single value, not a mapping"),
        ("---\ntitle: 'open\n---\n", 2, "invalid YAML"),
        ("---\ntitle: x\n  bad: indent\n---\n", 3, "invalid YAML"),
        ("---\ntitle: a\x07b\n---\n", 2, "control character U+0007 is not allowed"),
        ("---\nx: !!python/object:os.system {}\n---\n", 2, "YAML tags (!!python/object:os.system)"),
        ("---\nx: !custom v\n---\n", 2, "YAML tags (!custom)"),
        ("---\nx: &anchor v\n---\n", 2, "YAML anchors (&anchor)"),
        ("---\n<<: {a: 1}\n---\n", 2, "merge keys (<<)"),
        ("---\non: x\n---\n", 2, "key 'on' is read by YAML as a boolean"),
        ("---\n1: x\n---\n", 2, "key '1' is read by YAML as an integer"),
        ("---\n? [a, b]\n: x\n---\n", 2, "complex (non-scalar) keys"),
        ("---\n[" * 1 + "[" * 40 + "\n---\n", 2, "nested deeper than 16 levels"),
    ],
)
def test_pm002_front_matter_refused(text: str, line: int, words: str) -> None:
    pm, diagnostics = parse(text)
    assert pm is None
    pm002 = [d for d in diagnostics if d.code == "PM002"]
    assert len(pm002) == 1, diagnostics
    assert (pm002[0].line, pm002[0].level) == (line, Level.ERROR)
    assert words in pm002[0].message


def test_pm002_duplicate_key_names_the_first_line_and_other_keys_are_still_checked() -> None:
    pm, diagnostics = parse(document({"severity": "P9"}, extra="title: Again\n"))
    assert pm is None
    assert sorted(found(diagnostics)) == [
        ("PM002", Level.ERROR, 13, 1),
        ("PM004", Level.ERROR, 4, 11),
    ]
    duplicate = next(d for d in diagnostics if d.code == "PM002")
    assert duplicate.message == "duplicate key 'title' (first on line 2); keep only one"


def test_pm002_alias_bomb_is_refused_without_expansion() -> None:
    bomb = (
        "---\n"
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "---\n"
    )
    pm, diagnostics = parse(bomb)
    assert pm is None
    assert diagnostics[0] == Diagnostic(
        PATH,
        2,
        4,
        "PM002",
        Level.ERROR,
        "YAML anchors (&a) are not allowed in front matter; write each value out in full",
    )
    assert diagnostics[2].message.startswith("YAML aliases (*a) are not allowed")
    # refused at the event level: at most 20 problems, never 9**4 expanded nodes
    assert [d.code for d in diagnostics].count("PM002") == 20
    assert [d.code for d in diagnostics if d.code != "PM002"] == ["PM010"]  # the empty body


def test_pm002_body_is_still_checked_when_front_matter_is_refused() -> None:
    _, diagnostics = parse("---\nx: &a 1\n---\n## Summary\n\n[event]\n")
    assert [(d.code, d.line) for d in diagnostics][:2] == [("PM002", 2), ("PM010", 4)]
    assert ("PM011", 6) in [(d.code, d.line) for d in diagnostics]


# -- PM003 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(FRONT))
def test_pm003_required_key_missing(key: str) -> None:
    pm, diagnostics = parse(document({key: None}))
    assert pm is None
    assert found(diagnostics) == [("PM003", Level.ERROR, 1, 1)]
    assert f"'{key}'" in diagnostics[0].message


def test_pm003_resolved_required_when_final_but_model_still_built() -> None:
    pm, diagnostics = parse(document({"status": "final"}))
    assert found(diagnostics) == [("PM003", Level.ERROR, 1, 1)]
    assert "'resolved' is missing (required when status is final)" in diagnostics[0].message
    assert pm is not None
    assert pm.resolved is None


# -- PM004 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "column", "message"),
    [
        ("severity", "0", 11, "severity must be one of P0, P1, P2, P3 (got '0')"),
        ("status", "no", 9, "status must be one of draft, in-review, final (got 'no')"),
        (
            "detection",
            "pager",
            12,
            "detection must be one of monitoring, user-report, internal-report, other (got 'pager')",
        ),
        (
            "title",
            "2024-01-01",
            8,
            "title must be a non-empty string (got '2024-01-01', which YAML reads as a date/time); put it in quotes",
        ),
        (
            "title",
            "yes",
            8,
            "title must be a non-empty string (got 'yes', which YAML reads as a boolean); put it in quotes",
        ),
        ("title", "", 7, "title must be a non-empty string (got nothing)"),
        ("title", "[a, b]", 8, "title must be a string (got a list)"),
        (
            "date",
            "2024-02-30",
            7,
            "date must be a real calendar date YYYY-MM-DD (got '2024-02-30': day is out of range for month)",
        ),
        ("date", "14/03/2025", 7, "date must be a date YYYY-MM-DD (got '14/03/2025')"),
        ("authors", "Dana", 10, "authors must be a list of strings, e.g. [Jane Doe] (got 'Dana')"),
        ("authors", "[]", 10, "authors must list at least one item (got an empty list)"),
        ("authors", "['']", 11, "authors must be a list of non-empty strings (got nothing)"),
        ("root_causes", "[]", 14, "root_causes must list at least one item (got an empty list)"),
        (
            "services",
            "checkout",
            11,
            "services must be a list of ids, e.g. [api-gateway] (got 'checkout')",
        ),
    ],
)
def test_pm004_wrong_form_names_key_and_expected_form(
    key: str, value: str, column: int, message: str
) -> None:
    pm, diagnostics = parse(document({key: value}))
    assert pm is None
    line = list(FRONT).index(key) + 2
    assert [(d.code, d.level, d.line, d.column, d.message) for d in diagnostics] == [
        ("PM004", Level.ERROR, line, column, message)
    ]


def test_pm004_started_as_sexagesimal_is_not_a_number() -> None:
    diagnostic = only(document({"started": "12:30"}), "PM004")
    assert diagnostic.line == 7
    assert diagnostic.message == (
        "started must be an ISO 8601 timestamp like 2025-03-14T09:12:00Z, 2025-03-14 09:12 or "
        "2025-03-14T09:12+01:00 (got '12:30')"
    )


def test_pm004_echoed_values_are_truncated_and_escaped() -> None:
    diagnostic = only(document({"severity": '"' + "\\u202e" + "A" * 100 + '"'}), "PM004")
    assert diagnostic.message == (
        "severity must be one of P0, P1, P2, P3 (got '\\u202eAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…')"
    )


def test_pm004_dst_gap_and_fold_need_an_offset() -> None:
    pm, diagnostics = parse(
        document(
            {
                "date": "2025-03-30",
                "timezone": "Europe/Berlin",
                "started": "2025-03-30 02:30",
                "detected": "2025-10-26 02:30",
                "mitigated": "2025-10-26T02:30+01:00",
            }
        )
    )
    assert pm is None
    assert found(diagnostics) == [("PM004", Level.ERROR, 7, 10), ("PM004", Level.ERROR, 8, 11)]
    assert diagnostics[0].message == (
        "started names 2025-03-30 02:30, a local time that does not exist in Europe/Berlin "
        "(skipped by a daylight-saving change); write the time with an explicit offset, "
        "e.g. 2025-03-30T02:30+01:00"
    )
    assert diagnostics[1].message == (
        "detected names 2025-10-26 02:30, a local time that happens twice in Europe/Berlin "
        "(repeated by a daylight-saving change); write it with an explicit offset: "
        "+02:00 for the first, +01:00 for the second"
    )


@pytest.mark.parametrize(
    "zone", ["../etc/passwd", "/etc/localtime", "Mars/Olympus", "Europe", "x" * 200]
)
def test_pm004_timezone_must_be_iana(zone: str) -> None:
    pm, diagnostics = parse(document({"timezone": f"'{zone}'"}))
    assert pm is None
    assert [(d.code, d.line) for d in diagnostics] == [("PM004", 13)]
    assert diagnostics[0].message.startswith("timezone must be an IANA time zone name")


def test_pm004_timezone_suggests_nearest() -> None:
    diagnostic = only(document({"timezone": "Europe/Berlinn"}), "PM004")
    assert diagnostic.message.endswith("did you mean 'Europe/Berlin'?")


def test_pm004_optional_timestamp_invalid_keeps_the_model() -> None:
    pm, diagnostics = parse(document({"responded": "soon"}))
    assert [(d.code, d.line) for d in diagnostics] == [("PM004", 13)]
    assert pm is not None
    assert pm.responded is None


def test_pm004_impact_values() -> None:
    pm, diagnostics = parse(
        document({"impact": "{users_affected: 101%, revenue_usd: lots, slo_budget_burned: 3}"})
    )
    assert [(d.code, d.column) for d in diagnostics] == [
        ("PM004", 26),
        ("PM004", 45),
        ("PM004", 70),
    ]
    assert diagnostics[1].message == (
        "impact.revenue_usd must be a non-negative number like 1200 or 1200.50 (got 'lots')"
    )
    assert pm is not None
    assert pm.impact == Impact()


# -- PM005 -------------------------------------------------------------------------------------
def test_pm005_unknown_key_suggests_nearest() -> None:
    pm, diagnostics = parse(document(extra="sevrity: P1\nmood: fine\n"))
    assert pm is not None
    assert found(diagnostics) == [("PM005", Level.WARNING, 13, 1), ("PM005", Level.WARNING, 14, 1)]
    assert diagnostics[0].message == "unknown key 'sevrity'; did you mean 'severity'?"
    assert diagnostics[1].message.startswith("unknown key 'mood'; known keys: authors, ")


def test_pm005_unknown_impact_key() -> None:
    pm, diagnostics = parse(document({"impact": "{users: 3}"}))
    assert pm is not None
    assert found(diagnostics) == [("PM005", Level.WARNING, 13, 10)]
    assert diagnostics[0].message == "unknown impact key 'users'; did you mean 'users_affected'?"


# -- PM006 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stem", ["Foo Bar", "foo\u200bbar", "ｆｏｏ", "-foo", "foo_bar", "a" * 81, "Checkout"]
)
def test_pm006_file_stem_is_not_a_slug(stem: str) -> None:
    pm, diagnostics = parse(document(), path=f"postmortems/{stem}.md")
    assert pm is None
    assert found(diagnostics) == [("PM006", Level.ERROR, 1, 1)]
    assert "set 'id' in the front matter" in diagnostics[0].message


def test_pm006_id_overrides_a_bad_stem() -> None:
    pm, diagnostics = parse(document({"id": "foo-bar"}), path="postmortems/Foo Bar.md")
    assert diagnostics == []
    assert pm is not None
    assert pm.id == "foo-bar"


@pytest.mark.parametrize(
    ("key", "value", "line", "column"),
    [
        ("id", "Foo", 13, 5),
        ("services", "[ok, Bad Service]", 11, 16),
        ("root_causes", "[cache_stampede]", 12, 15),
        ("contributing_factors", "[x, 'y z']", 13, 27),
        ("related", "[other, 'Other']", 13, 18),
    ],
)
def test_pm006_slugs(key: str, value: str, line: int, column: int) -> None:
    pm, diagnostics = parse(document({key: value}))
    assert found(diagnostics) == [("PM006", Level.ERROR, line, column)]
    assert "is not a valid slug" in diagnostics[0].message
    # a bad optional link is dropped; a bad id or required list fails the file
    assert (pm is None) == (key in ("id", "services", "root_causes"))


def test_pm006_slug_passes_for_valid_lists() -> None:
    pm, diagnostics = parse(
        document({"contributing_factors": "[missing-canary]", "related": "[2024-01-01-x]"})
    )
    assert diagnostics == []
    assert pm is not None
    assert pm.contributing_factors == ("missing-canary",)
    assert pm.related == ("2024-01-01-x",)


# -- patterns ----------------------------------------------------------------------------------
def test_parse_pattern_valid() -> None:
    text = "---\ntitle: Cache stampede\nsummary: Many misses at once.\naliases: [thundering-herd]\ncategory: capacity\n---\n# Cache stampede\n\nText.\n"
    pattern, diagnostics = parse_pattern(
        text.encode(), "docs/patterns/cache-stampede.md", Settings()
    )
    assert diagnostics == []
    assert pattern is not None
    assert pattern.id == "cache-stampede"
    assert pattern.title == "Cache stampede"
    assert pattern.summary == "Many misses at once."
    assert pattern.aliases == ("thundering-herd",)
    assert pattern.category == "capacity"
    assert pattern.body == "# Cache stampede\n\nText."
    assert dict(pattern.key_lines) == {"aliases": 4, "category": 5, "summary": 3, "title": 2}


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("---\nsummary: x\n---\n", "docs/patterns/x.md", [("PM003", 1)]),
        ("---\ntitle: X\naliases: [Bad One]\n---\n", "docs/patterns/x.md", [("PM006", 3)]),
        ("---\ntitle: X\n---\n", "docs/patterns/Bad Name.md", [("PM006", 1)]),
        ("---\ntitle: X\nsumary: y\n---\n", "docs/patterns/x.md", [("PM005", 3)]),
        ("---\ntitle: X\nz: *a\n---\n", "docs/patterns/x.md", [("PM002", 3)]),
        ("no front matter\n", "docs/patterns/x.md", [("PM002", 1)]),
    ],
)
def test_parse_pattern_problems(text: str, path: str, expected: list[tuple[str, int]]) -> None:
    pattern, diagnostics = parse_pattern(text.encode(), path, Settings())
    assert [(d.code, d.line) for d in diagnostics] == expected
    assert (pattern is None) == (expected[0][0] != "PM005")
