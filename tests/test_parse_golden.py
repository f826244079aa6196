"""Golden files: ``tests/golden/<name>.md`` parses to exactly ``<name>.json``.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_parse_golden.py`` and review the diff like code.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path

import pytest

from postmortem_kb.model import Diagnostic, Postmortem
from postmortem_kb.parse import parse_postmortem
from postmortem_kb.settings import Settings

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.stem for path in GOLDEN.glob("*.md"))


def plain(value: object) -> object:
    """A stable, JSON-ready rendering of model values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def render(model: Postmortem | None, diagnostics: list[Diagnostic]) -> str:
    document = {"model": plain(model), "diagnostics": [d.to_dict() for d in diagnostics]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_there_are_golden_cases() -> None:
    assert CASES == [
        "bom-crlf",
        "broken-front-matter",
        "dst-zone",
        "malformed-tables",
        "multi-day-midnight",
        "template-left",
    ]


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    source = GOLDEN / f"{name}.md"
    expected_path = GOLDEN / f"{name}.json"
    model, diagnostics = parse_postmortem(source.read_bytes(), f"postmortems/{name}.md", Settings())
    actual = render(model, diagnostics)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"run UPDATE_GOLDEN=1 to create {expected_path.name}"
    assert actual == expected_path.read_text(encoding="utf-8")
