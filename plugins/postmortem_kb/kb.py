"""``KnowledgeBase.load(settings)``: the one entry point both adapters call.

It finds every file under the post-mortems folder, accounts for each one
(published, draft hidden, failed, or ignored with a reason), parses and checks
the post-mortems and the pattern definitions, runs the cross-file rules, and
returns one immutable value.
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import os
import pickle
import threading
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, cast

from .corpus import alias_table, check_corpus, effective_patterns, resolve_aliases
from .model import Citations, Diagnostic, Level, PartialPostmortem, Pattern, Postmortem, Status
from .parse import parse_citations, parse_for_checks, parse_pattern
from .rules import check_postmortem
from .settings import Settings

__all__ = [
    "FileOutcome",
    "FileRecord",
    "KnowledgeBase",
    "LoadInProgress",
    "ParseCache",
    "Validation",
    "default_today",
    "fork_workers",
    "validate",
]

_T = TypeVar("_T")


class FileOutcome(StrEnum):
    """What a run did with one file found under the post-mortems folder."""

    PUBLISHED = "published"
    DRAFT_HIDDEN = "draft-hidden"
    FAILED = "failed"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One file's outcome; ``reason`` says why it was ignored or failed."""

    path: str
    outcome: FileOutcome
    reason: str = ""


# (relative path, file bytes, settings, today) -> (model, per-file diagnostics)
ParseCache = MutableMapping[
    tuple[str, bytes, Settings, date], tuple[Postmortem | Citations | None, tuple[Diagnostic, ...]]
]

_IGNORED_NAMES = {
    ".ds_store": "operating-system metadata",
    "thumbs.db": "operating-system metadata",
}


def _ignore_reason(name: str) -> str | None:
    """Why a file that is not a post-mortem is skipped, or None for a post-mortem."""
    lower = name.lower()
    if lower in _IGNORED_NAMES:
        return _IGNORED_NAMES[lower]
    if name.startswith(".#") or name.endswith(("~", ".swp", ".swo")) or name.startswith("#"):
        return "editor backup or lock file"
    if name.startswith("."):
        return "hidden file"
    if lower in ("readme.md", "index.md"):
        return "folder documentation, not a post-mortem"
    if lower.endswith(".markdown"):
        return "post-mortems must use the .md extension (rename it to .md to publish it)"
    if not lower.endswith(".md"):
        return "not a Markdown file (attachments may sit beside post-mortems)"
    return None


@dataclass(frozen=True, slots=True)
class _Found:
    rel: str
    path: str | None  # None: not readable, see reason
    reason: str = ""  # PM001 reason when path is None

    @property
    def name(self) -> str:
        return self.rel.rpartition("/")[2]


