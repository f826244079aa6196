"""Cross-file rules: duplicate ids (PM007), unknown patterns (PM050), dangling
``related`` links (PM051), and pattern aliases.

These need the whole folder at once, so they run after every file is parsed.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .model import Citations, Diagnostic, Level, Pattern, Postmortem

__all__ = ["alias_table", "check_corpus", "effective_patterns", "fold", "resolve_aliases"]


def _nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, for a did-you-mean (None when nothing is close)."""
    found = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def alias_table(patterns: Mapping[str, Pattern]) -> dict[str, str]:
    """Every id a pattern can be cited by (its own and its aliases) -> canonical id."""
    table: dict[str, str] = {}
    for pattern_id in sorted(patterns):
        for alias in patterns[pattern_id].aliases:
            table.setdefault(alias, pattern_id)
    for (
        pattern_id
    ) in patterns:  # an id always means its own pattern, even if also an alias elsewhere
        table[pattern_id] = pattern_id
    return table


def resolve_aliases(pm: Postmortem, aliases: Mapping[str, str]) -> Postmortem:
    """The post-mortem with every cited alias replaced by its pattern's canonical id."""

    def canon(ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(aliases.get(i, i) for i in ids))

    root, contributing = canon(pm.root_causes), canon(pm.contributing_factors)
    if root == pm.root_causes and contributing == pm.contributing_factors:
        return pm
    return replace(pm, root_causes=root, contributing_factors=contributing)


def fold(identifier: str) -> str:
    """Case and Unicode-normalization folding, to catch ids that collide on disk or in URLs."""
    return unicodedata.normalize("NFKC", identifier).casefold()


def check_corpus(
    models: Sequence[Postmortem | Citations],
    patterns: Mapping[str, Pattern],
    patterns_dir: str = "docs/patterns",
) -> list[Diagnostic]:
    """Diagnostics that need every file: PM007, PM050, PM051.

    ``models`` are the parsed post-mortems with their cited ids as written
    (aliases not yet resolved).
    """
    diagnostics: list[Diagnostic] = []
    by_id: dict[str, list[Postmortem | Citations]] = defaultdict(list)
    for pm in models:
        by_id[fold(pm.id)].append(pm)
    for group in by_id.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda pm: pm.path)
        for pm in group:
            others = ", ".join(o.path for o in group if o is not pm)
            diagnostics.append(
                Diagnostic(
                    pm.path,
                    pm.key_lines.get("id", 1),
                    1,
                    "PM007",
                    Level.ERROR,
                    f"duplicate incident id '{pm.id}': also used by {others}; ids must be unique "
                    "(rename the file or set a distinct `id`)",
                )
            )

    aliases = alias_table(patterns)
    known_ids = {pm.id for pm in models}
    for pm in models:
        for key, cited in (
            ("root_causes", pm.root_causes),
            ("contributing_factors", pm.contributing_factors),
        ):
            for pattern_id in cited:
                if pattern_id in aliases:
                    continue
                # A near miss is almost certainly a typo: an error. An id close to nothing
                # is a new pattern: it gets a generated page and a warning asking for a definition.
                hint = _nearest(pattern_id, aliases)
                if hint:
                    level, advice = Level.ERROR, f"did you mean '{hint}'?"
                else:
                    level, advice = (
                        Level.WARNING,
                        (
                            f"a page is generated for it; define it in {patterns_dir}/{pattern_id}.md"
                        ),
                    )
                diagnostics.append(
                    Diagnostic(
                        pm.path,
                        pm.key_lines.get(key, 1),
                        1,
                        "PM050",
                        level,
                        f"{key} cites unknown pattern '{pattern_id}'; {advice}",
                    )
                )
        for related in pm.related:
            if related in known_ids and related != pm.id:
                continue
            if related == pm.id:
                message = f"related lists the incident itself ('{related}')"
            else:
                hint = _nearest(related, known_ids)
                message = f"related incident '{related}' does not exist" + (
                    f"; did you mean '{hint}'?" if hint else ""
                )
            diagnostics.append(
                Diagnostic(
                    pm.path, pm.key_lines.get("related", 1), 1, "PM051", Level.ERROR, message
                )
            )
    return diagnostics


def effective_patterns(
    patterns: Mapping[str, Pattern], models: Iterable[Postmortem | Citations]
) -> dict[str, Pattern]:
    """Defined patterns plus a generated one for every id cited but not defined, sorted by id."""
    result = dict(patterns)
    aliases = alias_table(patterns)
    for pm in models:
        for pattern_id in pm.patterns:
            if pattern_id not in aliases and pattern_id not in result:
                result[pattern_id] = Pattern(
                    id=pattern_id, title=pattern_id.replace("-", " ").capitalize()
                )
    return {k: result[k] for k in sorted(result)}
