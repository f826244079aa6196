"""The knowledge base as structured data (``pmkb export --format json``).

Deterministic: sorted keys, incidents by date then id, no NaN or infinity
(``allow_nan=False`` makes a stray float fail loudly instead of writing
invalid JSON). The schema is documented in ``docs/export.md``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from ._markdown import link_targets
from .kb import KnowledgeBase
from .model import Postmortem

__all__ = ["EXPORT_VERSION", "export_data", "export_json", "incident_data", "minutes"]

EXPORT_VERSION = 1


def minutes(delta: timedelta | None) -> float | None:
    """A duration in minutes (one decimal), or None when not derivable."""
    return None if delta is None else round(delta.total_seconds() / 60, 1)


def _first_url(cell: str | None) -> str | None:
    """The URL a Link cell points at (it may be a markdown link, an autolink or a bare URL)."""
    if not cell:
        return None
    targets = link_targets(cell, {})
    return targets[0] if targets else None


def _iso(pm: Postmortem, moment: datetime | None) -> str | None:
    return None if moment is None else pm.local(moment).isoformat()


def incident_data(pm: Postmortem, kb: KnowledgeBase) -> dict[str, Any]:
    """One incident: normalized front matter, derived figures, timeline, whys, actions."""
    impact = None
    if pm.impact is not None:
        impact = {
            "users_affected": pm.impact.users_affected,
            "revenue_usd": pm.impact.revenue_usd,
            "slo_budget_burned": pm.impact.slo_budget_burned,
        }
    return {
        "id": pm.id,
        "path": pm.path,
        "url": f"incidents/{pm.id}/",
        "title": pm.title,
        "date": pm.date.isoformat(),
        "severity": str(pm.severity),
        "status": str(pm.status),
        "authors": list(pm.authors),
        "timezone": pm.timezone,
        "started": _iso(pm, pm.started),
        "detected": _iso(pm, pm.detected),
        "responded": _iso(pm, pm.responded),
        "escalated": _iso(pm, pm.escalated),
        "mitigated": _iso(pm, pm.mitigated),
        "resolved": _iso(pm, pm.resolved),
        "detection": str(pm.detection),
        "rollback": None if pm.rollback is None else str(pm.rollback),
        "services": list(pm.services),
        "root_causes": list(pm.root_causes),
        "contributing_factors": list(pm.contributing_factors),
        "related": list(pm.related),
        "tags": list(pm.tags),
        "impact": impact,
        "time_to_detect": minutes(pm.time_to_detect),
        "time_to_respond": minutes(pm.time_to_respond),
        "time_to_escalate": minutes(pm.time_to_escalate),
        "time_to_mitigate": minutes(pm.time_to_mitigate),
        "time_to_resolve": minutes(pm.time_to_resolve),
        "duration": minutes(pm.duration),
        "summary": pm.summary,
        "timeline": [
            {
                "time": row.time_text,
                "at": _iso(pm, row.at),
                "event": row.event,
                "source": row.source,
                "cause": row.cause,
                "decision": row.is_decision,
            }
            for row in pm.timeline
        ],
        "whys": [{"text": why.text, "evidence": list(why.evidence)} for why in pm.whys],
        "root_cause_statement": pm.root_cause_statement,
        "action_items": [
            {
                "id": item.id,
                "action": item.action,
                "owner": item.owner,
                "priority": None if item.priority is None else str(item.priority),
                "due": None if item.due is None else item.due.isoformat(),
                "status": str(item.status),
                "link": item.link,
                "link_url": _first_url(item.link),
                "overdue": item.is_overdue(kb.today),
            }
            for item in pm.action_items
        ],
        "lessons": pm.lessons,
    }


def export_data(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole published corpus and its patterns, as plain JSON-ready data."""
    incidents = sorted(kb.incidents, key=lambda pm: (pm.date, pm.id))
    as_root: dict[str, list[str]] = defaultdict(list)
    as_factor: dict[str, list[str]] = defaultdict(list)
    for pm in incidents:
        for pattern_id in pm.root_causes:
            as_root[pattern_id].append(pm.id)
        for pattern_id in pm.contributing_factors:
            as_factor[pattern_id].append(pm.id)
    patterns = [
        {
            "id": pattern_id,
            "title": pattern.title,
            "summary": pattern.summary,
            "aliases": list(pattern.aliases),
            "category": pattern.category,
            "defined": pattern.defined,
            "incidents": as_root.get(pattern_id, []),
            "contributing_to": as_factor.get(pattern_id, []),
        }
        for pattern_id, pattern in sorted(kb.patterns.items())
    ]
    return {
        "version": EXPORT_VERSION,
        "generated_for": kb.today.isoformat(),
        "incidents": [incident_data(pm, kb) for pm in incidents],
        "patterns": patterns,
    }


def export_json(kb: KnowledgeBase) -> str:
    """:func:`export_data` serialized: sorted keys, two-space indent, UTF-8 text, no NaN."""
    return (
        json.dumps(export_data(kb), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
        + "\n"
    )
