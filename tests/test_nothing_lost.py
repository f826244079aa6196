"""Nothing lost: every file found is accounted for, and every valid post-mortem is published.

Seeded random folders of valid post-mortems, drafts, broken files and stray files
(bounded: a few seeds, a few dozen files each). Each load must account for every
file exactly once (published + drafts hidden + failed + ignored = files written),
publish exactly the valid final ones, and a real build must put each of them on
the site and in ``search/search_index.json``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError

from postmortem_kb import FileOutcome, KnowledgeBase, Settings
from site_helpers import build_site, pattern, postmortem, write_project

TODAY = date(2026, 1, 1)
BROKEN = (
    lambda text: text.replace("---\n", "", 1),  # no front matter
    lambda text: text.replace("severity: P2\n", "severity: P9\n"),  # bad value
    lambda text: text.replace("## Timeline", "## Timetable"),  # missing section
    lambda text: text.encode("utf-8")[:40].decode() + "\udcff",  # becomes invalid UTF-8
    lambda text: "",  # empty
    lambda text: text.replace("title:", "title: &a x\nalias: *a\nold_title:"),  # anchors
)
STRAYS = (".DS_Store", "notes.txt", "diagram.png", "README.md", "old.markdown", "x.md~", ".#y.md")


@dataclass
class Folder:
    files: dict[str, str | bytes] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    drafts: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)


def random_folder(seed: int, size: int = 30) -> Folder:
    rng = random.Random(seed)
    folder = Folder()
    for n in range(size):
        sub = rng.choice(["", "2024/", "2025/", "2025/q3/"])
        day = date(2024, 1, 1).toordinal() + rng.randrange(700)
        stamp = date.fromordinal(day).isoformat()
        ident = f"{stamp}-incident-{n}"
        rel = f"postmortems/{sub}{ident}.md"
        kind = rng.choice(["valid", "valid", "valid", "draft", "broken", "stray"])
        text = postmortem(date=stamp, title=f"Incident {n} {{{{ 7*7 }}}} <b>|</b>")
        if kind == "valid":
            folder.files[rel] = text
            folder.published.add(ident)
        elif kind == "draft":
            folder.files[rel] = text.replace("status: final", "status: draft")
            folder.drafts.add(rel)
        elif kind == "broken":
            broken = rng.choice(BROKEN)(text)
            folder.files[rel] = broken.encode("utf-8", "surrogateescape")
            folder.failed.add(rel)
        else:
            stray = f"postmortems/{sub}s{n}/{rng.choice(STRAYS)}"
            folder.files[stray] = text
            folder.ignored.add(stray)
    return folder


def write(root: Path, folder: Folder) -> None:
    for rel, content in {
        "docs/patterns/cache-stampede.md": pattern("Cache stampede"),
        **folder.files,
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("seed", range(8))
def test_every_file_is_accounted_for_once(tmp_path: Path, seed: int) -> None:
    folder = random_folder(seed)
    write(tmp_path, folder)
    kb = KnowledgeBase.load(Settings(root=tmp_path, today=TODAY))
    found = sorted(
        p.relative_to(tmp_path).as_posix()
        for p in (tmp_path / "postmortems").rglob("*")
        if p.is_file()
    )
    assert [r.path for r in kb.files] == found
    counts = kb.counts()
    assert sum(counts.values()) == len(found) == len(folder.files)
    assert {pm.id for pm in kb.incidents} == folder.published
    by = {outcome: {r.path for r in kb.files if r.outcome is outcome} for outcome in FileOutcome}
    assert by[FileOutcome.DRAFT_HIDDEN] == folder.drafts
    assert by[FileOutcome.FAILED] == folder.failed
    assert by[FileOutcome.IGNORED] == folder.ignored
    assert all(r.reason for r in kb.files if r.outcome is not FileOutcome.PUBLISHED)
    assert {d.path for d in kb.errors} == folder.failed


def test_every_valid_post_mortem_is_on_the_site_and_in_the_search_index(tmp_path: Path) -> None:
    folder = random_folder(7, size=24)
    assert len(folder.published) >= 8
    config = write_project(tmp_path, {})
    write(tmp_path, folder)
    site = tmp_path / "site"
    try:
        build_site(config, site, strict=False)
        failed = False
    except (Abort, PluginError):  # broken files fail the build, after the site is written
        failed = True
    assert failed is bool(folder.failed)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    pages = {p.parent.name for p in (site / "incidents").glob("*/index.html")}
    assert pages == folder.published
    assert {loc for loc in locations if loc.startswith("incidents/") and loc != "incidents/"} == {
        f"incidents/{ident}/" for ident in folder.published
    }
