"""pmkb export: normalized values, derived minutes, link URLs, determinism."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from conftest import VALID_BODY, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb import KnowledgeBase, Settings
from postmortem_kb.export import export_data, export_json

Writer = Callable[[Mapping[str, str]], Path]

BERLIN = VALID_FRONT_MATTER.replace("timezone: UTC", "timezone: Europe/Berlin").replace(
    "started: 2025-03-14T09:00Z", "started: 2025-03-14T09:00Z\nescalated: 2025-03-14T09:07Z"
)
LINKED_BODY = VALID_BODY.replace(
    "| ID | Action | Owner | Priority | Due Date | Status |\n|---|---|---|---|---|---|\n"
    "| A1 | Warm the cache after every flush | platform-team | P2 | 2025-04-30 | done |",
    "| ID | Action | Owner | Priority | Due Date | Status | Link |\n|---|---|---|---|---|---|---|\n"
    "| A1 | Warm the cache after every flush | platform-team | P2 | 2025-04-30 | done | [OPS-1](https://tracker.example.com/OPS-1) |\n"
    "| A2 | Review flush jobs | platform-team | P3 | 2025-05-30 | open | OPS-2 |",
)


def test_export_normalizes_times_to_the_zone_and_links_to_urls(write_project: Writer) -> None:
    # Bare times in the body are in Europe/Berlin now (UTC+1 in March): shift the timeline.
    body = LINKED_BODY
    for hh_mm in ("09:15", "09:12", "09:08", "09:05", "09:03", "09:00"):
        body = body.replace(f"| {hh_mm} |", f"| {int(hh_mm[:2]) + 1:02d}{hh_mm[2:]} |")
    root = write_project({"postmortems/a.md": postmortem_text(BERLIN, body)})
    kb = KnowledgeBase.load(Settings(root=root, today=date(2025, 6, 1)))
    assert [d.code for d in kb.diagnostics] == ["PM043"]  # A2 is open and overdue
    [incident] = export_data(kb)["incidents"]
    assert incident["started"] == "2025-03-14T10:00:00+01:00"
    assert incident["escalated"] == "2025-03-14T10:07:00+01:00"
    assert incident["time_to_escalate"] == 4.0
    assert incident["timeline"][0] == {
        "time": "10:00",
        "at": "2025-03-14T10:00:00+01:00",
        "event": "Cache flushed by the nightly job",
        "source": "[job log](https://ci.example.com/1)",
        "cause": None,
        "decision": False,
    }
    assert [
        (a["id"], a["link"], a["link_url"], a["overdue"]) for a in incident["action_items"]
    ] == [
        (
            "A1",
            "[OPS-1](https://tracker.example.com/OPS-1)",
            "https://tracker.example.com/OPS-1",
            False,
        ),
        ("A2", "OPS-2", None, True),
    ]
    text = export_json(kb)
    assert json.loads(text) == export_data(kb)
    assert text == export_json(KnowledgeBase.load(Settings(root=root, today=date(2025, 6, 1))))
