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
from .kb import validate as validate_all
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
    drafts = counts[FileOutcome.DRAFT_HIDDEN]
    return (
        f"{checked} file{'s' if checked != 1 else ''} checked "
        f"({counts[FileOutcome.PUBLISHED]} published, {drafts} draft{'s' if drafts != 1 else ''} hidden, "
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
@click.option(
    "--changed",
    "base_ref",
    metavar="BASE_REF",
    default=None,
    help="Report only the files this branch changes since BASE_REF (e.g. origin/main), "
    "and the cross-file findings that involve them.",
)
@_config_options
def validate(
    paths: tuple[Path, ...], fmt: str, strict: bool, base_ref: str | None, **config: Any
) -> None:
    """Check post-mortems against the format contract.

    With PATHs (files or folders), report only on those, still checking them
    against the whole corpus (duplicate ids, related incidents, patterns).
    With --changed, report only what a pull request changes (fast on large corpora).
    """
    settings = _settings(**config)
    if not settings.postmortems_path.is_dir():
        raise click.UsageError(f"post-mortems folder not found: {settings.postmortems_path}")
    selected = _selection(paths, settings.root)
    if base_ref is None:
        kb = validate_all(settings)
        diagnostics = [d for d in kb.diagnostics if _within(d.path, selected)]
        records = [r for r in kb.files if _within(r.path, selected)]
    else:
        from .vcs import GitError, validate_changed

        try:
            kb, changes, reported = validate_changed(settings, base_ref)
        except GitError as exc:
            raise click.UsageError(str(exc)) from None
        scope = set(changes.changed) | {d.path for d in reported}
        diagnostics = [d for d in reported if _within(d.path, selected)]
        records = [r for r in kb.files if r.path in scope and _within(r.path, selected)]

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


@main.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the generated Markdown pages and data files into.",
)
@_config_options
def pages(out: Path, **config: Any) -> None:
    """Write the site's generated pages (Markdown) and data files to a folder.

    The same pages the MkDocs plugin publishes, with plain relative `.md` links,
    so any static-site generator can publish the knowledge base. Exits 1 if a
    post-mortem has errors (its page is left out, as in a site build).
    """
    from .pages import generate

    kb = KnowledgeBase.load(_settings(**config))
    written = generate(kb, link_style="md")
    root = out.resolve()
    for uri, content in written.items():
        target = (root / uri).resolve()
        if not target.is_relative_to(root):  # ids are slugs; this only guards the invariant
            raise click.ClickException(f"refusing to write outside {out}: {uri}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    for d in kb.errors:
        click.echo(d.format(), err=True)
    click.echo(f"wrote {len(written)} files to {_shown(out)}", err=True)
    sys.exit(1 if kb.errors else 0)


# -- authoring: new, related, schema, summary ------------------------------------------------
# These import their modules when run: networkx, Jinja and the graph would otherwise
# slow down every `pmkb validate` (a pre-commit hook runs it on each commit).


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _plain(text: str) -> str:
    """Text from a post-mortem made safe for a terminal (no escape sequences, one line)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


@main.command()
@click.argument("title")
@click.option(
    "--severity",
    type=click.Choice(["P0", "P1", "P2", "P3"], case_sensitive=False),
    default="P2",
    show_default=True,
    help="P0 is the worst.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day the incident started, YYYY-MM-DD (default: --today's date, else today).",
)
@click.option(
    "--service", "services", multiple=True, metavar="ID", help="Affected service (repeatable)."
)
@click.option(
    "--pattern", "patterns", multiple=True, metavar="ID", help="Root-cause pattern id (repeatable)."
)
@click.option(
    "--timezone", default="UTC", show_default=True, help="IANA zone of the times in the file."
)
@click.option(
    "--slug", default=None, help="File-name part after the date (default: from the title)."
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="NAME",
    help="Author (repeatable; default: git config user.name, else a placeholder).",
)
@click.option(
    "--schema-url",
    default=None,
    metavar="URL",
    help="JSON Schema for the editor modeline (default: relative path to docs/schema/postmortem.schema.json).",
)
@_config_options
def new(
    title: str,
    severity: str,
    day: Any,
    services: tuple[str, ...],
    patterns: tuple[str, ...],
    timezone: str,
    slug: str | None,
    authors: tuple[str, ...],
    schema_url: str | None,
    **config: Any,
) -> None:
    """Start a new post-mortem from the template and print its path.

    The file has valid front matter (status draft), the nine sections with
    guidance in HTML comments, and placeholders that `pmkb validate` reports
    (PM011) until replaced. An existing file is never overwritten (exit 1).
    """
    from .authoring import (
        NewPostmortem,
        ScaffoldError,
        ScaffoldExistsError,
        create_postmortem,
        git_user_name,
    )
    from .kb import default_today
    from .model import Severity

    settings = _settings(**config)
    if not authors:
        name = git_user_name(settings.root)
        authors = (name,) if name else ()
    spec = NewPostmortem(
        title=title,
        date=day.date() if day is not None else (settings.today or default_today()),
        severity=Severity(severity.upper()),
        timezone=timezone,
        services=services,
        patterns=patterns,
        authors=authors,
        slug=slug,
    )
    try:
        path = create_postmortem(spec, settings, schema_url)
    except ScaffoldExistsError as exc:
        raise click.ClickException(str(exc)) from None
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(_shown(path))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "-k", "k", type=click.IntRange(min=1), default=5, show_default=True, help="How many of each."
)
@_config_options
def related(file: Path, fmt: str, k: int, **config: Any) -> None:
    """Incidents and patterns most related to FILE (a draft works too), with reasons."""
    from .authoring import related_to
    from .parse import parse_postmortem

    settings = _settings(**config)
    kb = KnowledgeBase.load(settings)
    absolute = file.resolve()
    root = settings.root.resolve()
    rel = (
        absolute.relative_to(root).as_posix()
        if absolute.is_relative_to(root)
        else absolute.as_posix()
    )
    pm, diagnostics = parse_postmortem(file.read_bytes(), rel, settings)
    if pm is None:
        for d in diagnostics:
            click.echo(d.format(), err=True)
        raise click.ClickException(
            f"{rel} cannot be read as a post-mortem; fix the errors above first"
        )
    result = related_to(kb, pm, k)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    if result.incidents:
        click.echo(f"Incidents related to {result.incident_id}:")
        for number, found in enumerate(result.incidents, start=1):
            click.echo(
                f"  {number}. {found.id} ({found.date.isoformat()}, {found.severity}, score {found.score:g}): "
                f"{_plain(found.title)}"
            )
            click.echo(f"     {'; '.join(reason.text for reason in found.reasons)}")
    else:
        click.echo(f"No published incident is related to {result.incident_id}.")
    if result.patterns:
        click.echo("Patterns often cited together with its patterns:")
        for pattern in result.patterns:
            new_note = "" if pattern.defined else ", no definition yet"
            click.echo(
                f"  - {pattern.id} ({_plain(pattern.title)}): with {', '.join(pattern.with_patterns)} "
                f"in {pattern.incidents} incident{'s' if pattern.incidents != 1 else ''}{new_note}"
            )


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to a file instead of stdout.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the front matter (for editors and other tools)."""
    from .schema import schema_json

    text = schema_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="Git ref the branch is compared with, e.g. origin/main.",
)
@click.option(
    "-k",
    "k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Related incidents per file.",
)
@_config_options
def summary(base: str, k: int, **config: Any) -> None:
    """Markdown job summary for a pull request: counts, changed post-mortems, related incidents.

    Exits 0 whatever the findings (`pmkb validate` is the step that fails).
    """
    from .summary import changed_postmortems, job_summary
    from .vcs import GitError, changed_files

    settings = _settings(**config)
    kb = KnowledgeBase.load(settings)
    try:
        changed = changed_postmortems(changed_files(settings, base), settings)
    except GitError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(job_summary(kb, changed, k), nl=False)
