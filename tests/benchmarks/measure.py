"""Run a command as a child process and measure it: wall time, CPU time and peak memory.

``peak_mb`` is the largest resident set size of any one process of the command,
as the kernel reports it through ``wait4``. With a process pool that is not the
whole cost, so ``tree_mb`` samples (every 20 ms, from ``/proc``) the summed RSS
of the process and all its descendants and keeps the peak: an upper bound,
since pages a forked worker shares with its parent are counted twice.
``cpu_s`` is user + system time of the process and its waited-for children.

The child imports ``postmortem_kb`` from this checkout (``PYTHONPATH``),
whatever copy pip installed.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


@dataclass(frozen=True)
class Measurement:
    """What one command cost."""

    seconds: float
    peak_mb: float
    returncode: int
    cpu_s: float = 0.0
    tree_mb: float = 0.0


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Measurement:
    """Run ``argv`` in ``cwd`` with output discarded; measure it."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": _pythonpath(), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak_tree[0] = max(peak_tree[0], _tree_rss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024
    return Measurement(
        seconds,
        peak_mb,
        proc.returncode,
        cpu_s=usage.ru_utime + usage.ru_stime,
        tree_mb=max(peak_tree[0] / 1024, peak_mb),
    )


def _tree_rss_kb(pid: int) -> int:
    """Summed VmRSS (kB) of ``pid`` and its descendants (0 once it is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(child) for child in children)
    return total


def _pythonpath() -> str:
    """This checkout's package first, then whatever the caller had."""
    rest = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (str(PLUGINS), rest) if p)


def tree_bytes(folder: Path) -> int:
    """Total size of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
