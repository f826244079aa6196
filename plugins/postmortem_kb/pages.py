"""The generated site: a :class:`KnowledgeBase` and its graph as ``{src_uri: markdown}``.

:func:`generate` runs a list of small generator functions; adding a page is
adding a function to :data:`GENERATORS`. Each one names its files and, for each,
a function that prepares plain values and renders a Jinja template from
``templates/`` (:func:`plan` stops there, so the rendering can happen elsewhere).

Templates never see raw post-mortem text in their output: the environment's
``finalize`` refuses any value that did not pass one of the escape filters of
:mod:`postmortem_kb.escape` (ints excepted). Post-mortem content is data handed
to the templates, never compiled as one, so ``{{ 7*7 }}`` in a post-mortem is
shown as written.
"""

from __future__ import annotations

import functools
import itertools
import json
import posixpath
import re
import secrets
import statistics
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import jinja2

from . import escape
from .analytics import duration_text
from .escape import Safe
from .graph import build_graph, co_occurring_patterns, pattern_reach, related_incidents, to_json
from .kb import KnowledgeBase
from .model import ActionItem, Impact, Pattern, Postmortem, Status, TimelineEvent
from .sanitize import sanitize

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "GENERATORS",
    "INCIDENT_FILTER",
    "Content",
    "Generator",
    "HtmlStash",
    "LinkStyle",
    "SiteContext",
    "SiteOptions",
    "UnescapedValueError",
    "counted",
    "filter_labels",
    "format_duration",
    "generate",
    "href",
    "plan",
    "render",
    "template_environment",
]

TEMPLATES = Path(__file__).parent / "templates"

LinkStyle = Literal["md", "directory", "html"]
"""How links inside generated *HTML* resolve: to ``.md`` sources (for other site
generators), MkDocs directory URLs (``x/``), or MkDocs ``.html`` files. Markdown
links always point at ``.md`` sources: the site generator resolves them."""


class UnescapedValueError(TypeError):
    """A template tried to output a value that did not pass an escape filter."""


def _only_escaped(value: Any) -> Any:
    """Jinja ``finalize``: the escape filters are the only way a value gets into a page."""
    if isinstance(value, Safe) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise UnescapedValueError(
        f"template output {type(value).__name__} {str(value)[:40]!r} without an escape filter "
        "(md_text, md_cell, md_block, html_text, html_attr, url, ...)"
    )


def format_duration(value: timedelta | None) -> Safe:
    """``1 h 05 min``-style text for a duration (``—`` when unknown; minus sign when negative).

    >>> format_duration(timedelta(hours=26, minutes=5)), format_duration(timedelta(minutes=-3))
    ('1 d 2 h 05 min', '−3 min')
    """
    return Safe("—" if value is None else duration_text(value))


def counted(count: float, singular: str, plural: str | None = None) -> Safe:
    """A count and its noun, singular for exactly one (``plural`` defaults to noun + s).

    Nouns are the templates' own words: the result is safe in HTML and Markdown.

    >>> counted(1, "incident"), counted(0, "incident"), counted(2.5, "day"), counted(2, "child", "children")
    ('1 incident', '0 incidents', '2.5 days', '2 children')
    """
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    return Safe(f"{shown} {_agree(count, singular, plural or singular + 's')}")


def _agree(count: float, singular: str, plural: str) -> Safe:
    """The word that agrees with ``count``: ``{{ n|agree("is", "are") }}``."""
    return Safe(singular if count == 1 else plural)


def _md_link(text: Any, target: str) -> Safe:
    return Safe(f"[{escape.md_text(text)}]({escape.safe_url(target)})")


# The indexes, service pages, dashboard, action items, lessons and graph pages only gather
# what incident and pattern pages already say (lessons included): out of the index, which
# stays smaller and quicker to build (Material skips parsing them); readers reach them
# from the navigation and from every incident's links. Incident and pattern pages are then
# the only pages a phrase can land on (and the home page): no per-page boost is needed.
SEARCH_EXCLUDE = {"exclude": True}


