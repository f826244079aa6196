"""The performance suite (a script, not a test): validation and site builds by corpus size.

    python tests/benchmarks/bench_site.py                 # sizes 100 1000 5000 10000 20000
    python tests/benchmarks/bench_site.py 100 1000        # chosen sizes
    python tests/benchmarks/bench_site.py --no-build 10000 20000   # validation only
    python tests/benchmarks/bench_site.py --repeat 5 1000          # 5 pairs of builds per size

For each size it generates the same deterministic corpus and measures, each in a
child process of this one:

- ``pmkb validate``: wall time and peak memory;
- ``mkdocs build`` with the ``postmortems`` plugin: wall time, peak memory, site bytes;
- plain mkdocs-material building the *same incident files* out of the nav (the
  baseline to beat), and the ratios plugin / plain.

Then it prints the scaling factor between consecutive sizes. With ``--repeat N`` the two
builds run N times each, alternately (ours, plain, ours, ...), and the table shows the
medians; a line per size gives the range of the N pairwise ratios (wall times on a shared
machine move from one run to the next, and the pairs keep the two sides comparable).
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


def _build(project: Path) -> tuple[Measurement, int]:
    site = project / "site"
    result = run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=project, env=ENV
    )
    return result, tree_bytes(site) if site.is_dir() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark validation and site builds.")
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000, 5000, 10000, 20000])
    parser.add_argument("--no-build", action="store_true", help="measure validation only")
    parser.add_argument(
        "--repeat", type=int, default=1, help="build pairs per size (medians are shown)"
    )
    args = parser.parse_args()

    header = (
        f"{'incidents':>9} | {'validate s':>10} {'MB':>6} | {'plugin s':>8} {'MB':>6} {'site MB':>8} | "
        f"{'plain s':>7} {'MB':>6} {'site MB':>8} | {'time x':>6} {'bytes x':>7}"
    )
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
            runs: list[tuple[Measurement, Measurement]] = []
            for _ in range(max(1, args.repeat)):
                ours, our_bytes = _build(project)
                plain, plain_bytes = _build(plain_dir)
                runs.append((ours, plain))
            ours_s = statistics.median(o.seconds for o, _ in runs)
            plain_s = statistics.median(p.seconds for _, p in runs)
            ours_mb = max(o.peak_mb for o, _ in runs)
            plain_mb = max(p.peak_mb for _, p in runs)
            failed = (
                ""
                if all(o.returncode == p.returncode == 0 for o, p in runs)
                else "  (a build failed)"
            )
            print(
                line
                + f"{ours_s:>8.1f} {ours_mb:>6.0f} {our_bytes / 2**20:>8.1f} | "
                + f"{plain_s:>7.1f} {plain_mb:>6.0f} {plain_bytes / 2**20:>8.1f} | "
                + f"{ours_s / plain_s:>6.2f} {our_bytes / max(plain_bytes, 1):>7.2f}{failed}",
                flush=True,
            )
            if len(runs) > 1:
                ratios = sorted(o.seconds / p.seconds for o, p in runs)
                print(
                    f"{'':>9}   {len(runs)} pairs: ours {min(o.seconds for o, _ in runs):.1f}"
                    f"-{max(o.seconds for o, _ in runs):.1f} s, plain"
                    f" {min(p.seconds for _, p in runs):.1f}-{max(p.seconds for _, p in runs):.1f} s,"
                    f" time x per pair {ratios[0]:.2f}-{ratios[-1]:.2f}"
                    f" (median {statistics.median(ratios):.2f})",
                    flush=True,
                )
            rows.append((size, ours_s, ours_mb))
            shutil.rmtree(project / "site", ignore_errors=True)
            shutil.rmtree(plain_dir, ignore_errors=True)
    print("\nscaling (each step: size ratio -> time ratio, memory ratio)")
    for (n1, t1, m1), (n2, t2, m2) in itertools.pairwise(rows):
        print(
            f"  {n1:>6} -> {n2:<6} x{n2 / n1:<4.1f} -> time x{t2 / t1:.2f}, memory x{m2 / m1:.2f}"
        )


if __name__ == "__main__":
    main()
