"""The cross-incident graph: incidents, patterns and services, and how they connect.

Nodes are ``incident:<id>``, ``pattern:<id>`` and ``service:<id>``, each with a
``kind``, an ``id`` and a plain-text ``title`` (escaping is the job of whoever
writes it somewhere). Edges of a :class:`networkx.MultiDiGraph`, keyed by kind:

- ``cites``: incident → pattern, ``role`` ``root_cause`` or ``contributing``;
- ``affects``: incident → service;
- ``related``: incident → incident, an explicit ``related`` link as written;
- ``similar``: incident → incident (once per pair, from the smaller id), with a
  ``weight`` and the ``patterns`` and ``services`` the two share.

Caveat, by design: similarity is never computed over all pairs. Incidents are
grouped by pattern and by service (an inverted index, each group sorted by date);
within a group of more than :data:`SIMILARITY_WINDOW` incidents, an incident is
compared only with the ``SIMILARITY_WINDOW`` incidents nearest to it in time.
A pattern or service shared by thousands of incidents therefore links each one
to its neighbours in time. Each incident then keeps edges to its
:data:`SIMILAR_PER_INCIDENT` most similar candidates (ties by id), as many as an
incident page lists as related, plus the candidates it has an explicit ``related``
link with (so an explicit link's score carries its similarity too); a pair is
linked when either side picks the other. An incident's related incidents are
therefore exactly the best of all its candidates. Work and edges stay linear in
the number of incidents: at most ``SIMILARITY_WINDOW`` comparisons per incident
and group, at most ``SIMILAR_PER_INCIDENT`` edges (plus explicit links) added per
incident.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .model import Pattern, Postmortem

if TYPE_CHECKING:  # imported where a graph is made: a process that only plans pages skips it
    import networkx as nx

__all__ = [
    "PATTERN_WEIGHT",
    "RELATED_WEIGHT",
    "SERVICE_WEIGHT",
    "SIMILARITY_WINDOW",
    "SIMILAR_PER_INCIDENT",
    "build_graph",
    "co_occurring_patterns",
    "pattern_reach",
    "related_incidents",
    "to_json",
]

SIMILARITY_WINDOW = 50
"""Largest number of other incidents one incident is compared with per shared pattern or service."""
SIMILAR_PER_INCIDENT = 5
"""Each incident keeps ``similar`` edges to this many most-similar incidents (its own pick): the
``k`` of :func:`related_incidents` on incident pages, so no edge is kept that no page uses."""
PATTERN_WEIGHT = 2.0
"""Similarity added by each shared pattern (root cause or contributing factor)."""
SERVICE_WEIGHT = 1.0
"""Similarity added by each shared service."""
RELATED_WEIGHT = 10.0
"""Score of an explicit ``related`` link: explicit links rank above any similarity."""


class _Corpus(Protocol):
    """What the graph needs from a knowledge base."""

    @property
    def incidents(self) -> tuple[Postmortem, ...]: ...

    @property
    def patterns(self) -> Any: ...  # Mapping[str, Pattern]


def _inc(incident_id: str) -> str:
    return f"incident:{incident_id}"


def build_graph(kb: _Corpus) -> nx.MultiDiGraph:
    """The graph of a knowledge base's published incidents, patterns and services.

    >>> from postmortem_kb.graph import _example
    >>> G = build_graph(_example())
    >>> sorted(G.nodes)[:3], G.number_of_edges()
    (['incident:a', 'incident:b', 'incident:c'], 12)
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    patterns: dict[str, Pattern] = dict(kb.patterns)
    for pattern_id in sorted(patterns):
        pattern = patterns[pattern_id]
        G.add_node(
            f"pattern:{pattern_id}",
            kind="pattern",
            id=pattern_id,
            title=pattern.title,
            defined=pattern.defined,
        )
    incidents = sorted(kb.incidents, key=lambda pm: pm.id)
    known = {pm.id for pm in incidents}
    for pm in incidents:
        G.add_node(
            _inc(pm.id),
            kind="incident",
            id=pm.id,
            title=pm.title,
            date=pm.date.isoformat(),
            severity=str(pm.severity),
            status=str(pm.status),
        )
    for pm in incidents:
        for role, cited in (
            ("root_cause", pm.root_causes),
            ("contributing", pm.contributing_factors),
        ):
            for pattern_id in cited:
                node = f"pattern:{pattern_id}"
                if node not in G:
                    G.add_node(node, kind="pattern", id=pattern_id, title=pattern_id, defined=False)
                if not G.has_edge(_inc(pm.id), node, key="cites"):
                    G.add_edge(_inc(pm.id), node, key="cites", role=role)
        for service in pm.services:
            node = f"service:{service}"
            if node not in G:
                G.add_node(node, kind="service", id=service, title=service)
            G.add_edge(_inc(pm.id), node, key="affects")
        for other in pm.related:
            if other in known and other != pm.id:
                G.add_edge(_inc(pm.id), _inc(other), key="related")
    _add_similarity(G, incidents)
    return G


