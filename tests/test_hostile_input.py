"""Hostile input, class by class: each gives an exact diagnostic (code, line, column) or loads.

YAML front matter, text encodings and sizes, the file system, and time. The site
side (escaping, sanitizing, deep structures in a real build) is in
``test_hostile_site.py``.
"""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import VALID_BODY, VALID_FRONT_MATTER, postmortem_text
from postmortem_kb import FileOutcome, KnowledgeBase, Settings
from postmortem_kb.model import Diagnostic, Postmortem
from postmortem_kb.parse import parse_postmortem
from postmortem_kb.rules import MAX_NESTING, check_postmortem

TODAY = date(2025, 6, 1)
PATH = "postmortems/x.md"
FM_LINES = VALID_FRONT_MATTER.count("\n")  # the front matter's last key is on line FM_LINES + 1


def parse(data: str | bytes) -> tuple[Postmortem | None, list[Diagnostic]]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_postmortem(raw, PATH, Settings(root=Path("/nonexistent")))


def check(data: str | bytes) -> tuple[Postmortem | None, list[Diagnostic]]:
    """Parse, then run the per-file rules as a load does."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    settings = Settings(root=Path("/nonexistent"))
    pm, diags = parse_postmortem(raw, PATH, settings)
    if pm is not None:
        diags = [*diags, *check_postmortem(pm, raw, settings, TODAY)]
    return pm, sorted(diags)


def where(diags: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in diags]


def with_front(extra: str) -> str:
    return postmortem_text(VALID_FRONT_MATTER + extra)


# -- YAML ---------------------------------------------------------------------------------
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{','.join([f'*{prev}'] * 9) if prev else ','.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh", strict=True)
)


def test_the_alias_bomb_is_small_and_would_expand_to_43_million_items() -> None:
    assert len(ALIAS_BOMB) <= 320
    assert 9**8 == 43_046_721  # what a YAML loader that follows aliases would build


def test_alias_bomb_is_refused_at_the_first_anchor_without_expansion() -> None:
    pm, diags = parse("---\n" + ALIAS_BOMB + "---\n" + VALID_BODY)
    assert pm is None
    assert where(diags)[:3] == [("PM002", 2, 4), ("PM002", 3, 4), ("PM002", 3, 8)]
    assert diags[0].message == (
        "YAML anchors (&a) are not allowed in front matter; write each value out in full"
    )
    assert {d.code for d in diags} == {"PM002"}


@pytest.mark.parametrize(
    ("extra", "expected", "message_start"),
    [
        (
            "x: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
            ("PM002", FM_LINES + 2, 4),
            "YAML tags (!!python/object/apply:os.system) are not allowed",
        ),
        ("x: !custom value\n", ("PM002", FM_LINES + 2, 4), "YAML tags (!custom) are not allowed"),
        ("x: !!str 5\n", ("PM002", FM_LINES + 2, 4), "YAML tags (!!str) are not allowed"),
        (
            "impact:\n  <<: {users_affected: 3}\n",
            ("PM002", FM_LINES + 3, 3),
            "merge keys (<<) are not allowed",
        ),
        (
            "severity: P1\n",
            ("PM002", FM_LINES + 2, 1),
            "duplicate key 'severity' (first on line 4)",
        ),
        (
            "on: yes\n",
            ("PM002", FM_LINES + 2, 1),
            "key 'on' is read by YAML as a boolean, not a string",
        ),
        (
            "1: one\n",
            ("PM002", FM_LINES + 2, 1),
            "key '1' is read by YAML as an integer, not a string",
        ),
        (
            "? [a, b]\n: c\n",
            ("PM002", FM_LINES + 2, 3),
            "complex (non-scalar) keys are not allowed",
        ),
        (
            "tags: " + "[" * 500 + "]" * 500 + "\n",
            ("PM002", FM_LINES + 2, 22),
            "front matter is nested deeper than 16 levels",
        ),
    ],
    ids=["python-tag", "local-tag", "str-tag", "merge", "duplicate", "on", "int", "?", "deep"],
)
def test_yaml_refusals(extra: str, expected: tuple[str, int, int], message_start: str) -> None:
    pm, diags = parse(with_front(extra))
    assert pm is None
    assert where(diags) == [expected]
    assert diags[0].message.startswith(message_start)


def test_anchor_and_alias_each_point_at_their_own_line() -> None:
    text = with_front("").replace("services: [checkout]", "services: &s [checkout]\ntags: *s")
    pm, diags = parse(text)
    assert pm is None
    assert where(diags) == [("PM002", FM_LINES, 11), ("PM002", FM_LINES + 1, 7)]


SHAPE = "the file must start with a '---' line, then YAML keys, then a closing '---' line"


@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        (
            '{"title": "x"}\n' + VALID_BODY,
            ("PM002", 1, 1),
            f"JSON front matter is not supported; {SHAPE}",
        ),
        (
            '+++\ntitle = "x"\n+++\n' + VALID_BODY,
            ("PM002", 1, 1),
            f"TOML front matter ('+++') is not supported; {SHAPE}",
        ),
        (
            "-----\n" + VALID_FRONT_MATTER + "-----\n" + VALID_BODY,
            ("PM002", 1, 1),
            f"front matter opens with '-----', not '---'; {SHAPE}",
        ),
        (
            "---\n" + VALID_FRONT_MATTER + "...\n" + VALID_BODY,
            ("PM002", FM_LINES + 2, 1),
            "front matter is closed with '...'; close it with a '---' line instead",
        ),
        (
            "\n\n---\n" + VALID_FRONT_MATTER + "---\n" + VALID_BODY,
            ("PM002", 3, 1),
            "front matter must start on line 1: remove the 2 blank line(s) before '---'",
        ),
    ],
    ids=["json", "toml", "five-dashes", "dots", "leading-blank-lines"],
)
def test_front_matter_shapes_refused(
    text: str, expected: tuple[str, int, int], message: str
) -> None:
    pm, diags = parse(text)
    assert pm is None
    assert where([d for d in diags if d.code == "PM002"]) == [expected]
    assert [d.message for d in diags if d.code == "PM002"] == [message]


def test_lone_cr_file_loads_with_the_same_lines() -> None:
    pm, diags = check(postmortem_text().replace("\n", "\r"))
    assert diags == []
    assert pm is not None
    assert pm.title == "Checkout latency after cache flush"
    assert pm.sections[0].line == FM_LINES + 6  # `---`, keys, `---`, blank, `# title`, blank


# -- text ---------------------------------------------------------------------------------
def test_invalid_utf8_names_line_and_column_of_the_bad_byte() -> None:
    data = postmortem_text().encode().replace(b"About 8%", b"Ab\xffout 8%")
    pm, diags = parse(data)
    line = (
        postmortem_text().split("\n").index("About 8% of checkouts took longer than five seconds.")
    )
    assert pm is None
    assert where(diags) == [("PM001", line + 1, 3)]
    assert diags[0].message == (
        f"file is not valid UTF-8 (byte 0xff at line {line + 1}, column 3); save it as UTF-8"
    )


def test_bom_and_crlf_file_is_valid() -> None:
    data = b"\xef\xbb\xbf" + postmortem_text().replace("\n", "\r\n").encode()
    pm, diags = check(data)
    assert diags == []
    assert pm is not None
    assert pm.title == "Checkout latency after cache flush"


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_pm001_line_1(data: bytes) -> None:
    pm, diags = parse(data)
    assert pm is None
    assert where(diags) == [("PM001", 1, 1)]
    assert diags[0].message == "file is empty; a post-mortem starts with '---' front matter"


def test_file_over_the_size_limit_is_pm001_and_never_read(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "postmortems").mkdir(parents=True)
    (root / "postmortems" / "big.md").write_bytes(b"---\n" + b"x" * 2048)
    kb = KnowledgeBase.load(Settings(root=root, today=TODAY, max_file_bytes=1024))
    assert [d.format() for d in kb.diagnostics] == [
        "postmortems/big.md:1:1: PM001 error: file is 2052 bytes, over the limit of 1024 bytes "
        "(max_file_bytes); split it or move attachments out"
    ]
    assert [(r.path, r.outcome) for r in kb.files] == [("postmortems/big.md", FileOutcome.FAILED)]


LAST_ROW = "| 09:15 | Warmer made part of the flush job | [change](https://git.example.com/4) |\n"


def test_a_5000_row_timeline_parses_every_row() -> None:
    rows = "".join(f"| 09:15 | step {i} | log |\n" for i in range(5000))
    pm, diags = check(postmortem_text(body=VALID_BODY.replace(LAST_ROW, LAST_ROW + rows)))
    assert diags == []
    assert pm is not None
    assert len(pm.timeline) == 6 + 5000
    assert pm.timeline[-1].event == "step 4999"


def test_an_8000_character_fenced_line_is_kept_whole() -> None:
    fence = "```\n" + "x" * 8000 + "\n```\n\n"
    body = VALID_BODY.replace("## Impact\n\n", "## Impact\n\n" + fence)
    pm, diags = check(postmortem_text(body=body))
    assert diags == []
    assert pm is not None
    impact = pm.section("impact")
    assert impact is not None
    assert "x" * 8000 + "\n" in impact.markdown


def nested_list(depth: int) -> str:
    return "".join("    " * i + "- level\n" for i in range(depth))


WELL = "## What Went Well\n\n"


def test_a_list_nested_500_deep_is_pm001_at_the_first_line_too_deep() -> None:
    body = VALID_BODY.replace(WELL, WELL + nested_list(500) + "\n")
    text = postmortem_text(body=body)
    first_too_deep = text.split("\n").index("    " * (MAX_NESTING + 1) + "- level") + 1
    _pm, diags = check(text)
    assert where(diags) == [("PM001", first_too_deep, 1)]
    assert diags[0].message == (
        "text nested 33 levels deep (lists, quotes, indentation); at most 32 levels can be "
        "rendered: flatten it"
    )


def test_a_quote_nested_500_deep_is_pm001() -> None:
    text = postmortem_text(body=VALID_BODY.replace(WELL, WELL + ">" * 500 + " deep\n\n"))
    line = text.split("\n").index(">" * 500 + " deep") + 1
    assert where(check(text)[1]) == [("PM001", line, 1)]


def test_nesting_at_the_limit_and_in_code_is_fine() -> None:
    deep_code = "```\n" + " " * 400 + "deeply indented code\n```\n\n"
    body = VALID_BODY.replace(WELL, WELL + nested_list(MAX_NESTING + 1) + "\n" + deep_code)
    assert check(postmortem_text(body=body))[1] == []


# -- file system --------------------------------------------------------------------------
def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def load(root: Path) -> KnowledgeBase:
    return KnowledgeBase.load(Settings(root=root, today=TODAY, patterns_dir="patterns"))


PATTERN = "---\ntitle: Cache stampede\n---\n\nText.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write(root, {"patterns/cache-stampede.md": PATTERN})
    (root / "postmortems").mkdir()
    return root


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_out_of_the_folder_and_loops_are_pm001_not_followed(
    project: Path, tmp_path: Path
) -> None:
    pm_dir = project / "postmortems"
    secret = tmp_path / "secret.md"
    secret.write_text(postmortem_text(), encoding="utf-8")
    (pm_dir / "passwd.md").symlink_to("/etc/passwd")
    (pm_dir / "out.md").symlink_to(secret)
    (pm_dir / "up").symlink_to(tmp_path)  # a folder above: would expose secret.md
    (pm_dir / "self").symlink_to(pm_dir)  # the folder itself: a loop
    (pm_dir / "sub").mkdir()
    (pm_dir / "sub" / "back").symlink_to(pm_dir / "sub")
    kb = load(project)
    assert [(d.path, d.code, d.line, d.column, d.message) for d in kb.diagnostics] == [
        (
            "postmortems/out.md",
            "PM001",
            1,
            1,
            "symbolic link leaves the post-mortems folder; it is not followed",
        ),
        (
            "postmortems/passwd.md",
            "PM001",
            1,
            1,
            "symbolic link leaves the post-mortems folder; it is not followed",
        ),
        ("postmortems/self", "PM001", 1, 1, "symbolic link loop; it is not followed"),
        ("postmortems/sub/back", "PM001", 1, 1, "symbolic link loop; it is not followed"),
        (
            "postmortems/up",
            "PM001",
            1,
            1,
            "symbolic link leaves the post-mortems folder; it is not followed",
        ),
    ]
    assert {r.outcome for r in kb.files} == {FileOutcome.FAILED}
    assert kb.incidents == ()


@pytest.mark.parametrize(
    ("front_id", "column"),
    [
        ("../x", 5),
        ("a/b", 5),
        ("inci\u200bdent", 5),  # zero-width space
        ("ｉｎｃｉｄｅｎｔ", 5),  # full-width letters
        ("Incident", 5),
    ],
    ids=["dotdot", "slash", "zero-width", "full-width", "upper-case"],
)
def test_ids_that_are_not_slugs_are_pm006(front_id: str, column: int) -> None:
    pm, diags = parse(with_front(f"id: '{front_id}'\n"))
    assert where(diags) == [("PM006", FM_LINES + 2, column)]
    assert pm is None or pm.id != front_id


@pytest.mark.parametrize(
    "stem",
    ["Incident", "inci\u200bdent", "ｉｎｃｉｄｅｎｔ", "café"],
    ids=["upper", "zero-width", "full-width", "accent"],
)
def test_file_stems_that_are_not_slugs_are_pm006_on_line_1(project: Path, stem: str) -> None:
    write(project, {f"postmortems/{stem}.md": postmortem_text()})
    kb = load(project)
    assert [(d.code, d.line) for d in kb.diagnostics] == [("PM006", 1)]
    assert kb.incidents == ()


def test_case_only_duplicate_ids_are_pm007_naming_both_files(project: Path) -> None:
    # `Incident.md` is no slug; with `id: incident` it claims the same id (and URL) as `incident.md`
    write(
        project,
        {
            "postmortems/a/incident.md": postmortem_text(),
            "postmortems/b/Incident.md": with_front("id: incident\n"),
        },
    )
    kb = load(project)
    assert [d.format() for d in kb.diagnostics] == [
        "postmortems/a/incident.md:1:1: PM007 error: duplicate incident id 'incident': also used "
        "by postmortems/b/Incident.md; ids must be unique (rename the file or set a distinct `id`)",
        f"postmortems/b/Incident.md:{FM_LINES + 2}:1: PM007 error: duplicate incident id "
        "'incident': also used by postmortems/a/incident.md; ids must be unique (rename the file "
        "or set a distinct `id`)",
    ]
    assert kb.incidents == ()


def test_unicode_normalization_duplicates_are_pm006_or_pm007(project: Path) -> None:
    nfc = unicodedata.normalize("NFC", "café")
    nfd = unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    # neither stem is a slug (PM006); given the same `id`, they are duplicates (PM007)
    write(project, {f"postmortems/a/{nfc}.md": postmortem_text()})
    write(project, {f"postmortems/b/{nfd}.md": with_front("id: cafe\n")})
    write(project, {"postmortems/c/cafe.md": postmortem_text()})
    kb = load(project)
    assert [(d.path, d.code, d.line) for d in kb.diagnostics] == [
        (f"postmortems/a/{nfc}.md", "PM006", 1),
        (f"postmortems/b/{nfd}.md", "PM007", FM_LINES + 2),
        ("postmortems/c/cafe.md", "PM007", 1),
    ]
    assert kb.incidents == ()


def test_stray_files_are_each_ignored_with_their_reason(project: Path) -> None:
    write(
        project,
        {
            "postmortems/.DS_Store": "\x00\x01",
            "postmortems/x.md~": postmortem_text(),
            "postmortems/.#x.md": "lock",
            "postmortems/README.md": "# Post-mortems\n",
            "postmortems/2025/old.markdown": postmortem_text(),
            "postmortems/2025/Thumbs.db": "",
            "postmortems/2025/.hidden.md": postmortem_text(),
        },
    )
    kb = load(project)
    assert kb.diagnostics == ()
    assert [(r.path, r.outcome.value, r.reason) for r in kb.files] == [
        ("postmortems/.#x.md", "ignored", "editor backup or lock file"),
        ("postmortems/.DS_Store", "ignored", "operating-system metadata"),
        ("postmortems/2025/.hidden.md", "ignored", "hidden file"),
        ("postmortems/2025/Thumbs.db", "ignored", "operating-system metadata"),
        (
            "postmortems/2025/old.markdown",
            "ignored",
            "post-mortems must use the .md extension (rename it to .md to publish it)",
        ),
        ("postmortems/README.md", "ignored", "folder documentation, not a post-mortem"),
        ("postmortems/x.md~", "ignored", "editor backup or lock file"),
    ]


# -- time ---------------------------------------------------------------------------------
def timed(zone: str, **stamps: str) -> str:
    """A post-mortem in ``zone`` whose timestamps are replaced (timeline kept in UTC-free form)."""
    front = VALID_FRONT_MATTER.replace("timezone: UTC", f"timezone: {zone}")
    for key, value in stamps.items():
        start = front.index(f"\n{key}: ") + 1
        end = front.index("\n", start)
        front = front[:start] + f"{key}: {value}" + front[end:]
    return postmortem_text(front)


def line_of(text: str, key: str) -> int:
    return text.split("\n").index(next(x for x in text.split("\n") if x.startswith(f"{key}:"))) + 1


def test_a_timestamp_without_offset_is_read_in_the_incidents_zone() -> None:
    pm, diags = parse(timed("Europe/Berlin"))
    assert pm is not None
    assert diags == []
    assert pm.started == datetime(2025, 3, 14, 9, 0, tzinfo=UTC)  # 09:00Z is explicit


def test_bare_timestamps_in_a_dst_zone_are_converted_to_utc() -> None:
    text = timed(
        "America/New_York",
        started="2025-03-14 05:00",
        detected="2025-03-14 05:03",
        responded="2025-03-14 05:05",
        mitigated="2025-03-14 05:12",
        resolved="2025-03-14 05:15",
    )
    pm, diags = parse(text)
    assert [d.code for d in diags] == []
    assert pm is not None
    assert pm.started == datetime(2025, 3, 14, 9, 0, tzinfo=UTC)  # EDT, UTC-4, since 9 March


@pytest.mark.parametrize(
    ("stamp", "kind"),
    [("2025-03-30 02:30", "does not exist"), ("2025-10-26 02:30", "happens twice")],
)
def test_nonexistent_and_ambiguous_local_times_are_pm004(stamp: str, kind: str) -> None:
    text = timed("Europe/Berlin", started=stamp)
    pm, diags = parse(text)
    assert pm is None
    assert where(diags) == [("PM004", line_of(text, "started"), 10)]
    assert kind in diags[0].message


def test_ambiguous_local_time_with_an_offset_is_accepted() -> None:
    text = timed(
        "Europe/Berlin",
        started="2025-10-26T02:30+02:00",
        detected="2025-10-26T02:10+01:00",  # 40 minutes later, though the wall clock went back
        responded="2025-10-26T02:15+01:00",
        mitigated="2025-10-26T02:20+01:00",
        resolved="2025-10-26T02:25+01:00",
    )
    pm, diags = parse(text)
    assert pm is not None
    assert [d.code for d in diags if d.code in ("PM004", "PM008")] == []
    assert pm.time_to_detect == timedelta(minutes=40)
    assert pm.duration == timedelta(minutes=55)


def test_duration_across_the_spring_change_is_absolute() -> None:
    # 01:30 CET to 03:30 CEST is one hour, not two
    text = timed(
        "Europe/Berlin",
        started="2025-03-30 01:30",
        detected="2025-03-30 01:35",
        responded="2025-03-30 01:40",
        mitigated="2025-03-30 03:20",
        resolved="2025-03-30 03:30",
    )
    pm, diags = parse(text)
    assert pm is not None
    assert [d.code for d in diags if d.code in ("PM004", "PM008")] == []
    assert pm.duration == timedelta(hours=1)
    assert pm.time_to_mitigate == timedelta(minutes=50)


MIDNIGHT_TIMELINE = """\
| Time | Event | Source |
|---|---|---|
| 2025-03-14 23:50 | Queue backs up | [graph](https://grafana.example.com/1) |
| 23:53 | Alert fires | pager |
| 23:55 | On-call acknowledges | pager |
| 2025-03-15 00:00 | Gap: nothing happened for five minutes while logs loaded | chat |
| 00:04 | Consumers restarted | chat |
| 00:08 | Queue drained | [graph](https://grafana.example.com/2) |
"""

OLD_TIMELINE = VALID_BODY[
    VALID_BODY.index("| Time | Event | Source |") : VALID_BODY.index("\n## Impact") - 1
]


def midnight(timeline: str) -> str:
    front = (
        VALID_FRONT_MATTER.replace("T09:00Z", "T23:50Z")
        .replace("2025-03-14T09:03Z", "2025-03-14T23:53Z")
        .replace("2025-03-14T09:05Z", "2025-03-14T23:55Z")
        .replace("2025-03-14T09:12Z", "2025-03-15T00:04Z")
        .replace("2025-03-14T09:15Z", "2025-03-15T00:08Z")
    )
    return postmortem_text(front, VALID_BODY.replace(OLD_TIMELINE, timeline))


def test_a_timeline_crossing_midnight_with_a_full_date_is_valid() -> None:
    pm, diags = check(midnight(MIDNIGHT_TIMELINE))
    assert diags == []
    assert pm is not None
    assert pm.duration == timedelta(minutes=18)
    assert [ev.at for ev in pm.timeline][-1] == datetime(2025, 3, 15, 0, 8, tzinfo=UTC)


def test_a_silent_roll_over_past_midnight_is_pm022_on_its_row() -> None:
    text = midnight(MIDNIGHT_TIMELINE.replace("2025-03-15 00:00", "00:00"))
    line = text.split("\n").index(next(x for x in text.split("\n") if x.startswith("| 00:00"))) + 1
    _pm, diags = check(text)
    assert ("PM022", line) in [(d.code, d.line) for d in diags]


def test_a_multi_day_incident_has_a_multi_day_duration() -> None:
    text = timed(
        "Asia/Tokyo",
        resolved="2025-03-17T09:15Z",
    )
    pm, diags = parse(text)
    assert pm is not None
    assert diags == []
    assert pm.duration == timedelta(days=3, minutes=15)
    assert pm.local(pm.resolved).isoformat() == "2025-03-17T18:15:00+09:00"
