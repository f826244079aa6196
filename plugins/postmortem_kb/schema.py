"""The JSON Schema (draft 2020-12) of a post-mortem's front matter, for editors.

Generated, never hand-written: the key table comes from the parser
(:data:`~postmortem_kb.parse.KNOWN_KEYS`, ``REQUIRED_KEYS``) and the closed sets
from the model's enums, so the schema cannot drift from what ``pmkb validate``
accepts. ``pmkb schema`` prints it; the package ships a copy in
``schema/postmortem.schema.json`` that a test keeps equal to :func:`front_matter_schema`.

Editors read YAML 1.2, where ``2025-03-14`` and ``09:12`` are strings, so dates
and timestamps are strings with a pattern here, exactly as the parser reads
them (it never lets YAML type a value implicitly). Patterns use only syntax
that ECMA-262 (editors) and Python (``jsonschema``) read alike.
"""

from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources
from typing import Any

from .model import Detection, Rollback, Severity, Status
from .parse import KNOWN_KEYS, REQUIRED_KEYS

__all__ = [
    "DATE_PATTERN",
    "SCHEMA_FILE",
    "SLUG_PATTERN",
    "TIMESTAMP_PATTERN",
    "front_matter_schema",
    "schema_json",
    "shipped_schema_json",
]

SCHEMA_FILE = "schema/postmortem.schema.json"  # inside the package, and the URI on the site

SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{0,79}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# 2025-03-14T09:12:00Z, 2025-03-14 09:12, 2025-03-14T09:12+01:00, fractions of a second
TIMESTAMP_PATTERN = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}"
    "(?::[0-9]{2}(?:\\.[0-9]+)?)?[ \\t]*(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_ZONE_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_+-]{0,39}(?:/[A-Za-z0-9_+-]{1,40}){0,3}$"
_PERCENT_PATTERN = "^[0-9]{1,9}(?:\\.[0-9]{1,6})?%$"
_COUNT_OR_PERCENT_PATTERN = "^(?:[0-9]{1,15}|[0-9]{1,9}(?:\\.[0-9]{1,6})?%)$"
_NOT_BLANK = "\\S"

_TIMESTAMP_KEYS = ("started", "detected", "responded", "escalated", "mitigated", "resolved")

# key -> what an author sees when hovering the key in an editor (the contract's wording)
_DESCRIPTIONS: dict[str, str] = {
    "id": "Incident id (default: the file name without .md): lower-case letters, digits, hyphens.",
    "title": "Incident title.",
    "date": "Day the incident started, YYYY-MM-DD (in `timezone`).",
    "severity": "P0 (worst) to P3.",
    "status": "draft, in-review or final; drafts are published only when the site shows drafts.",
    "authors": "Analysts who wrote the post-mortem.",
    "timezone": "IANA zone of every time without an offset in this file (default UTC).",
    "started": "Impact began.",
    "detected": "The first signal reached a human or an alert fired.",
    "responded": "First response action.",
    "escalated": "The team that could fix it was engaged.",
    "mitigated": "Impact stopped or was reduced to acceptable.",
    "resolved": "Permanent fix in place (required when status is final).",
    "detection": "How the incident was detected.",
    "rollback": "Was rolling back considered, and was it viable.",
    "services": "Systems affected (slugs).",
    "root_causes": "Root-cause pattern ids (at least one), defined in docs/patterns/.",
    "contributing_factors": "Pattern ids that made the incident worse.",
    "related": "Ids of other incidents this one is explicitly linked to.",
    "tags": "Free tags.",
    "impact": "users_affected, revenue_usd, slo_budget_burned.",
}


def _case_insensitive(word: str) -> str:
    """An ECMA-262-safe pattern matching ``word`` in any letter case (no inline flags there)."""
    return "".join(f"[{ch.upper()}{ch.lower()}]" if ch.isalpha() else ch for ch in word)


def _choice(kind: type[StrEnum]) -> dict[str, Any]:
    """A closed set: the canonical values (for completion), or any letter case (as parsed)."""
    values = [member.value for member in kind]
    alternatives = "|".join(_case_insensitive(v) for v in values)
    return {
        "anyOf": [
            {"enum": values},
            {"type": "string", "pattern": f"^(?:{alternatives})$"},
        ]
    }


def _text() -> dict[str, Any]:
    return {"type": "string", "pattern": _NOT_BLANK}


def _list(items: dict[str, Any], minimum: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": items}
    if minimum:
        schema["minItems"] = minimum
    return schema


def _slug() -> dict[str, Any]:
    return {"type": "string", "pattern": SLUG_PATTERN}


def _property(key: str) -> dict[str, Any]:
    """The schema of one front-matter key (KeyError for a key the generator does not know)."""
    timestamp = {"type": "string", "pattern": TIMESTAMP_PATTERN}
    by_key: dict[str, dict[str, Any]] = {
        "id": _slug(),
        "title": _text(),
        "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
        "severity": _choice(Severity),
        "status": _choice(Status),
        "authors": _list(_text(), minimum=1),
        "timezone": {"type": "string", "pattern": _ZONE_PATTERN, "default": "UTC"},
        **{name: dict(timestamp) for name in _TIMESTAMP_KEYS},
        "detection": _choice(Detection),
        "rollback": _choice(Rollback),
        "services": _list(_slug()),
        "root_causes": _list(_slug(), minimum=1),
        "contributing_factors": _list(_slug()),
        "related": _list(_slug()),
        "tags": _list(_text()),
        "impact": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "users_affected": {
                    "description": "A whole number, or a percentage like 12%.",
                    "anyOf": [
                        {"type": "integer", "minimum": 0},
                        {"type": "string", "pattern": _COUNT_OR_PERCENT_PATTERN},
                    ],
                },
                "revenue_usd": {
                    "description": "Revenue lost, in US dollars.",
                    "type": "number",
                    "minimum": 0,
                },
                "slo_budget_burned": {
                    "description": "Share of the error budget burned, like 40%.",
                    "type": "string",
                    "pattern": _PERCENT_PATTERN,
                },
            },
        },
    }
    return {"description": _DESCRIPTIONS[key], **by_key[key]}


def front_matter_schema() -> dict[str, Any]:
    """The front-matter schema as a JSON-ready mapping (keys in the contract's order)."""
    order = list(_DESCRIPTIONS)
    keys = sorted(KNOWN_KEYS, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "postmortem-kb post-mortem front matter",
        "description": (
            "The YAML front matter of a post-mortem (postmortems/**/*.md). pmkb validate "
            "checks more than this schema can (timestamp order, slugs of known patterns, "
            "the body); the schema is for editor completion and early feedback."
        ),
        "type": "object",
        "required": list(REQUIRED_KEYS),
        "additionalProperties": False,
        "properties": {key: _property(key) for key in keys},
        "if": {
            "properties": {"status": {"pattern": f"^{_case_insensitive(Status.FINAL.value)}$"}},
            "required": ["status"],
        },
        "then": {"required": ["resolved"]},
    }


def schema_json() -> str:
    """The schema as the exact text shipped and printed by ``pmkb schema``."""
    return json.dumps(front_matter_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_json() -> str:
    """The copy of the schema shipped inside the package."""
    return resources.files("postmortem_kb").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