def _add_similarity(G: nx.MultiDiGraph, incidents: Sequence[Postmortem]) -> None:
    """``similar`` edges from an inverted index over patterns and services (see module docs)."""
    groups: dict[tuple[str, str], list[Postmortem]] = defaultdict(list)
    for pm in incidents:
        for pattern_id in pm.patterns:
            groups[("patterns", pattern_id)].append(pm)
        for service in dict.fromkeys(pm.services):
            groups[("services", service)].append(pm)
    position: dict[tuple[str, str], dict[str, int]] = {}
    for key, members in groups.items():
        members.sort(key=lambda pm: (pm.date, pm.id))
        position[key] = {pm.id: i for i, pm in enumerate(members)}
    half = SIMILARITY_WINDOW // 2
    known = {pm.id for pm in incidents}
    linked: dict[str, set[str]] = defaultdict(set)  # explicit links, either direction
    for pm in incidents:
        for other_id in pm.related:
            if other_id in known and other_id != pm.id:
                linked[pm.id].add(other_id)
                linked[other_id].add(pm.id)
    weights = {"patterns": PATTERN_WEIGHT, "services": SERVICE_WEIGHT}
    ids = {key: [pm.id for pm in members] for key, members in groups.items()}

    def window(key: tuple[str, str], incident_id: str) -> list[str]:
        """The incidents of ``key``'s group near ``incident_id`` (all of a small group)."""
        members = ids[key]
        if len(members) <= SIMILARITY_WINDOW:
            return members
        # index distance is symmetric: j is in i's window exactly when i is in j's
        i = position[key][incident_id]
        return members[max(0, i - half) : i + half + 1]

    def near(key: tuple[str, str], a: str, b: str) -> bool:
        """Whether ``b`` is in ``a``'s window of ``key``'s group (it is a member)."""
        if len(ids[key]) <= SIMILARITY_WINDOW:
            return b in position[key]
        where = position[key]
        return b in where and abs(where[a] - where[b]) <= half

    for pm in incidents:
        score: dict[str, float] = defaultdict(float)
        keys = [("patterns", p) for p in pm.patterns] + [
            ("services", s) for s in dict.fromkeys(pm.services)
        ]
        for key in keys:
            add = weights[key[0]]
            for other_id in window(key, pm.id):
                score[other_id] += add
        score.pop(pm.id, None)
        best = heapq.nsmallest(SIMILAR_PER_INCIDENT, score, key=lambda o: (-score[o], o))
        best += sorted(o for o in linked.get(pm.id, ()) if o in score and o not in best)
        for other_id in best:
            a, b = sorted((pm.id, other_id))
            if not G.has_edge(_inc(a), _inc(b), key="similar"):
                # the (kind, name) pairs the two share, as counted in the score above
                found = [key for key in keys if near(key, pm.id, other_id)]
                G.add_edge(
                    _inc(a),
                    _inc(b),
                    key="similar",
                    weight=score[other_id],
                    patterns=sorted(name for kind, name in found if kind == "patterns"),
                    services=sorted(name for kind, name in found if kind == "services"),
                )


def related_incidents(
    G: nx.MultiDiGraph, incident_id: str, k: int = 5
) -> list[tuple[str, float, tuple[str, ...]]]:
    """The ``k`` incidents most related to ``incident_id``: ``(id, score, reasons)``, best first.

    Reasons are ``"related"`` (an explicit link, either direction),
    ``"pattern:<id>"`` and ``"service:<id>"``. Ties break by id.

    >>> from postmortem_kb.graph import _example
    >>> related_incidents(build_graph(_example()), "a")
    [('c', 11.0, ('related', 'service:api')), ('b', 3.0, ('pattern:dns', 'service:api'))]
    """
    node = _inc(incident_id)
    if node not in G:
        return []
    scores: dict[str, float] = defaultdict(float)
    reasons: dict[str, list[str]] = defaultdict(list)
    edges = [(v, key, data) for _, v, key, data in G.out_edges(node, keys=True, data=True)]
    edges += [(u, key, data) for u, _, key, data in G.in_edges(node, keys=True, data=True)]
    for other, key, data in edges:
        if G.nodes[other].get("kind") != "incident" or other == node:
            continue
        other_id = G.nodes[other]["id"]
        if key == "related":
            if "related" not in reasons[other_id]:
                scores[other_id] += RELATED_WEIGHT
                reasons[other_id].insert(0, "related")
        elif key == "similar":
            scores[other_id] += data["weight"]
            reasons[other_id] += [f"pattern:{p}" for p in data["patterns"]]
            reasons[other_id] += [f"service:{s}" for s in data["services"]]
    ranked = sorted(scores, key=lambda i: (-scores[i], i))[: max(k, 0)]
    return [(i, scores[i], tuple(reasons[i])) for i in ranked]


