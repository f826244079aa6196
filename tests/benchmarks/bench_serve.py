"""Rebuild time under ``mkdocs serve`` after one post-mortem is edited (a script, not a test).

    python tests/benchmarks/bench_serve.py [N]          (default: 1000 incidents)

Builds an N-incident site in-process the way ``mkdocs serve`` does: the plugins
get ``on_startup(command="serve")``, every build reloads the configuration (MkDocs
keeps the plugin instances, and with them the parse cache), and a thread is
running beside the builds, as the live-reload server's is. Then one incident is
edited and the site rebuilt. Prints both build times, how many post-mortems each build
parsed (cache misses), and how many pages it converted and indexed for search (the
others are taken from the last build).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import PLUGINS

sys.path.insert(0, str(PLUGINS))  # this checkout's package, whatever pip installed

from bench_site import ENV, PLUGIN_CONFIG
from generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark a serve rebuild.")
    parser.add_argument("size", nargs="?", type=int, default=1000)
    args = parser.parse_args()
    os.environ.update(ENV)

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from postmortem_kb import kb as kb_module

    parsed: list[int] = []
    batch = kb_module._Batch.__init__

    def counting(self: kb_module._Batch, files: list[kb_module._Item], job: object) -> None:
        parsed.append(len(files))  # the post-mortems a load hands out to be parsed
        batch(self, files, job)  # type: ignore[arg-type]

    kb_module._Batch.__init__ = counting  # type: ignore[method-assign]

    from postmortem_kb import plugin as plugin_module

    converted = [0]
    convert = plugin_module._converted

    def converting(page: Any, config: Any, files: Any) -> Any:
        converted[0] += 1  # a page's Markdown converted (not taken from the last build)
        return convert(page, config, files)

    plugin_module._converted = converting

    from material.plugins.search.plugin import SearchIndex  # type: ignore[import-untyped]

    indexed = [0]
    index = SearchIndex.add_entry_from_context

    def indexing(self: Any, page: Any) -> None:
        indexed[0] += 1  # a page indexed for search (not taken from the last build)
        index(self, page)

    SearchIndex.add_entry_from_context = indexing

    with tempfile.TemporaryDirectory(prefix="pmkb-serve-") as tmp:
        project = Path(tmp) / "kb"
        generate(project, args.size)
        config_file = project / "mkdocs.yml"
        config_file.write_text(PLUGIN_CONFIG, encoding="utf-8")
        site = Path(tmp) / "site"
        stop = threading.Event()
        server = threading.Thread(target=stop.wait, name="livereload-stand-in", daemon=True)
        server.start()
        try:
            config = load_config(str(config_file), site_dir=str(site))
            config.plugins.on_startup(command="serve", dirty=False)
            started = time.perf_counter()
            build(config)
            first = time.perf_counter() - started
            converted_first, converted[0] = converted[0], 0
            indexed_first, indexed[0] = indexed[0], 0

            edited = sorted((project / "postmortems").rglob("*.md"))[0]
            text = edited.read_text(encoding="utf-8")
            edited.write_text(
                text.replace("## Impact\n", "## Impact\n\nEdited while serving.\n", 1),
                encoding="utf-8",
            )
            config = load_config(str(config_file), site_dir=str(site))
            started = time.perf_counter()
            build(config)
            second = time.perf_counter() - started
        finally:
            stop.set()
            config.plugins.on_shutdown()

    print(f"incidents: {args.size}")
    print(
        f"first serve build: {first:6.1f} s, post-mortems parsed: {parsed[0]}, "
        f"pages converted: {converted_first}, indexed for search: {indexed_first}"
    )
    print(
        f"rebuild after one edit: {second:6.1f} s, post-mortems parsed: {parsed[1]}, "
        f"pages converted: {converted[0]}, indexed for search: {indexed[0]}"
    )


if __name__ == "__main__":
    main()
