"""The author's side: ``pmkb new`` scaffolds and ``pmkb related`` suggestions.

A scaffold is valid front matter plus the nine sections, each with guidance in
an HTML comment (it never renders) and placeholders the parser reports as PM011
until the author replaces them. Front-matter times start at ``00:00``: the
timeline checks (PM026, PM008) flag them once the timeline holds real times.

Related incidents come from the site's graph (:mod:`.graph`): a draft that is
not published yet is added to a copy of the corpus, so the PR summary, the CLI
and the incident pages rank with one scoring function.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import jinja2
import yaml

from .corpus import alias_table, resolve_aliases
from .graph import build_graph, co_occurring_patterns, related_incidents
from .kb import KnowledgeBase
from .model import Pattern, Postmortem, Severity
from .parse import is_slug
from .settings import Settings

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "PLACEHOLDER_AUTHOR",
    "PLACEHOLDER_PATTERN",
    "NewPostmortem",
    "Related",
    "RelatedIncident",
    "RelatedPattern",
    "ScaffoldError",
    "ScaffoldExistsError",
    "create_postmortem",
    "git_user_name",
    "related_to",
    "render_scaffold",
    "scaffold_path",
    "slugify",
]

PLACEHOLDER_AUTHOR = "[your name]"
PLACEHOLDER_PATTERN = "[pattern-id]"
# Where `pmkb schema -o` puts a local copy for editors (MkDocs then also serves it).
DEFAULT_SCHEMA_PATH = "docs/schema/postmortem.schema.json"
MAX_ID = 80

_TEMPLATE = "new_postmortem.md.j2"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# characters a title cannot carry into a one-line YAML value or a heading
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ScaffoldError(ValueError):
    """The scaffold cannot be made from these inputs (the message says which and why)."""


class ScaffoldExistsError(ScaffoldError):
    """The file, or another post-mortem with the same id, already exists."""


def slugify(text: str, limit: int = MAX_ID) -> str:
    """``text`` as an id: ASCII-folded, lower case, hyphens, at most ``limit`` characters.

    Cuts at a word boundary when the text is too long; empty when nothing is left.

    >>> slugify("Checkout: 502s after the Zürich DB fail-over!")
    'checkout-502s-after-the-zurich-db-fail-over'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    boundary = cut.rfind("-")
    return (cut[:boundary] if boundary > 0 else slug[:limit]).strip("-")


@dataclass(frozen=True, slots=True)
class NewPostmortem:
    """What ``pmkb new`` was asked for."""

    title: str
    date: date
    severity: Severity = Severity.P2
    timezone: str = "UTC"
    services: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    slug: str | None = None

    @property
    def id(self) -> str:
        """The incident id: ``<date>-<slug>`` (also the file name)."""
        prefix = f"{self.date.isoformat()}-"
        slug = self.slug if self.slug is not None else slugify(self.title, MAX_ID - len(prefix))
        return f"{prefix}{slug}"


def _check(spec: NewPostmortem) -> None:
    """Refuse inputs that would make a file the parser rejects for another reason than PM011."""
    if not spec.title.strip():
        raise ScaffoldError("the title is empty")
    if _CONTROL.search(spec.title):
        raise ScaffoldError("the title contains a line break or control character")
    if spec.slug is not None and not is_slug(spec.slug):
        raise ScaffoldError(
            f"slug {spec.slug!r} is not valid: use lower-case ASCII letters, digits and hyphens"
        )
    if spec.slug is None and not slugify(spec.title):
        raise ScaffoldError(
            "the title has no ASCII letters or digits to make a file name from; pass --slug"
        )
    if not is_slug(spec.id):
        raise ScaffoldError(
            f"the id {spec.id!r} is not valid (at most {MAX_ID} characters); pass a shorter --slug"
        )
    for what, values in (("service", spec.services), ("pattern", spec.patterns)):
        for value in values:
            if not is_slug(value):
                raise ScaffoldError(
                    f"{what} {value!r} is not a valid id: use lower-case ASCII letters, "
                    "digits and hyphens"
                )
    if spec.timezone != "UTC" and spec.timezone not in available_timezones():
        raise ScaffoldError(
            f"unknown time zone {spec.timezone!r}; use an IANA name like Europe/Berlin"
        )
    for author in spec.authors:
        if not author.strip() or _CONTROL.search(author):
            raise ScaffoldError(f"author {author!r} is empty or contains a control character")


