"""``pmkb``: the command-line adapter (Click). It translates; the core decides.

Exit codes: 0 clean, 1 findings that fail the run, 2 usage or configuration error.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .config import ConfigError
from .export import export_json
from .kb import FileOutcome, FileRecord, KnowledgeBase
from .model import Diagnostic, Level
from .project import load_project_settings
from .settings import Settings

__all__ = ["github_annotation", "main"]

F = TypeVar("F", bound=Callable[..., Any])


def _config_options(func: F) -> F:
    """Options every command shares: where the knowledge base is and how to check it."""
    options = [
        click.option(
            "-f",
            "--config-file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="mkdocs.yml to read the postmortems plugin settings from (default: ./mkdocs.yml if present).",
        ),
        click.option(
            "--postmortems-dir",
            default=None,
            help="Folder of post-mortems, relative to the project root.",
        ),
        click.option(
            "--patterns-dir",
            default=None,
            help="Folder of pattern definitions, relative to the project root.",
        ),
        click.option(
            "--gap-limit",
            type=click.IntRange(min=1),
            default=None,
            help="Timeline gap limit in minutes (PM024).",
        ),
        click.option(
            "--min-whys",
            type=click.IntRange(min=1),
            default=None,
            help="Minimum 'why' levels (PM030).",
        ),
        click.option(
            "--max-file-bytes",
            type=click.IntRange(min=1),
            default=None,
            help="Largest accepted file (PM001).",
        ),
        click.option(
            "--overdue",
            type=click.Choice(["warning", "error", "off"]),
            default=None,
            help="Level of overdue action items (PM043).",
        ),
        click.option(
            "--today",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help="Date used for overdue checks (YYYY-MM-DD); default: SOURCE_DATE_EPOCH's date, else today.",
        ),
        click.option(
            "--show-drafts/--hide-drafts", default=None, help="Publish drafts (export and pages)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(
    config_file: Path | None,
    postmortems_dir: str | None,
    patterns_dir: str | None,
    gap_limit: int | None,
    min_whys: int | None,
    max_file_bytes: int | None,
    overdue: str | None,
    today: Any,
    show_drafts: bool | None,
) -> Settings:
    """Settings from mkdocs.yml (as the site build reads them), then flags on top."""
    if config_file is None and Path("mkdocs.yml").is_file():
        config_file = Path("mkdocs.yml")
    try:
        settings = load_project_settings(config_file, Path.cwd())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    overrides: dict[str, Any] = {
        "postmortems_dir": postmortems_dir,
        "patterns_dir": patterns_dir,
        "gap_limit_minutes": gap_limit,
        "min_whys": min_whys,
        "max_file_bytes": max_file_bytes,
        "overdue": overdue,
        "today": today.date() if today is not None else None,
        "show_drafts": show_drafts,
    }
    return dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _github_escape(text: str, *, prop: bool = False) -> str:
    """Escape a workflow-command value (``%``, CR, LF; plus ``:`` and ``,`` in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(d: Diagnostic) -> str:
    """One diagnostic as a GitHub Actions workflow annotation line."""
    kind = "error" if d.level is Level.ERROR else "warning"
    props = (
        f"file={_github_escape(d.path, prop=True)},line={d.line},col={d.column},"
        f"title={_github_escape(d.code, prop=True)}"
    )
    return f"::{kind} {props}::{_github_escape(d.message)}"


def _within(path: str, selected: Sequence[str]) -> bool:
    return not selected or any(path == s or path.startswith(s.rstrip("/") + "/") for s in selected)


def _selection(paths: Iterable[Path], root: Path) -> list[str]:
    """Command-line paths as project-relative posix paths (exit 2 if outside the project)."""
    selected = []
    for raw in paths:
        absolute = raw.resolve()
        try:
            selected.append(absolute.relative_to(root.resolve()).as_posix().removeprefix("."))
        except ValueError:
            raise click.BadParameter(
                f"{raw} is outside the project root {root}", param_hint="PATH"
            ) from None
    return [s if s else "" for s in selected]


def _summary(records: Sequence[FileRecord], diagnostics: Sequence[Diagnostic]) -> str:
    counts = dict.fromkeys(FileOutcome, 0)
    for record in records:
        counts[record.outcome] += 1
    checked = len(records) - counts[FileOutcome.IGNORED]
    errors = sum(d.level is Level.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return (
        f"{checked} file{'s' if checked != 1 else ''} checked "
        f"({counts[FileOutcome.PUBLISHED]} published, {counts[FileOutcome.DRAFT_HIDDEN]} drafts hidden, "
        f"{counts[FileOutcome.FAILED]} failed), {counts[FileOutcome.IGNORED]} ignored; "
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="postmortem-kb", prog_name="pmkb")
def main() -> None:
    """Validate blameless post-mortems and publish them as a knowledge base."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: path:line:col: CODE level: message; json: an array of objects; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@_config_options
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, **config: Any) -> None:
    """Check post-mortems against the format contract.

    With PATHs (files or folders), report only on those, still checking them
    against the whole corpus (duplicate ids, related incidents, patterns).
    """
    settings = _settings(**config)
    if not settings.postmortems_path.is_dir():
        raise click.UsageError(f"post-mortems folder not found: {settings.postmortems_path}")
    kb = KnowledgeBase.load(settings)
    selected = _selection(paths, settings.root)
    diagnostics = [d for d in kb.diagnostics if _within(d.path, selected)]
    records = [r for r in kb.files if _within(r.path, selected)]

    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    elif fmt == "github":
        for d in diagnostics:
            click.echo(github_annotation(d))
    else:
        for d in diagnostics:
            click.echo(d.format())
    # Human-facing notes go to stderr so json/github output stays machine-readable.
    for record in records:
        if record.outcome is FileOutcome.IGNORED:
            click.echo(f"ignored: {record.path} ({record.reason})", err=True)
    click.echo(_summary(records, diagnostics), err=True)

    failing = any(d.level is Level.ERROR or strict for d in diagnostics)
    sys.exit(1 if failing else 0)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json"]),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to a file instead of stdout.",
)
@_config_options
def export(fmt: str, output: Path | None, **config: Any) -> None:
    """Export the published corpus as structured data (schema: docs/export.md)."""
    kb = KnowledgeBase.load(_settings(**config))
    text = export_json(kb)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
