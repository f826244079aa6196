"""Scale: the parallel load equals the serial one, libyaml reads like PyYAML, and
``--changed`` reports only what a change touches."""

from __future__ import annotations

import multiprocessing
import pickle
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PATTERN_TEXT, VALID_FRONT_MATTER, git, postmortem_text
from postmortem_kb import FileOutcome, KnowledgeBase, Settings
from postmortem_kb import kb as kb_module
from postmortem_kb._frontmatter import _compose, _compose_simple, compose
from postmortem_kb.blameless import check_blameless
from postmortem_kb.parse import parse_citations, parse_for_checks, parse_postmortem
from postmortem_kb.vcs import (
    ChangedFiles,
    GitError,
    changed_diagnostics,
    changed_files,
    validate_changed,
)

Writer = Callable[[Mapping[str, str]], Path]
TODAY = date(2025, 6, 1)


def _corpus() -> dict[str, str]:
    files = {
        f"postmortems/2025/2025-03-{day:02d}-incident.md": postmortem_text(
            VALID_FRONT_MATTER.replace("2025-03-14", f"2025-03-{day:02d}")
        )
        for day in range(1, 10)
    }
    files["postmortems/broken.md"] = "---\ntitle: [unclosed\n---\n"
    files["postmortems/errors.md"] = postmortem_text(
        VALID_FRONT_MATTER.replace("severity: P2", "severity: P9")
    )
    files["postmortems/warnings.md"] = postmortem_text(
        VALID_FRONT_MATTER.replace("services: [checkout]", "services: [checkout]\nid: dup")
    ).replace("The alert fired", "It was human error; the alert fired")
    files["postmortems/also-dup.md"] = postmortem_text(VALID_FRONT_MATTER + "id: dup\n")
    files["docs/patterns/cache-stampede.md"] = PATTERN_TEXT
    return files


def _serial_then_pooled(
    write_project: Writer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, KnowledgeBase, list[str]]:
    """The small corpus's settings and its serial load; then later loads use a pool
    (chunks of 3 files), and the paths of the results that came back from the pool's
    worker are appended to the list returned."""
    settings = Settings(root=write_project(_corpus()), today=TODAY)
    monkeypatch.setenv("PMKB_WORKERS", "1")
    serial = KnowledgeBase.load(settings)
    restored: list[str] = []
    unpickle = pickle.loads

    def spy(blob: bytes) -> Any:  # the parent unpickles each chunk a worker sends back
        results = unpickle(blob)
        restored.extend(pm.path if pm else "" for pm, _ in results)
        return results

    monkeypatch.setattr(kb_module, "PARALLEL_MIN_FILES", 4)
    monkeypatch.setattr(kb_module, "_CHUNK_FILES", 3)
    monkeypatch.setattr(kb_module.pickle, "loads", spy)
    # Other suites (the browser tests' HTTP server) may leave a thread running in this
    # process, which makes the loader stay serial; the forked workers here run only
    # the parser, so the pool is safe to force for these tests.
    monkeypatch.setattr(kb_module.threading, "active_count", lambda: 1)
    monkeypatch.setenv("PMKB_WORKERS", "2")
    return settings, serial, restored


