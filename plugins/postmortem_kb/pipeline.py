"""Rendering the planned pages in a second process while the site generator reads them.

MkDocs reads and renders pages one after the other, on one core. A :class:`PageFeed`
forks a worker that renders every planned page (:func:`postmortem_kb.pages.plan`) in
the order MkDocs will ask for them and sends each one as soon as it is done; a thread
of this process receives them (so the worker never waits on a full pipe), and
:meth:`PageFeed.get` waits only for a page the worker has not reached yet. The
rendering of the generated pages then overlaps MkDocs' own work on the other core.
The HTML blocks a page stashes (:class:`~postmortem_kb.pages.HtmlStash`) travel with it.

Where forking is not safe (:func:`postmortem_kb.kb.fork_workers`: no ``fork``, other
threads as under ``mkdocs serve``, ``PMKB_WORKERS=1``), or if the worker fails, a page
is rendered here when it is asked for. The content is the same either way.
"""

from __future__ import annotations

import multiprocessing
import threading
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
        self._arrived = threading.Condition()
        self._process: BaseProcess | None = None
        self._reader: threading.Thread | None = None
        self._receiving = False  # a reader thread takes pages from a worker
        pending = [uri for uri in (order or planned) if not isinstance(planned[uri], str)]
        if pending and fork_workers() >= 2:
            self._start(pending)

    @property
    def ahead(self) -> bool:
        """True while a worker renders pages ahead of the readers."""
        return self._receiving

    def get(self, uri: str) -> str:
        """The content of ``uri``: from the worker if it renders it, else rendered here."""
        content = self._planned[uri]
        if isinstance(content, str):
            return content
        with self._arrived:
            while uri not in self._ready and self.ahead:
                self._arrived.wait()
            text = self._ready.pop(uri, None)
        return text if text is not None else render(content)

    def close(self) -> None:
        """Stop the worker (if it is still running) and drop what it sent."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()  # its end of the pipe closes: the reader stops
            self._process.join()
            self._process = None
        if self._reader is not None:
            self._reader.join()
            self._reader = None
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
        self._process = process
        self._receiving = True
        self._reader = threading.Thread(
            target=self._receive, args=(receiver,), name="pmkb-pages-reader", daemon=True
        )
        self._reader.start()

    def _receive(self, conn: Connection) -> None:
        """The reader thread: take every page the worker sends, until it is done or fails."""
        try:
            while True:
                try:
                    message: _Message | None = conn.recv()
                except Exception:  # the worker failed (EOFError): the rest is rendered here
                    message = None
                if message is None:
                    return
                uri, text, blocks = message
                with self._arrived:
                    if self._stash is not None:
                        self._stash.merge(blocks)
                    self._ready[uri] = text
                    self._arrived.notify_all()
        finally:
            conn.close()
            with self._arrived:  # a page still waited for is rendered by whoever waits for it
                self._receiving = False
                self._arrived.notify_all()


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
    except Exception:  # the MkDocs process renders the rest itself, and reports the error
        pass
    finally:
        conn.close()
