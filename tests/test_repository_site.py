"""The repository itself: its sample site builds strictly, and it works as a template.

Another team copies the repository, replaces ``postmortems/`` and ``docs/patterns/``
with its own files, and ``mkdocs build --strict`` must still pass: no page under
``docs/`` and no entry of ``mkdocs.yml`` may depend on a sample incident.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from postmortem_kb import KnowledgeBase, Settings
from postmortem_kb.project import load_project_settings
from site_helpers import build_site, pattern, postmortem

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1782864000")  # 2026-07-01: no drift as time passes


def test_the_sample_corpus_is_clean_and_every_file_is_published_or_a_hidden_draft() -> None:
    kb = KnowledgeBase.load(load_project_settings(REPO / "mkdocs.yml"))
    assert kb.diagnostics == ()
    counts = {str(k): v for k, v in kb.counts().items()}
    assert counts == {"published": 15, "draft-hidden": 1, "failed": 0, "ignored": 0}


def test_the_repository_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(REPO / "mkdocs.yml", site)
    incidents = sorted(p.parent.name for p in (site / "incidents").glob("*/index.html"))
    published = sorted(pm.id for pm in KnowledgeBase.load(Settings(root=REPO)).incidents)
    assert len(incidents) == 15
    assert incidents == published


def test_the_repository_works_as_a_template_for_another_team(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    shutil.copy(REPO / "mkdocs.yml", team / "mkdocs.yml")
    shutil.copytree(REPO / "docs", team / "docs", ignore=shutil.ignore_patterns("patterns"))
    (team / "docs" / "patterns").mkdir()
    (team / "docs" / "patterns" / "dns-ttl.md").write_text(pattern("DNS TTL too long"), "utf-8")
    incident = postmortem(title="Resolver kept a stale record", root_causes=("dns-ttl",))
    (team / "postmortems").mkdir()
    (team / "postmortems" / "2026-02-02-stale-record.md").write_text(incident, "utf-8")

    site = tmp_path / "site"
    build_site(team / "mkdocs.yml", site)  # strict: any warning would raise
    assert (site / "incidents" / "2026-02-02-stale-record" / "index.html").is_file()
    assert (site / "patterns" / "dns-ttl" / "index.html").is_file()
    assert not (site / "patterns" / "unsafe-config-rollout").exists()
