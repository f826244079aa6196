"""The PR job summary: exact Markdown, escaping of post-mortem values, changed files from git."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from conftest import PATTERN_TEXT, VALID_FRONT_MATTER, git, postmortem_text
from postmortem_kb import summary as summary_module
from postmortem_kb.kb import KnowledgeBase
from postmortem_kb.settings import Settings
from postmortem_kb.summary import changed_postmortems, job_summary
from postmortem_kb.vcs import GitError, changed_files


def front(**keys: str) -> str:
    text = VALID_FRONT_MATTER
    for key, value in keys.items():
        line = f"{key}: {value}\n"
        text, count = re.subn(rf"^{key}: .*\n", lambda _, line=line: line, text, flags=re.M)
        if not count:
            text += line
    return text


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    write(
        tmp_path,
        {
            "docs/patterns/cache-stampede.md": PATTERN_TEXT,
            "postmortems/old.md": postmortem_text(
                front(title="Old | <b>one</b>", services="[checkout]")
            ),
            "postmortems/new.md": postmortem_text(
                front(
                    title='"New <script>x</script> | pipe"',
                    status="draft",
                    resolved="2025-03-14T10:20Z",
                )
            ),
            "postmortems/bad.md": "---\ntitle: [\n---\n",
            "postmortems/README.md": "notes",
        },
    )
    return KnowledgeBase.load(Settings(root=tmp_path, today=date(2025, 3, 20)))


HEADER = """\
## Post-mortem validation

❌ validation failed: 2 errors, 0 warnings.

| files | count |
|---|---:|
| checked | 3 |
| published | 1 |
| drafts (not published) | 1 |
| with errors | 1 |
| ignored | 1 |
"""


def test_the_summary_of_changed_post_mortems(kb: KnowledgeBase) -> None:
    changed = ["postmortems/new.md", "postmortems/bad.md", "postmortems/README.md"]
    assert job_summary(kb, changed) == HEADER + (
        "\n"
        "## Changed post-mortems (3)\n"
        "\n"
        "### postmortems/README.md\n"
        "\n"
        "Ignored: folder documentation, not a post-mortem.\n"
        "\n"
        "### postmortems/bad.md\n"
        "\n"
        "Could not be parsed far enough to compute its figures.\n"
        "\n"
        "2 errors, 0 warnings in this file:\n"
        "\n"
        "| line | code | level | message |\n"
        "|---:|---|---|---|\n"
        "| 2 | PM002 | error | invalid YAML: while parsing a flow node expected the node content, "
        "but found '&lt;stream end\\>' |\n"
        "| 3 | PM010 | error | the body has none of the required sections; add them in this order: "
        "'\\#\\# Summary', '\\#\\# Timeline', '\\#\\# Impact', '\\#\\# Root Cause Analysis', "
        "'\\#\\# Detection and Response', '\\#\\# What Went Well', '\\#\\# What Could Be Improved', "
        "'\\#\\# Action Items', '\\#\\# Lessons Learned' |\n"
        "\n"
        "### New &lt;script\\>x&lt;/script\\> \\| pipe\n"
        "\n"
        "postmortems/new.md · id new\n"
        "\n"
        "| severity | status | duration | time to detect | time to respond | time to mitigate "
        "| time to resolve |\n"
        "|---|---|---:|---:|---:|---:|---:|\n"
        "| P2 | draft | 1 h 20 min | 3 min | 2 min | 12 min | 1 h 20 min |\n"
        "\n"
        "No problems found in this file.\n"
        "\n"
        "Related incidents:\n"
        "\n"
        "| incident | date | severity | why |\n"
        "|---|---|---|---|\n"
        "| Old \\| &lt;b\\>one&lt;/b\\> (old) | 2025-03-14 | P2 "
        "| shared root-cause pattern cache-stampede; shared service checkout |\n"
    )


def test_no_changes_and_the_counts_only(kb: KnowledgeBase) -> None:
    assert job_summary(kb, []) == HEADER + "\nNo post-mortem changed in this pull request.\n"


def test_long_diagnostic_lists_are_cut_short(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary_module, "MAX_DIAGNOSTICS", 1)
    text = job_summary(kb, ["postmortems/bad.md"])
    assert "| 2 | PM002 | error |" in text
    assert "| 3 | PM010 |" not in text
    assert text.endswith("| | | | … and 1 more (see the annotations) |\n")


def test_patterns_cited_together_are_suggested(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "postmortems/a.md": postmortem_text(front(root_causes="[cache-stampede, dns]")),
            "postmortems/b.md": postmortem_text(
                front(root_causes="[cache-stampede]", services="[x]")
            ),
        },
    )
    kb = KnowledgeBase.load(Settings(root=tmp_path, today=date(2025, 3, 20)))
    text = job_summary(kb, ["postmortems/b.md"])
    assert text.endswith(
        "Patterns often cited together with this incident's patterns:\n"
        "\n"
        "- Dns (dns): with cache-stampede in 1 incident (no definition yet)\n"
    )


# -- changed files from git --------------------------------------------------------------------
def test_changed_files_are_this_branchs_markdown_relative_to_the_project(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project = repo / "site"  # the project (mkdocs.yml) need not be the repository root
    write(
        project,
        {"postmortems/kept.md": "a", "postmortems/gone.md": "b", "postmortems/edited.md": "c"},
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "switch", "-q", "-c", "feature")
    write(
        project,
        {
            "postmortems/edited.md": "c2",
            "postmortems/2025/new one.md": "d",
            "postmortems/2025/chart.png": "e",
            "docs/other.md": "f",
        },
    )
    (project / "postmortems/gone.md").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature")
    git(repo, "switch", "-q", "main")
    write(project, {"postmortems/kept.md": "changed on main meanwhile"})
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "switch", "-q", "feature")

    settings = Settings(root=project)
    # uncommitted edits count too; what main gained meanwhile (kept.md) does not
    write(project, {"postmortems/2025/draft.md": "g"})
    git(repo, "add", "-N", "site/postmortems/2025/draft.md")
    assert changed_postmortems(changed_files(settings, "main"), settings) == (
        "postmortems/2025/draft.md",
        "postmortems/2025/new one.md",
        "postmortems/edited.md",
    )


def test_an_unknown_base_is_an_error(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    with pytest.raises(GitError, match="git diff against 'origin/nope' failed: fatal: "):
        changed_files(Settings(root=tmp_path), "origin/nope")
    with pytest.raises(GitError, match="not a git revision: '--output=x'"):
        changed_files(Settings(root=tmp_path), "--output=x")
