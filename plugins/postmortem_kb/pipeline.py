"""Rendering the planned pages in a second process while the site generator reads them.

MkDocs reads and renders pages one after the other, on one core. A :class:`PageFeed`
forks a worker that renders every planned page (:func:`postmortem_kb.pages.plan`) in
the order MkDocs will ask for them and sends each one as soon as it is done; a thread
of this process receives them (so the worker never waits on a full pipe), and
:meth:`PageFeed.get` waits only for a page the worker has not reached yet. The
rendering of the generated pages then overlaps MkDocs' own work on the other core.
The HTML blocks a page stashed (:class:`~postmortem_kb.pages.HtmlStash`) travel with it.

Then the worker can take on the next step of some pages, ``finish(uri, text)`` (for the
MkDocs plugin: converting the page's Markdown to HTML), from the last of them
backwards, while this process does the same step from the first forwards;
:meth:`PageFeed.claim` tells the worker where this process has got to, so the two meet
in the middle, and :meth:`PageFeed.finished` hands over what the worker finished.

Where forking is not safe (:func:`postmortem_kb.kb.fork_workers`: no ``fork``, other
threads as under ``mkdocs serve``, ``PMKB_WORKERS=1``), or if the worker fails, a page
is rendered here when it is asked for, and nothing is finished ahead. The content is
the same either way.

A :class:`WorkAhead` is the same idea for a later step: a forked worker computes a
result per key, in the order this process will ask for them (for the MkDocs plugin: a
page's search index entries, while MkDocs renders the pages with the theme).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from ctypes import c_long
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .kb import fork_workers
from .pages import Content, HtmlStash, render

__all__ = ["Finish", "PageFeed", "WorkAhead"]

Finish = Callable[[str, str], object]
"""The worker's next step for a page: its URI and text in, something picklable out (None:
nothing to hand over)."""

# the worker's messages: a page's text and the blocks it stashed, or what `finish` made of it
_Text = tuple[str, str, list[tuple[str, str, bool]]]
_Finished = tuple[str, object]

LEAD = 128
"""How close (in finishing pages) this process may come to the worker before the worker
renders the pages it put off: MkDocs converts 128 incident pages in about the time the
put-off pages take to render, so they are ready when it asks for them."""


class PageFeed:
    """The planned files of a site, rendered ahead in a worker process when possible."""

    def __init__(
        self,
        planned: Mapping[str, Content],
        stash: HtmlStash | None = None,
        *,
        order: Iterable[str] | None = None,
    ) -> None:
        """``order``: the URIs in the order they will be asked for (default: ``planned``'s).

        The worker starts at :meth:`start`, or at the first :meth:`get`.
        """
        self._planned = dict(planned)
        self._stash = stash
        self._order = [uri for uri in (order or planned) if not isinstance(planned[uri], str)]
        self._finish: Finish | None = None
        self._finishing: list[str] = []
        self._then: Callable[[], object] | None = None
        self._position: dict[str, int] = {}
        self._ready: dict[str, str] = {}
        self._finished: dict[str, object] = {}
        self._arrived = threading.Condition()
        self._started = False
        self._claimed: c_long | None = None
        self._process: BaseProcess | None = None
        self._reader: threading.Thread | None = None
        self._receiving = False  # a reader thread takes pages from a worker

    @property
    def ahead(self) -> bool:
        """True while a worker renders pages ahead of the readers."""
        return self._receiving

    def start(
        self,
        finish: Finish | None = None,
        finishing: Sequence[str] = (),
        *,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Fork the worker, where that is safe (once; later calls do nothing).

        ``finishing``: URIs of planned pages, in the order they will be asked for, whose
        ``finish`` step the worker may take on, from the last backwards, once it has
        rendered them (see :meth:`claim`). ``then``: the worker's last task, once it has
        sent everything (it is not done at all without a worker, nor waited for).
        """
        if self._started:
            return
        self._started = True
        self._then = then
        if finish is not None:
            self._finish, self._finishing = finish, list(finishing)
            self._position = {uri: index for index, uri in enumerate(self._finishing)}
        if (self._order or self._finishing) and fork_workers() >= 2:
            self._start()

    def get(self, uri: str) -> str:
        """The content of ``uri``: from the worker if it renders it, else rendered here."""
        content = self._planned[uri]
        if isinstance(content, str):
            return content
        self.start()
        with self._arrived:
            while uri not in self._ready and self.ahead:
                self._arrived.wait()
            text = self._ready.pop(uri, None)
        return text if text is not None else render(content)

    def finished(self, uri: str) -> object | None:
        """What the worker's ``finish`` made of ``uri``, if it has arrived (it does not wait)."""
        with self._arrived:
            return self._finished.pop(uri, None)

    def claim(self, uri: str) -> None:
        """This process takes the ``finish`` step of ``uri`` (and of those before it) itself."""
        position = self._position.get(uri)
        claimed = self._claimed
        if position is not None and claimed is not None and position > claimed.value:
            claimed.value = position

    def wait(self) -> None:
        """Wait until the worker has sent everything and ended (what it sent is kept):
        then this process has no thread of the feed's."""
        if self._process is not None:
            self._process.join()
        if self._reader is not None:
            self._reader.join()

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
        self._finished.clear()

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        # where this process has got to in `finishing`; the worker reads it, lock-free
        claimed = context.RawValue(c_long, -1)
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_produce,
            args=(sender, self, claimed),
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
        self._claimed = claimed
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
                    message: _Text | _Finished | None = conn.recv()
                except Exception:  # the worker failed (EOFError): the rest is rendered here
                    message = None
                if message is None:
                    return
                with self._arrived:
                    if len(message) == 2:  # (uri, what `finish` made of it)
                        self._finished[message[0]] = message[1]
                    else:
                        uri, text, blocks = message
                        if self._stash is not None:
                            self._stash.merge(blocks)
                        self._ready[uri] = text
                    self._arrived.notify_all()
        finally:
            conn.close()
            with self._arrived:  # a page still waited for is rendered by whoever waits for it
                self._receiving = False
                self._arrived.notify_all()


def _produce(conn: Connection, feed: PageFeed, claimed: c_long) -> None:
    """The worker: render the pages and send each with the blocks it stashed; take the
    ``finish`` steps from the last page backwards until this process has claimed the next.

    The pages that come after the first finishing one and are not finishing themselves
    (the MkDocs process reads them only once it is past the finishing pages before them)
    wait until this process is :data:`LEAD` pages from the worker, or the steps are done.
    Then the worker does its last task (``then``), if it was given one.
    """
    stash = feed._stash
    sent = len(stash) if stash is not None else 0
    texts: dict[str, str] = {}

    def send_text(uri: str) -> None:
        nonlocal sent
        text = render(feed._planned[uri])
        blocks = stash.blocks_from(sent) if stash is not None else []
        sent += len(blocks)
        conn.send((uri, text, blocks))
        if uri in feed._position:
            texts[uri] = text

    finish, finishing = feed._finish, feed._finishing  # no steps without a finish (start)
    first = next((n for n, uri in enumerate(feed._order) if uri in feed._position), None)
    later = [] if first is None else [u for u in feed._order[first:] if u not in feed._position]
    try:
        put_off = set(later)
        for uri in feed._order:
            if uri not in put_off:
                send_text(uri)
        for position in reversed(range(len(finishing))):
            if claimed.value >= position:
                break
            if later and position - claimed.value <= LEAD:
                for uri in later:
                    send_text(uri)
                later = []
            uri = finishing[position]
            text = texts.pop(uri) if uri in texts else render(feed._planned[uri])
            done = finish(uri, text) if finish is not None else None
            if done is not None:
                conn.send((uri, done))
        for uri in later:
            send_text(uri)
        conn.send(None)
        if feed._then is not None:
            feed._then()
    except Exception:  # the MkDocs process does the rest itself, and reports any error
        pass
    finally:
        conn.close()


class WorkAhead:
    """``work(key)`` for each key, computed in a forked worker in the order given, while
    this process goes on; :meth:`take` hands over a key's result when it is needed.

    Nothing is forked where that is not safe (:func:`~postmortem_kb.kb.fork_workers`);
    then, or when the worker fails, :meth:`take` answers None and the caller does the
    work itself. ``work`` runs on the worker's copy of this process as it was at
    :meth:`start`; its results must be picklable.
    """

    def __init__(self, keys: Sequence[str], work: Callable[[str], object]) -> None:
        self._keys = list(dict.fromkeys(keys))
        self._work = work
        self._waiting = set(self._keys)  # results not taken yet
        self._arrived: dict[str, object] = {}
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None

    def start(self) -> bool:
        """Fork the worker; False if it is not safe or not possible (nothing is done ahead)."""
        if self._process is not None or not self._keys or fork_workers() < 2:
            return self._process is not None
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_work_ahead,
            args=(sender, self._keys, self._work),
            name="pmkb-ahead",
            daemon=True,
        )
        try:
            process.start()
        except OSError:
            receiver.close()
            return False
        finally:
            sender.close()  # the worker's end: this process only reads
        self._conn, self._process = receiver, process
        return True

    def take(self, key: str) -> object | None:
        """The result for ``key``, waiting for it; None if it is not to be had (not a key,
        taken already, no worker, or the worker failed on it or stopped)."""
        if key not in self._waiting:
            return None
        self._waiting.discard(key)
        if key in self._arrived:
            return self._arrived.pop(key)
        while self._conn is not None:
            try:
                message: tuple[str, object] | None = self._conn.recv()
            except Exception:  # the worker ended without saying so (EOFError)
                message = None
            if message is None:  # done or failed: what arrived before stays to be taken
                self._stop()
                break
            got, result = message
            if got == key:
                return result
            if got in self._waiting:
                self._arrived[got] = result
        return None

    def close(self) -> None:
        """Stop the worker (if it is still running) and drop what it computed."""
        self._stop()
        self._arrived.clear()
        self._waiting.clear()

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None


def _work_ahead(conn: Connection, keys: Sequence[str], work: Callable[[str], object]) -> None:
    """The worker of a :class:`WorkAhead`: each key's result, in order, then None."""
    try:
        for key in keys:
            try:
                result = work(key)
            except Exception:  # this one is done by the MkDocs process itself
                result = None
            conn.send((key, result))
        conn.send(None)
    except Exception:  # the MkDocs process stopped listening (closed): nothing to do
        pass
    finally:
        conn.close()