# What YAML will not read as itself inside a double-quoted scalar, though JSON leaves it
# raw: characters YAML refuses in a stream (C1 controls, DEL, surrogates, U+FFFE/F), line
# breaks YAML folds (NEL, U+2028, U+2029) and the byte-order mark.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _yaml_value(value: Any) -> str:
    """``value`` as JSON, which is YAML flow style: a tenth of the cost of ``yaml.safe_dump``."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _front_matter(**values: Any) -> Safe:
    """YAML front matter of plain values, one ``key: <JSON>`` line each, keys sorted.

    The plugin escapes title and tags for HTML.

    >>> print(_front_matter(title='a "b"', tags=["x"], search=None), end="")
    ---
    tags: ["x"]
    title: "a \\"b\\""
    ---
    """
    lines = "".join(
        f"{key}: {_yaml_value(value)}\n"
        for key, value in sorted(values.items())
        if value not in (None, [], ())
    )
    return Safe(f"---\n{lines}---\n")


class HtmlStash:
    """Raw HTML blocks kept out of Python-Markdown, restored into the rendered page.

    Python-Markdown runs every raw HTML block through its pure-Python HTML parser (and
    MkDocs parses it once more for anchors): on a generated table of a thousand rows
    that is most of the page's cost. A stashed block reaches Markdown as a one-word
    paragraph, ``<p>TOKEN</p>`` after rendering, which :meth:`restore` swaps for the
    block. Tokens carry a random nonce, so no text an author writes can name a block.
    :meth:`defer` turns the paragraph into a comment, which readers of the rendered
    content (the search indexer) skip, until :meth:`restore` runs on the written page.
    """

    def __init__(self, nonce: str | None = None) -> None:
        """``nonce``: the random part of the tokens (default: a new one). Stashes that share
        it make the same tokens for the same blocks added in the same order, so a page's
        Markdown is the same text from one build to the next (``mkdocs serve``)."""
        self._prefix = f"pmkb{nonce or secrets.token_hex(8)}x"
        self._blocks: dict[str, str] = {}
        self._searched: set[str] = set()  # blocks put back before sanitizing and indexing
        self._token = re.compile(f"<p>({self._prefix}[0-9]+)</p>|<!--({self._prefix}[0-9]+)-->")

    def add(self, html: str, *, searched: bool = False) -> Safe:
        """The placeholder paragraph standing for ``html`` (a block of generated, escaped HTML).

        A ``searched`` block is put back by :meth:`inline`, before the page is sanitized
        and indexed; any other waits for :meth:`restore`.
        """
        token = f"{self._prefix}{len(self._blocks)}"
        self._blocks[token] = html.strip("\n")
        if searched:
            self._searched.add(token)
        return Safe(f"{token}\n")

    def __len__(self) -> int:
        return len(self._blocks)

    def blocks_from(self, start: int) -> list[tuple[str, str, bool]]:
        """The blocks added after the first ``start``: ``(token, html, searched)`` each."""
        tokens = (f"{self._prefix}{index}" for index in range(start, len(self._blocks)))
        return [(token, self._blocks[token], token in self._searched) for token in tokens]

    def merge(self, blocks: Iterable[tuple[str, str, bool]]) -> None:
        """Take blocks another copy of this stash added (see :meth:`blocks_from`)."""
        for token, html, searched in blocks:
            self._blocks[token] = html
            if searched:
                self._searched.add(token)

    def inline(self, html: str) -> str:
        """``html`` with the placeholder paragraphs of its searched blocks replaced by them."""
        if not self._searched or self._prefix not in html:
            return html
        return self._token.sub(
            lambda m: self._blocks[m[1]] if m[1] in self._searched else m[0], html
        )

    def defer(self, html: str) -> str:
        """``html`` with each placeholder paragraph of this stash as a comment, restored later.

        The generated chrome (an incident's card, related incidents, neighbourhood) then
        stays out of the search index, and its markup is parsed by nobody.
        """
        if self._prefix not in html:
            return html
        return self._token.sub(lambda m: f"<!--{m[1]}-->" if m[1] in self._blocks else m[0], html)

    def restore(self, html: str) -> str:
        """``html`` (a rendered page) with every placeholder paragraph or comment replaced by its block."""
        if self._prefix not in html:
            return html
        return self._token.sub(lambda m: self._blocks.get(m[1] or m[2], m[0]), html)


def template_environment(
    extra_dirs: Sequence[Path] = (), stash: HtmlStash | None = None
) -> jinja2.Environment:
    """The Jinja environment of the page templates: Markdown output, escaping explicit.

    ``{% filter raw_html %}`` marks a block of generated HTML: stashed when ``stash``
    is given (see :class:`HtmlStash`), else written as it is.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*extra_dirs, TEMPLATES]),
        autoescape=False,  # Markdown, not HTML: each value picks its escape filter
        finalize=_only_escaped,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md_text=escape.md_text,
        md_cell=escape.md_cell,
        md_block=escape.md_block,
        md_cell_block=escape.md_cell_block,
        html_text=escape.html_text,
        html_attr=escape.html_attr,
        url=escape.safe_url,
        json_script=escape.json_script,
        xml_text=escape.xml_text,
        duration=format_duration,
        counted=counted,
        agree=_agree,
        link=_md_link,
        raw_html=stash.add if stash is not None else Safe,
    )
    return env


# --- links ------------------------------------------------------------------------------


