"""The front-matter JSON Schema: shipped copy, agreement with the parser on one cases table."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import VALID_BODY, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb._frontmatter import Node, YMap, YScalar, compose, split
from postmortem_kb.authoring import NewPostmortem, create_postmortem
from postmortem_kb.kb import KnowledgeBase
from postmortem_kb.model import Detection, Rollback, Severity, Status
from postmortem_kb.parse import KNOWN_KEYS, REQUIRED_KEYS, parse_postmortem
from postmortem_kb.schema import front_matter_schema, schema_json, shipped_schema_json
from postmortem_kb.settings import Settings

SAMPLES = sorted((Path(__file__).parents[1] / "postmortems").rglob("*.md"))
VALIDATOR = jsonschema.Draft202012Validator(front_matter_schema())

# YAML 1.2 core schema, as editors (yaml-language-server) read plain scalars; everything
# else -- dates, times, `no`, `on` -- stays a string, as the parser keeps it.
_NULL = re.compile(r"null|Null|NULL|~|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def _value(node: Node) -> Any:
    if isinstance(node, YMap):
        return {key.text: _value(value) for key, value in node.items}
    if not isinstance(node, YScalar):
        return [_value(item) for item in node.items]
    text = node.text
    if not node.plain:
        return text
    if _NULL.fullmatch(text):
        return None
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def instance(text: str) -> Any:
    """The front matter of a file's text, composed by the parser's own YAML reader."""
    block, problems = split(text.replace("\r\n", "\n").removeprefix("\ufeff").split("\n"))
    assert block is not None and not problems
    tree, problems = compose(block.text, block.first_line)
    assert tree is not None and not problems
    return _value(tree)


def schema_errors(text: str) -> list[str]:
    return sorted(e.message for e in VALIDATOR.iter_errors(instance(text)))


def parser_codes(text: str, tmp_path: Path) -> set[tuple[str, int]]:
    _, diagnostics = parse_postmortem(text.encode(), "postmortems/x.md", Settings(root=tmp_path))
    return {(d.code, d.line) for d in diagnostics}


def variant(remove: tuple[str, ...] = (), **values: str) -> str:
    """VALID_FRONT_MATTER without ``remove`` and with ``values`` set (YAML text) or added."""
    text = VALID_FRONT_MATTER
    for key in remove:
        text = re.sub(rf"^{key}: .*\n", "", text, flags=re.M)
    for key, value in values.items():
        line = f"{key}: {value}\n"
        text, count = re.subn(rf"^{key}: .*\n", lambda _, line=line: line, text, flags=re.M)
        if not count:
            text += line
    return postmortem_text(text, VALID_BODY)


def line_of(text: str, key: str) -> int:
    return text.split("\n").index(next(x for x in text.split("\n") if x.startswith(f"{key}:"))) + 1


# -- the schema itself -------------------------------------------------------------------------
def test_the_shipped_schema_is_the_generated_one() -> None:
    assert shipped_schema_json() == schema_json()


def test_the_site_publishes_the_generated_schema() -> None:
    """docs/schema/ holds the copy editors use (modeline of `pmkb new`) and the site serves."""
    published = Path(__file__).resolve().parents[1] / "docs" / "schema" / "postmortem.schema.json"
    assert published.read_text(encoding="utf-8") == schema_json()


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = front_matter_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_keys_and_required_keys_come_from_the_parser() -> None:
    schema = front_matter_schema()
    assert set(schema["properties"]) == KNOWN_KEYS
    assert schema["required"] == list(REQUIRED_KEYS)
    assert schema["additionalProperties"] is False
    assert all(prop["description"] for prop in schema["properties"].values())


@pytest.mark.parametrize(
    ("key", "kind"),
    [("severity", Severity), ("status", Status), ("detection", Detection), ("rollback", Rollback)],
)
def test_closed_sets_come_from_the_model_enums(key: str, kind: type[StrEnum]) -> None:
    assert front_matter_schema()["properties"][key]["anyOf"][0]["enum"] == [m.value for m in kind]


def test_patterns_use_only_syntax_editors_understand() -> None:
    """ECMA-262 has no named groups, inline flags or \\A/\\Z; Python's `\\d` is not ASCII-only."""

    def patterns(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
            return own + [p for v in node.values() for p in patterns(v)]
        if isinstance(node, list):
            return [p for v in node for p in patterns(v)]
        return []

    found = patterns(front_matter_schema())
    assert len(found) == 23
    for pattern in found:
        assert not re.search(r"\(\?P|\(\?[aiLmsux]|\\[AZd]", pattern), pattern


# -- accepts what the validator accepts --------------------------------------------------------
def test_there_are_sample_post_mortems() -> None:
    assert len(SAMPLES) >= 10


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_post_mortem_is_accepted(path: Path) -> None:
    assert schema_errors(path.read_text(encoding="utf-8")) == []


ACCEPTED = {
    "the fixture": variant(),
    "lower-case severity": variant(severity="p2"),
    "capitalised status": variant(status="Final"),
    "offset timestamps": variant(
        started="2025-03-14T10:00:00+01:00", detected="2025-03-14T09:03:00.5Z"
    ),
    "space-separated local time": variant(timezone="Europe/Berlin", started="2025-03-14 10:00"),
    "quoted timestamp": variant(mitigated='"2025-03-14 09:12"'),
    "optional keys": variant(
        id="custom-id",
        rollback="not-viable",
        escalated="2025-03-14T09:04Z",
        contributing_factors="[retry-storm]",
        related="[other-incident]",
        tags="[cache, Black Friday]",
    ),
    "impact as numbers": variant(
        impact="{users_affected: 1200, revenue_usd: 99.5, slo_budget_burned: '40%'}"
    ),
    "impact as percentage": variant(impact="{users_affected: '12.5%'}"),
    "a draft without resolved": variant(remove=("resolved",), status="draft"),
    "no services": variant(services="[]"),
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_front_matter_the_validator_accepts_the_schema_accepts(text: str, tmp_path: Path) -> None:
    assert {code for code, _ in parser_codes(text, tmp_path)} <= {"PM050", "PM051"}
    assert schema_errors(text) == []


def test_a_fresh_scaffold_is_accepted(tmp_path: Path) -> None:
    spec = NewPostmortem(
        "Title: with colon", date(2025, 3, 14), services=("true",), patterns=("dns",)
    )
    (tmp_path / "postmortems").mkdir()
    path = create_postmortem(spec, Settings(root=tmp_path))
    assert schema_errors(path.read_text(encoding="utf-8")) == []


# -- rejects what the validator rejects (one table drives both) --------------------------------
# case -> (file text, PM code the validator reports, key whose line it points at or None for line 1)
REJECTED: dict[str, tuple[str, str, str | None]] = {
    "wrong severity": (variant(severity="P5"), "PM004", "severity"),
    "severity read as a number": (variant(severity="0"), "PM004", "severity"),
    "status no": (variant(status="no"), "PM004", "status"),
    "unknown status": (variant(status="published"), "PM004", "status"),
    "missing title": (variant(remove=("title",)), "PM003", None),
    "title read as a number": (variant(title="2025"), "PM004", "title"),
    "empty title": (variant(title='""'), "PM004", "title"),
    "missing root causes": (variant(remove=("root_causes",)), "PM003", None),
    "no root cause": (variant(root_causes="[]"), "PM004", "root_causes"),
    "missing resolved when final": (variant(remove=("resolved",)), "PM003", None),
    "unknown key": (variant(serverity="P2"), "PM005", "serverity"),
    "bad slug in services": (variant(services="[Checkout]"), "PM006", "services"),
    "services not a list": (variant(services="checkout"), "PM004", "services"),
    "bad pattern id": (variant(root_causes="[cache_stampede]"), "PM006", "root_causes"),
    "bad related id": (variant(related="[Other Incident]"), "PM006", "related"),
    "bad id": (variant(id='"Not An Id"'), "PM006", "id"),
    "date without time": (variant(started="2025-03-14"), "PM004", "started"),
    "day-first timestamp": (variant(detected='"14/03/2025 09:03"'), "PM004", "detected"),
    "time only": (variant(mitigated='"09:12"'), "PM004", "mitigated"),
    "slashed date": (variant(date="2025/03/14"), "PM004", "date"),
    "unknown detection": (variant(detection="pager"), "PM004", "detection"),
    "unknown rollback": (variant(rollback="maybe"), "PM004", "rollback"),
    "no authors": (variant(authors="[]"), "PM004", "authors"),
    "authors not a list": (variant(authors="Dana"), "PM004", "authors"),
    "blank tag": (variant(tags='[""]'), "PM004", "tags"),
    "users affected in words": (variant(impact="{users_affected: many}"), "PM004", "impact"),
    "burned budget without %": (variant(impact="{slo_budget_burned: 40}"), "PM004", "impact"),
    "unknown impact key": (variant(impact="{revenue: 5}"), "PM005", "impact"),
    "impact not a mapping": (variant(impact="[1]"), "PM004", "impact"),
}


@pytest.mark.parametrize(("text", "code", "key"), REJECTED.values(), ids=REJECTED.keys())
def test_front_matter_the_validator_rejects_the_schema_rejects(
    text: str, code: str, key: str | None, tmp_path: Path
) -> None:
    line = 1 if key is None else line_of(text, key)
    assert (code, line) in parser_codes(text, tmp_path)
    assert schema_errors(text) != []


# What only the validator can check: the schema stays permissive here on purpose.
VALIDATOR_ONLY = {
    "unknown time zone (the zone list depends on the installed tz database)": (
        variant(timezone="Mars/Olympus"),
        "PM004",
    ),
    "impossible calendar date": (variant(date="2025-02-30"), "PM004"),
    "timestamps out of order (a rule across keys)": (
        variant(detected="2025-03-14T08:00Z"),
        "PM008",
    ),
}


@pytest.mark.parametrize(("text", "code"), VALIDATOR_ONLY.values(), ids=VALIDATOR_ONLY.keys())
def test_what_only_the_validator_checks(text: str, code: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "postmortems").mkdir(parents=True)
    (root / "postmortems/x.md").write_text(text, encoding="utf-8")
    kb = KnowledgeBase.load(Settings(root=root, today=date(2025, 3, 20)))
    assert code in {d.code for d in kb.errors}
    assert schema_errors(text) == []
