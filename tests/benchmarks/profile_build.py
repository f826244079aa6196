"""Where a site build spends its time: pyinstrument's profile of one build (a script, not a test).

    python tests/benchmarks/profile_build.py [N]             (default: 1000 incidents)
    python tests/benchmarks/profile_build.py 1000 --plain    (plain mkdocs-material instead)
    python tests/benchmarks/profile_build.py 1000 --html profile.html

Generates the benchmark corpus of N incidents (the same as ``bench_site.py``), builds
its site once (so the second build finds the disk as a rebuild does), then builds it
again in this process under pyinstrument and prints where the MkDocs process spent
that build: self time by package, then the functions with the most self time.

pyinstrument samples this process only. The page worker and the validation pool are
other processes: what the MkDocs process waits for them shows as ``threading`` (a
page the worker has not sent yet) and ``multiprocessing`` (the pool's results).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import PLUGINS

sys.path.insert(0, str(PLUGINS))  # this checkout's package, whatever pip installed

from bench_site import ENV, PLUGIN_CONFIG, _plain_project
from generate import generate

TOP = 25


def package_of(file_path: str) -> str:
    """The package a frame's file belongs to: ``postmortem_kb``, ``mkdocs``, ``jinja2``... or
    ``python`` (the standard library), ``<template>`` (Jinja's compiled templates)."""
    path = file_path.replace("\\", "/")
    if "/postmortem_kb/" in path:
        return "postmortem_kb"
    if path.endswith(".html") or "/templates/" in path:
        return "<template>"
    if "site-packages/" in path:
        top = path.split("site-packages/", 1)[1].split("/", 1)[0]
        return top.removesuffix(".py")
    if "/lib/python" in path:
        rest = path.split("/lib/python", 1)[1].split("/", 1)
        if len(rest) == 2:
            return rest[1].split("/", 1)[0].removesuffix(".py")
        return "python"
    return "<other>" if path else "<native>"


# built-in calls in which this process waits for another: for a page the worker has not
# sent yet (a condition's lock), for the pool's results, for a pipe
_WAITING = {"lock.acquire", "select", "poll", "read", "recv", "recv_bytes", "waitpid"}


def _frames(frame: Any, caller: str) -> Iterator[tuple[Any, str]]:
    """Every frame under ``frame``, with the package its time counts for: a built-in
    function's (its file is ``<built-in>``) counts for the package that called it, or as
    ``<waiting>`` when it waits for another process."""
    path = frame.file_path or ""
    if path.startswith("<built-in>") or not path:
        package = "<waiting>" if frame.function in _WAITING else caller
    else:
        package = package_of(path)
    yield frame, package
    for child in frame.children:
        yield from _frames(child, package)


def self_times(root: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Self time by package and by function (``package: function (file:line)``)."""
    by_package: dict[str, float] = defaultdict(float)
    by_function: dict[str, float] = defaultdict(float)
    for frame, package in _frames(root, "<other>"):
        if frame.is_synthetic:  # pyinstrument's [self] / [await] leaves: counted in their parent
            continue
        spent = frame.total_self_time
        if spent <= 0:
            continue
        by_package[package] += spent
        where = f"{frame.file_path_short or '?'}:{frame.line_no}"
        by_function[f"{package}: {frame.function} ({where})"] += spent
    return by_package, by_function


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile one site build with pyinstrument.")
    parser.add_argument("size", nargs="?", type=int, default=1000)
    parser.add_argument("--plain", action="store_true", help="profile plain mkdocs-material")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    args = parser.parse_args()
    os.environ.update(ENV)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory(prefix="pmkb-profile-") as tmp:
        project = Path(tmp) / "kb"
        generate(project, args.size)
        (project / "mkdocs.yml").write_text(PLUGIN_CONFIG, encoding="utf-8")
        if args.plain:
            _plain_project(project, Path(tmp) / "plain")
            project = Path(tmp) / "plain"
        site = project / "site"

        def one_build(profiler: Profiler | None) -> None:
            config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
            config.plugins.on_startup(command="build", dirty=False)
            try:
                if profiler is not None:
                    profiler.start()
                build(config)
            finally:
                if profiler is not None:
                    profiler.stop()
                config.plugins.on_shutdown()

        one_build(None)
        profiler = Profiler(interval=0.001)
        one_build(profiler)

    session = profiler.last_session
    assert session is not None
    root = session.root_frame()
    total = session.duration
    by_package, by_function = self_times(root) if root is not None else ({}, {})
    what = "plain mkdocs-material" if args.plain else "the postmortems plugin"
    print(f"one build, {args.size} incidents, {what}: {total:.2f} s in the MkDocs process")
    print("self time by package:")
    for package, spent in sorted(by_package.items(), key=lambda item: (-item[1], item[0])):
        if spent >= 0.005 * total:
            print(f"  {package:<24} {spent:6.2f} s {100 * spent / total:5.1f} %")
    print(f"the {TOP} functions with the most self time:")
    ranked = sorted(by_function.items(), key=lambda item: (-item[1], item[0]))
    for name, spent in ranked[:TOP]:
        print(f"  {spent:6.2f} s {100 * spent / total:5.1f} %  {name}")
    if args.html is not None:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"HTML report: {args.html}")


if __name__ == "__main__":
    main()
