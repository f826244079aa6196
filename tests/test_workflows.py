"""CI files: GitHub workflows (schema, structure, the commands they run) and pre-commit hooks."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pre_commit.clientlib import load_config, load_manifest

from conftest import PATTERN_TEXT, VALID_BODY, VALID_FRONT_MATTER, git, postmortem_text
from postmortem_kb.cli import main

REPO = Path(__file__).parents[1]
WORKFLOWS = REPO / ".github/workflows"


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on"
    data["on"] = data.pop(True)
    return data


def steps(workflow: Mapping[str, Any], job: str) -> list[dict[str, Any]]:
    found = workflow["jobs"][job]["steps"]
    assert isinstance(found, list)
    return found


def runs(workflow: Mapping[str, Any], job: str) -> list[str]:
    return [step["run"] for step in steps(workflow, job) if "run" in step]


def schema_check(*files: Path) -> subprocess.CompletedProcess[str]:
    """GitHub's workflow schema (SchemaStore's copy, vendored by check-jsonschema; offline)."""
    command = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
    ]
    return subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )


# -- the workflow files ------------------------------------------------------------------------
def test_both_workflows_match_githubs_workflow_schema() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["site.yml", "validate.yml"]
    result = schema_check(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "validate.yml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"), encoding="utf-8"
    )
    result = schema_check(broken)
    assert result.returncode == 1
    assert "runs_on" in result.stdout


def test_every_action_is_pinned_to_a_major_version() -> None:
    used = [
        step["uses"]
        for name in ("validate.yml", "site.yml")
        for job in load(name)["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]
    assert sorted(used) == [
        "actions/checkout@v4",
        "actions/checkout@v4",
        "actions/deploy-pages@v4",
        "actions/setup-python@v5",
        "actions/setup-python@v5",
        "actions/upload-pages-artifact@v3",
    ]


def test_validate_runs_on_pull_requests_with_full_history() -> None:
    workflow = load("validate.yml")
    assert workflow["on"] == {"pull_request": None}
    assert workflow["permissions"] == {"contents": "read"}
    checkout, python = steps(workflow, "validate")[:2]
    assert checkout["with"] == {"fetch-depth": 0}  # REF...HEAD needs the merge base
    assert python["with"]["python-version"] == "3.11"
    assert runs(workflow, "validate") == [
        "pip install -e .",
        "pmkb validate --format github",
        'pmkb summary --base "origin/$BASE_REF" >> "$GITHUB_STEP_SUMMARY"',
    ]
    summary = steps(workflow, "validate")[-1]
    # the base branch name reaches the shell through the environment, never spliced into it
    assert summary["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert summary["if"] == "${{ !cancelled() }}"


def test_site_builds_strictly_on_main_and_deploys_to_pages() -> None:
    workflow = load("site.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    assert runs(workflow, "build") == ["pip install -e .", "mkdocs build --strict"]
    upload = steps(workflow, "build")[-1]
    assert (upload["uses"], upload["with"]) == (
        "actions/upload-pages-artifact@v3",
        {"path": "site"},
    )
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"] == "actions/deploy-pages@v4"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"


# -- the commands the workflows run ------------------------------------------------------------
def pmkb_args(command: str, **env: str) -> list[str]:
    """A workflow's `pmkb ...` command line as CLI arguments (shell variables expanded)."""
    command = command.split(">>")[0]
    for name, value in env.items():
        command = command.replace(f"${name}", value)
    words = shlex.split(command)
    assert words[0] == "pmkb"
    return words[1:]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    broken = VALID_BODY.replace("acknowledges | pager |", "acknowledges |  |")
    files = {
        "mkdocs.yml": "site_name: KB\n",
        "docs/patterns/cache-stampede.md": PATTERN_TEXT,
        "postmortems/2025/ok.md": postmortem_text(),
        "postmortems/2025/broken.md": postmortem_text(VALID_FRONT_MATTER, broken),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_validate_step_prints_github_annotations(project: Path) -> None:
    args = pmkb_args(runs(load("validate.yml"), "validate")[1])
    result = CliRunner().invoke(main, [*args, "-f", str(project / "mkdocs.yml")])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=postmortems/2025/broken.md,line=30,col=1,title=PM023::timeline row without a "
        "source: say where this is recorded (alert, dashboard, chat channel, ticket, deploy log)"
    ]


def test_annotation_properties_are_escaped(project: Path) -> None:
    (project / "postmortems/2025/ok.md").rename(project / "postmortems/2025/a,b:100%.md")
    (project / "postmortems/2025/broken.md").unlink()
    args = pmkb_args(runs(load("validate.yml"), "validate")[1])
    result = CliRunner().invoke(main, [*args, "-f", str(project / "mkdocs.yml")])
    assert result.stdout.splitlines() == [
        "::error file=postmortems/2025/a%2Cb%3A100%25.md,line=1,col=1,title=PM006::file name "
        "'a,b:100%25' is not a valid slug: use lower-case ASCII letters, digits and hyphens, "
        "starting with a letter or digit, at most 80 characters (e.g. 'a-b-100'), "
        "or set 'id' in the front matter"
    ]


def test_the_summary_step_summarises_the_branch(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "mkdocs.yml", "postmortems/2025/ok.md")
    git(project, "commit", "-q", "-m", "base")
    git(project, "update-ref", "refs/remotes/origin/main", "HEAD")  # what checkout fetches
    git(project, "switch", "-q", "-c", "feature")
    git(project, "add", "postmortems/2025/broken.md")
    git(project, "commit", "-q", "-m", "add a post-mortem")

    args = pmkb_args(runs(load("validate.yml"), "validate")[2], BASE_REF="main")
    assert args == ["summary", "--base", "origin/main"]
    result = CliRunner().invoke(main, [*args, "-f", str(project / "mkdocs.yml")])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "## Post-mortem validation\n\n❌ validation failed: 1 error, 0 warnings."
    )
    assert (
        "## Changed post-mortems (1)\n\n### Checkout latency after cache flush\n" in result.stdout
    )
    assert "| P2 | final | 15 min | 3 min | 2 min | 12 min | 15 min |" in result.stdout


# -- pre-commit --------------------------------------------------------------------------------
def test_the_hook_manifest_is_valid_for_pre_commit() -> None:
    hooks = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert [(h["id"], h["entry"], h["language"], h["files"]) for h in hooks] == [
        ("pmkb-validate", "pmkb validate", "python", r"^postmortems/.*\.md$")
    ]


def test_this_repository_uses_the_hook_locally() -> None:
    manifest = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))[0]
    config = load_config(str(REPO / ".pre-commit-config.yaml"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    [hook] = repo["hooks"]
    assert (hook["id"], hook["entry"], hook["files"]) == (
        manifest["id"],
        manifest["entry"],
        manifest["files"],
    )


def test_the_hook_entry_runs_on_the_sample_post_mortems() -> None:
    manifest = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))[0]
    command, *args = shlex.split(manifest["entry"])
    [script] = [e for e in entry_points(group="console_scripts") if e.name == command]
    assert script.value == "postmortem_kb.cli:main"

    candidates = sorted(
        p.relative_to(REPO).as_posix() for p in REPO.rglob("*.md") if ".git" not in p.parts
    )
    selected = [name for name in candidates if re.search(manifest["files"], name)]
    assert selected == sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "postmortems").rglob("*.md")
    )
    assert "docs/index.md" not in selected

    # pre-commit appends the file names (relative to the repository root, its working directory)
    files = [str(REPO / name) for name in selected]
    result = CliRunner().invoke(main, [*args, *files, "-f", str(REPO / "mkdocs.yml")])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
