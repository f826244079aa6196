"""The page feed: planned pages rendered ahead in a worker process, or here, the same.

The feed forks only in a process with no other thread; the tests that fork run in a
fresh interpreter (other tests leave server threads running in this one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from postmortem_kb.kb import fork_workers
from postmortem_kb.pages import Content, HtmlStash
from postmortem_kb.pipeline import PageFeed, WorkAhead

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def _in_fresh_process(script: str, **env_vars: str) -> Any:
    """Run ``script`` in a new interpreter (no other thread); what it prints, as JSON."""
    env = {**os.environ, "PYTHONPATH": str(PLUGINS), "PMKB_WORKERS": "2", **env_vars}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_fork
def test_a_worker_renders_every_page_and_its_stashed_blocks() -> None:
    result = _in_fresh_process(
        """
        import json, os
        from postmortem_kb.pages import HtmlStash
        from postmortem_kb.pipeline import PageFeed

        stash = HtmlStash()

        def page(n):
            return lambda: f"# Page {n}\\n\\n{stash.add(f'<p>block {n}</p>')}by {os.getpid()}\\n"

        planned = {f"p{n:02d}.md": page(n) for n in range(50)}
        planned["static.md"] = "# Already rendered\\n"
        feed = PageFeed(planned, stash)
        texts = {uri: feed.get(uri) for uri in reversed(list(planned))}  # any order
        feed.close()
        blocks = {}
        for n in (0, 17, 49):
            token = texts[f"p{n:02d}.md"].split("\\n\\n", 1)[1].split("\\n", 1)[0]
            blocks[n] = stash.restore(f"<p>{token}</p>")
        pids = sorted({t.rsplit("by ", 1)[1].strip() for u, t in texts.items() if u != "static.md"})
        print(json.dumps({
            "here": str(os.getpid()), "pids": pids,
            "static": texts["static.md"], "stashed": len(stash), "blocks": blocks,
            "ahead_after_close": feed.ahead,
        }))
        """
    )
    assert len(result["pids"]) == 1 and result["pids"] != [result["here"]]  # all elsewhere
    assert result["static"] == "# Already rendered\n"
    assert result["stashed"] == 50  # the worker's blocks came back with the pages
    assert result["blocks"] == {
        "0": "<p>block 0</p>",
        "17": "<p>block 17</p>",
        "49": "<p>block 49</p>",
    }
    assert result["ahead_after_close"] is False


@needs_fork
def test_a_failing_page_fails_here_and_the_pages_before_it_come_from_the_worker() -> None:
    result = _in_fresh_process(
        """
        import json, os
        from postmortem_kb.pages import HtmlStash
        from postmortem_kb.pipeline import PageFeed

        def broken():
            raise ValueError("a bug in a template")

        planned = {
            "a.md": lambda: f"A {os.getpid()}",
            "b.md": broken,
            "c.md": lambda: f"C {os.getpid()}",
        }
        feed = PageFeed(planned, HtmlStash())
        a = feed.get("a.md")
        try:
            feed.get("b.md")
            error = None
        except ValueError as exc:
            error = str(exc)
        c = feed.get("c.md")
        feed.close()
        print(json.dumps({"here": os.getpid(), "a": a, "error": error, "c": c}))
        """
    )
    here = result["here"]
    assert result["a"].startswith("A ") and result["a"] != f"A {here}"  # from the worker
    assert result["error"] == "a bug in a template"  # raised here, where the build reports it
    assert result["c"] == f"C {here}"  # the worker stopped at b: c is rendered here


@needs_fork
def test_the_worker_finishes_pages_from_the_back_until_this_process_meets_it() -> None:
    result = _in_fresh_process(
        """
        import json, os, time
        from postmortem_kb.pipeline import PageFeed

        order = [f"p{n:02d}.md" for n in range(30)] + ["index.md", "data.json"]
        planned = {uri: (lambda uri=uri: f"{uri} by {os.getpid()}") for uri in order}
        finishing = order[:30]

        def finish(uri, text):
            time.sleep(0.01)  # the worker takes a while too: not every page before this process
            return f"finished {text} in {os.getpid()}"

        feed = PageFeed(planned, order=order)
        feed.start(finish, finishing)
        taken, own, texts = [], [], {}
        for uri in order:
            text = texts[uri] = feed.get(uri)
            if uri in finishing:
                done = feed.finished(uri)
                if done is None:
                    feed.claim(uri)
                    own.append(uri)
                    time.sleep(0.02)  # this process is slow: the worker takes pages at the end
                    done = f"finished {text} in {os.getpid()}"
                taken.append(done)
        feed.close()
        print(json.dumps({"here": os.getpid(), "taken": taken, "own": own,
                          "last": [texts["index.md"], texts["data.json"]]}))
        """
    )
    here = str(result["here"])
    own = result["own"]
    # this process finished a first run of pages; the worker every page after it, the last
    # one included, each exactly once, and each from the text the worker rendered
    assert own == [f"p{n:02d}.md" for n in range(len(own))]
    assert 1 <= len(own) < 30
    # every text, the put-off pages' included, came from one worker
    rendered_by = {done.split(" by ", 1)[1].split(" in ", 1)[0] for done in result["taken"]}
    rendered_by |= {text.split(" by ", 1)[1] for text in result["last"]}
    assert len(rendered_by) == 1 and here not in rendered_by
    for n, done in enumerate(result["taken"]):
        assert done.startswith(f"finished p{n:02d}.md by ")
        assert (done.rsplit(" in ", 1)[1] == here) == (n < len(own))
    # the pages put off (not finished, after the first finished one) arrived all the same
    assert [text.split(" by ", 1)[0] for text in result["last"]] == ["index.md", "data.json"]


@needs_fork
def test_the_worker_does_its_last_task_once_it_has_sent_every_page(tmp_path: Path) -> None:
    result = _in_fresh_process(
        f"""
        import json, os, time
        from pathlib import Path
        from postmortem_kb.pipeline import PageFeed

        done = Path({str(tmp_path / "done")!r})
        planned = {{"a.md": lambda: f"A by {{os.getpid()}}", "b.md": lambda: "B"}}
        feed = PageFeed(planned)
        feed.start(then=lambda: (done / str(os.getpid())).mkdir(parents=True))
        texts = [feed.get("a.md"), feed.get("b.md")]
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        feed.close()
        print(json.dumps({{"here": os.getpid(), "texts": texts, "by": os.listdir(done)}}))
        """
    )
    worker = result["texts"][0].split(" by ")[1]
    assert worker != str(result["here"]) and result["texts"][1] == "B"
    assert result["by"] == [worker]


_BUILD_WATCHING_THE_WORKER = """
    {prelude}
    import json, logging, sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from site_helpers import build_site, pattern, postmortem, record_search_indexing, write_project
    from postmortem_kb import plugin

    root = Path({root!r})
    files = {{
        f"postmortems/2025/2025-03-{{10 + n}}-outage-{{n}}.md": postmortem(
            title=f"Outage {{n}}", date=f"2025-03-{{10 + n}}"
        )
        for n in range(8)
    }}
    files["docs/patterns/cache-stampede.md"] = pattern(
        "Cache stampede", body="See [the runbook](missing-runbook.md)."
    )
    config = write_project(root, files)
    adopted = []
    render = plugin._FedPage.render

    def slow(self, config, files):
        if self.file.src_uri in self._feed._finished:
            adopted.append(self.file.src_uri)
        else:
            time.sleep(0.25)  # this process converts slowly: the worker takes the last pages
        render(self, config, files)

    plugin._FedPage.render = slow
    indexed_here = record_search_indexing()  # the pages search indexes in this process
    warnings = []

    class Keep(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logging.getLogger({logger!r}).addHandler(Keep(logging.WARNING))
    build_site(config, root / "site", strict=False)
    print(json.dumps({{"adopted": adopted, "warnings": warnings, "indexed_here": indexed_here}}))
"""


@needs_fork
@pytest.mark.parametrize("generator", ["mkdocs", "properdocs"])
def test_pages_the_workers_convert_and_index_are_the_pages_mkdocs_makes(
    tmp_path: Path, generator: str
) -> None:
    """The same site (its search index included) and the same warnings (logged once, by
    MkDocs' logger) whether the pages are converted and indexed for search in workers or
    in the MkDocs process, under MkDocs and under ProperDocs (whose ``Page`` is its own)."""
    if generator == "properdocs":
        pytest.importorskip("properdocs")
    prelude = "import properdocs.replacement" if generator == "properdocs" else ""
    tests = str(Path(__file__).parent)
    runs = {}
    for workers in ("2", "1"):
        root = tmp_path / f"workers-{workers}"
        script = _BUILD_WATCHING_THE_WORKER.format(
            prelude=prelude, tests=tests, root=str(root), logger=generator
        )
        runs[workers] = _in_fresh_process(script, PMKB_WORKERS=workers)
    assert "patterns/cache-stampede.md" in runs["2"]["adopted"]  # converted in the worker
    assert runs["1"]["adopted"] == []
    for run in runs.values():
        [warning] = [w for w in run["warnings"] if "missing-runbook.md" in w]
        assert warning == (
            "Doc file 'patterns/cache-stampede.md' contains a link 'missing-runbook.md', but the "
            "target 'patterns/missing-runbook.md' is not found among documentation files."
        )
    assert runs["1"]["warnings"] == runs["2"]["warnings"]
    # the incident pages are indexed for search in the worker, or here without one
    incidents = sorted(f"incidents/2025-03-{10 + n}-outage-{n}.md" for n in range(8))
    assert sorted(u for u in runs["1"]["indexed_here"] if u.startswith("incidents/2")) == incidents
    assert [u for u in runs["2"]["indexed_here"] if u.startswith("incidents/2")] == []
    assert "index.md" in runs["1"]["indexed_here"]
    one, two = tmp_path / "workers-1" / "site", tmp_path / "workers-2" / "site"
    written = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert len(written) > 20
    different = [p for p in written if (one / p).read_bytes() != (two / p).read_bytes()]
    assert different == []


def test_without_a_worker_pages_are_rendered_here_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("postmortem_kb.pipeline.fork_workers", lambda: 1)
    stash = HtmlStash()
    rendered: list[str] = []

    def page(name: str) -> Callable[[], str]:
        def render() -> str:
            rendered.append(name)
            return name.upper()

        return render

    planned: dict[str, Content] = {"a.md": page("a"), "b.md": page("b")}
    feed = PageFeed(planned, stash)
    feed.start(then=lambda: rendered.append("the worker's last task"))  # no worker: not done
    assert not feed.ahead and rendered == []
    assert feed.get("b.md") == "B" and rendered == ["b"]
    assert feed.get("a.md") == "A" and rendered == ["b", "a"]


@needs_fork
def test_fork_workers_is_one_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forking a process with threads can deadlock the child: no worker then."""
    monkeypatch.setenv("PMKB_WORKERS", "3")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert fork_workers() == 3
    monkeypatch.setenv("PMKB_WORKERS", "1")
    assert fork_workers() == 1
    monkeypatch.undo()
    monkeypatch.setenv("PMKB_WORKERS", "3")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert fork_workers() == 1
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_work_ahead_hands_over_each_result_once_in_any_order() -> None:
    """Computed in a worker (its pid in each result); a key asked for before its turn
    comes waits for it, the ones before it are kept; a key not given, or taken already,
    or whose work failed, answers None (the caller does the work itself)."""
    result = _in_fresh_process(
        """
        import json, os
        from postmortem_kb.pipeline import WorkAhead

        def work(key):
            if key == "bad":
                raise ValueError(key)
            return f"{key} by {os.getpid()}"

        ahead = WorkAhead(["a", "b", "bad", "c"], work)
        started = ahead.start()
        got = [ahead.take("c"), ahead.take("a"), ahead.take("bad"), ahead.take("a"),
               ahead.take("zzz"), ahead.take("b")]
        ahead.close()
        print(json.dumps({"here": os.getpid(), "started": started, "got": got}))
        """
    )
    assert result["started"] is True
    c, a, bad, again, unknown, b = result["got"]
    workers = {c.split(" by ")[1], a.split(" by ")[1], b.split(" by ")[1]}
    assert [c.split(" by ")[0], a.split(" by ")[0], b.split(" by ")[0]] == ["c", "a", "b"]
    assert len(workers) == 1 and str(result["here"]) not in workers
    assert (bad, again, unknown) == (None, None, None)


def test_work_ahead_without_a_worker_answers_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("postmortem_kb.pipeline.fork_workers", lambda: 1)
    ahead = WorkAhead(["a"], lambda key: key.upper())
    assert ahead.start() is False
    assert ahead.take("a") is None


@needs_fork
def test_a_page_changed_after_the_worker_read_it_is_indexed_here(tmp_path: Path) -> None:
    """A hook after the plugin's changes one incident page's HTML and another's search
    metadata once the worker has read them: search indexes those two pages in the MkDocs
    process, as they now are (the second not at all); the third keeps the worker's."""
    (tmp_path / "hook.py").write_text(
        "def on_env(env, config, files):\n"
        "    page = files.get_file_from_path('incidents/2025-03-11-outage-1.md').page\n"
        "    page.content = '<p>Added by a hook after conversion</p>' + page.content\n"
        "    other = files.get_file_from_path('incidents/2025-03-12-outage-2.md').page\n"
        "    other.meta['search'] = {'exclude': True}\n"
        "    return env\n",
        encoding="utf-8",
    )
    result = _in_fresh_process(
        f"""
        import json, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from site_helpers import (
            MKDOCS_YML, build_site, postmortem, record_search_indexing, write_project
        )

        root = Path({str(tmp_path)!r})
        files = {{
            f"postmortems/2025/2025-03-{{10 + n}}-outage-{{n}}.md": postmortem(
                title=f"Outage {{n}}", date=f"2025-03-{{10 + n}}"
            )
            for n in range(3)
        }}
        config = write_project(root, files, {{**MKDOCS_YML, "hooks": [str(root / "hook.py")]}})
        indexed_here = record_search_indexing()
        build_site(config, root / "site", strict=False)
        docs = json.loads((root / "site/search/search_index.json").read_text())["docs"]
        changed = [d["text"] for d in docs if d["location"].startswith("incidents/2025-03-11")]
        excluded = [d for d in docs if d["location"].startswith("incidents/2025-03-12")]
        kept = [d for d in docs if d["location"].startswith("incidents/2025-03-10")]
        print(json.dumps({{"here": [u for u in indexed_here if u.startswith("incidents/2")],
                           "changed": changed, "excluded": len(excluded), "kept": len(kept)}}))
        """
    )
    assert result["here"] == [
        "incidents/2025-03-11-outage-1.md",
        "incidents/2025-03-12-outage-2.md",
    ]
    assert sum("Added by a hook after conversion" in text for text in result["changed"]) == 1
    assert result["excluded"] == 0 and result["kept"] > 0


@needs_fork
def test_work_ahead_whose_worker_dies_answers_none_for_the_rest() -> None:
    """The worker killed at "c" (as by the kernel's OOM killer): asked for "c" first, the
    caller gets None (and does it itself); "a" and "b", which arrived before, are still
    handed over; "d" answers None at once."""
    result = _in_fresh_process(
        """
        import json, os
        from postmortem_kb.pipeline import WorkAhead

        def work(key):
            if key == "c":
                os._exit(9)
            return key.upper()

        ahead = WorkAhead(["a", "b", "c", "d"], work)
        ahead.start()
        print(json.dumps([ahead.take(k) for k in ("c", "a", "b", "d")]))
        """
    )
    assert result == [None, "A", "B", None]