def _dest_url(uri: str, style: LinkStyle) -> str:
    if style == "md" or not uri.endswith(".md"):
        return uri
    stem = uri[: -len(".md")]
    if style == "html":
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for two relative paths, by string alone (no ``getcwd`` per call).

    A site links tens of thousands of times; ``posixpath.relpath`` makes both paths
    absolute first. Paths with ``..`` go to it unchanged.

    >>> _relpath("services/api/", "incidents/a/"), _relpath("x", "."), _relpath("a/b", "a/b/")
    ('../../services/api', 'x', '.')
    """
    to = [part for part in path.split("/") if part and part != "."]
    here = [part for part in start.split("/") if part and part != "."]
    if ".." in to or ".." in here:
        return posixpath.relpath(path, start)
    common = 0
    for a, b in zip(to, here, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def href(from_uri: str, to_uri: str, style: LinkStyle = "md") -> str:
    """Relative link from page ``from_uri`` to page ``to_uri`` (both source URIs).

    >>> href("incidents/index.md", "incidents/a.md"), href("incidents/index.md", "patterns/p.md", "directory")
    ('a.md', '../patterns/p/')
    """
    here, there = _dest_url(from_uri, style), _dest_url(to_uri, style)
    base = here if style == "directory" and here.endswith("/") else posixpath.dirname(here)
    rel = _relpath(there or ".", base or ".")
    if style == "directory":
        rel = (
            "./"
            if rel == "."
            else rel + ("/" if there.endswith("/") and not rel.endswith("/") else "")
        )
    return rel


def incident_uri(incident_id: str) -> str:
    """Source URI of an incident page."""
    return f"incidents/{incident_id}.md"


def pattern_uri(pattern_id: str) -> str:
    """Source URI of a pattern page."""
    return f"patterns/{pattern_id}.md"


def service_uri(service: str) -> str:
    """Source URI of a service page."""
    return f"services/{service}.md"


# --- the context every generator shares ---------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """An incident citing a pattern, as root cause or contributing factor."""

    incident: Postmortem
    role: Literal["root cause", "contributing factor"]


@dataclass(frozen=True)
class SiteContext:
    """What the generators share: the knowledge base, its graph, and indexes built once."""

    kb: KnowledgeBase
    prebuilt_graph: nx.MultiDiGraph | None
    env: jinja2.Environment
    link_style: LinkStyle = "md"
    site_name: str = "Post-mortem knowledge base"
    site_url: str | None = None  # absolute URL of the built site, when known (feeds)
    by_pattern: Mapping[str, tuple[Citation, ...]] = field(default_factory=dict)
    by_service: Mapping[str, tuple[Postmortem, ...]] = field(default_factory=dict)
    stash: HtmlStash | None = None

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The cross-incident graph, built when a page first needs it (maybe in a worker)."""
        return self.prebuilt_graph if self.prebuilt_graph is not None else build_graph(self.kb)

    def render(self, template: str, **values: Any) -> str:
        """Render one page template."""
        return self.env.get_template(template).render(**values)

    def html_href(self, from_uri: str, to_uri: str) -> str:
        """A link for generated HTML, in this site's link style."""
        return href(from_uri, to_uri, self.link_style)

    @property
    def html(self) -> bool:
        """True when generated chrome is raw HTML (a MkDocs site), False for Markdown (``md``).

        Python-Markdown stashes a raw HTML block almost for free, where a Markdown list of
        links costs its inline processor dearly; other site generators get Markdown, whose
        ``.md`` links they resolve themselves.
        """
        return self.link_style != "md"

    def raw(self, html: str, *, searched: bool = False) -> Safe:
        """A block of generated, escaped HTML: stashed out of Markdown when the site stashes
        (``searched``: back in the page before the search index reads it)."""
        return self.stash.add(html, searched=searched) if self.stash is not None else Safe(html)

    def text(self, value: Any) -> Safe:
        """Plain text escaped for this site's chrome (HTML text or Markdown inline text)."""
        return escape.html_text(value) if self.html else escape.md_text(value)

    def a(self, from_uri: str, to_uri: str, text: Any) -> Safe:
        """A link to page ``to_uri`` with ``text``, in this site's chrome."""
        if self.html:
            target = escape.html_attr(escape.safe_url(href(from_uri, to_uri, self.link_style)))
            return Safe(f'<a href="{target}">{escape.html_text(text)}</a>')
        return _md_link(text, href(from_uri, to_uri))

    def byline(self, from_uri: str, incident_id: str, title: str, severity: Any, day: Any) -> Safe:
        """The bold link to an incident and its severity and date, heading its lessons.

        HTML sites get it stashed (hundreds of them on the lessons page: Python-Markdown's
        inline patterns were most of that page's cost); the search index leaves it out,
        as the incident page says it all.
        """
        if self.html:
            link = self.a(from_uri, incident_uri(incident_id), title)
            facts = escape.html_text(f"({severity}, {day})")
            return self.raw(f"<p><strong>{link}</strong> <em>{facts}</em></p>")
        link = _md_link(title, href(from_uri, incident_uri(incident_id)))
        return Safe(f"**{link}** *({escape.md_text(severity)}, {escape.md_text(day)})*")

    def items(self, rows: Iterable[tuple[str, str]], css: str, *, searched: bool = True) -> Safe:
        """A bulleted list of ``(label, value)`` rows; labels are constants, values escaped.

        ``searched=False`` keeps the list out of the search index (HTML sites).
        """
        if self.html:
            lis = "".join(
                f"<li><strong>{label}:</strong> {value}</li>\n" if label else f"<li>{value}</li>\n"
                for label, value in rows
            )
            exclude = "" if searched else " data-search-exclude"
            return Safe(f'<ul class="{css}"{exclude}>\n{lis}</ul>\n')
        return Safe(
            "".join(
                f"- **{label}:** {value}\n" if label else f"- {value}\n" for label, value in rows
            )
        )


def _context(
    kb: KnowledgeBase,
    graph: nx.MultiDiGraph | None,
    env: jinja2.Environment,
    style: LinkStyle,
    *,
    site_name: str = "Post-mortem knowledge base",
    site_url: str | None = None,
    stash: HtmlStash | None = None,
) -> SiteContext:
    by_pattern: dict[str, list[Citation]] = defaultdict(list)
    by_service: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in kb.incidents:  # newest first, as the knowledge base keeps them
        for pattern_id in pm.root_causes:
            by_pattern[pattern_id].append(Citation(pm, "root cause"))
        for pattern_id in pm.contributing_factors:
            if pattern_id not in pm.root_causes:
                by_pattern[pattern_id].append(Citation(pm, "contributing factor"))
        for service in dict.fromkeys(pm.services):
            by_service[service].append(pm)
    return SiteContext(
        kb=kb,
        prebuilt_graph=graph,
        env=env,
        link_style=style,
        site_name=site_name,
        site_url=site_url,
        by_pattern={k: tuple(v) for k, v in by_pattern.items()},
        by_service={k: tuple(v) for k, v in by_service.items()},
        stash=stash,
    )


