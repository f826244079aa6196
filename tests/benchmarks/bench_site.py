"""The performance suite (a script, not a test): validation and site builds by corpus size.

    python tests/benchmarks/bench_site.py                 # sizes 100 1000 5000 10000 20000
    python tests/benchmarks/bench_site.py 100 1000        # chosen sizes
    python tests/benchmarks/bench_site.py --no-build 10000 20000   # validation only
    python tests/benchmarks/bench_site.py --repeat 5 1000          # 5 rounds of builds per size
    python tests/benchmarks/bench_site.py --no-pages 1000          # skip the third build

For each size it generates the same deterministic corpus and measures, each in a
child process of this one:

- ``pmkb validate``: wall time and peak memory;
- ``mkdocs build`` with the ``postmortems`` plugin: wall time, peak memory, site bytes;
- plain mkdocs-material building the *same incident files* out of the nav (the
  baseline to beat), and the ratios plugin / plain;
- plain mkdocs-material building the knowledge base's *generated pages* as written by
  ``pmkb pages`` (incident, pattern and service pages, indexes, dashboard, action items,
  lessons, graph and data files, with the same navigation entries): what publishing the
  same content costs without the plugin, and the ratios plugin / that. The first ratio
  measures the content the knowledge base adds; the second, the plugin's own cost.

Then it prints the scaling factor between consecutive sizes. With ``--repeat N`` the
builds run N times each, alternately (ours, plain, pages, ours, ...), and the table shows
the medians; a line per size gives the range of the N pairwise ratios (wall times on a
shared machine move from one run to the next, and the rounds keep the sides comparable).
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from measure import Measurement, run, tree_bytes

ENV = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600", "PYTHONHASHSEED": "0"}

_SITE = """\
site_name: Benchmark knowledge base
site_url: https://kb.example.com/
theme:
  name: material
  font: false
plugins:
  - search
  - tags
"""
PLUGIN_CONFIG = (
    _SITE
    + """\
  - postmortems:
      today: 2026-01-01
      overdue: "off"
"""
)
# the same site without the plugin: the incident files are ordinary pages out of the nav
PLAIN_CONFIG = (
    _SITE
    + """\
