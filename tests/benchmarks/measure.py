"""Run a command as a child process and measure it: wall time and peak memory.

Peak memory is the child's maximum resident set size as the kernel reports it
through ``wait4`` (so each command is measured on its own, in one process tree;
with a process pool, the largest single process). The child imports
``postmortem_kb`` from this checkout (``PYTHONPATH``), whatever copy pip installed.
"""

from __future__ import annotations

import os
import subprocess
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


def run(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Measurement:
    """Run ``argv`` in ``cwd`` with output discarded; measure wall time and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": _pythonpath(), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(seconds, usage.ru_maxrss / 1024, proc.returncode)


def tree_bytes(folder: Path) -> int:
    """Total size of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _pythonpath() -> str:
    """This checkout's package first, then whatever the caller had."""
    rest = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (str(PLUGINS), rest) if p)