Content = str | Callable[[], str]
"""A generated file's content, or the function that renders it (see :func:`plan`)."""

Generator = Callable[[SiteContext], Iterable[tuple[str, Content]]]
"""A page generator: the site context in, ``(src_uri, content)`` pairs out.

A generator names its files cheaply and leaves the rendering to a function called
later, so that the list of files is known first and their rendering can run elsewhere
(the MkDocs plugin renders them in a second process while MkDocs reads them)."""


# --- incident pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One timeline row as shown: elapsed time since impact began and its cause's anchor."""

    event: TimelineEvent
    anchor: str | None  # only rows that a later row names as its cause get one
    elapsed: Safe
    cause_anchor: str | None


def _timeline_rows(pm: Postmortem) -> list[TimelineRow]:
    causes: list[str | None] = []
    anchors: dict[str, str] = {}
    for index, ev in enumerate(pm.timeline, start=1):
        causes.append(anchors.get(ev.cause.strip()) if ev.cause else None)
        anchors.setdefault(ev.time_text.strip(), f"t{index}")
    cited = set(causes)
    rows: list[TimelineRow] = []
    for index, (ev, cause) in enumerate(zip(pm.timeline, causes, strict=True), start=1):
        elapsed = format_duration(ev.at - pm.started) if ev.at is not None else Safe("—")
        if ev.at is not None and ev.at >= pm.started:
            elapsed = Safe("+" + elapsed)
        anchor = f"t{index}"
        rows.append(TimelineRow(ev, anchor if anchor in cited else None, elapsed, cause))
    return rows


_TABLE_LINE = re.compile(r"^\s{0,3}\|")


def _split_table(markdown: str) -> tuple[str, str]:
    """The section's prose before and after its first table (the table itself dropped)."""
    lines = markdown.split("\n")
    start = next((i for i, line in enumerate(lines) if _TABLE_LINE.match(line)), None)
    if start is None:
        return markdown, ""
    end = start
    while end < len(lines) and _TABLE_LINE.match(lines[end]):
        end += 1
    return "\n".join(lines[:start]), "\n".join(lines[end:])


def _pattern_title(ctx: SiteContext, pattern_id: str) -> str:
    pattern = ctx.kb.patterns.get(pattern_id)
    return pattern.title if pattern is not None else pattern_id


def _duration_rows(pm: Postmortem) -> list[tuple[str, str]]:
    """The card's durations, in the spec's order (duration, detect, respond, escalate,
    mitigate, resolve), each saying what it measures ("19 min (start → mitigated)"): the
    times to respond and to escalate count from detection, the others from the start.

    The spec defines the duration of a resolved incident as its time to resolve: one row
    says both rather than showing the same figure twice. Unresolved, the duration runs to
    mitigation, and the time to resolve says there is none yet.
    """

    def spans(value: timedelta | None, span: str) -> str:
        return f"{format_duration(value)} ({span})" if value is not None else "—"

    resolved = pm.resolved is not None
    rows: list[tuple[str, str]] = [
        (
            "Duration",
            spans(
                pm.duration,
                "start → resolved" if resolved else "start → mitigated, unresolved",
            ),
        ),
        ("Time to detect", spans(pm.time_to_detect, "start → detected")),
        ("Time to respond", spans(pm.time_to_respond, "detected → responded")),
    ]
    if pm.escalated is not None:
        rows.append(("Time to escalate", spans(pm.time_to_escalate, "detected → escalated")))
    rows.append(("Time to mitigate", spans(pm.time_to_mitigate, "start → mitigated")))
    if not resolved:
        rows.append(("Time to resolve", "— (not resolved yet)"))
    return rows


def _amount(value: float) -> str:
    """A number with thousands separators, cents only when there are some.

    >>> _amount(7400.0), _amount(1234.5), _amount(3900)
    ('7,400', '1,234.50', '3,900')
    """
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _impact_rows(ctx: SiteContext, impact: Impact | None) -> list[tuple[str, str]]:
    """The front matter's ``impact`` figures that are set."""
    if impact is None:
        return []
    t = ctx.text
    rows: list[tuple[str, str]] = []
    users = impact.users_affected
    if users is not None:
        shown = _amount(users) if isinstance(users, int | float) else users
        rows.append(("Users affected", t(shown)))
    if impact.revenue_usd is not None:
        rows.append(("Revenue impact", t(f"{_amount(impact.revenue_usd)} USD")))
    if impact.slo_budget_burned is not None:
        rows.append(("SLO budget burned", t(impact.slo_budget_burned)))
    return rows


def _actions_row(ctx: SiteContext, pm: Postmortem, uri: str) -> str:
    """The card's account of the action items: how many, how many still to do, which are
    overdue on the site's "today" (as the action items page counts them), and a link to
    them there, filtered to this incident (Markdown sites: the plain page)."""
    items = pm.action_items
    to_do = sum(item.status.is_open for item in items)
    overdue = [item.id for item in items if item.is_overdue(ctx.kb.today)]
    if not to_do:
        state = "none still to do"
    elif overdue:
        state = (
            f"{to_do} still to do, {len(overdue)} overdue on {ctx.kb.today}: {', '.join(overdue)}"
        )
    else:
        state = f"{to_do} still to do, none overdue"
    if ctx.html:
        page = href(uri, "actions.md", ctx.link_style)
        target = f"{page}?{urllib.parse.urlencode({INCIDENT_FILTER: pm.id})}"
        link = f'<a href="{escape.html_attr(escape.safe_url(target))}">action items page</a>'
    else:
        link = _md_link("action items page", href(uri, "actions.md"))
    return f"{len(items)} ({ctx.text(state)}); see them on the {link}"


