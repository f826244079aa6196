"""Write a mini knowledge-base project into a folder and build its site in-process.

Used by the plugin tests: a handful of post-mortems and pattern definitions, a
``mkdocs.yml`` using mkdocs-material and the ``postmortems`` plugin (found
through its entry point), and a build that raises ``Abort`` on strict failures.
"""

from __future__ import annotations

import html.parser
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

HOSTILE_TITLE = "<img src=x onerror=alert(1)> {{ 7*7 }}"


def postmortem(
    *,
    title: str = "Checkout slowed after a cache flush",
    date: str = "2025-03-14",
    severity: str = "P2",
    status: str = "final",
    services: Sequence[str] = ("checkout",),
    root_causes: Sequence[str] = ("cache-stampede",),
    contributing: Sequence[str] = (),
    related: Sequence[str] = (),
    tags: Sequence[str] = (),
    root_cause: str = "Cache jobs are not reviewed against their consumers.",
    lesson: str = "A cache flush is a deploy: review it against its consumers.",
    extra_front_matter: str = "",
) -> str:
    """The text of a valid post-mortem (P2, six timeline rows, five whys, one action item)."""
    front: dict[str, Any] = {
        "title": title,
        "date": date,
        "severity": severity,
        "status": status,
        "authors": ["Dana Analyst"],
        "timezone": "UTC",
        "started": f"{date}T09:00Z",
        "detected": f"{date}T09:03Z",
        "responded": f"{date}T09:05Z",
        "mitigated": f"{date}T09:12Z",
        "resolved": f"{date}T09:15Z",
        "detection": "monitoring",
        "services": list(services),
        "root_causes": list(root_causes),
    }
    if contributing:
        front["contributing_factors"] = list(contributing)
    if related:
        front["related"] = list(related)
    if tags:
        front["tags"] = list(tags)
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    return f"""---
{dumped}{extra_front_matter}---

## Summary

Checkout requests slowed down for twelve minutes after a cache flush {{{{ 7*7 }}}}.

## Timeline

| Time | Event | Source | Cause |
|---|---|---|---|
| 09:00 | Cache flushed by the nightly job | [job log](https://ci.example.com/1) | |
| 09:03 | Latency alert fires | [alert](https://alerts.example.com/2) | 09:00 |
| 09:05 | On-call engineer acknowledges | pager | 09:03 |
| 09:08 | Decision: start the cache warmer instead of rolling back | chat | 09:05 |
| 09:12 | Latency back to normal | [dashboard](https://grafana.example.com/3) | 09:08 |
| 09:15 | Warmer made part of the flush job | [change](https://git.example.com/4) | |

## Impact

About 8% of checkouts took longer than five seconds.

## Root Cause Analysis

1. Checkout was slow because every request missed the cache. Evidence: [hit ratio](https://grafana.example.com/5)
2. Every request missed because the cache had just been flushed. Evidence: job log.
3. The flush emptied everything at once because the job has no warm-up step. Evidence: job config.
4. The job has no warm-up step because it predates the checkout cache. Evidence: git history.
5. {root_cause} Evidence: [review checklist](https://wiki.example.com/7)

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
| A2 | Review cache jobs with their consumers | platform-team | P3 | 2030-01-31 | open |

## Lessons Learned

- {lesson}
"""


def pattern(title: str, summary: str = "", body: str = "Curated description.") -> str:
    """The text of a pattern definition."""
    values = {"title": title, "summary": summary} if summary else {"title": title}
    front = yaml.safe_dump(values, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body}\n"


MKDOCS_YML: dict[str, Any] = {
    "site_name": "Test knowledge base",
    "repo_url": "https://git.example.com/team/kb",
    "edit_uri": "edit/main/docs/",
    "theme": {"name": "material", "font": False, "features": ["content.action.edit"]},
    "plugins": [
        "search",
        "tags",
        {"postmortems": {"today": "2025-06-01"}},
    ],
    "nav": [
        {"Home": "index.md"},
        {"Incidents": "incidents/index.md"},
        {"Patterns": "patterns/index.md"},
        {"Services": "services/index.md"},
    ],
    "validation": {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
    },
}


def write_project(
    root: Path, files: Mapping[str, str], mkdocs: Mapping[str, Any] | None = None
) -> Path:
    """Write ``files`` (relative path → text), ``docs/index.md`` and ``mkdocs.yml`` under ``root``."""
    all_files = {"docs/index.md": "# Home\n\nWelcome.\n", **files}
    for rel, text in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "postmortems").mkdir(parents=True, exist_ok=True)
    config = root / "mkdocs.yml"
    config.write_text(yaml.safe_dump(dict(mkdocs or MKDOCS_YML), sort_keys=False), encoding="utf-8")
    return config


def record_search_indexing() -> list[str]:
    """Make mkdocs-material's search record the URI of each page it indexes in this
    process, in order, in the list returned (a forked worker's copy records in the worker)."""
    from material.plugins.search.plugin import SearchIndex

    indexed: list[str] = []
    index = SearchIndex.add_entry_from_context

    def recorded(self: Any, page: Any) -> None:
        indexed.append(page.file.src_uri)
        index(self, page)

    SearchIndex.add_entry_from_context = recorded
    return indexed


def build_site(
    config_file: Path, site_dir: Path, *, strict: bool = True, loader: Any = None
) -> None:
    """Build the site of ``config_file`` into ``site_dir`` in-process (MkDocs, or ``loader``'s API)."""
    load = loader.load_config if loader is not None else load_config
    run = loader.build if loader is not None else build
    cfg = load(str(config_file), site_dir=str(site_dir), strict=strict)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        run(cfg)
    finally:
        cfg.plugins.on_shutdown()


@dataclass
class Node:
    """An element of a parsed HTML page."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, entities decoded."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None) -> list[Node]:
        """Every descendant element (with ``tag``, if given), in document order."""
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    found.append(child)
                found.extend(child.iter(tag))
        return found


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """A small DOM of ``text`` (the standard library's HTML parser)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
