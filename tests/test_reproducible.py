"""Reproducible builds: the same input gives byte-identical sites whatever the environment.

Two ``mkdocs build`` runs of the sample knowledge base (a copy of this repository's
``mkdocs.yml``, ``docs/`` and ``postmortems/``) in subprocesses with different
``PYTHONHASHSEED``, ``TZ``, ``LANG``, working directory and output folder, and the
same ``SOURCE_DATE_EPOCH`` (which MkDocs uses for ``sitemap.xml`` dates and the
gzip header of ``sitemap.xml.gz``), must write the same files with the same bytes:
pages, search index, JSON exports and feeds. One of them renders the generated pages
in a worker process ahead of MkDocs, the other in the MkDocs process (``PMKB_WORKERS=1``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

ENVIRONMENTS = (
    {"PYTHONHASHSEED": "1", "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    {
        "PYTHONHASHSEED": "4242",
        "TZ": "Pacific/Chatham",
        "LANG": "de_DE.UTF-8",
        "LC_ALL": "de_DE.UTF-8",
        "PMKB_WORKERS": "1",  # pages rendered in the MkDocs process, not ahead in a worker
    },
)


def _build(
    project: Path, cwd: Path, out: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    full = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "LANG", "TZ"))
        },
        **env,
        "SOURCE_DATE_EPOCH": EPOCH,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": str(REPO / "plugins"),
    }
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("repro")
    project = base / "project"
    project.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("docs", "postmortems"):
        shutil.copytree(REPO / folder, project / folder)
    outs = (base / "one" / "site", base / "elsewhere" / "deeper" / "out")
    cwds = (base / "one", base / "elsewhere" / "deeper" / "cwd")
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(_build, (project, project), cwds, outs, ENVIRONMENTS))
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    return outs


def _files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_every_file_is_byte_identical(sites: tuple[Path, Path]) -> None:
    one, two = (_files(s) for s in sites)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_the_comparison_covers_pages_search_exports_and_feeds(sites: tuple[Path, Path]) -> None:
    names = set(_files(sites[0]))
    expected = {
        "index.html",
        "incidents/index.html",
        "search/search_index.json",
        "graph.json",
        "feed.xml",
        "feed.json",
        "actions.json",
        "sitemap.xml",
        "sitemap.xml.gz",
    }
    assert expected <= names
    assert sum(1 for n in names if n.startswith("incidents/") and n.endswith("/index.html")) == 16


def test_sitemap_gzip_header_carries_source_date_epoch(sites: tuple[Path, Path]) -> None:
    header = (sites[0] / "sitemap.xml.gz").read_bytes()[:10]
    assert int.from_bytes(header[4:8], "little") == int(EPOCH)