def _incident_card(ctx: SiteContext, pm: Postmortem, uri: str) -> Safe:
    """The header card: severity, status, date, durations, detection, rollback, impact,
    services, people, causes, action items."""
    t = ctx.text

    def patterns(ids: Iterable[str]) -> str:
        return ", ".join(ctx.a(uri, pattern_uri(p), _pattern_title(ctx, p)) for p in ids)

    rows = [
        ("Severity", t(pm.severity)),
        ("Status", t(pm.status)),
        ("Date", f"{t(pm.date)} ({t(pm.timezone)})"),
        *_duration_rows(pm),
        ("Detection", t(pm.detection)),
    ]
    if pm.rollback is not None:
        rows.append(("Rollback", t(pm.rollback)))
    rows += _impact_rows(ctx, pm.impact)
    rows += [
        ("Services", ", ".join(ctx.a(uri, service_uri(s), s) for s in pm.services)),
        ("Authors", t(", ".join(pm.authors))),
        ("Root causes", patterns(pm.root_causes)),
    ]
    if pm.contributing_factors:
        rows.append(("Contributing factors", patterns(pm.contributing_factors)))
    if pm.tags:
        rows.append(("Tags", t(", ".join(pm.tags))))
    if pm.action_items:
        rows.append(("Action items", _actions_row(ctx, pm, uri)))
    css = f"pmkb-card pmkb-sev-{escape.html_attr(str(pm.severity).lower())}"
    if ctx.html:
        return ctx.raw(f'<div class="{css}">\n{ctx.items(rows, "pmkb-facts")}</div>\n')
    return Safe(f'<div class="{css}" markdown>\n\n{ctx.items(rows, "pmkb-facts")}\n</div>\n')


def _reason(ctx: SiteContext, reason: str) -> str:
    """Why an incident is related, as text (the pattern or service is linked on the same page)."""
    if reason == "related":
        return "explicit link"
    if reason.startswith("pattern:"):
        return f"shared pattern {ctx.text(_pattern_title(ctx, reason[len('pattern:') :]))}"
    return f"shared service {ctx.text(reason[len('service:') :])}"


def _related_block(
    ctx: SiteContext,
    uri: str,
    related: Sequence[tuple[Postmortem, float, Sequence[str]]],
    neighbourhood: Safe,
) -> Safe:
    """Related incidents with their reasons, then the page's neighbourhood in one line."""
    t = ctx.text
    rows = [
        (
            "",
            f"{ctx.a(uri, incident_uri(other.id), other.title)} ({t(other.severity)}, "
            f"{t(other.date)}) — {'; '.join(_reason(ctx, r) for r in reasons)}",
        )
        for other, _score, reasons in related
    ]
    if rows:
        # out of search: other incidents' titles would make every neighbour a hit for them
        listing = ctx.items(rows, "pmkb-related", searched=False)
    else:
        listing = Safe(
            "<p>No related incidents yet.</p>\n" if ctx.html else "No related incidents yet.\n"
        )
    return Safe(f"{ctx.raw(listing) if ctx.html else listing}\n{neighbourhood}")


