"""Cross-file rules: PM007 duplicate ids, PM050 unknown patterns, PM051 dangling related, aliases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from conftest import VALID_FRONT_MATTER, postmortem_text
from postmortem_kb import KnowledgeBase, Level, Settings

Writer = Callable[[Mapping[str, str]], Path]


def load(root: Path) -> KnowledgeBase:
    return KnowledgeBase.load(Settings(root=root, today=date(2025, 6, 1)))


def fm(**changes: str) -> str:
    text = VALID_FRONT_MATTER
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


def test_duplicate_ids_name_both_files(write_project: Writer) -> None:
    root = write_project(
        {
            "postmortems/2024/outage.md": postmortem_text(),
            "postmortems/2025/outage.md": postmortem_text(),
        }
    )
    found = [(d.path, d.line, d.code, d.level, d.message) for d in load(root).diagnostics]
    assert found == [
        (
            "postmortems/2024/outage.md",
            1,
            "PM007",
            Level.ERROR,
            "duplicate incident id 'outage': also used by postmortems/2025/outage.md; "
            "ids must be unique (rename the file or set a distinct `id`)",
        ),
        (
            "postmortems/2025/outage.md",
            1,
            "PM007",
            Level.ERROR,
            "duplicate incident id 'outage': also used by postmortems/2024/outage.md; "
            "ids must be unique (rename the file or set a distinct `id`)",
        ),
    ]


def test_an_explicit_id_that_collides_points_at_the_id_line(write_project: Writer) -> None:
    root = write_project(
        {
            "postmortems/a.md": postmortem_text(fm(**{"title:": "id: outage\ntitle:"})),
            "postmortems/outage.md": postmortem_text(),
        }
    )
    assert [(d.path, d.line, d.code) for d in load(root).diagnostics] == [
        ("postmortems/a.md", 2, "PM007"),
        ("postmortems/outage.md", 1, "PM007"),
    ]


def test_a_near_miss_pattern_is_an_error_with_did_you_mean(write_project: Writer) -> None:
    root = write_project(
        {"postmortems/a.md": postmortem_text(fm(**{"[cache-stampede]": "[cache-stampeed]"}))}
    )
    [d] = load(root).diagnostics
    assert (d.line, d.code, d.level) == (15, "PM050", Level.ERROR)
    assert (
        d.message
        == "root_causes cites unknown pattern 'cache-stampeed'; did you mean 'cache-stampede'?"
    )


def test_a_new_pattern_is_a_warning_and_gets_a_generated_page(write_project: Writer) -> None:
    text = postmortem_text(
        fm(**{"[cache-stampede]": "[cache-stampede]\ncontributing_factors: [vendor-outage]"})
    )
    root = write_project({"postmortems/a.md": text})
    kb = load(root)
    [d] = kb.diagnostics
    assert (d.line, d.code, d.level) == (16, "PM050", Level.WARNING)
    assert d.message == (
        "contributing_factors cites unknown pattern 'vendor-outage'; "
        "a page is generated for it; define it in docs/patterns/vendor-outage.md"
    )
    assert kb.patterns["vendor-outage"].defined is False
    assert kb.patterns["vendor-outage"].title == "Vendor outage"
    assert [pm.id for pm in kb.incidents] == ["a"]  # a warning does not stop publication


def test_an_alias_resolves_to_its_pattern(write_project: Writer) -> None:
    root = write_project(
        {"postmortems/a.md": postmortem_text(fm(**{"[cache-stampede]": "[thundering-cache]"}))}
    )
    kb = load(root)
    assert kb.diagnostics == ()
    assert kb.incidents[0].root_causes == ("cache-stampede",)
    assert list(kb.patterns) == ["cache-stampede"]


def test_related_must_name_an_existing_incident(write_project: Writer) -> None:
    root = write_project(
        {
            "postmortems/a.md": postmortem_text(
                fm(**{"services:": "related: [b, c-missing, a]\nservices:"})
            ),
            "postmortems/b.md": postmortem_text(),
        }
    )
    found = [(d.path, d.line, d.code, d.message) for d in load(root).diagnostics]
    assert found == [
        ("postmortems/a.md", 14, "PM051", "related incident 'c-missing' does not exist"),
        ("postmortems/a.md", 14, "PM051", "related lists the incident itself ('a')"),
    ]
