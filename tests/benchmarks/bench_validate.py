"""Benchmark ``pmkb validate`` on synthetic corpora (a script, not a test).

    python tests/benchmarks/bench_validate.py [SIZES ...]   (default: 1000 10000)

Prints one row per size: files, wall seconds, CPU seconds (all processes), peak
MB of the largest process, peak MB of the whole process tree (an upper bound),
exit code. Target on the 2-core reference machine: 10,000 files in <= 5 s and
<= 500 MB. ``PMKB_WORKERS=1`` in the environment measures the serial path.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from measure import run


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark pmkb validate.")
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    args = parser.parse_args()
    print(f"{'files':>7} {'seconds':>8} {'cpu s':>7} {'peak MB':>8} {'tree MB':>8} {'exit':>5}")
    with tempfile.TemporaryDirectory(prefix="pmkb-bench-") as tmp:
        for size in args.sizes:
            project = Path(tmp) / f"n{size}"
            generate(project, size)
            result = run(
                [sys.executable, "-m", "postmortem_kb", "validate", "--today", "2026-01-01"],
                cwd=project,
            )
            print(
                f"{size:>7} {result.seconds:>8.2f} {result.cpu_s:>7.2f} {result.peak_mb:>8.1f} "
                f"{result.tree_mb:>8.1f} {result.returncode:>5}",
                flush=True,
            )


if __name__ == "__main__":
    main()