def incident_pages(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``incidents/<id>.md`` for every published incident."""
    for pm in ctx.kb.incidents:
        yield incident_uri(pm.id), functools.partial(_incident_page, ctx, pm)


def _incident_page(ctx: SiteContext, pm: Postmortem) -> str:
    """An incident's page: card, the author's sections, timeline, related incidents."""
    uri = incident_uri(pm.id)
    related = []
    for other_id, score, reasons in related_incidents(ctx.graph, pm.id, k=5):
        other = ctx.kb.incident(other_id)
        if other is not None:
            related.append((other, score, reasons))
    node = f"incident:{pm.id}"
    # counts and the graph view only (see learning.neighbourhood)
    around = _neighbourhood(ctx, node, uri)
    before, after = "", ""
    rows = _timeline_rows(pm)
    timeline = pm.section("timeline")
    if timeline:
        before, after = _split_table(timeline.markdown)
    return ctx.render(
        "incident.md.j2",
        pm=pm,
        uri=uri,
        front_matter=_front_matter(title=pm.title, tags=list(pm.tags)),
        draft=pm.status is Status.DRAFT,
        timeline_rows=rows,
        # no Cause column when no row links to its cause: empty cells cost Markdown time
        timeline_causes=any(row.cause_anchor for row in rows),
        timeline_before=before,
        timeline_after=after,
        card=_incident_card(ctx, pm, uri),
        related=_related_block(ctx, uri, related, around),
    )


def _index_duration(pm: Postmortem) -> str:
    """An incident table's duration cell: start to resolution, or to mitigation (said so)."""
    shown = format_duration(pm.duration)
    return shown if pm.resolved is not None else f"{shown} (start → mitigated, unresolved)"


def _incident_rows(
    ctx: SiteContext, from_uri: str, incidents: Iterable[Postmortem]
) -> list[dict[str, Any]]:
    """Rows of a filterable incident table (values plain; the template escapes them).

    Filters read the ids (``services``, ``patterns``); readers see names and titles.
    """
    rows = []
    for pm in incidents:
        rows.append(
            {
                "pm": pm,
                "href": ctx.html_href(from_uri, incident_uri(pm.id)),
                "year": str(pm.date.year),
                "services": " ".join(pm.services),
                "patterns": " ".join(pm.patterns),
                "service_names": ", ".join(pm.services),
                "pattern_titles": [_pattern_title(ctx, p) for p in pm.patterns],
                "duration": _index_duration(pm),
            }
        )
    return rows


INCIDENT_FILTER = "incident"
"""The action items page's filter by incident: ``actions/?incident=<id>`` shows one
incident's items (each incident page links there)."""


def filter_labels(**labels: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    """A filterable table's ``data-pmkb-labels``: what each filter's options show, by value
    (a value without a label shows as itself), as JSON. A mapping's options are sorted by
    label (numbers in them by value); ``(value, label)`` pairs are shown in their order.

    >>> filter_labels(pattern={"dns": "DNS <misconfiguration>"}, incident=[("b", "B"), ("a", "A")])
    '{"incident":[["b","B"],["a","A"]],"pattern":{"dns":"DNS <misconfiguration>"}}'
    """
    return json.dumps(labels, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _pattern_labels(ctx: SiteContext, incidents: Iterable[Postmortem]) -> dict[str, str]:
    """The titles of the patterns ``incidents`` cite, by id (the pattern filter's options)."""
    return {p: _pattern_title(ctx, p) for pm in incidents for p in pm.patterns}


def incidents_index(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``incidents/index.md``: every incident in one filterable table."""
    uri = "incidents/index.md"
    yield (
        uri,
        lambda: ctx.render(
            "incidents_index.md.j2",
            # the table needs the width, and the page has no sections to list
            front_matter=_front_matter(title="Incidents", search=SEARCH_EXCLUDE, hide=["toc"]),
            rows=_incident_rows(ctx, uri, ctx.kb.incidents),
            filters="severity status service pattern year",
            labels=filter_labels(pattern=_pattern_labels(ctx, ctx.kb.incidents)),
        ),
    )


# --- pattern pages ------------------------------------------------------------------------


def _recurrence_days(dates: Sequence[date]) -> float | None:
    """Median days between consecutive incidents (None with fewer than two)."""
    ordered = sorted(dates)
    gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
    return float(statistics.median(gaps)) if gaps else None


def _actions(
    citations: Iterable[Citation], today: date
) -> list[tuple[Postmortem, ActionItem, bool]]:
    """Action items of the citing incidents: those still to do (open or in progress)
    first, then by due date and ids."""
    found = [
        (c.incident, item, item.is_overdue(today))
        for c in citations
        for item in c.incident.action_items
    ]
    return sorted(
        found,
        key=lambda x: (not x[1].status.is_open, x[1].due or date.max, x[0].id, x[1].id),
    )


_LEADING_H1 = re.compile(r"\A\s*#\s[^\n]*\n?")

PATTERN_LIST_LIMIT = 25
"""Rows of a pattern page's action items (those still to do first) and of a service page's
incidents (the newest): the page says when a list is cut and links to the full listing,
filtered by the pattern or the service (the action items page, the incidents index). A
pattern page lists every incident citing it and every lesson of those incidents."""


def _filtered_index(ctx: SiteContext, from_uri: str, name: str, value: str) -> str:
    """A link to the incidents index with one filter set (Markdown sites: the plain index)."""
    return _filtered(ctx, from_uri, "incidents/index.md", name, value)


def _filtered(ctx: SiteContext, from_uri: str, to_uri: str, name: str, value: str) -> str:
    """A Markdown link's target: a filterable page with one filter set (Markdown sites: the
    plain page). A link to the page's ``.md`` file, which MkDocs resolves (and checks), query
    and all."""
    target = href(from_uri, to_uri)
    if not ctx.html:
        return target
    return f"{target}?{urllib.parse.urlencode({name: value})}"


# Characters that can make Markdown of an author's table cell differ from its text as HTML
_MD_INLINE = re.compile(r"[\\`*_\[\]<>&]")
_CELL_MARKDOWN: list[Any] = []  # one Python-Markdown instance, made on first use


def _cell_html(markdown_text: str) -> str:
    """An author's Markdown for a table cell, as the HTML a Markdown table would give it.

    Plain text (most statements and actions) is escaped; anything else goes through
    Python-Markdown as a one-cell table, sanitized like the page it lands in.
    """
    text = escape.md_cell_block(markdown_text)
    if not _MD_INLINE.search(text):
        return escape.html_text(text)
    if not _CELL_MARKDOWN:
        import markdown  # imported here: only cells with Markdown need it

        _CELL_MARKDOWN.append(markdown.Markdown(extensions=["tables"]))
    converter = _CELL_MARKDOWN[0]
    converter.reset()
    rendered: str = converter.convert(f"| |\n|-|\n| {text} |\n")
    start = rendered.index("<td>", rendered.index("<tbody>")) + len("<td>")
    return rendered[start : rendered.rindex("</td>")]


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A compact HTML table; headers are constants, cells already escaped."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


ROOT_CAUSE_HEADER = "The incident's root-cause statement"
"""The header over a pattern page's root-cause statements: each is its incident's own (the
last why), about the incident's root causes even where it cites the pattern as a
contributing factor."""


def _citations_table(ctx: SiteContext, uri: str, citations: Sequence[Citation]) -> Safe:
    """A pattern's citing incidents with their root-cause statements, as searched HTML."""
    t = ctx.text
    rows = [
        (
            t(c.incident.date),
            t(c.incident.severity),
            ctx.a(uri, incident_uri(c.incident.id), c.incident.title),
            t(c.role),
            _cell_html(c.incident.root_cause_statement),
        )
        for c in citations
    ]
    head = ("Date", "Severity", "Incident", "Cited as", ROOT_CAUSE_HEADER)
    return ctx.raw(_table(head, rows), searched=True)


def _actions_table(
    ctx: SiteContext, uri: str, actions: Sequence[tuple[Postmortem, ActionItem, bool]]
) -> Safe:
    """Action items of a pattern's incidents, as HTML sanitized here and left out of search
    (each row is on its incident's page; here it would make every pattern of that
    incident a hit too)."""
    t = ctx.text
    rows = [
        (
            ctx.a(uri, incident_uri(pm.id), pm.title),
            t(item.id),
            _cell_html(item.action),
            t(item.owner),
            t(item.priority or "—"),
            t(item.due or "—"),
            t(item.status) + (" <strong>(overdue)</strong>" if overdue else ""),
        )
        for pm, item, overdue in actions
    ]
    head = ("Incident", "ID", "Action", "Owner", "Priority", "Due", "Status")
    return ctx.raw(sanitize(_table(head, rows)))  # action cells hold an author's Markdown


def pattern_pages(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``patterns/<id>.md`` for every pattern defined or cited: curated text plus evidence."""
    for pattern_id, pattern in ctx.kb.patterns.items():
        yield pattern_uri(pattern_id), functools.partial(_pattern_page, ctx, pattern_id, pattern)


def _pattern_page(ctx: SiteContext, pattern_id: str, pattern: Pattern) -> str:
    """A pattern's page: its definition, the incidents citing it, their actions and lessons."""
    uri = pattern_uri(pattern_id)
    citations = ctx.by_pattern.get(pattern_id, ())
    dates = [c.incident.date for c in citations]
    services = sorted({s for c in citations for s in c.incident.services})
    actions = _actions(citations, ctx.kb.today)
    lessons = [c.incident for c in citations if c.incident.lessons]
    co_occurring = co_occurring_patterns(ctx.graph, pattern_id)
    return ctx.render(
        "pattern.md.j2",
        pattern=pattern,
        body=_LEADING_H1.sub("", pattern.body),
        front_matter=_front_matter(title=pattern.title),
        citations=citations,
        limit=PATTERN_LIST_LIMIT,
        all_actions=_filtered(ctx, uri, "actions.md", "pattern", pattern_id),
        as_root_cause=sum(1 for c in citations if c.role == "root cause"),
        root_cause_header=ROOT_CAUSE_HEADER,
        first_seen=min(dates) if dates else None,
        last_seen=max(dates) if dates else None,
        recurrence=_recurrence_days(dates),
        services=services,
        actions=actions[:PATTERN_LIST_LIMIT],
        actions_total=len(actions),
        # HTML sites get both tables as HTML: Markdown tables were most of the page's cost
        citations_table=_citations_table(ctx, uri, citations) if ctx.html and citations else None,
        actions_table=(
            _actions_table(ctx, uri, actions[:PATTERN_LIST_LIMIT]) if ctx.html and actions else None
        ),
        lessons=lessons,
        co_occurring=co_occurring,
        # a pointer to the graph view: the page lists its neighbours already
        neighbourhood=_pattern_neighbourhood(ctx, uri, incidents=len(citations)),
        patterns=ctx.kb.patterns,
        patterns_dir=ctx.kb.settings.patterns_dir,
        rel=lambda to, uri=uri: href(uri, to),
        byline=functools.partial(ctx.byline, uri),
        incident_uri=incident_uri,
        pattern_uri=pattern_uri,
        service_uri=service_uri,
    )


def patterns_index(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``patterns/index.md``: patterns ranked by incident count, then by graph reach."""
    yield "patterns/index.md", functools.partial(_patterns_index_page, ctx)


def _patterns_index_page(ctx: SiteContext) -> str:
    """The patterns ranked twice: by incident count, and by reach in the graph."""
    reach = pattern_reach(ctx.graph)
    rows: list[tuple[Pattern, int, int, date | None]] = []
    for pattern_id, pattern in ctx.kb.patterns.items():
        citations = ctx.by_pattern.get(pattern_id, ())
        last = max((c.incident.date for c in citations), default=None)
        rows.append((pattern, len(citations), reach.get(pattern_id, 0), last))
    by_count = sorted(rows, key=lambda r: (-r[1], -r[2], r[0].id))
    by_reach = sorted(rows, key=lambda r: (-r[2], -r[1], r[0].id))
    uri = "patterns/index.md"
    return ctx.render(
        "patterns_index.md.j2",
        front_matter=_front_matter(title="Patterns", search=SEARCH_EXCLUDE),
        by_count=by_count,
        by_reach=by_reach,
        rel=lambda to: href(uri, to),
        pattern_uri=pattern_uri,
    )


# --- service pages ------------------------------------------------------------------------


def service_pages(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``services/<id>.md``: the incidents of one service and the patterns behind them."""
    for service in sorted(ctx.by_service):
        yield service_uri(service), functools.partial(_service_page, ctx, service)


def _service_page(ctx: SiteContext, service: str) -> str:
    """A service's page: its newest incidents and the patterns behind them."""
    uri = service_uri(service)
    incidents = ctx.by_service[service]
    counts: dict[str, int] = defaultdict(int)
    for pm in incidents:
        for pattern_id in pm.patterns:
            counts[pattern_id] += 1
    return ctx.render(
        "service.md.j2",
        service=service,
        front_matter=_front_matter(title=service, search=SEARCH_EXCLUDE),
        # the newest, like a pattern page; the filtered incidents index has them all
        rows=_incident_rows(ctx, uri, incidents[:PATTERN_LIST_LIMIT]),
        total=len(incidents),
        limit=PATTERN_LIST_LIMIT,
        all_incidents=_filtered_index(ctx, uri, "service", service),
        filtered=ctx.html,  # a Markdown site's index takes no filter from a link
        filters="severity status pattern year",
        labels=filter_labels(pattern=_pattern_labels(ctx, incidents[:PATTERN_LIST_LIMIT])),
        patterns=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        pattern_titles=ctx.kb.patterns,
        rel=lambda to, uri=uri: href(uri, to),
        pattern_uri=pattern_uri,
    )


def services_index(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``services/index.md``: services by number of incidents."""
    uri = "services/index.md"
    rows = sorted(
        ((s, len(pms), max(pm.date for pm in pms)) for s, pms in ctx.by_service.items()),
        key=lambda r: (-r[1], r[0]),
    )
    yield (
        uri,
        lambda: ctx.render(
            "services_index.md.j2",
            front_matter=_front_matter(title="Services", search=SEARCH_EXCLUDE),
            rows=rows,
            rel=lambda to: href(uri, to),
            service_uri=service_uri,
        ),
    )


def _neighbourhood(ctx: SiteContext, node: str, uri: str) -> Safe:
    from .learning import neighbourhood  # imported here: learning builds on this module

    return neighbourhood(ctx, node, uri)


def _pattern_neighbourhood(ctx: SiteContext, uri: str, *, incidents: int) -> Safe:
    from .learning import pattern_neighbourhood  # imported here: learning builds on this module

    return pattern_neighbourhood(ctx, uri, incidents=incidents)


def learning_pages(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """Dashboard, action items, lessons, graph view, feeds and home (:mod:`.learning`)."""
    from .learning import LEARNING_GENERATORS  # imported here: learning builds on this module

    for generator in LEARNING_GENERATORS:
        yield from generator(ctx)


def graph_json(ctx: SiteContext) -> Iterator[tuple[str, Content]]:
    """``graph.json``: the cross-incident graph in node-link form."""
    yield "graph.json", lambda: to_json(ctx.graph) + "\n"


GENERATORS: tuple[Generator, ...] = (
    incident_pages,
    incidents_index,
    pattern_pages,
    patterns_index,
    service_pages,
    services_index,
    graph_json,
    learning_pages,
)
"""Every page generator, in order; a later generator's URI replaces an earlier one's."""


def plan(
    kb: KnowledgeBase,
    graph: nx.MultiDiGraph | None = None,
    *,
    link_style: LinkStyle = "md",
    generators: Sequence[Generator] = GENERATORS,
    template_dirs: Sequence[Path] = (),
    site_name: str = "Post-mortem knowledge base",
    site_url: str | None = None,
    stash: HtmlStash | None = None,
) -> dict[str, Content]:
    """Every generated page and file of the site, sorted by URI, most not rendered yet.

    The keys are final (a later generator's URI replaces an earlier one's); a value is
    the content or the function that renders it (:func:`render`). Without a ``graph``,
    the first page that needs one builds it from ``kb``. :func:`generate` takes the same
    arguments and renders everything.
    """
    ctx = _context(
        kb,
        graph,
        template_environment(template_dirs, stash),
        link_style,
        site_name=site_name,
        site_url=site_url,
        stash=stash,
    )
    pages: dict[str, Content] = {}
    for generator in generators:
        pages.update(generator(ctx))
    return dict(sorted(pages.items()))


def render(content: Content) -> str:
    """A planned file's content, rendered if it was not yet."""
    return content if isinstance(content, str) else content()


class SiteOptions(TypedDict, total=False):
    """The keyword options of :func:`plan` and :func:`generate` (see :func:`generate`)."""

    link_style: LinkStyle
    generators: Sequence[Generator]
    template_dirs: Sequence[Path]
    site_name: str
    site_url: str | None
    stash: HtmlStash | None


def generate(
    kb: KnowledgeBase, graph: nx.MultiDiGraph | None = None, **options: Unpack[SiteOptions]
) -> dict[str, str]:
    """Every generated page and file of the site: ``{src_uri: content}``, sorted by URI.

    ``link_style`` says how generated HTML links (default ``md``); ``generators`` default
    to :data:`GENERATORS`; ``template_dirs`` are searched before the packaged templates
    (overrides); ``site_name`` titles the feeds, whose links are absolute when
    ``site_url`` is given; with a ``stash``, blocks of generated HTML stay out of the
    Markdown (:class:`HtmlStash`).
    """
    return {uri: render(content) for uri, content in plan(kb, graph, **options).items()}