def _yaml(value: str) -> str:
    """``value`` as a one-line YAML scalar that reads back as exactly this string.

    PyYAML picks plain style only when the text cannot be read as anything else
    (a number, a boolean, a date, a flow collection), and quotes it otherwise.
    """
    dumped = yaml.safe_dump({"v": value}, allow_unicode=True, width=2**31, default_flow_style=False)
    return dumped.removeprefix("v: ").rstrip("\n")


def scaffold_path(spec: NewPostmortem, settings: Settings) -> Path:
    """Where the scaffold goes: ``<postmortems>/<year>/<id>.md``."""
    return settings.postmortems_path / str(spec.date.year) / f"{spec.id}.md"


def _environment() -> jinja2.Environment:
    # Output is Markdown and YAML, not HTML: every value is escaped by _yaml before it
    # reaches the template, and the template holds nothing from existing post-mortems.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("postmortem_kb", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_scaffold(spec: NewPostmortem, settings: Settings, schema_url: str) -> str:
    """The scaffold's text (raises :class:`ScaffoldError` for unusable inputs)."""
    _check(spec)
    if _CONTROL.search(schema_url) or not schema_url.strip():
        raise ScaffoldError("the schema URL is empty or contains a control character")
    context: Mapping[str, Any] = {
        "schema_url": schema_url.strip(),
        "title": _yaml(spec.title.strip()),
        "date": spec.date.isoformat(),
        "severity": spec.severity.value,
        "authors": [_yaml(a.strip()) for a in spec.authors] or [_yaml(PLACEHOLDER_AUTHOR)],
        "timezone": spec.timezone,
        "detection": "monitoring",
        # slugs too: `true`, `null`, `0x1f` or `1e3` would be typed by YAML unless quoted
        "services": [_yaml(s) for s in spec.services],
        "patterns": [_yaml(p) for p in spec.patterns] or [_yaml(PLACEHOLDER_PATTERN)],
        "gap_limit": settings.gap_limit_minutes,
        "min_whys": settings.min_whys,
    }
    return _environment().get_template(_TEMPLATE).render(context)


def _same_id(settings: Settings, incident_id: str) -> Path | None:
    """An existing post-mortem file with this id as its name, anywhere under the folder."""
    folder = settings.postmortems_path
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.rglob(f"{incident_id}.md"))), None)


