"""pmkb new / related / schema through the CLI, with the acceptance test of `pmkb new`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import PATTERN_TEXT, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb.cli import main
from postmortem_kb.parse import PLACEHOLDER_RE
from postmortem_kb.schema import schema_json, shipped_schema_json

NEW_FILE = "postmortems/2025/2025-03-14-checkout-latency-after-cache-flush.md"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A minimal project; commands find it through -f (the working directory is not used)."""
    root = tmp_path / "project"
    (root / "docs/patterns").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Incidents\n", encoding="utf-8")
    (root / "docs/patterns/cache-stampede.md").write_text(PATTERN_TEXT, encoding="utf-8")
    (root / "postmortems").mkdir()
    return root


def invoke(
    runner: CliRunner, *args: str, root: Path | None = None, env: Mapping[str, str] | None = None
) -> Result:
    config = ["-f", str(root / "mkdocs.yml")] if root is not None else []
    return runner.invoke(main, [*args, *config], catch_exceptions=False, env=env)


def new(runner: CliRunner, root: Path, *extra: str) -> Result:
    return invoke(
        runner,
        "new",
        "Checkout latency after cache flush",
        "--date",
        "2025-03-14",
        "--severity",
        "p1",
        "--service",
        "checkout",
        "--pattern",
        "cache-stampede",
        "--timezone",
        "Europe/Zurich",
        "--author",
        "Dana Analyst",
        *extra,
        root=root,
    )


def fill(text: str) -> str:
    """Replace every placeholder the way an author would (outside HTML comments)."""
    times = iter(["09:00", "09:03", "09:04", "09:05"])

    def replace(match: re.Match[str]) -> str:
        literal, phrase = match.group("literal"), match.group("phrase")
        if literal == "HH:MM":
            return next(times)
        if literal == "YYYY-MM-DD":
            return "2025-04-30"
        if phrase == "priority":
            return "P2"
        return phrase[0].upper() + phrase[1:]

    parts = re.split(r"(<!--.*?-->)", text, flags=re.S)
    filled = "".join(p if p.startswith("<!--") else PLACEHOLDER_RE.sub(replace, p) for p in parts)
    for key, time in (("started", "09:00"), ("detected", "09:03"), ("mitigated", "09:05")):
        filled = filled.replace(f"\n{key}: 2025-03-14 00:00", f"\n{key}: 2025-03-14 {time}")
    return filled


def test_new_then_filled_placeholders_validate_clean(runner: CliRunner, project: Path) -> None:
    """The acceptance test: only PM011 until the author fills the placeholders, then clean."""
    created = new(runner, project)
    assert (created.exit_code, created.stdout) == (0, f"{project / NEW_FILE}\n")
    path = project / NEW_FILE

    fresh = invoke(runner, "validate", "--format", "json", "--today", "2025-03-20", root=project)
    assert fresh.exit_code == 1
    found = json.loads(fresh.stdout)
    assert {(d["path"], d["code"], d["level"]) for d in found} == {(NEW_FILE, "PM011", "error")}
    assert [d["line"] for d in found] == [
        34,
        49,
        50,
        51,
        52,
        59,
        70,
        71,
        72,
        73,
        74,
        81,
        87,
        93,
        105,
        111,
    ]

    path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    clean = invoke(runner, "validate", "--strict", "--today", "2025-03-20", root=project)
    assert (clean.exit_code, clean.stdout) == (0, "")
    assert clean.stderr.endswith("0 errors, 0 warnings\n")


