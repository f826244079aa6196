"""The cross-incident graph: nodes, edges, related incidents, bounded similarity, JSON."""

from __future__ import annotations

import doctest
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from postmortem_kb import graph as graph_module
from postmortem_kb.graph import (
    SIMILAR_PER_INCIDENT,
    SIMILARITY_WINDOW,
    build_graph,
    co_occurring_patterns,
    pattern_reach,
    related_incidents,
    to_json,
)
from postmortem_kb.model import Detection, Pattern, Postmortem, Severity, Status


def incident(
    incident_id: str,
    day: int,
    causes: Sequence[str] = ("dns",),
    services: Sequence[str] = ("api",),
    contributing: Sequence[str] = (),
    related: Sequence[str] = (),
    title: str = "",
) -> Postmortem:
    at = datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=day)
    return Postmortem(
        id=incident_id,
        path=f"postmortems/{incident_id}.md",
        title=title or incident_id,
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
        contributing_factors=tuple(contributing),
        related=tuple(related),
    )


@dataclass(frozen=True)
class Corpus:
    incidents: tuple[Postmortem, ...]
    patterns: dict[str, Pattern] = field(default_factory=dict)


def test_doctests() -> None:
    """Each public function's example holds."""
    assert doctest.testmod(graph_module).failed == 0


def test_nodes_and_edges_of_a_small_corpus() -> None:
    """cites (with role), affects, explicit related (only to known incidents), similar."""
    G = build_graph(
        Corpus(
            (
                incident("a", 1, ["dns"], ["api"], contributing=["retry"], related=["b", "ghost"]),
                incident("b", 2, ["dns"], ["db"]),
            ),
            {"dns": Pattern("dns", "DNS")},
        )
    )
    assert sorted(G.nodes) == [
        "incident:a",
        "incident:b",
        "pattern:dns",
        "pattern:retry",
        "service:api",
        "service:db",
    ]
    assert G.nodes["pattern:retry"]["defined"] is False
    edges = sorted(
        (u, v, k, tuple(sorted(d.items()))) for u, v, k, d in G.edges(keys=True, data=True)
    )
    assert edges == [
        ("incident:a", "incident:b", "related", ()),
        (
            "incident:a",
            "incident:b",
            "similar",
            (("patterns", ["dns"]), ("services", []), ("weight", 2.0)),
        ),
        ("incident:a", "pattern:dns", "cites", (("role", "root_cause"),)),
        ("incident:a", "pattern:retry", "cites", (("role", "contributing"),)),
        ("incident:a", "service:api", "affects", ()),
        ("incident:b", "pattern:dns", "cites", (("role", "root_cause"),)),
        ("incident:b", "service:db", "affects", ()),
    ]


def test_related_incidents_rank_explicit_links_first_and_break_ties_by_id() -> None:
    """Explicit link (either direction) beats similarity; equal scores sort by id; k caps."""
    corpus = Corpus(
        (
            incident("x", 1, ["p"], ["s"]),
            incident("d", 2, ["p"], ["t"]),
            incident("c", 3, ["p"], ["u"]),
            incident("z", 4, ["q"], ["v"], related=["x"]),
        )
    )
    G = build_graph(corpus)
    assert related_incidents(G, "x") == [
        ("z", 10.0, ("related",)),
        ("c", 2.0, ("pattern:p",)),
        ("d", 2.0, ("pattern:p",)),
    ]
    assert related_incidents(G, "x", k=1) == [("z", 10.0, ("related",))]
    assert related_incidents(G, "missing") == []