def test_the_process_pool_gives_exactly_the_serial_result(
    write_project: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, serial, restored = _serial_then_pooled(write_project, monkeypatch)
    monkeypatch.setenv("PMKB_WORKERS", "1")
    serial_check = kb_module.validate(settings)
    monkeypatch.setenv("PMKB_WORKERS", "2")
    parallel = KnowledgeBase.load(settings)

    # 13 files in chunks of 3: the worker takes chunks from the front, this process
    # checks the others from the back (the worker has the first chunk before this
    # process is done with the last three), so only the front crossed a process boundary
    paths = sorted([*parallel.parsed, "postmortems/broken.md"])
    assert 3 <= len(restored) < 13
    assert restored == paths[: len(restored)]
    assert parallel.diagnostics == serial.diagnostics
    assert parallel.files == serial.files
    assert parallel.incidents == serial.incidents
    assert [pm.path for pm in parallel.incidents] == [pm.path for pm in serial.incidents]
    assert all(isinstance(pm.key_lines, MappingProxyType) for pm in parallel.incidents)
    assert {d.code for d in serial.diagnostics} >= {"PM002", "PM004", "PM007", "PM060"}

    # `pmkb validate` keeps only citations: the same diagnostics and outcomes
    restored.clear()
    check = kb_module.validate(settings)
    assert 3 <= len(restored) < 13
    assert check == serial_check
    assert check.diagnostics == serial.diagnostics
    assert check.files == serial.files
    assert dict(check.parsed) == {path: pm.citations() for path, pm in serial.parsed.items()}


def test_a_load_started_ahead_checks_files_meanwhile_and_can_be_given_up(
    write_project: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site build starts the load before MkDocs' own start-up work and takes it after."""
    settings, serial, restored = _serial_then_pooled(write_project, monkeypatch)
    loading = KnowledgeBase.start_load(settings)
    assert len(multiprocessing.active_children()) == 1  # the pool's worker, at work
    time.sleep(2)  # this process does something else; the worker checks every chunk
    ahead = loading.result()
    assert len(restored) == 13  # all of them came from the worker
    assert ahead.diagnostics == serial.diagnostics
    assert ahead.files == serial.files
    assert ahead.incidents == serial.incidents
    assert multiprocessing.active_children() == []  # the pool is shut down

    given_up = KnowledgeBase.start_load(settings)
    assert len(multiprocessing.active_children()) == 1
    given_up.cancel()
    assert multiprocessing.active_children() == []
    with pytest.raises(RuntimeError, match="this load was given up"):
        given_up.result()


def test_a_cache_hit_is_not_parsed_again(write_project: Writer) -> None:
    root = write_project(_corpus())
    settings = Settings(root=root, today=TODAY)
    cache: dict = {}  # type: ignore[type-arg]
    first = KnowledgeBase.load(settings, cache)
    (root / "postmortems/errors.md").write_text(postmortem_text(), encoding="utf-8")
    parsed: list[str] = []
    original = kb_module._parse_one

    def spy(rel: str, data: bytes, s: Settings, today: date, check: bool) -> kb_module._Result:
        parsed.append(rel)
        return original(rel, data, s, today, check)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kb_module, "_parse_one", spy)
        second = KnowledgeBase.load(settings, cache)
    assert parsed == ["postmortems/errors.md"]
    assert len(second.incidents) == len(first.incidents) + 1
    assert len(cache) == 14  # the edited file's old version stays (an undo is a cache hit)


@pytest.mark.parametrize(
    "text",
    [
        "title: plain\nlist: [a, 'b', \"c\"]\nmap: {k: v}\n",
        "title: x\tabs\n",
        "tags: [a?b]\n",
        "title: x\n\ufeff",
        "tags: [a, b: ]\n",
        "x: !python/object:os.system {}\n",
        "x: &a v\ny: *a\n",
        "a: 1\na: 2\n<<: {b: 1}\n",
        "title: [unclosed\n",
        "- a\n- b\n",
        "key: |\n  literal\n  block\n",
    ],
)
def test_libyaml_events_compose_like_the_pure_python_parser(text: str) -> None:
    assert compose(text, 2) == _compose(text, 2, yaml.SafeLoader)


def test_a_phrase_written_with_a_long_s_is_flagged_not_a_crash() -> None:
    data = postmortem_text().replace("The latency alert worked", "It was carele\u017fs; it worked")
    pm, _ = parse_postmortem(data.encode(), "postmortems/a.md", Settings())
    assert pm is not None
    lines = data.split("\n")
    [finding] = check_blameless(pm, lines, Settings())
    assert (finding.code, finding.line, finding.column) == (
        "PM060",
        lines.index("It was carele\u017fs; it worked as intended.") + 1,
        8,
    )
    assert finding.message.startswith(
        'blaming language "carele\u017fs": describe the circumstances'
    )


# -- --changed ---------------------------------------------------------------------------------
def _repo(write_project: Writer) -> Path:
    pm = VALID_FRONT_MATTER
    root = write_project(
        {
            "postmortems/a.md": postmortem_text(pm),
            "postmortems/b.md": postmortem_text(pm + "related: [c]\n"),
            "postmortems/c.md": postmortem_text(pm),
            "postmortems/old.md": postmortem_text(pm.replace("severity: P2", "severity: P9")),
            "postmortems/moved.md": postmortem_text(pm),
            "docs/patterns/cache-stampede.md": PATTERN_TEXT,
            "README.md": "x",
        }
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_changed_files_lists_what_differs_from_the_base(write_project: Writer) -> None:
    root = _repo(write_project)
    (root / "postmortems/a.md").write_text(postmortem_text() + "\nmore\n", encoding="utf-8")
    (root / "postmortems/new.md").write_text(postmortem_text(), encoding="utf-8")
    git(root, "mv", "postmortems/moved.md", "postmortems/renamed.md")
    git(root, "rm", "-q", "postmortems/c.md")
    (root / "README.md").write_text("changed, but not a post-mortem", encoding="utf-8")
    git(root, "add", "postmortems/new.md")
    assert changed_files(Settings(root=root), "main") == ChangedFiles(
        changed=("postmortems/a.md", "postmortems/new.md", "postmortems/renamed.md"),
        gone=("postmortems/c.md", "postmortems/moved.md"),
    )


def test_changed_files_refuses_an_unknown_or_option_like_ref(write_project: Writer) -> None:
    root = _repo(write_project)
    with pytest.raises(GitError, match="git diff against 'no-such-ref' failed"):
        changed_files(Settings(root=root), "no-such-ref")
    with pytest.raises(GitError, match="not a git revision: '--output=x'"):
        changed_files(Settings(root=root), "--output=x")


def test_changed_diagnostics_keep_the_changed_files_and_what_involves_them(
    write_project: Writer,
) -> None:
    root = _repo(write_project)
    # a.md now takes c's id; c is deleted, so b's related link dangles; old.md's error is old
    (root / "postmortems/a.md").write_text(postmortem_text(VALID_FRONT_MATTER + "id: b\n"))
    (root / "postmortems/c.md").unlink()
    settings = Settings(root=root, today=TODAY)
    kb = KnowledgeBase.load(settings)
    files = changed_files(settings, "main")
    assert files == ChangedFiles(("postmortems/a.md",), ("postmortems/c.md",))
    kept = changed_diagnostics(kb, files.changed, files.gone)
    assert [(d.path, d.code) for d in kept] == [
        ("postmortems/a.md", "PM007"),
        ("postmortems/b.md", "PM007"),
        ("postmortems/b.md", "PM051"),
    ]
    assert {d.path for d in kb.diagnostics} == {
        "postmortems/a.md",
        "postmortems/b.md",
        "postmortems/old.md",
    }
    assert validate_changed(settings, "main") == (
        kb_module.validate(settings, only=files.changed),
        files,
        kept,
    )
    # the citations-only check reports exactly what the full load reports
    full = KnowledgeBase.load(settings, only=files.changed)
    lean = kb_module.validate(settings, only=files.changed)
    assert (lean.diagnostics, lean.files) == (full.diagnostics, full.files)
    assert changed_diagnostics(lean, files.changed, files.gone) == kept


def test_only_limits_the_per_file_rules_not_the_parsing(write_project: Writer) -> None:
    blaming = postmortem_text().replace("The alert fired", "It was human error; the alert fired")
    root = write_project({"postmortems/a.md": blaming, "postmortems/b.md": blaming})
    settings = Settings(root=root, today=TODAY)
    full = KnowledgeBase.load(settings)
    assert [(d.path, d.code) for d in full.diagnostics] == [
        ("postmortems/a.md", "PM060"),
        ("postmortems/b.md", "PM060"),
    ]
    some = KnowledgeBase.load(settings, only=["postmortems/b.md"])
    assert [(d.path, d.code) for d in some.diagnostics] == [("postmortems/b.md", "PM060")]
    assert sorted(some.parsed) == ["postmortems/a.md", "postmortems/b.md"]


# -- the front matter's fast path ----------------------------------------------------------------
_NEARLY_SAFE = "abXY09  -:./&'()"
_TRICKY = "aZ09 .,:/+()@%-_#'\"[]{}!&*?|>\\\t\x85\u00e9\u2028\x07"


@st.composite
def _front_matters(draw: st.DrawFn) -> str:
    """Front matter near the simple shape: mostly ``key: value`` lines, some of them tricky."""
    keys = st.sampled_from(
        ["title", "tags", "on", "a_b", "Title", "x1", "null", "id", "k", "date", "B", "c_2"]
    )
    alphabet = st.sampled_from([_TRICKY, _NEARLY_SAFE])
    text = alphabet.flatmap(lambda chars: st.text(alphabet=chars, max_size=12))
    values = st.one_of(
        text,
        st.builds(lambda s: f"'{s}'", text),
        st.builds(lambda s: f'"{s}"', text),
        st.builds(
            lambda items, gap: "[" + f",{gap}".join(items) + "]",
            st.lists(text, max_size=3),
            st.sampled_from(["", " ", "  "]),
        ),
    )
    entry = st.builds(
        lambda k, sep, v: f"{k}:{sep}{v}", keys, st.sampled_from([" ", "  ", ""]), values
    )
    nested = st.builds(
        lambda margin, body: f"{margin}{body}",
        st.sampled_from(["", " ", "  "]),
        st.one_of(entry, st.builds(lambda v: f"- {v}", values)),
    )
    opener = st.builds(lambda k: f"{k}:", keys)
    lines = draw(st.lists(st.one_of(entry, entry, nested, opener), min_size=1, max_size=4))
    return "".join(f"{line}\n" for line in lines)


@settings(max_examples=400, deadline=None)
@given(_front_matters())
def test_the_simple_front_matter_reading_equals_yaml(text: str) -> None:
    fast = _compose_simple(text, 2)
    if fast is not None:
        assert (fast, []) == _compose(text, 2, yaml.SafeLoader)


@pytest.mark.parametrize(
    ("text", "simple"),
    [
        ("title: Synthetic incident 7 in orders\nauthors: [Ann One, Bo Two]\n", True),
        ("started: 2019-01-01T14:06Z\ntitle: 'R&D: outage'\nq: \"a b\"\nnone: []\n", True),
        ("title: a: b\n", False),  # a mapping in a value: YAML decides (an error)
        ("title: x # comment\n", False),
        ("on: x\n", False),  # a key YAML reads as a boolean
        ("a: 1\na: 2\n", False),  # a duplicate key
        ("tags: [a, b,]\n", False),
        ("impact:\n  users_affected: 3\n  revenue_usd: '12'\n", True),
        ("authors:\n  - Ann One\n  - 'Bo: Two'\ntags:\n- a\n", True),
        ("authors:\n  - Ann\n   - Bo\n", False),  # the items are not aligned
        ("impact:\n  a: 1\n  a: 2\n", False),
        ("title:\n", False),  # an empty value: YAML's null
        ("title: Checkout errors & retries storm\n", True),
        ("title: Caf\u00e9\n", False),
    ],
)
def test_the_simple_shape_is_read_directly_and_anything_else_by_yaml(
    text: str, simple: bool
) -> None:
    assert (_compose_simple(text, 2) is not None) is simple
    assert compose(text, 2) == _compose(text, 2, yaml.SafeLoader)


def test_every_sample_front_matter_reads_the_same_both_ways() -> None:
    from postmortem_kb._frontmatter import split

    root = Path(__file__).resolve().parents[1]
    read_simply = 0
    for path in sorted([*root.glob("postmortems/**/*.md"), *root.glob("tests/golden/*.md")]):
        lines = path.read_text(encoding="utf-8").split("\n")
        block, _ = split(lines)
        if block is None:
            continue
        fast = _compose_simple(block.text, block.first_line)
        if fast is not None:
            read_simply += 1
            assert (fast, []) == _compose(block.text, block.first_line, yaml.SafeLoader), path
    assert read_simply >= 1


# -- citations from the front matter alone (--changed) -------------------------------------------
def test_citations_read_from_the_front_matter_equal_the_full_parse() -> None:
    root = Path(__file__).resolve().parents[1]
    settings = Settings(root=root)
    files = sorted([*root.glob("postmortems/**/*.md"), *root.glob("tests/golden/*.md")])
    assert len(files) >= 20
    for path in files:
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        pm, _ = parse_for_checks(data, rel, settings)  # a broken file's citations too
        citations, _ = parse_citations(data, rel, settings)
        assert citations == (None if pm is None else pm.citations()), rel


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_citations_never_raise_and_agree_with_the_full_parse_on_any_text(text: str) -> None:
    data = postmortem_text().replace("## Impact", text + "\n## Impact").encode()
    pm, _ = parse_for_checks(data, "postmortems/a.md", Settings())
    citations, _ = parse_citations(data, "postmortems/a.md", Settings())
    assert citations == (None if pm is None else pm.citations())


def test_changed_mode_reads_only_the_front_matter_of_unchanged_files(
    write_project: Writer,
) -> None:
    broken_body = postmortem_text().replace("## Impact", "## Impact\n\n## Impact")  # PM010
    root = write_project(
        {
            "postmortems/a.md": postmortem_text(VALID_FRONT_MATTER + "related: [b]\n"),
            "postmortems/b.md": broken_body,
        }
    )
    settings = Settings(root=root, today=TODAY)
    full = KnowledgeBase.load(settings, only=["postmortems/a.md"])
    body_findings = [("postmortems/b.md", "PM011"), ("postmortems/b.md", "PM010")]
    assert [(d.path, d.code) for d in full.diagnostics] == body_findings
    lean = kb_module.validate(settings, only=["postmortems/a.md"])
    assert lean.diagnostics == ()  # b's body was not parsed: its PM010 is not looked for
    assert sorted(lean.parsed) == ["postmortems/a.md", "postmortems/b.md"]
    assert lean.parsed["postmortems/a.md"].related == ("b",)  # so a's link resolves
    assert [(r.path, r.outcome) for r in lean.files] == [
        ("postmortems/a.md", FileOutcome.PUBLISHED),
        ("postmortems/b.md", FileOutcome.PUBLISHED),
    ]
    # a change to b checks b in full
    changed_b = kb_module.validate(settings, only=["postmortems/b.md"])
    assert [(d.path, d.code) for d in changed_b.diagnostics] == body_findings