def co_occurring_patterns(G: nx.MultiDiGraph, pattern_id: str) -> list[tuple[str, int]]:
    """Other patterns cited together with ``pattern_id``: ``(id, incidents)``, most first, then by id.

    >>> from postmortem_kb.graph import _example
    >>> co_occurring_patterns(build_graph(_example()), "dns")
    [('retry-storm', 1)]
    """
    node = f"pattern:{pattern_id}"
    if node not in G:
        return []
    counts: dict[str, int] = defaultdict(int)
    for incident in {u for u, _, key in G.in_edges(node, keys=True) if key == "cites"}:
        for _, other, key in G.out_edges(incident, keys=True):
            if key == "cites" and other != node:
                counts[G.nodes[other]["id"]] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def pattern_reach(G: nx.MultiDiGraph) -> dict[str, int]:
    """Centrality of each pattern: how many distinct services and other patterns its incidents touch.

    A degree centrality on the pattern–incident–(service|pattern) projection:
    deterministic, and cheap enough for 20,000 incidents.

    >>> from postmortem_kb.graph import _example
    >>> pattern_reach(build_graph(_example()))
    {'dns': 3, 'retry-storm': 3}
    """
    reach: dict[str, int] = {}
    for node, data in sorted(G.nodes(data=True)):
        if data.get("kind") != "pattern":
            continue
        touched: set[str] = set()
        for incident, _, key in G.in_edges(node, keys=True):
            if key != "cites":
                continue
            for _, other, okey in G.out_edges(incident, keys=True):
                if okey in ("cites", "affects") and other != node:
                    touched.add(other)
        reach[data["id"]] = len(touched)
    return reach


def to_json(G: nx.MultiDiGraph) -> str:
    """The graph as node-link JSON (``nodes`` and ``edges`` keys), sorted, one line, ASCII.

    >>> from postmortem_kb.graph import _example
    >>> data = json.loads(to_json(build_graph(_example())))
    >>> sorted(data), data["nodes"][0]["id"]
    (['directed', 'edges', 'graph', 'multigraph', 'nodes'], 'incident:a')
    """
    import networkx as nx

    data = nx.node_link_data(G, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"]))
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    # same JSON, but inert if a page ever inlines it in a <script>
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _example() -> _Corpus:
    """A three-incident corpus for the doctests."""
    from dataclasses import dataclass
    from datetime import UTC, datetime

    from .model import Detection, Severity, Status

    def pm(
        i: str,
        day: int,
        causes: Iterable[str],
        services: Iterable[str],
        related: Iterable[str] = (),
    ) -> Postmortem:
        at = datetime(2025, 1, day, 9, tzinfo=UTC)
        return Postmortem(
            id=i,
            path=f"postmortems/{i}.md",
            title=i.upper(),
            date=at.date(),
            severity=Severity.P2,
            status=Status.FINAL,
            authors=("sre",),
            timezone="UTC",
            started=at,
            detected=at,
            mitigated=at,
            detection=Detection.MONITORING,
            services=tuple(services),
            root_causes=tuple(causes),
            related=tuple(related),
        )

    @dataclass(frozen=True)
    class Example:
        incidents: tuple[Postmortem, ...]
        patterns: dict[str, Pattern]

    return Example(
        incidents=(
            pm("a", 1, ["dns"], ["api"], related=["c"]),
            pm("b", 2, ["dns", "retry-storm"], ["api", "db"]),
            pm("c", 3, ["retry-storm"], ["api"]),
        ),
        patterns={
            "dns": Pattern("dns", "DNS"),
            "retry-storm": Pattern("retry-storm", "Retry storm"),
        },
    )