def test_similarity_is_bounded_for_a_very_common_pattern() -> None:
    """n incidents sharing one pattern: links only within half a window, at most k picks each."""
    n, half = SIMILARITY_WINDOW * 3, SIMILARITY_WINDOW // 2
    G = build_graph(
        Corpus(tuple(incident(f"i{i:04d}", i, ["common"], [f"s{i}"]) for i in range(n)))
    )
    similar = [(u, v) for u, v, k in G.edges(keys=True) if k == "similar"]
    assert len(similar) <= n * SIMILAR_PER_INCIDENT
    assert max(abs(int(u[-4:]) - int(v[-4:])) for u, v in similar) <= half
    # every incident's own pick: its k nearest-by-id candidates in its window (equal weights)
    picks = {
        (f"incident:i{min(i, j):04d}", f"incident:i{max(i, j):04d}")
        for i in range(n)
        for j in sorted(x for x in range(max(0, i - half), min(n, i + half + 1)) if x != i)[
            :SIMILAR_PER_INCIDENT
        ]
    }
    assert set(similar) == picks
    # a small group still compares every pair
    small = build_graph(Corpus(tuple(incident(f"j{i}", i, ["rare"], [f"s{i}"]) for i in range(5))))
    assert sum(1 for *_, k in small.edges(keys=True) if k == "similar") == 10


def test_bounded_similarity_keeps_every_incidents_best_related() -> None:
    """With k picks per incident, related incidents equal the best of all pairs, computed by hand."""
    patterns, services = ["p0", "p1", "p2", "p3"], ["s0", "s1", "s2", "s3", "s4"]
    incidents = tuple(
        incident(
            f"i{i:02d}",
            i,
            causes=[patterns[i % 4]],
            contributing=[patterns[(i * 3 + 1) % 4]] if i % 3 == 0 else [],
            services=sorted({services[i % 5], services[(i * 7) % 5]}),
            related=[f"i{(i * 7 + 2) % 40:02d}"] if i % 4 == 0 else [],
        )
        for i in range(40)
    )  # every group stays under the window: all pairs are candidates
    G = build_graph(Corpus(incidents))
    assert sum(1 for *_, k in G.edges(keys=True) if k == "similar") < 40 * 39 // 2
    linked = {(pm.id, o) for pm in incidents for o in pm.related if o != pm.id}
    linked |= {(b, a) for a, b in linked}
    for pm in incidents:
        scores: dict[str, float] = {}
        for other in incidents:
            if other.id == pm.id:
                continue
            shared_p = set(pm.patterns) & set(other.patterns)
            shared_s = set(pm.services) & set(other.services)
            score = 2.0 * len(shared_p) + 1.0 * len(shared_s)
            score += 10.0 if (pm.id, other.id) in linked else 0.0
            if score:
                scores[other.id] = score
        best = sorted(scores, key=lambda o: (-scores[o], o))[:5]
        assert [(o, s) for o, s, _ in related_incidents(G, pm.id)] == [
            (o, scores[o]) for o in best
        ], pm.id
    assert SIMILAR_PER_INCIDENT == 5


def test_co_occurrence_and_reach() -> None:
    """Patterns cited together, most first; reach counts services and other patterns touched."""
    G = build_graph(
        Corpus(
            (
                incident("a", 1, ["p", "q"], ["s1"]),
                incident("b", 2, ["p", "q"], ["s2"]),
                incident("c", 3, ["p", "r"], ["s1"]),
            )
        )
    )
    assert co_occurring_patterns(G, "p") == [("q", 2), ("r", 1)]
    assert co_occurring_patterns(G, "nope") == []
    assert pattern_reach(G) == {"p": 4, "q": 3, "r": 2}


def test_to_json_is_sorted_node_link_with_plain_titles() -> None:
    """``edges`` key, sorted nodes and edges, titles as plain strings, nothing HTML-active."""
    hostile = "<img src=x onerror=alert(1)> </script>"
    text = to_json(build_graph(Corpus((incident("b", 1, title=hostile), incident("a", 2)))))
    data = json.loads(text)
    assert sorted(data) == ["directed", "edges", "graph", "multigraph", "nodes"]
    assert [n["id"] for n in data["nodes"]] == [
        "incident:a",
        "incident:b",
        "pattern:dns",
        "service:api",
    ]
    assert data["nodes"][1]["title"] == hostile
    assert "<" not in text and "&" not in text
    keys = [(e["source"], e["target"], e["key"]) for e in data["edges"]]
    assert keys == sorted(keys)
    assert to_json(build_graph(Corpus((incident("a", 2), incident("b", 1, title=hostile))))) == text
