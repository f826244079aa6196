"""Validate only what a pull request changes: ``pmkb validate --changed BASE_REF``.

:func:`changed_files` asks git which post-mortems and pattern definitions
differ from ``BASE_REF``; :func:`changed_diagnostics` keeps the diagnostics of
those files plus the cross-file ones that involve them:

- PM007 on an unchanged file whose id collides with a changed file's id;
- PM051 on an unchanged file whose ``related`` names a changed, renamed-away or
  deleted post-mortem (by its id, or by its file stem when it is gone);
- PM050 on an unchanged file citing a pattern whose definition changed, was
  renamed away or deleted.

Every file is still parsed (the cross-file rules need every id), but the
per-file rules run on the changed files only (:func:`validate_changed`), and
only this slice is reported, so a large corpus with old warnings does not
drown a pull request's own findings.
"""

from __future__ import annotations

import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from .corpus import fold as _fold
from .kb import KnowledgeBase, Validation, validate
from .model import Diagnostic
from .settings import Settings

__all__ = ["ChangedFiles", "GitError", "changed_diagnostics", "changed_files", "validate_changed"]


class GitError(RuntimeError):
    """git could not answer (not a repository, unknown ref, git missing)."""


@dataclass(frozen=True, slots=True)
class ChangedFiles:
    """Paths relative to ``settings.root`` (``/`` separators), each sorted.

    ``changed``: added, copied, modified, or the new name of a renamed file;
    ``gone``: deleted, or the old name of a renamed file.
    """

    changed: tuple[str, ...]
    gone: tuple[str, ...]


def _git(settings: Settings, *args: str) -> bytes:
    """Run git in the project root; its output, or :class:`GitError` with git's last word."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=settings.root,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not run: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(detail[-1] if detail else f"git exited with {done.returncode}")
    return done.stdout


def changed_files(settings: Settings, base_ref: str) -> ChangedFiles:
    """Post-mortems and pattern definitions this branch changes compared with ``base_ref``.

    Compares the work tree (uncommitted edits and new untracked files count, like
    the files validation reads) with the merge base of ``base_ref`` and ``HEAD``: what the branch
    changed, not what ``base_ref`` gained since the branch left it. Runs
    ``git diff --name-status -M --relative MERGE_BASE -- <postmortems_dir> <patterns_dir>``.
    """
    if not base_ref or base_ref.startswith("-"):
        raise GitError(f"not a git revision: {base_ref!r}")
    try:
        merge_base = _git(settings, "merge-base", base_ref, "HEAD").decode("ascii").strip()
        output = _git(
            settings,
            "diff",
            "--name-status",
            "-z",
            "-M",
            "--relative",
            "--no-ext-diff",
            merge_base,
            "--",
            settings.postmortems_dir,
            settings.patterns_dir,
        )
        # new files the author has not added yet are changes too
        untracked = _git(
            settings,
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            settings.postmortems_dir,
            settings.patterns_dir,
        )
    except GitError as exc:
        raise GitError(f"git diff against {base_ref!r} failed: {exc}") from None
    changed: set[str] = set()
    gone: set[str] = set()
    fields = output.decode("utf-8", "surrogateescape").split("\0")
    position = 0
    while position < len(fields) and fields[position]:
        status = fields[position]
        if status[:1] in ("R", "C"):  # status, old path, new path
            old, new = fields[position + 1], fields[position + 2]
            if status[0] == "R":
                gone.add(old)
            changed.add(new)
            position += 3
            continue
        path = fields[position + 1]
        (gone if status[:1] == "D" else changed).add(path)
        position += 2
    changed.update(p for p in untracked.decode("utf-8", "surrogateescape").split("\0") if p)
    return ChangedFiles(tuple(sorted(changed)), tuple(sorted(gone)))


def changed_diagnostics(
    kb: KnowledgeBase | Validation, changed: Collection[str], gone: Collection[str] = ()
) -> tuple[Diagnostic, ...]:
    """The diagnostics of ``changed`` files and the cross-file ones involving them, sorted."""
    changed_set = set(changed)
    patterns_prefix = kb.settings.patterns_dir.rstrip("/") + "/"
    incident_ids = {_fold(PurePosixPath(p).stem) for p in (*changed_set, *gone)}
    incident_ids |= {_fold(kb.parsed[p].id) for p in changed_set if p in kb.parsed}
    pattern_ids = {
        PurePosixPath(p).stem for p in (*changed_set, *gone) if p.startswith(patterns_prefix)
    }
    for pattern in kb.patterns.values():
        if pattern.defined and pattern.path in changed_set:
            pattern_ids |= {pattern.id, *pattern.aliases}

    def involved(diagnostic: Diagnostic) -> bool:
        if diagnostic.path in changed_set:
            return True
        pm = kb.parsed.get(diagnostic.path)
        if pm is None:
            return False
        if diagnostic.code == "PM007":
            return _fold(pm.id) in incident_ids
        if diagnostic.code == "PM051":
            return any(_fold(related) in incident_ids for related in pm.related)
        if diagnostic.code == "PM050":
            return any(cited in pattern_ids for cited in pm.patterns)
        return False

    return tuple(d for d in kb.diagnostics if involved(d))


def validate_changed(
    settings: Settings, base_ref: str
) -> tuple[Validation, ChangedFiles, tuple[Diagnostic, ...]]:
    """``pmkb validate --changed BASE_REF``: the knowledge base (per-file rules on the
    changed files only), what changed, and the diagnostics to report. Raises :class:`GitError`."""
    files = changed_files(settings, base_ref)
    kb = validate(settings, only=files.changed)
    return kb, files, changed_diagnostics(kb, files.changed, files.gone)