not_in_nav: |
  /incidents/**
"""
)


def _plain_project(source: Path, target: Path) -> None:
    """The same incident files as ordinary pages of plain mkdocs-material, out of the nav."""
    docs = target / "docs"
    (docs / "incidents").mkdir(parents=True)
    for path in sorted((source / "postmortems").rglob("*.md")):
        shutil.copyfile(path, docs / "incidents" / path.name)
    (docs / "index.md").write_text("# Incident knowledge base\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(PLAIN_CONFIG, encoding="utf-8")


# the generated pages as ordinary Markdown; md_in_html for the incident card's block
# (the plugin renders it to HTML itself), tables and toc as the plugin adds them
_PAGES_EXTENSIONS = """\
markdown_extensions:
  - tables
  - toc
  - md_in_html
"""


def _pages_project(source: Path, target: Path) -> bool:
    """The knowledge base's generated pages (``pmkb pages``) as a plain mkdocs-material
    site, with the navigation entries the plugin gives the same corpus: the home page and
    the generated top-level pages, then the three indexes. False if ``pmkb pages`` failed."""
    docs = target / "docs"
    written = run(
        [sys.executable, "-m", "postmortem_kb", "pages", "--out", str(docs)],
        cwd=source,
        env=ENV,
    )
    if written.returncode != 0:
        return False
    if (source / "docs" / "index.md").is_file():  # the project's own home page, as ours
        shutil.copyfile(source / "docs" / "index.md", docs / "index.md")
    top = sorted(p.name for p in docs.glob("*.md") if p.name != "index.md")
    folders = [f"{d}/index.md" for d in ("incidents", "patterns", "services")]
    nav = "".join(f"  - {name}\n" for name in ["index.md", *top, *folders])
    (target / "mkdocs.yml").write_text(_SITE + _PAGES_EXTENSIONS + "nav:\n" + nav, encoding="utf-8")
    return True


def _build(project: Path) -> tuple[Measurement, int]:
    site = project / "site"
    result = run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=project, env=ENV
    )
    return result, tree_bytes(site) if site.is_dir() else 0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark validation and site builds.")
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 5000, 10000, 20000])
    parser.add_argument("--no-build", action="store_true", help="measure validation only")
    parser.add_argument(
        "--no-pages",
        action="store_true",
        help="skip plain mkdocs-material building the generated pages (pmkb pages)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of builds per size (medians are shown)"
    )
    args = parser.parse_args()

    header = (
        f"{'incidents':>9} | {'validate s':>10} {'MB':>6} | {'plugin s':>8} {'MB':>6} {'site MB':>8} | "
        f"{'plain s':>7} {'MB':>6} {'site MB':>8} | {'time x':>6} {'bytes x':>7}"
    )
    if not args.no_pages:
        header += f" | {'pages s':>7} {'MB':>6} {'site MB':>8} | {'time x':>6} {'bytes x':>7}"
    print("plain: the incident files out of the nav; pages: the generated pages (pmkb pages)")
    print(header)
    print("-" * len(header))
    rows: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="pmkb-bench-") as tmp:
        for size in args.sizes:
            project = Path(tmp) / f"kb-{size}"
            generate(project, size)
            (project / "mkdocs.yml").write_text(PLUGIN_CONFIG, encoding="utf-8")
            validate = run(
                [sys.executable, "-m", "postmortem_kb", "validate"], cwd=project, env=ENV
            )
            line = f"{size:>9} | {validate.seconds:>10.2f} {validate.peak_mb:>6.0f} | "
            if args.no_build:
                print(line + "(builds skipped)")
                rows.append((size, validate.seconds, validate.peak_mb))
                continue
            plain_dir = Path(tmp) / f"plain-{size}"
            _plain_project(project, plain_dir)
            pages_dir = Path(tmp) / f"pages-{size}"
            pages_ok = not args.no_pages and _pages_project(project, pages_dir)
            runs: list[tuple[Measurement, Measurement]] = []
            pages_runs: list[Measurement] = []
            our_bytes = plain_bytes = pages_bytes = 0
            for _ in range(max(1, args.repeat)):
                ours, our_bytes = _build(project)
                plain, plain_bytes = _build(plain_dir)
                runs.append((ours, plain))
                if pages_ok:
                    built, pages_bytes = _build(pages_dir)
                    pages_runs.append(built)
            ours_s = statistics.median(o.seconds for o, _ in runs)
            plain_s = statistics.median(p.seconds for _, p in runs)
            ours_mb = max(o.peak_mb for o, _ in runs)
            plain_mb = max(p.peak_mb for _, p in runs)
            ok = all(o.returncode == p.returncode == 0 for o, p in runs) and all(
                b.returncode == 0 for b in pages_runs
            )
            text = (
                line
                + f"{ours_s:>8.1f} {ours_mb:>6.0f} {our_bytes / 2**20:>8.1f} | "
                + f"{plain_s:>7.1f} {plain_mb:>6.0f} {plain_bytes / 2**20:>8.1f} | "
                + f"{_ratio(ours_s, plain_s):>6} {_ratio(our_bytes, plain_bytes):>7}"
            )
            if pages_runs:
                pages_s = statistics.median(b.seconds for b in pages_runs)
                pages_mb = max(b.peak_mb for b in pages_runs)
                text += (
                    f" | {pages_s:>7.1f} {pages_mb:>6.0f} {pages_bytes / 2**20:>8.1f} | "
                    f"{_ratio(ours_s, pages_s):>6} {_ratio(our_bytes, pages_bytes):>7}"
                )
            elif not args.no_pages:
                text += " | (pmkb pages failed)"
            print(text + ("" if ok else "  (a build failed)"), flush=True)
            if len(runs) > 1:
                ratios = sorted(o.seconds / p.seconds for o, p in runs)
                summary = (
                    f"{'':>9}   {len(runs)} rounds: ours {min(o.seconds for o, _ in runs):.1f}"
                    f"-{max(o.seconds for o, _ in runs):.1f} s, plain"
                    f" {min(p.seconds for _, p in runs):.1f}-{max(p.seconds for _, p in runs):.1f} s,"
                    f" time x per pair {ratios[0]:.2f}-{ratios[-1]:.2f}"
                    f" (median {statistics.median(ratios):.2f})"
                )
                if pages_runs:
                    against = sorted(
                        o.seconds / b.seconds for (o, _), b in zip(runs, pages_runs, strict=True)
                    )
                    summary += (
                        f"; against pages {against[0]:.2f}-{against[-1]:.2f}"
                        f" (median {statistics.median(against):.2f})"
                    )
                print(summary, flush=True)
            rows.append((size, ours_s, ours_mb))
            shutil.rmtree(project / "site", ignore_errors=True)
            shutil.rmtree(plain_dir, ignore_errors=True)
            shutil.rmtree(pages_dir, ignore_errors=True)
    print("\nscaling (each step: size ratio -> time ratio, memory ratio)")
    for (n1, t1, m1), (n2, t2, m2) in itertools.pairwise(rows):
        print(
            f"  {n1:>6} -> {n2:<6} x{n2 / n1:<4.1f} -> time x{t2 / t1:.2f}, memory x{m2 / m1:.2f}"
        )


if __name__ == "__main__":
    main()
