"""Deterministic generator of realistic synthetic post-mortem corpora.

``python tests/benchmarks/generate.py OUT_DIR N`` writes a project (``postmortems/``,
``docs/patterns/``, ``mkdocs.yml``) with N valid post-mortems. Patterns and services
follow a skewed (Zipf-like) distribution, as real corpora do: a few causes recur
constantly, most appear a handful of times. Same N and seed, same bytes.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PATTERNS = [
    "config-drift",
    "retry-storm",
    "cert-expiry",
    "capacity-exhaustion",
    "bad-deploy",
    "dependency-timeout",
    "schema-migration-lock",
    "cache-stampede",
    "dns-misconfiguration",
    "queue-backlog",
    "feature-flag-misfire",
    "clock-skew",
    "disk-full",
    "connection-pool-exhaustion",
    "thundering-herd",
    "split-brain",
    "memory-leak",
    "rate-limit-misconfiguration",
    "stale-read-replica",
    "missing-alert",
    "runbook-gap",
    "unsafe-default",
    "partial-rollout",
    "third-party-outage",
]
SERVICES = [
    "checkout",
    "payments",
    "search",
    "catalog",
    "auth",
    "orders",
    "inventory",
    "shipping",
    "notifications",
    "recommendations",
    "cdn",
    "api-gateway",
    "postgres",
    "kafka",
    "redis",
    "billing",
    "reporting",
    "mobile-api",
    "web-frontend",
    "scheduler",
]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London"]
OWNERS = ["sre-team", "payments-team", "platform-team", "search-team", "data-team", "mobile-team"]
SEVERITIES = ["P0", "P1", "P2", "P3"]
SEVERITY_WEIGHTS = [1, 4, 10, 12]
DETECTIONS = ["monitoring", "user-report", "internal-report", "other"]
DETECTION_WEIGHTS = [14, 4, 3, 1]


def _zipf_choice(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    weights = [1 / (rank**s) for rank in range(1, len(items) + 1)]
    return rng.choices(items, weights=weights, k=1)[0]


def _distinct(rng: random.Random, items: list[str], k: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        item = _zipf_choice(rng, items)
        if item not in chosen:
            chosen.append(item)
    return chosen


def _pattern_page(pattern_id: str) -> str:
    title = pattern_id.replace("-", " ").capitalize()
    return (
        f'---\ntitle: {title}\nsummary: "Recurring cause of incidents: {title.lower()}."\n'
        f"category: reliability\n---\n\n{title} is a recurring root-cause pattern.\n\n"
        "## Signals\n\n- Alerts fire in several services at once.\n\n"
        "## Mitigations\n\n- Add a guard rail and a test.\n"
    )


def postmortem(index: int, rng: random.Random, ids: list[str]) -> tuple[str, str]:
    """One valid post-mortem: (relative path, text)."""
    day = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 7 * 365))
    slug = f"{day.isoformat()}-incident-{index:05d}"
    severity = rng.choices(SEVERITIES, weights=SEVERITY_WEIGHTS, k=1)[0]
    zone = rng.choice(ZONES)
    # Local office hours: far from the small-hours DST changes, and no midnight crossing.
    local = datetime(day.year, day.month, day.day, 8, 0, tzinfo=ZoneInfo(zone))
    start = (local + timedelta(minutes=rng.randrange(0, 600))).astimezone(UTC)
    ttd = rng.choice([1, 2, 3, 4, 5])
    detected = start + timedelta(minutes=ttd)
    responded = detected + timedelta(minutes=rng.choice([1, 2, 3, 4]))
    mitigated = responded + timedelta(minutes=rng.choice([3, 4, 5]))
    resolved = mitigated + timedelta(minutes=rng.choice([2, 3, 5]))
    roots = _distinct(rng, PATTERNS, rng.choice([1, 1, 1, 2]))
    factors = [p for p in _distinct(rng, PATTERNS, rng.choice([0, 1, 2])) if p not in roots]
    services = _distinct(rng, SERVICES, rng.choice([1, 2, 2, 3]))
    related = sorted(set(rng.sample(ids, k=min(len(ids), rng.choice([0, 0, 1, 2])))))
    detection = rng.choices(DETECTIONS, weights=DETECTION_WEIGHTS, k=1)[0]

    def ts(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%MZ")

    def hm(moment: datetime) -> str:  # bare timeline times are in the incident's zone
        return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")

    lines = [
        "---",
        f"title: Synthetic incident {index} in {services[0]}",
        f"date: {local.date().isoformat()}",
        f"severity: {severity}",
        "status: final",
        "authors: [Analyst One, Analyst Two]",
        f"timezone: {zone}",
        f"started: {ts(start)}",
        f"detected: {ts(detected)}",
        f"responded: {ts(responded)}",
        f"mitigated: {ts(mitigated)}",
        f"resolved: {ts(resolved)}",
        f"detection: {detection}",
        "rollback: considered",
        f"services: [{', '.join(services)}]",
        f"root_causes: [{', '.join(roots)}]",
    ]
    if factors:
        lines.append(f"contributing_factors: [{', '.join(factors)}]")
    if related:
        lines.append(f"related: [{', '.join(related)}]")
    lines += [f"tags: [{services[0]}, synthetic]", "---", ""]
    rows = [
        (start, "Error rate rises on the primary endpoint"),
        (detected, "Alert fires and pages the on-call engineer"),
        (responded, "Decision: on-call engineer starts the incident and pages the owning team"),
        (mitigated, "Traffic shifted away from the failing instances; errors drop"),
        (resolved, "Permanent fix deployed and verified"),
    ]
    body = [
        f"# Synthetic incident {index}",
        "",
        "## Summary",
        "",
        f"Requests to {services[0]} failed for {int((mitigated - start).total_seconds() // 60)} minutes. "
        "Customers saw errors until traffic was shifted.",
        "",
        "## Timeline",
        "",
        "| Time | Event | Source |",
        "|---|---|---|",
    ]
    body += [
        f"| {hm(moment)} | {event} | [dashboard](https://grafana.example.com/d/{index}) |"
        for moment, event in rows
    ]
    body += [
        "",
        "## Impact",
        "",
        f"About {rng.randrange(1, 40)}% of requests to {services[0]} failed.",
        "",
        "## Root Cause Analysis",
        "",
    ]
    whys = [
        "Requests failed because the service returned errors. Evidence: error-rate dashboard.",
        "The service returned errors because its dependency timed out. Evidence: trace samples.",
        "The dependency timed out because its pool was exhausted. Evidence: pool metrics.",
        "The pool was exhausted because a change doubled connection use. Evidence: the change diff.",
        f"The change went out because nothing checked {roots[0].replace('-', ' ')} before deploy. "
        "Evidence: deploy pipeline config.",
    ]
    body += [f"{n}. {why}" for n, why in enumerate(whys, start=1)]
    due = resolved.date() + timedelta(days=30)
    body += [
        "",
        "## Detection and Response",
        "",
        f"Detected by {detection}; the on-call engineer responded quickly.",
        "",
        "## What Went Well",
        "",
        "- Traffic shifting worked as designed.",
        "",
        "## What Could Be Improved",
        "",
        "- The change needed a pre-deploy check.",
        "",
        "## Action Items",
        "",
        "| ID | Action | Owner | Priority | Due Date | Status |",
        "|---|---|---|---|---|---|",
        f"| A1 | Add a pre-deploy check | {rng.choice(OWNERS)} | P1 | {due.isoformat()} | done |",
        f"| A2 | Document the runbook step | {rng.choice(OWNERS)} | P2 | {due.isoformat()} | verified |",
        "",
        "## Lessons Learned",
        "",
        f"- Guard against {roots[0].replace('-', ' ')} before it reaches production.",
        "",
    ]
    return f"postmortems/{day.year}/{slug}.md", "\n".join(lines + body)


def generate(out: Path, count: int, seed: int = 7) -> list[Path]:
    """Write a project with ``count`` post-mortems under ``out``; return the post-mortem paths."""
    rng = random.Random(seed)
    written: list[Path] = []
    ids: list[str] = []
    for index in range(count):
        rel, text = postmortem(index, rng, ids)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
        ids.append(path.stem)
    patterns = out / "docs" / "patterns"
    patterns.mkdir(parents=True, exist_ok=True)
    for pattern_id in PATTERNS:
        (patterns / f"{pattern_id}.md").write_text(_pattern_page(pattern_id), encoding="utf-8")
    (out / "docs" / "index.md").write_text("# Incident knowledge base\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
