"""Shared fixtures: a minimal valid post-mortem and a project writer."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

VALID_FRONT_MATTER = """\
title: Checkout latency after cache flush
date: 2025-03-14
severity: P2
status: final
authors: [Dana Analyst]
timezone: UTC
started: 2025-03-14T09:00Z
detected: 2025-03-14T09:03Z
responded: 2025-03-14T09:05Z
mitigated: 2025-03-14T09:12Z
resolved: 2025-03-14T09:15Z
detection: monitoring
services: [checkout]
root_causes: [cache-stampede]
"""

VALID_BODY = """\
# Checkout latency after cache flush

## Summary

Checkout requests slowed down for twelve minutes after a cache flush. Customers saw slow pages.

## Timeline

| Time | Event | Source |
|---|---|---|
| 09:00 | Cache flushed by the nightly job | [job log](https://ci.example.com/1) |
| 09:03 | Latency alert fires | [alert](https://alerts.example.com/2) |
| 09:05 | On-call engineer acknowledges | pager |
| 09:08 | Cache warmer started | chat |
| 09:12 | Latency back to normal | [dashboard](https://grafana.example.com/3) |
| 09:15 | Warmer made part of the flush job | [change](https://git.example.com/4) |

## Impact

About 8% of checkouts took longer than five seconds.

## Root Cause Analysis

1. Checkout was slow because every request missed the cache. Evidence: [hit ratio](https://grafana.example.com/5)
2. Every request missed because the cache had just been flushed. Evidence: job log.
3. The flush emptied everything at once because the job has no warm-up step. Evidence: [job config](https://git.example.com/6)
4. The job has no warm-up step because it predates the checkout cache. Evidence: git history.
5. Nothing flagged the gap because cache jobs are not reviewed against their consumers. Evidence: [review checklist](https://wiki.example.com/7)

## Detection and Response

The latency alert worked as intended.

## What Went Well

- The alert fired within three minutes.

## What Could Be Improved

- Flushes should warm the cache.

## Action Items

| ID | Action | Owner | Priority | Due Date | Status |
|---|---|---|---|---|---|
| A1 | Warm the cache after every flush | platform-team | P2 | 2025-04-30 | done |

## Lessons Learned

- A cache flush is a deploy: review it against its consumers.
"""


# A git that reads no user or system configuration and commits as a fixed identity.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "PATH": "/usr/bin:/bin:/usr/local/bin",
}


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` (isolated from the machine's configuration); its output."""
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        env=_GIT_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def postmortem_text(front_matter: str = VALID_FRONT_MATTER, body: str = VALID_BODY) -> str:
    """A post-mortem file's text from its front matter and body."""
    return f"---\n{front_matter}---\n\n{body}"


PATTERN_TEXT = """\
---
title: Cache stampede
summary: Many requests miss an empty cache at once.
aliases: [thundering-cache]
---

A cold cache sends every request to the backend.
"""


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[[Mapping[str, str]], Path]:
    """Write ``{relative path: text}`` under a fresh project root and return the root.

    A ``docs/patterns/cache-stampede.md`` definition is included unless overridden.
    """

    def write(files: Mapping[str, str]) -> Path:
        root = tmp_path / "project"
        all_files = {"docs/patterns/cache-stampede.md": PATTERN_TEXT, **files}
        for rel, text in all_files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (root / "postmortems").mkdir(parents=True, exist_ok=True)
        return root

    return write