def _walk(settings: Settings) -> Iterator[_Found]:
    """Every file under the post-mortems folder, sorted, confined to the folder."""
    top = settings.postmortems_path
    root = settings.root.resolve()
    if not top.is_dir():
        return
    seen_dirs: set[Path] = set()

    def rel(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    def visit(folder: Path) -> Iterator[_Found]:
        real = folder.resolve()
        if real in seen_dirs:
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        # a file's relative path is its folder's plus its name: no path object per file
        prefix = rel(folder)
        prefix = "" if prefix == "." else prefix + "/"
        for entry in entries:
            here = prefix + entry.name
            if entry.is_symlink():
                target = Path(entry.path).resolve()
                if not target.is_relative_to(top):
                    yield _Found(
                        here,
                        None,
                        "symbolic link leaves the post-mortems folder; it is not followed",
                    )
                    continue
                if target.is_dir() and (target in seen_dirs or top.is_relative_to(target)):
                    yield _Found(here, None, "symbolic link loop; it is not followed")
                    continue
            if entry.is_dir():
                yield from visit(Path(entry.path))
            elif entry.is_file():
                yield _Found(here, entry.path)
            else:
                yield _Found(here, None, "not a regular file")

    yield from visit(top)


def default_today() -> date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (UTC) for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything known about a folder of post-mortems after one load.

    ``incidents`` are the post-mortems that get published (no errors; drafts
    only when ``settings.show_drafts``), sorted newest first then by id.
    ``patterns`` holds every pattern defined or cited (generated ones have
    ``defined == False``), keyed by id. ``diagnostics`` are sorted by path,
    line, column and code. ``files`` accounts for every file found.
    ``parsed`` holds every post-mortem that parsed into a model, failing ones
    included, by path, with its cited ids as written (for cross-file questions
    such as :func:`postmortem_kb.vcs.changed_diagnostics`).
    """

    settings: Settings
    today: date
    incidents: tuple[Postmortem, ...]
    patterns: Mapping[str, Pattern]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileRecord, ...]
    _by_id: Mapping[str, Postmortem] = field(default_factory=dict, repr=False)
    parsed: Mapping[str, Postmortem] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        settings: Settings,
        cache: ParseCache | None = None,
        *,
        only: Collection[str] | None = None,
    ) -> KnowledgeBase:
        """Parse, check and index the knowledge base described by ``settings``.

        With ``only`` (paths relative to the root), the per-file rules of
        :mod:`.rules` run for those files alone; every file is still parsed, and
        the cross-file rules see them all. That is for reporting on a few files
        of a large corpus (``pmkb validate --changed``): the other files'
        outcomes then ignore their rule diagnostics. ``cache`` is not used then.
        """
        return cls.start_load(settings, cache, only=only).result()

    @classmethod
    def start_load(
        cls,
        settings: Settings,
        cache: ParseCache | None = None,
        *,
        only: Collection[str] | None = None,
    ) -> LoadInProgress:
        """:meth:`load`, started: the files are found and read, and handed to worker
        processes where :func:`fork_workers` allows; this process is free until
        :meth:`LoadInProgress.result` (the site build starts the load before MkDocs
        clears the site folder and lists the theme's files, and takes it afterwards).
        ``cache`` is not used with ``only``."""
        fixed = None if only is None else frozenset(only)
        return LoadInProgress(cls._load_steps(settings, cache if fixed is None else None, fixed))

    @classmethod
    def _load_steps(
        cls, settings: Settings, cache: ParseCache | None, only: frozenset[str] | None
    ) -> Generator[None, None, KnowledgeBase]:
        scan = yield from _scan_steps(settings, cache, only, lean=False)
        aliases = alias_table(scan.patterns)
        incidents = [
            resolve_aliases(pm, aliases)
            for pm in scan.published
            if isinstance(pm, Postmortem)  # always: lean is off
        ]
        incidents.sort(key=lambda pm: pm.id)
        incidents.sort(key=lambda pm: pm.date, reverse=True)
        parsed = {rel: pm for rel, pm in scan.parsed if isinstance(pm, Postmortem)}
        return cls(
            settings=settings,
            today=scan.today,
            incidents=tuple(incidents),
            patterns=MappingProxyType(effective_patterns(scan.patterns, parsed.values())),
            diagnostics=scan.diagnostics,
            files=scan.files,
            _by_id=MappingProxyType({pm.id: pm for pm in incidents}),
            parsed=MappingProxyType(parsed),
        )

    # -- queries -------------------------------------------------------------------
    def incident(self, incident_id: str) -> Postmortem | None:
        """The published incident with this id."""
        return self._by_id.get(incident_id)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that fail every run."""
        return tuple(d for d in self.diagnostics if d.level is Level.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that fail only strict runs."""
        return tuple(d for d in self.diagnostics if d.level is Level.WARNING)

    def counts(self) -> dict[FileOutcome, int]:
        """How many files had each outcome (every outcome present, zero included)."""
        result = dict.fromkeys(FileOutcome, 0)
        for record in self.files:
            result[record.outcome] += 1
        return result

    def incidents_citing(self, pattern_id: str) -> tuple[Postmortem, ...]:
        """Published incidents citing the pattern as root cause or contributing factor."""
        return tuple(pm for pm in self.incidents if pattern_id in pm.patterns)


class LoadInProgress:
    """A :meth:`KnowledgeBase.load` under way (see :meth:`KnowledgeBase.start_load`)."""

    def __init__(self, steps: Generator[None, None, KnowledgeBase]) -> None:
        self._steps = steps
        self._done: KnowledgeBase | None = None
        self._given_up = False
        with _collector_paused():
            next(steps)  # up to the files' checks, handed out

    def result(self) -> KnowledgeBase:
        """The knowledge base (this process checks its share of the files now)."""
        if self._given_up:
            raise RuntimeError("this load was given up")
        if self._done is None:
            with _collector_paused():
                self._done = _run_to_end(self._steps)
        return self._done

    def cancel(self) -> None:
        """Give the load up: its workers stop, and there will be no result."""
        self._given_up = self._done is None
        self._steps.close()


def _run_to_end(steps: Generator[None, None, _T]) -> _T:
    """Run ``steps`` through its pauses, if any are left, and return what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return cast(_T, done.value)


@dataclass(frozen=True)
class Validation:
    """What ``pmkb validate`` needs of a load: every diagnostic and every file's outcome.

    The same files, rules and order as :meth:`KnowledgeBase.load`, but of each
    post-mortem only its :class:`Citations` are kept (``parsed``, by path), so a
    large corpus is checked without holding, or moving between processes, its models.
    """

    settings: Settings
    today: date
    patterns: Mapping[str, Pattern]
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[FileRecord, ...]
    parsed: Mapping[str, Citations]


def validate(settings: Settings, *, only: Collection[str] | None = None) -> Validation:
    """Check every file of the knowledge base.

    With ``only`` (``pmkb validate --changed``), those files are checked in full and
    every other file is read for its citations alone (its front matter: the body is
    not parsed), which is all the cross-file rules need of it; the other files'
    outcomes then reflect their front matter only.
    """
    with _collector_paused():
        fixed = None if only is None else frozenset(only)
        scan = _run_to_end(_scan_steps(settings, None, fixed, lean=True))
    patterns = effective_patterns(scan.patterns, (c for _, c in scan.parsed))
    return Validation(
        settings=settings,
        today=scan.today,
        patterns=MappingProxyType(patterns),
        diagnostics=scan.diagnostics,
        files=scan.files,
        parsed=MappingProxyType(
            {rel: c.citations() if isinstance(c, Postmortem) else c for rel, c in scan.parsed}
        ),
    )


@dataclass(frozen=True)
class _Scan:
    today: date
    patterns: dict[str, Pattern]  # defined ones, by id
    diagnostics: tuple[Diagnostic, ...]  # sorted, without repeats
    files: tuple[FileRecord, ...]  # sorted by path
    parsed: list[tuple[str, Postmortem | Citations]]  # every file that parsed, in path order
    published: list[Postmortem | Citations]  # those published, aliases not yet resolved


def _scan_steps(
    settings: Settings, cache: ParseCache | None, only: frozenset[str] | None, *, lean: bool
) -> Generator[None, None, _Scan]:
    """Find, account for, parse and check every file; then the cross-file rules.

    It pauses once, when the files' checks are handed out (to worker processes, if
    any): the caller may do other work before resuming it.
    """
    today = settings.today or default_today()
    diagnostics: list[Diagnostic] = []
    parsed: list[tuple[str, Postmortem | Citations | None, tuple[Diagnostic, ...]]] = []
    records: dict[str, FileRecord] = {}

    candidates: list[tuple[str, str]] = []
    for found in _walk(settings):
        if found.path is None:
            diagnostics.append(Diagnostic(found.rel, 1, 1, "PM001", Level.ERROR, found.reason))
            records[found.rel] = FileRecord(found.rel, FileOutcome.FAILED, found.reason)
            continue
        reason = _ignore_reason(found.name)
        if reason is not None:
            records[found.rel] = FileRecord(found.rel, FileOutcome.IGNORED, reason)
            continue
        candidates.append((found.rel, found.path))
    batch, merge = _start_files(candidates, settings, today, cache, only, lean)
    try:
        yield
        results = merge(batch.results())
    finally:
        batch.cancel()  # given up (or done: nothing left to stop)
    for (rel, _), (model, diags) in zip(candidates, results, strict=True):
        parsed.append((rel, model, diags))
        diagnostics.extend(diags)

    patterns, pattern_diags = _load_patterns(settings)
    diagnostics.extend(pattern_diags)
    models = [pm for _, pm, _ in parsed if pm is not None]
    diagnostics.extend(check_corpus(models, patterns, settings.patterns_dir))

    failing = {d.path for d in diagnostics if d.level is Level.ERROR}
    published: list[Postmortem | Citations] = []
    for rel, pm, _ in parsed:
        if pm is None or rel in failing:
            records[rel] = FileRecord(rel, FileOutcome.FAILED, "has errors")
        elif pm.status is Status.DRAFT and not settings.show_drafts:
            records[rel] = FileRecord(rel, FileOutcome.DRAFT_HIDDEN, "draft (show_drafts is off)")
        else:
            records[rel] = FileRecord(rel, FileOutcome.PUBLISHED)
            published.append(pm)
    return _Scan(
        today=today,
        patterns=patterns,
        diagnostics=tuple(sorted(set(diagnostics))),
        files=tuple(records[k] for k in sorted(records)),
        parsed=[
            (rel, pm)
            for rel, pm, _ in parsed
            if pm is not None and not (isinstance(pm, Citations) and not pm.complete)
        ],
        published=published,
    )


_Result = tuple[Postmortem | Citations | None, tuple[Diagnostic, ...]]

# From this many files to parse, parsing fans out over a process pool (below it, starting
# the workers costs more than it saves). PMKB_WORKERS=1 keeps everything in-process.
PARALLEL_MIN_FILES = 500
_CHUNK_FILES = 100


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a load.

    A load allocates millions of small, acyclic objects that all stay alive; the
    collector would walk the ever larger heap again and again for nothing (about
    an eighth of the CPU time of a 10,000-file load). Reference counting still
    frees everything as usual, and the collector runs again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Job:
    """What every file of one run is checked with."""

    settings: Settings
    today: date
    only: frozenset[str] | None  # run the per-file rules on these paths alone
    lean: bool  # keep only each post-mortem's citations (``pmkb validate``)


def _start_files(
    files: Sequence[tuple[str, str]],
    settings: Settings,
    today: date,
    cache: ParseCache | None,
    only: frozenset[str] | None = None,
    lean: bool = False,
) -> tuple[_Batch, Callable[[list[_Result]], list[_Result]]]:
    """Hand out the checks of the files the cache does not hold; with the function that
    makes the batch's results the results of every file, in order.

    Without a cache, reading is left to whoever parses (workers read in parallel).
    """
    job = _Job(settings, today, only, lean)
    if cache is None:
        return _Batch(list(files), job), lambda results: results
    results: list[_Result | None] = []
    todo: list[tuple[int, str, bytes]] = []
    for rel, path in files:
        data = _read(rel, path, settings)
        if not isinstance(data, bytes):
            results.append(data)
            continue
        key = (rel, data, settings, today)
        if key in cache:
            results.append(cache[key])
            continue
        todo.append((len(results), rel, data))
        results.append(None)

    def merge(fresh: list[_Result]) -> list[_Result]:
        for (index, rel, data), result in zip(todo, fresh, strict=True):
            results[index] = result
            if not lean:  # a cache serves full loads only
                cache[(rel, data, settings, today)] = result
        return [result for result in results if result is not None]

    return _Batch([(rel, data) for _, rel, data in todo], job), merge


def _read(rel: str, path: str, settings: Settings) -> bytes | _Result:
    """The file's bytes, or the PM001 result when it is too large or unreadable.

    Plain file-descriptor calls (one open, one fstat, reads to the end): half the cost
    of ``Path.read_bytes`` plus a ``stat``, which counts across 10,000 files.
    """
    limit = settings.max_file_bytes
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            size = os.fstat(fd).st_size
            chunks: list[bytes] = []
            read = 0
            while size <= limit and (chunk := os.read(fd, max(size - read, 0) + 1)):
                chunks.append(chunk)
                read += len(chunk)
                size = max(size, read)  # a file that grows while it is read
        finally:
            os.close(fd)
    except OSError as exc:
        return None, (
            Diagnostic(rel, 1, 1, "PM001", Level.ERROR, f"file cannot be read: {exc.strerror}"),
        )
    if size > limit:
        return None, (
            Diagnostic(
                rel,
                1,
                1,
                "PM001",
                Level.ERROR,
                f"file is {size} bytes, over the limit of {limit} bytes "
                "(max_file_bytes); split it or move attachments out",
            ),
        )
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _parse_one(
    rel: str, data: bytes, settings: Settings, today: date, check: bool = True
) -> _Result:
    """Parse one post-mortem, and run the per-file rules on it unless ``check`` is off.

    A file whose front matter has errors is checked too, on what could be read of it,
    and gives its incomplete citations (for the cross-file rules) instead of a model.
    """
    pm, diags = parse_for_checks(data, rel, settings)
    if pm is not None and check:
        diags = [*diags, *check_postmortem(pm, data, settings, today)]
    if isinstance(pm, PartialPostmortem):
        return pm.citations(), tuple(diags)
    return pm, tuple(diags)


def fork_workers() -> int:
    """How many processes may work at once, counting this one, by forking it.

    Forking is cheap (nothing is imported again) and safe only on a platform that has it
    and in a process with no other thread (``mkdocs serve`` runs a server thread): 1
    otherwise. ``PMKB_WORKERS`` overrides the CPU count (``PMKB_WORKERS=1``: no worker).
    """
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    wanted = os.environ.get("PMKB_WORKERS", "").strip()
    if wanted.isdigit():
        return max(1, int(wanted))
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


# A file to check: its relative path, and its bytes or where to read them.
_Item = tuple[str, bytes | str]


def _run_one(item: _Item, job: _Job) -> _Result:
    """Read (unless given the bytes), parse and check one post-mortem."""
    rel, source = item
    data = source if isinstance(source, bytes) else _read(rel, source, job.settings)
    if not isinstance(data, bytes):
        return data
    check = job.only is None or rel in job.only
    if job.lean and not check:  # only its citations matter: the body is not even parsed
        citations, front = parse_citations(data, rel, job.settings)
        return citations, tuple(front)
    pm, diags = _parse_one(rel, data, job.settings, job.today, check)
    if job.lean and isinstance(pm, Postmortem):
        return pm.citations(), diags
    return pm, diags


class _Batch:
    """Files being checked, in order; over a process pool when it pays off.

    The pool forks, so it is used only where :func:`fork_workers` allows (``mkdocs
    serve`` runs a server thread; its rebuilds go through the cache anyway). It starts
    on the chunks at once; this process is one of the workers when it asks for the
    :meth:`results`: the pool takes chunks from the front while this process checks
    chunks from the back (any the pool has not started yet), so its share never
    crosses a process boundary. Results are identical either way; any failure of the
    pool falls back to serial.
    """

    def __init__(self, files: list[_Item], job: _Job) -> None:
        self._files, self._job = files, job
        self._pool: ProcessPoolExecutor | None = None
        self._chunks: list[list[_Item]] = []
        self._futures: list[Future[bytes]] = []
        workers = min(fork_workers(), -(-len(files) // _CHUNK_FILES))
        if len(files) < PARALLEL_MIN_FILES or workers < 2:
            return
        self._chunks = [files[i : i + _CHUNK_FILES] for i in range(0, len(files), _CHUNK_FILES)]
        portable = replace(
            job, settings=replace(job.settings, blame_phrases=dict(job.settings.blame_phrases))
        )
        try:
            self._pool = ProcessPoolExecutor(
                workers - 1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(portable,),
            )
            self._futures = [self._pool.submit(_run_chunk, chunk) for chunk in self._chunks]
        except (OSError, RuntimeError):  # no processes to be had: serial
            self.cancel()

    def results(self) -> list[_Result]:
        """Every file's result, in order (this process checks what the pool has not begun)."""
        pool, job = self._pool, self._job
        if pool is None:
            return [_run_one(item, job) for item in self._files]
        done_here: dict[int, list[_Result]] = {}
        try:
            for index in reversed(range(len(self._chunks))):
                if not self._futures[index].cancel():
                    break  # the pool has started it: every chunk before it is taken too
                done_here[index] = [_run_one(item, job) for item in self._chunks[index]]
            results: list[_Result] = []
            for index, future in enumerate(self._futures):
                results.extend(
                    done_here[index] if index in done_here else pickle.loads(future.result())
                )
            return results
        except (OSError, RuntimeError):  # the pool broke (BrokenProcessPool is one)
            return [_run_one(item, job) for item in self._files]
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the pool (its chunks not started are dropped); nothing if there is none."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_WORKER_JOB: list[_Job] = []


def _start_worker(job: _Job) -> None:
    _WORKER_JOB[:] = [job]


def _run_chunk(chunk: list[_Item]) -> bytes:
    """In a worker: check a chunk, and pickle the results for the parent in one go."""
    job = _WORKER_JOB[0]
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump([_run_one(item, job) for item in chunk])
    return buffer.getvalue()


def _proxy(mapping: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(mapping)


def _reduce_proxy(proxy: MappingProxyType[str, int]) -> tuple[object, tuple[dict[str, int]]]:
    return _proxy, (dict(proxy),)


# A mappingproxy (a model's key_lines) does not pickle by itself: it travels as a dict
# and is wrapped again on arrival, with no copy of the model on either side.
_DISPATCH: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    MappingProxyType: _reduce_proxy,
}


def _load_patterns(settings: Settings) -> tuple[dict[str, Pattern], list[Diagnostic]]:
    """Every pattern definition in the patterns folder (not recursive), by id."""
    folder = settings.patterns_path
    patterns: dict[str, Pattern] = {}
    diagnostics: list[Diagnostic] = []
    if not folder.is_dir():
        return patterns, diagnostics
    root = settings.root.resolve()
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() in ("index.md", "readme.md"):
            continue
        rel = (
            path.resolve().relative_to(root).as_posix()
            if path.resolve().is_relative_to(root)
            else path.as_posix()
        )
        try:
            data = path.read_bytes()
        except OSError as exc:
            diagnostics.append(
                Diagnostic(rel, 1, 1, "PM001", Level.ERROR, f"file cannot be read: {exc.strerror}")
            )
            continue
        pattern, diags = parse_pattern(data, rel, settings)
        diagnostics.extend(diags)
        if pattern is not None:
            patterns[pattern.id] = pattern
    return patterns, diagnostics
