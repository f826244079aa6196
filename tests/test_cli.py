"""pmkb validate / export: exit codes, the three formats, settings from mkdocs.yml."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import VALID_BODY, VALID_FRONT_MATTER, git, postmortem_text
from postmortem_kb.cli import main

Writer = Callable[[Mapping[str, str]], Path]

# One error (PM023: a row without source) and one warning (PM043: open item due before --today).
BROKEN_BODY = VALID_BODY.replace("acknowledges | pager |", "acknowledges |  |").replace(
    "| 2025-04-30 | done |", "| 2025-04-30 | open |"
)


@pytest.fixture
def project(write_project: Writer, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_project(
        {
            "postmortems/2025/ok.md": postmortem_text(),
            "postmortems/2025/broken.md": postmortem_text(VALID_FRONT_MATTER, BROKEN_BODY),
            "postmortems/notes.txt": "scratch",
        }
    )
    monkeypatch.chdir(root)  # the CLI resolves ./mkdocs.yml and paths from the working directory
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_text_output_exit_code_and_summary(project: Path) -> None:
    code, out, err = run("validate", "--today", "2025-06-01")
    assert code == 1
    assert out.splitlines() == [
        "postmortems/2025/broken.md:30:1: PM023 error: "
        + out.splitlines()[0].split("PM023 error: ", 1)[1],
        "postmortems/2025/broken.md:63:1: PM043 warning: "
        + out.splitlines()[1].split("PM043 warning: ", 1)[1],
    ]
    assert err.splitlines() == [
        "ignored: postmortems/notes.txt (not a Markdown file (attachments may sit beside post-mortems))",
        "2 files checked (1 published, 0 drafts hidden, 1 failed), 1 ignored; 1 error, 1 warning",
    ]


def test_json_output_has_exactly_six_keys(project: Path) -> None:
    code, out, _ = run("validate", "--format", "json", "--today", "2025-06-01")
    data = json.loads(out)
    assert code == 1
    assert [sorted(d) for d in data] == [["code", "column", "level", "line", "message", "path"]] * 2
    assert [(d["path"], d["line"], d["column"], d["code"], d["level"]) for d in data] == [
        ("postmortems/2025/broken.md", 30, 1, "PM023", "error"),
        ("postmortems/2025/broken.md", 63, 1, "PM043", "warning"),
    ]


def test_github_annotations(project: Path) -> None:
    _, out, _ = run("validate", "--format", "github", "--today", "2025-06-01")
    lines = out.splitlines()
    assert lines[0].startswith(
        "::error file=postmortems/2025/broken.md,line=30,col=1,title=PM023::"
    )
    assert lines[1].startswith(
        "::warning file=postmortems/2025/broken.md,line=63,col=1,title=PM043::"
    )


def test_github_annotation_escapes_newlines_percent_and_property_separators() -> None:
    from postmortem_kb import Diagnostic, Level
    from postmortem_kb.cli import github_annotation

    d = Diagnostic("a,b:c.md", 3, 2, "PM011", Level.ERROR, "50% done\nnext")
    assert (
        github_annotation(d)
        == "::error file=a%2Cb%3Ac.md,line=3,col=2,title=PM011::50%25 done%0Anext"
    )


def test_warnings_pass_unless_strict(project: Path) -> None:
    ok_only = ("validate", "postmortems/2025/ok.md", "--today", "2030-01-01")
    (project / "postmortems/2025/ok.md").write_text(
        postmortem_text(VALID_FRONT_MATTER, VALID_BODY.replace("| done |", "| open |")),
        encoding="utf-8",
    )
    assert run(*ok_only)[0] == 0
    assert run(*ok_only, "--strict")[0] == 1
    assert run(*ok_only, "--overdue", "error")[0] == 1
    assert run(*ok_only, "--overdue", "off", "--strict")[0] == 0


def test_paths_restrict_the_report(project: Path) -> None:
    code, out, err = run("validate", "postmortems/2025/ok.md")
    assert (code, out) == (0, "")
    assert (
        err.splitlines()[-1]
        == "1 file checked (1 published, 0 drafts hidden, 0 failed), 0 ignored; 0 errors, 0 warnings"
    )


def test_settings_come_from_mkdocs_yml_and_flags_override(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - search\n  - postmortems:\n      gap_limit_minutes: 2\n      overdue: 'off'\n",
        encoding="utf-8",
    )
    code, out, _ = run("validate", "postmortems/2025/ok.md")
    assert code == 1
    assert [line.split(": ")[0:2] for line in out.splitlines()] == [
        ["postmortems/2025/ok.md:29:1", "PM024 error"],
        ["postmortems/2025/ok.md:31:1", "PM024 error"],
        ["postmortems/2025/ok.md:32:1", "PM024 error"],
        ["postmortems/2025/ok.md:33:1", "PM024 error"],
    ]
    assert run("validate", "postmortems/2025/ok.md", "--gap-limit", "5")[0] == 0


def test_usage_and_configuration_errors_exit_2(project: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "plugins:\n  - postmortems:\n      gap_limit_minutes: soon\n", encoding="utf-8"
    )
    code, _, err = run("validate")
    assert code == 2
    assert "gap_limit_minutes" in err
    assert run("validate", "--format", "xml")[0] == 2
    assert run("validate", "no/such/path")[0] == 2


def test_export_is_deterministic_json(project: Path) -> None:
    (project / "postmortems/2025/broken.md").unlink()
    code, out, _ = run("export", "--today", "2025-06-01")
    assert code == 0
    data = json.loads(out)
    assert data["generated_for"] == "2025-06-01"
    [incident] = data["incidents"]
    assert incident["id"] == "ok"
    assert incident["started"] == "2025-03-14T09:00:00+00:00"
    assert (incident["time_to_detect"], incident["time_to_respond"], incident["duration"]) == (
        3.0,
        2.0,
        15.0,
    )
    assert incident["time_to_escalate"] is None
    assert incident["root_cause_statement"].startswith("Nothing flagged the gap because")
    assert data["patterns"][0]["incidents"] == ["ok"]
    assert out == run("export", "--today", "2025-06-01")[1]


def test_pages_writes_the_generated_markdown_for_other_generators(project: Path) -> None:
    code, _, err = run("pages", "--out", "out", "--today", "2025-06-01")
    out = project / "out"
    assert code == 1  # broken.md has an error: it is reported and its page left out
    assert "postmortems/2025/broken.md:30:1: PM023 error:" in err
    assert (out / "incidents" / "ok.md").is_file()
    assert not (out / "incidents" / "broken.md").exists()
    page = (out / "patterns" / "cache-stampede.md").read_text(encoding="utf-8")
    assert "](../incidents/ok.md)" in page  # plain relative .md links
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert "incident:ok" in {node["id"] for node in graph["nodes"]}
    assert "incident:broken" not in {node["id"] for node in graph["nodes"]}


def test_every_command_has_help_and_is_documented() -> None:
    docs_root = Path(__file__).resolve().parents[1]
    documentation = (docs_root / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((docs_root / "docs").glob("*.md"))
    )
    for name, command in sorted(main.commands.items()):
        assert command.help, f"pmkb {name} has no help text"
        assert f"pmkb {name}" in documentation, f"pmkb {name} is not documented"
        code, out, _ = run(name, "--help")
        assert code == 0
        assert out.startswith(f"Usage: main {name} ")


def test_changed_reports_only_what_the_branch_changes(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base: broken.md already has findings")
    git(project, "switch", "-q", "-c", "feature")
    new = postmortem_text(VALID_FRONT_MATTER.replace("severity: P2", "severity: P9"))
    (project / "postmortems/2025/new.md").write_text(new, encoding="utf-8")

    code, out, err = run("validate", "--changed", "main", "--today", "2025-06-01")
    assert code == 1
    assert [line.split(": ")[0:2] for line in out.splitlines()] == [
        ["postmortems/2025/new.md:4:11", "PM004 error"]
    ]
    assert err.splitlines()[-1] == (
        "1 file checked (0 published, 0 drafts hidden, 1 failed), 0 ignored; 1 error, 0 warnings"
    )
    # the whole corpus still has broken.md's findings
    assert "broken.md" in run("validate", "--today", "2025-06-01")[1]
    assert run("validate", "--changed", "no-such-branch")[0] == 2
    code, _, err = run("summary", "--base", "no-such-branch")  # a usage error too
    assert code == 2
    assert "git diff against 'no-such-branch' failed" in err