def test_new_refuses_to_overwrite(runner: CliRunner, project: Path) -> None:
    assert new(runner, project).exit_code == 0
    (project / NEW_FILE).write_text("my draft", encoding="utf-8")
    again = new(runner, project)
    assert again.exit_code == 1
    assert (
        again.stderr
        == f"Error: {project.resolve() / NEW_FILE} already exists; not overwriting it\n"
    )
    assert (project / NEW_FILE).read_text(encoding="utf-8") == "my draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--slug", "Not A Slug"), "slug 'Not A Slug' is not valid"),
        (("--timezone", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (("--service", "Payments"), "service 'Payments' is not a valid id"),
    ],
)
def test_new_refuses_unusable_options_as_usage_errors(
    runner: CliRunner, project: Path, args: tuple[str, ...], message: str
) -> None:
    result = new(runner, project, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (project / "postmortems/2025").exists()


def test_new_takes_the_author_from_git_config(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Grace Hopper\n", encoding="utf-8")
    git_env = {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}
    result = invoke(runner, "new", "From git", "--date", "2025-03-14", root=project, env=git_env)
    assert result.exit_code == 0
    lines = (
        (project / "postmortems/2025/2025-03-14-from-git.md")
        .read_text(encoding="utf-8")
        .split("\n")
    )
    assert lines[lines.index("authors:") + 1] == "  - Grace Hopper"


def test_new_without_git_user_leaves_an_author_placeholder(
    runner: CliRunner, project: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("", encoding="utf-8")
    env = {"GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1"}
    result = invoke(runner, "new", "No author", "--today", "2025-06-01", root=project, env=env)
    assert (result.exit_code, result.stdout) == (
        0,
        f"{project}/postmortems/2025/2025-06-01-no-author.md\n",
    )
    lines = (
        (project / "postmortems/2025/2025-06-01-no-author.md")
        .read_text(encoding="utf-8")
        .split("\n")
    )
    assert lines[lines.index("authors:") + 1] == "  - '[your name]'"
    assert "severity: P2" in lines  # the default
    assert "date: 2025-06-01" in lines  # --today's date when --date is not given


def test_schema_prints_the_shipped_schema(runner: CliRunner, tmp_path: Path) -> None:
    printed = invoke(runner, "schema")
    assert printed.exit_code == 0
    assert printed.stdout == schema_json() == shipped_schema_json()
    target = tmp_path / "docs/schema/postmortem.schema.json"
    written = invoke(runner, "schema", "-o", str(target))
    assert written.exit_code == 0
    assert target.read_text(encoding="utf-8") == schema_json()


def _front(**keys: str) -> str:
    text = VALID_FRONT_MATTER
    for key, value in keys.items():
        line = f"{key}: {value}\n"
        text, count = re.subn(rf"^{key}: .*\n", lambda _, line=line: line, text, flags=re.M)
        if not count:
            text += line
    return text


def test_related_lists_incidents_and_patterns_with_reasons(
    runner: CliRunner, project: Path
) -> None:
    files = {
        "postmortems/a.md": _front(
            title='"A \\e[31mred"', services="[checkout]", root_causes="[cache-stampede, dns]"
        ),
        "postmortems/b.md": _front(title="B", services="[search]", root_causes="[dns]"),
        "drafts/new.md": _front(
            status="draft", services="[checkout]", root_causes="[cache-stampede]"
        ),
    }
    for rel, front in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(postmortem_text(front), encoding="utf-8")

    text = invoke(runner, "related", str(project / "drafts/new.md"), root=project)
    assert text.exit_code == 0
    assert text.stdout == (
        "Incidents related to new:\n"
        "  1. a (2025-03-14, P2, score 3): A  [31mred\n"
        "     shared root-cause pattern cache-stampede; shared service checkout\n"
        "Patterns often cited together with its patterns:\n"
        "  - dns (Dns): with cache-stampede in 1 incident, no definition yet\n"
    )
    as_json = json.loads(
        invoke(
            runner,
            "related",
            str(project / "drafts/new.md"),
            "--format",
            "json",
            "-k",
            "1",
            root=project,
        ).stdout
    )
    assert [i["id"] for i in as_json["incidents"]] == ["a"]
    assert (
        as_json["incidents"][0]["title"] == "A \x1b[31mred"
    )  # JSON escapes it; the data stays exact


def test_related_explains_a_file_it_cannot_read(runner: CliRunner, project: Path) -> None:
    (project / "broken.md").write_text("no front matter\n", encoding="utf-8")
    result = invoke(runner, "related", str(project / "broken.md"), root=project)
    assert result.exit_code == 1
    assert result.stderr.startswith("broken.md:1:1: PM002 error: front matter is missing")
    assert result.stderr.endswith(
        "Error: broken.md cannot be read as a post-mortem; fix the errors above first\n"
    )


def test_related_with_nothing_in_common(runner: CliRunner, project: Path) -> None:
    (project / "lonely.md").write_text(
        postmortem_text(_front(services="[nobody]", root_causes="[novel]")), encoding="utf-8"
    )
    result = invoke(runner, "related", str(project / "lonely.md"), root=project)
    assert (result.exit_code, result.stdout) == (0, "No published incident is related to lonely.\n")
