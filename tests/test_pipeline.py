"""The page feed: planned pages rendered ahead in a worker process, or here, the same."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from postmortem_kb.kb import fork_workers
from postmortem_kb.pages import Content, HtmlStash
from postmortem_kb.pipeline import PageFeed

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _planned(stash: HtmlStash, pages: int = 50) -> dict[str, Content]:
    """Pages that stash a block each and say which process rendered them."""

    def page(n: int) -> Callable[[], str]:
        return lambda: f"# Page {n}\n\n{stash.add(f'<p>block {n}</p>')}rendered by {os.getpid()}\n"

    planned: dict[str, Content] = {f"p{n:02d}.md": page(n) for n in range(pages)}
    planned["static.md"] = "# Already rendered\n"
    return planned


@needs_fork
def test_a_worker_renders_every_page_and_its_stashed_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # other tests' servers may still run threads in this process, where fork_workers()
    # (tested below) says no: this test is about the feed, so it may fork
    monkeypatch.setattr("postmortem_kb.pipeline.fork_workers", lambda: 2)
    stash = HtmlStash()
    feed = PageFeed(_planned(stash), stash)
    try:  # (the worker may be done already: `ahead` is no reliable sign of it)
        texts = {uri: feed.get(uri) for uri in reversed(list(_planned(HtmlStash())))}
    finally:
        feed.close()
    assert texts["static.md"] == "# Already rendered\n"
    pids = {
        text.rsplit("rendered by ", 1)[1].strip()
        for uri, text in texts.items()
        if uri != "static.md"
    }
    assert pids != {str(os.getpid())} and len(pids) == 1  # all of them, elsewhere
    assert len(stash) == 50  # the worker's blocks came back with the pages
    for n in (0, 17, 49):
        page = texts[f"p{n:02d}.md"]
        token = page.split("\n\n", 1)[1].split("\n", 1)[0]
        assert stash.restore(f"<p>{token}</p>") == f"<p>block {n}</p>"
    assert not feed.ahead


def test_without_a_worker_pages_are_rendered_here_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("postmortem_kb.pipeline.fork_workers", lambda: 1)
    stash = HtmlStash()
    rendered: list[str] = []
    planned: dict[str, Content] = {
        "a.md": lambda: rendered.append("a") or "A",
        "b.md": lambda: rendered.append("b") or "B",
    }
    feed = PageFeed(planned, stash)
    assert not feed.ahead and rendered == []
    assert feed.get("b.md") == "B" and rendered == ["b"]
    assert feed.get("a.md") == "A" and rendered == ["b", "a"]


@needs_fork
def test_a_failing_page_fails_here_and_the_pages_before_it_come_from_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # other tests' servers may still run threads in this process, where fork_workers()
    # (tested below) says no: this test is about the feed, so it may fork
    monkeypatch.setattr("postmortem_kb.pipeline.fork_workers", lambda: 2)
    here = os.getpid()

    def broken() -> str:
        raise ValueError("a bug in a template")

    planned: dict[str, Content] = {
        "a.md": lambda: f"A {os.getpid()}",
        "b.md": broken,
        "c.md": lambda: f"C {os.getpid()}",
    }
    feed = PageFeed(planned, HtmlStash())
    try:
        assert feed.get("a.md") != f"A {here}"
        with pytest.raises(ValueError, match="a bug in a template"):
            feed.get("b.md")
        assert feed.get("c.md") == f"C {here}"  # the worker stopped at b: c is rendered here
    finally:
        feed.close()


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
