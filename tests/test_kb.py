"""KnowledgeBase.load: every file accounted for, confinement, drafts, caching."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest

from conftest import VALID_BODY, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb import FileOutcome, FileRecord, KnowledgeBase, Level, Settings

Writer = Callable[[Mapping[str, str]], Path]
TODAY = date(2025, 6, 1)


def load(root: Path, **kw: object) -> KnowledgeBase:
    return KnowledgeBase.load(Settings(root=root, today=TODAY, **kw))  # type: ignore[arg-type]


def test_a_valid_post_mortem_is_published_with_its_derived_figures(write_project: Writer) -> None:
    root = write_project({"postmortems/2025/2025-03-14-checkout.md": postmortem_text()})
    kb = load(root)
    assert kb.diagnostics == ()
    assert kb.files == (
        FileRecord("postmortems/2025/2025-03-14-checkout.md", FileOutcome.PUBLISHED),
    )
    [pm] = kb.incidents
    assert pm.id == "2025-03-14-checkout"
    assert pm.time_to_detect.total_seconds() == 180
    assert pm.duration.total_seconds() == 15 * 60
    assert kb.incidents_citing("cache-stampede") == (pm,)


def test_stray_files_are_ignored_with_a_reason_each(write_project: Writer) -> None:
    root = write_project(
        {
            "postmortems/a.md": postmortem_text(),
            "postmortems/.DS_Store": "x",
            "postmortems/a.md~": "x",
            "postmortems/.#a.md": "x",
            "postmortems/README.md": "# About this folder",
            "postmortems/b.markdown": "x",
            "postmortems/diagram.png": "x",
        }
    )
    kb = load(root)
    reasons = {r.path: (r.outcome, r.reason) for r in kb.files}
    assert reasons == {
        "postmortems/.#a.md": (FileOutcome.IGNORED, "editor backup or lock file"),
        "postmortems/.DS_Store": (FileOutcome.IGNORED, "operating-system metadata"),
        "postmortems/README.md": (FileOutcome.IGNORED, "folder documentation, not a post-mortem"),
        "postmortems/a.md": (FileOutcome.PUBLISHED, ""),
        "postmortems/a.md~": (FileOutcome.IGNORED, "editor backup or lock file"),
        "postmortems/b.markdown": (
            FileOutcome.IGNORED,
            "post-mortems must use the .md extension (rename it to .md to publish it)",
        ),
        "postmortems/diagram.png": (
            FileOutcome.IGNORED,
            "not a Markdown file (attachments may sit beside post-mortems)",
        ),
    }
    assert kb.counts() == {
        FileOutcome.PUBLISHED: 1,
        FileOutcome.DRAFT_HIDDEN: 0,
        FileOutcome.FAILED: 0,
        FileOutcome.IGNORED: 6,
    }


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_leaving_the_folder_are_reported_not_followed(
    write_project: Writer, tmp_path: Path
) -> None:
    root = write_project({"postmortems/a.md": postmortem_text()})
    outside = tmp_path / "outside.md"
    outside.write_text(postmortem_text(), encoding="utf-8")
    (root / "postmortems" / "escape.md").symlink_to(outside)
    (root / "postmortems" / "passwd.md").symlink_to("/etc/passwd")
    (root / "postmortems" / "inside.md").symlink_to(root / "postmortems" / "a.md")
    loop = root / "postmortems" / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop)
    kb = load(root)
    codes = [(d.path, d.code, d.line) for d in kb.diagnostics if d.code == "PM001"]
    assert codes == [
        ("postmortems/escape.md", "PM001", 1),
        ("postmortems/loop/again", "PM001", 1),
        ("postmortems/passwd.md", "PM001", 1),
    ]
    by_path = {r.path: r.outcome for r in kb.files}
    assert by_path["postmortems/escape.md"] is FileOutcome.FAILED
    assert by_path["postmortems/passwd.md"] is FileOutcome.FAILED
    # A link that stays inside the folder is followed like any file.
    assert by_path["postmortems/inside.md"] is FileOutcome.PUBLISHED


def test_drafts_are_hidden_unless_shown(write_project: Writer) -> None:
    draft = postmortem_text(VALID_FRONT_MATTER.replace("status: final", "status: draft"))
    root = write_project({"postmortems/d.md": draft})
    assert load(root).counts()[FileOutcome.DRAFT_HIDDEN] == 1
    assert load(root).incidents == ()
    shown = load(root, show_drafts=True)
    assert [pm.id for pm in shown.incidents] == ["d"]


def test_a_file_with_errors_fails_and_is_not_published(write_project: Writer) -> None:
    broken = postmortem_text(VALID_FRONT_MATTER.replace("severity: P2", "severity: 0"))
    root = write_project({"postmortems/ok.md": postmortem_text(), "postmortems/bad.md": broken})
    kb = load(root)
    assert [pm.id for pm in kb.incidents] == ["ok"]
    [d] = kb.errors
    assert (d.path, d.line, d.code, d.level) == ("postmortems/bad.md", 4, "PM004", Level.ERROR)
    assert {r.path: r.outcome for r in kb.files} == {
        "postmortems/bad.md": FileOutcome.FAILED,
        "postmortems/ok.md": FileOutcome.PUBLISHED,
    }


def test_files_over_the_size_limit_are_pm001(write_project: Writer) -> None:
    root = write_project({"postmortems/big.md": postmortem_text()})
    size = (root / "postmortems" / "big.md").stat().st_size
    kb = load(root, max_file_bytes=size - 1)
    [d] = kb.diagnostics
    assert (d.code, d.line, d.column) == ("PM001", 1, 1)
    assert f"file is {size} bytes, over the limit of {size - 1} bytes" in d.message


def test_the_cache_reuses_unchanged_files_and_reparses_changed_ones(write_project: Writer) -> None:
    root = write_project(
        {"postmortems/a.md": postmortem_text(), "postmortems/b.md": postmortem_text()}
    )
    cache: dict = {}  # type: ignore[type-arg]
    settings = Settings(root=root, today=TODAY)
    first = KnowledgeBase.load(settings, cache=cache)
    assert len(cache) == 2
    (root / "postmortems" / "b.md").write_text(
        postmortem_text().replace("P2", "P3", 1), encoding="utf-8"
    )
    second = KnowledgeBase.load(settings, cache=cache)
    assert len(cache) == 3
    assert first.incident("a") is second.incident("a")  # the unchanged file's model is reused as is


def test_source_date_epoch_sets_today(
    write_project: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project({})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    assert KnowledgeBase.load(Settings(root=root)).today == date(2023, 11, 14)


# -- one run reports every problem: a broken front matter does not hide the body's ------------
_BODY_PROBLEMS = (
    VALID_BODY.replace(  # a row out of order (PM022), then a gap nothing explains (PM024)
        "| 09:08 | Cache warmer started | chat |", "| 09:04 | Cache warmer started | chat |"
    )
    .replace("| 09:12 | Latency back", "| 09:40 | Latency back")
    .replace("| 09:15 | Warmer", "| 09:45 | Warmer")
    .replace(  # blaming language (PM060), a secret (PM070), personal data (PM071)
        "- A cache flush is a deploy: review it against its consumers.",
        "- Human error. Log: user=checkout password=hunter2-prod, mail jane.smith@gmail.com.",
    )
)


def _codes_at(kb: KnowledgeBase, path: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in kb.diagnostics if d.path == path]


def test_a_front_matter_error_does_not_hide_the_body_and_privacy_rules(
    write_project: Writer,
) -> None:
    broken = VALID_FRONT_MATTER.replace("severity: P2", "severity: P9")
    root = write_project({"postmortems/bad.md": postmortem_text(broken, _BODY_PROBLEMS)})
    lines = (root / "postmortems/bad.md").read_text().split("\n")
    lesson = next(n for n, text in enumerate(lines, 1) if "Human error" in text)
    row_04 = next(n for n, text in enumerate(lines, 1) if text.startswith("| 09:04"))
    kb = load(root)
    assert _codes_at(kb, "postmortems/bad.md") == [
        (4, "PM004"),  # severity
        (row_04, "PM022"),
        (row_04 + 1, "PM024"),
        (lesson, "PM060"),
        (lesson, "PM070"),
        (lesson, "PM071"),
    ]
    assert "hunter2" not in "".join(d.message for d in kb.diagnostics)
    assert kb.incidents == ()
    assert [r.outcome for r in kb.files] == [FileOutcome.FAILED]


def test_the_same_problems_are_found_with_the_title_missing_or_no_front_matter_at_all(
    write_project: Writer,
) -> None:
    no_title = VALID_FRONT_MATTER.replace("title: Checkout latency after cache flush\n", "")
    root = write_project(
        {
            "postmortems/a-no-title.md": postmortem_text(no_title, _BODY_PROBLEMS),
            "postmortems/b-no-front-matter.md": _BODY_PROBLEMS,
            "postmortems/c-left-open.md": "---\ntitle: x\n" + _BODY_PROBLEMS,
        }
    )
    kb = load(root)
    scans = {"PM022", "PM024", "PM060", "PM070", "PM071"}
    a = _codes_at(kb, "postmortems/a-no-title.md")
    assert a[0] == (1, "PM003") and {code for _, code in a[1:]} == scans
    # without a date, the timeline's times of day cannot be placed: no PM022/PM024 then
    b = _codes_at(kb, "postmortems/b-no-front-matter.md")
    assert b[0] == (1, "PM002") and {code for _, code in b[1:]} == scans - {"PM022", "PM024"}
    # left open, the body cannot be told from the front matter: the whole-file scans only
    c = {code for _, code in _codes_at(kb, "postmortems/c-left-open.md")}
    assert c == {"PM002", "PM060", "PM070", "PM071"}
    assert [r.outcome for r in kb.files] == [FileOutcome.FAILED] * 3


def test_a_broken_file_still_counts_for_duplicate_ids_and_related_links(
    write_project: Writer,
) -> None:
    broken = VALID_FRONT_MATTER.replace("severity: P2", "severity: P9")
    linking = VALID_FRONT_MATTER + "related: [2025-03-14-checkout]\n"
    root = write_project(
        {
            "postmortems/a/2025-03-14-checkout.md": postmortem_text(),
            "postmortems/b/2025-03-14-checkout.md": postmortem_text(broken),  # same id
            "postmortems/other.md": postmortem_text(linking),
            "postmortems/links-to-broken.md": postmortem_text(
                VALID_FRONT_MATTER + "related: [broken-one]\n"
            ),
            "postmortems/broken-one.md": postmortem_text(broken),
        }
    )
    kb = load(root)
    pm007 = sorted((d.path, d.message) for d in kb.diagnostics if d.code == "PM007")
    assert pm007 == [
        (
            "postmortems/a/2025-03-14-checkout.md",
            "duplicate incident id '2025-03-14-checkout': also used by "
            "postmortems/b/2025-03-14-checkout.md; ids must be unique (rename the file or set "
            "a distinct `id`)",
        ),
        (
            "postmortems/b/2025-03-14-checkout.md",
            "duplicate incident id '2025-03-14-checkout': also used by "
            "postmortems/a/2025-03-14-checkout.md; ids must be unique (rename the file or set "
            "a distinct `id`)",
        ),
    ]
    # the broken incident exists: a link to it is not PM051 (its own errors fail the build)
    assert [d for d in kb.diagnostics if d.code == "PM051"] == []
    assert [pm.id for pm in kb.incidents] == ["links-to-broken", "other"]


def test_no_message_repeats_a_secret_or_personal_datum_it_quotes(write_project: Writer) -> None:
    token = "ghp_" + "a1B2" * 9
    front = VALID_FRONT_MATTER.replace("detection: monitoring", "detection: jane.smith@gmail.com")
    front = front.replace("services: [checkout]", f"services: [checkout, {token}]")
    root = write_project({"postmortems/leaky.md": postmortem_text(front)})
    found = [(d.line, d.code, d.message) for d in load(root).diagnostics]
    assert found == [
        (
            13,
            "PM004",
            "detection must be one of monitoring, user-report, internal-report, other "
            "(got '[redacted]')",
        ),
        (
            13,
            "PM071",
            "likely personal data (email address) at column 12; remove or anonymise it, or "
            "waive with `<!-- privacy: ok, <reason> -->`",
        ),
        (
            14,
            "PM006",
            "services: service '[redacted]' is not a valid slug: use lower-case ASCII letters, "
            "digits and hyphens, starting with a letter or digit, at most 80 characters",
        ),
        (
            14,
            "PM070",
            "likely secret (GitHub token) at column 22; remove it and rotate the credential, or "
            "waive with `<!-- privacy: ok, <reason> -->`",
        ),
    ]
