"""The benchmark scripts still run (on tiny corpora: their figures are not checked here,
only that every step ran and what each counts)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent / "benchmarks"
PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def _run(script: str, *args: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(PLUGINS), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def _rows(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines if re.match(r"\s+\d+ \|", line)]


def test_bench_site_prints_a_row_per_size_with_the_three_builds_and_their_ratios() -> None:
    lines = _run("bench_site.py", "20", "30")
    rows = _rows(lines)
    assert [row[0] for row in rows] == ["20", "30"]
    for row in rows:
        # size | validate s, MB | plugin s, MB, site MB | plain s, MB, site MB | time x,
        # bytes x | pages s, MB, site MB | time x, bytes x
        assert len(row) == 22 and [row[i] for i in (1, 4, 8, 12, 15, 19)] == ["|"] * 6
        assert float(row[5]) > 0 and float(row[9]) > 0 and float(row[13]) > 0
        assert float(row[16]) > 0
        assert float(row[14]) > 1.0  # the knowledge base adds pages and files
        # the generated pages published by plain Material: the same content, more than
        # the incident files alone
        assert float(row[18]) > float(row[11])
        # its ratio is of exact bytes; the MB columns are rounded to 0.1
        assert abs(float(row[21]) - float(row[7]) / float(row[18])) < 0.05
    assert not [line for line in lines if "failed" in line]  # a build, or pmkb pages
    assert any(line.strip().startswith("20 -> 30") for line in lines)


def test_bench_site_without_the_pages_build_prints_the_two_others() -> None:
    rows = _rows(_run("bench_site.py", "--no-pages", "20"))
    assert len(rows) == 1 and len(rows[0]) == 15 and rows[0][-3] == "|"


def test_bench_serve_rebuilds_parsing_only_the_edited_file() -> None:
    lines = _run("bench_serve.py", "30")
    assert lines[0] == "incidents: 30"
    # the pages of 30 incidents, 24 patterns and 17 services converted, then only the
    # edited incident's page; every page indexed for search, then that page and the
    # project's own home page (not generated: search indexes it on every build)
    assert lines[1].startswith("first serve build:")
    assert lines[1].endswith("post-mortems parsed: 30, pages converted: 71, indexed for search: 79")
    assert lines[2].startswith("rebuild after one edit:")
    assert lines[2].endswith("post-mortems parsed: 1, pages converted: 1, indexed for search: 2")


def test_bench_validate_prints_a_clean_row_per_size() -> None:
    lines = _run("bench_validate.py", "20")
    assert lines[0].split() == ["files", "seconds", "cpu", "s", "peak", "MB", "tree", "MB", "exit"]
    row = lines[1].split()
    assert row[0] == "20" and row[-1] == "0"


def test_profile_build_prints_self_time_by_package_and_the_top_functions() -> None:
    lines = _run("profile_build.py", "20")
    assert lines[0].startswith("one build, 20 incidents, the postmortems plugin: ")
    assert lines[1] == "self time by package:"
    end = lines.index("the 25 functions with the most self time:")
    assert {"markdown", "jinja2", "mkdocs"} <= {line.split()[0] for line in lines[2:end]}
    top = lines[end + 1 :]
    assert len(top) == 25 and all(re.match(r"\s+\d+\.\d\d s\s+\d+\.\d %  \S+: ", t) for t in top)


def test_profile_build_names_the_package_of_each_file() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from profile_build import package_of
    finally:
        sys.path.remove(str(BENCHMARKS))
    site = "/venv/lib/python3.11/site-packages"
    assert package_of("/work/plugins/postmortem_kb/pages.py") == "postmortem_kb"
    assert package_of(f"{site}/markdown/treeprocessors.py") == "markdown"
    assert package_of(f"{site}/material/plugins/search/plugin.py") == "material"
    assert package_of(f"{site}/material/templates/partials/nav.html") == "<template>"
    assert package_of(f"{site}/six.py") == "six"
    assert package_of("/usr/lib/python3.11/html/parser.py") == "html"
    assert package_of("/usr/lib/python3.11/shutil.py") == "shutil"
    assert package_of("") == "<native>"
