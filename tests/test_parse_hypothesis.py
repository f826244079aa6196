"""Property tests: parsing never raises and only ever reports well-formed diagnostics."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_kb.model import Diagnostic, Level, PartialPostmortem, Pattern, Postmortem
from postmortem_kb.parse import parse_for_checks, parse_pattern, parse_postmortem
from postmortem_kb.rules import check_postmortem
from postmortem_kb.settings import Settings

SETTINGS = Settings()
CODES = re.compile(r"PM0(0[1-6]|1[01]|2[01]|4[01])")

KEYS = st.sampled_from(
    [
        "title", "date", "severity", "status", "authors", "timezone", "started", "detected",
        "responded", "escalated", "mitigated", "resolved", "detection", "rollback", "services",
        "root_causes", "contributing_factors", "related", "tags", "impact", "id", "on", "<<",
        "1", "? x", "\"quoted\"", "", "ti tle", "users_affected", "&a k",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(
        [
            "", "~", "null", "yes", "no", "on", "0", "P1", "p3", "draft", "final", "12:30",
            "2025-03-14", "2024-02-30", "2025-03-14T09:12:00Z", "2025-03-14 09:12",
            "2025-03-30 02:30", "2025-03-14T09:12+01:00", "Europe/Berlin", "../etc/passwd",
            "12%", "100.5%", "1e3", "0x1F", "*a", "&a x", "!!python/object:os.system",
            "!tag x", "'single'", '"double \\u202e"', "|\n  block", ">-\n  folded", "[a, B]",
            "{a: 1}", "[", "{", "- x", "\t", "#comment", "'unterminated", "[[[[[[[[[[",
        ]
    ),
    st.text(max_size=20),
)  # fmt: skip


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML-ish value: scalar, flow list, flow map or block list."""
    kind = draw(st.integers(0, 3 if depth < 3 else 0))
    if kind == 0:
        return draw(SCALARS)
    items = draw(st.lists(values(depth + 1), max_size=4))
    if kind == 1:
        return "[" + ", ".join(items) + "]"
    if kind == 2:
        keys = draw(st.lists(KEYS, min_size=len(items), max_size=len(items)))
        return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"
    return "".join(f"\n  - {item}" for item in items)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A file with YAML-ish front matter, odd delimiters and a body of sections and tables."""
    lines = [f"{draw(KEYS)}: {draw(values())}" for _ in range(draw(st.integers(0, 12)))]
    opener = draw(st.sampled_from(["---", "---", "---", "----", "+++", "", "\ufeff---", " ---"]))
    closer = draw(st.sampled_from(["---", "---", "...", "", "--- x"]))
    body_parts = draw(
        st.lists(
            st.sampled_from(
                [
                    "## Summary\n\ntext [event]",
                    "## Timeline\n\n| Time | Event | Source |\n|---|---|---|\n| 09:00 | a | b |",
                    "| Time | Event | Source | Cause |\n|---|---|---|---|\n| 2025-03-30 02:30 | x \\| y | s | 09:00 |",
                    "## Root Cause Analysis\n\n1. why [l](http://x)\n   more\n2) other\n```\n## Impact\n",
                    "## Action Items\n\n| ID | Action | Owner | Priority | Due Date | Status | Link |\n|-|-|-|-|-|-|-|\n| A | b | | P9 | 2025-02-30 | x | |",
                    "## Impact", "## What Went Well\n\n<!-- c", "~~~", "# Title", "|", "| a |\n|",
                    "1.", "- [x] HH:MM", "[x]: http://y", "## Lessons Learned\n\nYYYY-MM-DD",
                ]
            ),
            max_size=8,
        )
    )  # fmt: skip
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = "\n".join([opener, *lines, closer, *body_parts])
    return text.replace("\n", newline)


def check(result: tuple[Postmortem | Pattern | None, list[Diagnostic]], data: bytes) -> None:
    model, diagnostics = result
    assert model is None or isinstance(model, Postmortem | Pattern)
    last_line = max(1, data.count(b"\n") + data.count(b"\r") + 1)
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert CODES.fullmatch(diagnostic.code), diagnostic
        assert 1 <= diagnostic.line <= last_line, diagnostic
        assert diagnostic.column >= 1
        # the catch-all in parse_* must never be what produced a diagnostic
        assert "could not be parsed" not in diagnostic.message, diagnostic
    if model is not None:
        assert not any(d.code in ("PM001", "PM002") for d in diagnostics)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check(parse_postmortem(data, "postmortems/x.md", SETTINGS), data)
    check(parse_pattern(data, "docs/patterns/x.md", SETTINGS), data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_after_a_delimiter_never_raises(text: str) -> None:
    for candidate in (text, "---\n" + text, "---\n" + text + "\n---\n" + text):
        data = candidate.encode("utf-8", "surrogatepass")
        check(parse_postmortem(data, "postmortems/x.md", SETTINGS), data)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_yamlish_documents_never_raise(text: str) -> None:
    data = text.encode("utf-8")
    check(parse_postmortem(data, "postmortems/x.md", SETTINGS), data)
    check(parse_pattern(data, "docs/patterns/x.md", SETTINGS), data)


RULE_CODES = re.compile(r"PM0(0[1-8]|1[01]|2[0-7]|3[01]|4[0-3]|60|7[01])")


@settings(max_examples=300, deadline=None)
@given(documents())
def test_the_rules_run_on_whatever_could_be_read_and_never_raise(text: str) -> None:
    """A broken file is still checked (PartialPostmortem): no input makes a rule raise."""
    data = text.encode("utf-8")
    subject, diagnostics = parse_for_checks(data, "postmortems/x.md", SETTINGS)
    if subject is None:
        return
    found = check_postmortem(subject, data, SETTINGS, date(2025, 6, 1))
    last_line = max(1, data.count(b"\n") + data.count(b"\r") + 1)
    for diagnostic in found:
        assert RULE_CODES.fullmatch(diagnostic.code), diagnostic
        assert 1 <= diagnostic.line <= last_line, diagnostic
        assert diagnostic.column >= 1
    if isinstance(subject, PartialPostmortem):
        assert any(d.level is Level.ERROR for d in diagnostics)  # only a broken file is partial
