"""Rendering the planned pages in a second process while the site generator reads them.

MkDocs reads and renders pages one after the other, on one core. A :class:`PageFeed`
forks a worker that renders every planned page (:func:`postmortem_kb.pages.plan`) in
the order MkDocs will ask for them and sends each one as soon as it is done, so that
:meth:`PageFeed.get` waits only for a page the worker has not reached yet; the
rendering of the generated pages then overlaps MkDocs' own work on the other core.
The HTML blocks a page stashes (:class:`~postmortem_kb.pages.HtmlStash`) travel with it.

Where forking is not safe (:func:`postmortem_kb.kb.fork_workers`: no ``fork``, other
threads as under ``mkdocs serve``, ``PMKB_WORKERS=1``), or if the worker fails, a page
is rendered here when it is asked for. The content is the same either way.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Mapping
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .kb import fork_workers
from .pages import Content, HtmlStash, render

__all__ = ["PageFeed"]

# the worker's message per page: its URI, its content, the blocks it stashed
_Message = tuple[str, str, list[tuple[str, str, bool]]]


class PageFeed:
    """The planned files of a site, rendered ahead in a worker process when possible."""

    def __init__(
        self,
        planned: Mapping[str, Content],
        stash: HtmlStash | None = None,
        *,
        order: Iterable[str] | None = None,
    ) -> None:
        """``order``: the URIs in the order they will be asked for (default: ``planned``'s)."""
        self._planned = dict(planned)
        self._stash = stash
        self._ready: dict[str, str] = {}
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        pending = [uri for uri in (order or planned) if not isinstance(planned[uri], str)]
        if pending and fork_workers() >= 2:
            self._start(pending)

    @property
    def ahead(self) -> bool:
        """True while a worker renders pages ahead of the readers."""
        return self._conn is not None

    def get(self, uri: str) -> str:
        """The content of ``uri``: from the worker if it renders it, else rendered here."""
        content = self._planned[uri]
        if isinstance(content, str):
            return content
        while uri not in self._ready and self._conn is not None:
            self._receive()
        text = self._ready.pop(uri, None)
        return text if text is not None else render(content)

    def close(self) -> None:
        """Stop the worker (if it is still running) and drop what it sent."""
        self._stop_worker()
        self._ready.clear()

    def _start(self, pending: list[str]) -> None:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_produce,
            args=(sender, [(uri, self._planned[uri]) for uri in pending], self._stash),
            name="pmkb-pages",
            daemon=True,
        )
        try:
            process.start()
        except OSError:  # no process to be had: render here
            receiver.close()
            return
        finally:
            sender.close()  # the worker's end: this process only reads
        self._conn, self._process = receiver, process

    def _receive(self) -> None:
        assert self._conn is not None
        try:
            message: _Message | None = self._conn.recv()
        except (EOFError, OSError):  # the worker failed: what it did not send is rendered here
            message = None
        if message is None:
            self._stop_worker()
            return
        uri, text, blocks = message
        if self._stash is not None:
            self._stash.merge(blocks)
        self._ready[uri] = text

    def _stop_worker(self) -> None:
        """Stop reading from the worker; what it sent stays available."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None


def _produce(conn: Connection, pending: list[tuple[str, Content]], stash: HtmlStash | None) -> None:
    """The worker: render each page in order and send it with the blocks it stashed."""
    sent = len(stash) if stash is not None else 0
    try:
        for uri, content in pending:
            text = render(content)
            blocks = stash.blocks_from(sent) if stash is not None else []
            sent += len(blocks)
            conn.send((uri, text, blocks))
        conn.send(None)
    except Exception:  # the reader renders the rest itself, and reports the error
        pass
    finally:
        conn.close()