def create_postmortem(
    spec: NewPostmortem, settings: Settings, schema_url: str | None = None
) -> Path:
    """Write the scaffold and return its path; never overwrites.

    ``schema_url`` defaults to the relative path from the new file to
    :data:`DEFAULT_SCHEMA_PATH`.
    """
    path = scaffold_path(spec, settings)
    if schema_url is None:
        target = settings.root.resolve() / DEFAULT_SCHEMA_PATH
        schema_url = Path(os.path.relpath(target, path.parent)).as_posix()
    text = render_scaffold(spec, settings, schema_url)
    existing = _same_id(settings, spec.id)
    if existing is not None:
        raise ScaffoldExistsError(f"{existing} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldExistsError(f"{path} already exists; not overwriting it") from None
    return path


def git_user_name(cwd: Path) -> str | None:
    """``git config user.name`` in ``cwd``, or None when git or the setting is missing."""
    try:
        done = subprocess.run(
            ["git", "config", "user.name"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = done.stdout.strip()
    return name if done.returncode == 0 and name and not _CONTROL.search(name) else None


# -- related incidents and patterns ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reason:
    """Why an incident is related: ``kind`` is related, root-cause, contributing-factor or service."""

    kind: str
    id: str  # the incident, pattern or service id the reason names

    @property
    def text(self) -> str:
        """The reason in words."""
        return {
            "related": "explicit related link",
            "root-cause": f"shared root-cause pattern {self.id}",
            "contributing-factor": f"shared contributing factor {self.id}",
            "service": f"shared service {self.id}",
        }[self.kind]


@dataclass(frozen=True, slots=True)
class RelatedIncident:
    """A published incident related to the one asked about, with the graph's score."""

    id: str
    title: str
    path: str
    date: date
    severity: Severity
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class RelatedPattern:
    """A pattern the incident does not cite but that is often cited together with its patterns."""

    id: str
    title: str
    defined: bool
    incidents: int  # incidents citing it together with one of ``with_patterns``
    with_patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Related:
    """Suggestions for one (draft) post-mortem."""

    incident_id: str
    incidents: tuple[RelatedIncident, ...] = ()
    patterns: tuple[RelatedPattern, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (plain values only)."""
        return {
            "incident": self.incident_id,
            "incidents": [
                {
                    "id": r.id,
                    "title": r.title,
                    "path": r.path,
                    "date": r.date.isoformat(),
                    "severity": str(r.severity),
                    "score": r.score,
                    "reasons": [{"kind": x.kind, "id": x.id, "text": x.text} for x in r.reasons],
                }
                for r in self.incidents
            ],
            "patterns": [
                {
                    "id": p.id,
                    "title": p.title,
                    "defined": p.defined,
                    "incidents": p.incidents,
                    "with": list(p.with_patterns),
                }
                for p in self.patterns
            ],
        }


@dataclass(frozen=True)
class _Corpus:
    """The published corpus plus one (draft) post-mortem: what :func:`build_graph` reads."""

    incidents: tuple[Postmortem, ...]
    patterns: Mapping[str, Pattern]


def _reasons(pm: Postmortem, other: Postmortem, codes: Sequence[str]) -> tuple[Reason, ...]:
    """The graph's reason codes in words, telling root causes from contributing factors."""
    reasons = []
    for code in codes:
        kind, _, ident = code.partition(":")
        if kind == "related":
            reasons.append(Reason("related", other.id))
        elif kind == "pattern":
            both_root = ident in pm.root_causes and ident in other.root_causes
            reasons.append(Reason("root-cause" if both_root else "contributing-factor", ident))
        elif kind == "service":
            reasons.append(Reason("service", ident))
    return tuple(reasons)


def related_to(kb: KnowledgeBase, pm: Postmortem, k: int = 5) -> Related:
    """The ``k`` published incidents most related to ``pm``, and patterns often cited with its own.

    ``pm`` need not be published (a draft, a file with errors, a file outside
    the corpus): it replaces any published incident with the same id.
    """
    pm = resolve_aliases(pm, alias_table(kb.patterns))
    others = tuple(i for i in kb.incidents if i.id != pm.id)
    graph = build_graph(_Corpus((*others, pm), kb.patterns))
    by_id = {i.id: i for i in others}
    incidents = []
    for other_id, score, codes in related_incidents(graph, pm.id, k):
        other = by_id[other_id]
        incidents.append(
            RelatedIncident(
                id=other.id,
                title=other.title,
                path=other.path,
                date=other.date,
                severity=other.severity,
                score=score,
                reasons=_reasons(pm, other, codes),
            )
        )
    counts: dict[str, int] = {}
    companions: dict[str, list[str]] = {}
    for own in pm.patterns:
        for pattern_id, together in co_occurring_patterns(graph, own):
            if pattern_id in pm.patterns:
                continue
            # the draft itself cites only its own patterns, so these counts are other incidents'
            counts[pattern_id] = max(counts.get(pattern_id, 0), together)
            companions.setdefault(pattern_id, []).append(own)
    ranked = sorted(counts, key=lambda p: (-counts[p], p))[: max(k, 0)]
    patterns = tuple(
        RelatedPattern(
            id=p,
            title=kb.patterns[p].title if p in kb.patterns else p,
            defined=p in kb.patterns and kb.patterns[p].defined,
            incidents=counts[p],
            with_patterns=tuple(companions[p]),
        )
        for p in ranked
    )
    return Related(pm.id, tuple(incidents), patterns)
