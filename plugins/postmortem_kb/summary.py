"""The pull-request job summary: counts, the changed post-mortems' figures, related incidents.

``pmkb summary --base origin/main >> "$GITHUB_STEP_SUMMARY"`` writes it in CI.
Everything taken from a post-mortem (titles, ids, paths, messages) is escaped
for the Markdown context it lands in (:mod:`.escape`): a title with ``|`` or
``<script>`` cannot break a table or inject HTML into the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from .authoring import Related, related_to
from .escape import md_cell, md_text
from .kb import FileOutcome, KnowledgeBase
from .model import Diagnostic, Level, Postmortem
from .pages import format_duration
from .parse import parse_postmortem
from .settings import Settings
from .vcs import ChangedFiles

__all__ = ["MAX_DIAGNOSTICS", "changed_postmortems", "job_summary"]

MAX_DIAGNOSTICS = 20  # per file; the annotations on the diff carry every one of them


def changed_postmortems(changed: ChangedFiles, settings: Settings) -> tuple[str, ...]:
    """The post-mortem files among a branch's changes (pattern definitions and deletions left out)."""
    folder = settings.postmortems_dir.rstrip("/") + "/"
    return tuple(p for p in changed.changed if p.startswith(folder) and p.lower().endswith(".md"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(kb: KnowledgeBase) -> list[str]:
    counts = kb.counts()
    checked = len(kb.files) - counts[FileOutcome.IGNORED]
    errors, warnings = len(kb.errors), len(kb.warnings)
    verdict = "❌ validation failed" if errors else "✅ validation passed"
    return [
        "## Post-mortem validation",
        "",
        f"{verdict}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}.",
        "",
        "| files | count |",
        "|---|---:|",
        f"| checked | {checked} |",
        f"| published | {counts[FileOutcome.PUBLISHED]} |",
        f"| drafts (not published) | {counts[FileOutcome.DRAFT_HIDDEN]} |",
        f"| with errors | {counts[FileOutcome.FAILED]} |",
        f"| ignored | {counts[FileOutcome.IGNORED]} |",
        "",
    ]


def _figures(pm: Postmortem) -> list[str]:
    return [
        "| severity | status | duration | time to detect | time to respond | time to mitigate "
        "| time to resolve |",
        "|---|---|---:|---:|---:|---:|---:|",
        f"| {md_cell(pm.severity)} | {md_cell(pm.status)} | {format_duration(pm.duration)} "
        f"| {format_duration(pm.time_to_detect)} | {format_duration(pm.time_to_respond)} "
        f"| {format_duration(pm.time_to_mitigate)} | {format_duration(pm.time_to_resolve)} |",
        "",
    ]


def _diagnostics(found: Sequence[Diagnostic]) -> list[str]:
    if not found:
        return ["No problems found in this file.", ""]
    errors = sum(d.level is Level.ERROR for d in found)
    lines = [
        f"{_plural(errors, 'error')}, {_plural(len(found) - errors, 'warning')} in this file:",
        "",
        "| line | code | level | message |",
        "|---:|---|---|---|",
    ]
    lines += [
        f"| {d.line} | {md_cell(d.code)} | {md_cell(d.level)} | {md_cell(d.message)} |"
        for d in found[:MAX_DIAGNOSTICS]
    ]
    if len(found) > MAX_DIAGNOSTICS:
        lines.append(f"| | | | … and {len(found) - MAX_DIAGNOSTICS} more (see the annotations) |")
    return [*lines, ""]


def _related(related: Related) -> list[str]:
    lines: list[str] = []
    if related.incidents:
        lines += [
            "Related incidents:",
            "",
            "| incident | date | severity | why |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {md_cell(r.title)} ({md_cell(r.id)}) | {r.date.isoformat()} | {md_cell(r.severity)} "
            f"| {md_cell('; '.join(reason.text for reason in r.reasons))} |"
            for r in related.incidents
        ]
        lines.append("")
    else:
        lines += ["No related incidents found.", ""]
    if related.patterns:
        lines += ["Patterns often cited together with this incident's patterns:", ""]
        lines += [
            f"- {md_text(p.title)} ({md_text(p.id)}): with {md_text(', '.join(p.with_patterns))} "
            f"in {_plural(p.incidents, 'incident')}" + ("" if p.defined else " (no definition yet)")
            for p in related.patterns
        ]
        lines.append("")
    return lines


def _changed(kb: KnowledgeBase, path: str, k: int) -> list[str]:
    outcome = {record.path: record for record in kb.files}.get(path)
    if outcome is not None and outcome.outcome is FileOutcome.IGNORED:
        return [f"### {md_text(path)}", "", f"Ignored: {md_text(outcome.reason)}.", ""]
    found = [d for d in kb.diagnostics if d.path == path]
    source = kb.settings.root / path
    try:
        data = source.read_bytes()
    except OSError:
        return [f"### {md_text(path)}", "", "Could not be read.", "", *_diagnostics(found)]
    pm, _ = parse_postmortem(data, path, kb.settings)
    if pm is None:
        return [
            f"### {md_text(path)}",
            "",
            "Could not be parsed far enough to compute its figures.",
            "",
            *_diagnostics(found),
        ]
    return [
        f"### {md_text(pm.title)}",
        "",
        f"{md_text(path)} · id {md_text(pm.id)}",
        "",
        *_figures(pm),
        *_diagnostics(found),
        *_related(related_to(kb, pm, k)),
    ]


def job_summary(kb: KnowledgeBase, changed: Sequence[str], k: int = 5) -> str:
    """The summary as GitHub-flavoured Markdown, one section per changed post-mortem."""
    lines = _counts(kb)
    if not changed:
        lines += ["No post-mortem changed in this pull request.", ""]
    else:
        lines += [f"## Changed post-mortems ({len(changed)})", ""]
        for path in sorted(changed):
            lines += _changed(kb, path, k)
    return "\n".join(lines).rstrip("\n") + "\n"
