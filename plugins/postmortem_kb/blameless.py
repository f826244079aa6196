"""PM060: blaming language, flagged as a warning with a suggestion.

Three kinds of finding:

- a phrase from ``settings.blame_phrases`` (matched case-insensitively, on word
  boundaries, any run of white space between its words);
- ``<someone>'s fault`` — but not ``fault injection``, ``fault tolerance`` and
  the other engineering terms, nor ``nobody's fault``;
- the name of a person (``authors`` and ``settings.roster``) inside the Root
  Cause Analysis: a root cause names conditions, not people.

Scanned: the body, and the free-text front-matter values (``title``, ``tags``).
Skipped: fenced code blocks, inline code, HTML comments, and any line carrying
``<!-- blameless: ignore -->``.

Avoiding false alarms on ordinary post-mortem prose:

- a phrase negated just before it, in the same clause ("this was *not* human
  error", "*nobody* was to blame") is not flagged;
- engineering terms that share a word with a phrase are not flagged
  ("lazy loading", "lazy-initialised", "sloppy quorum");
- full names match in any case; a given name alone, or a one-word entry (a
  handle like ``dana``), only as written, and a capitalised one not at the
  start of a sentence, where "Will" or "May" is an ordinary word;
- an author entry that names a team ("Payments SRE", "platform-team") is not
  a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .model import Diagnostic, Level, PartialPostmortem, Postmortem
from .settings import Settings

__all__ = ["check_blameless"]

_IGNORECASE = int(re.IGNORECASE)  # a plain int: RegexFlag's own "&" runs in Python
_OPT_OUT = re.compile(r"<!--\s*blameless\s*:\s*ignore\s*-->", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_FREE_TEXT_KEYS = ("title", "tags")

# Words that, just before a phrase in the same clause, turn it into a denial of blame.
_NEGATORS = frozenset({"not", "no", "never", "nobody", "noone", "neither", "nor", "without"})
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]|]")

# Engineering terms that share a word with a blame phrase (the text right after the phrase).
_TECHNICAL_FOLLOWERS: Mapping[str, re.Pattern[str]] = {
    "lazy": re.compile(
        r"[\s-]*(?:load|init|eval|fetch|import|compil|instantiat|iterat|sequence|propert"
        r"|attribute|binding|deserializ|connect|alloc|start|mount|render|hydrat|val)",
        re.IGNORECASE,
    ),
    "sloppy": re.compile(r"[\s-]*(?:quorum|mode|counter)", re.IGNORECASE),
}

_POSSESSIVE_FAULT = re.compile(
    r"(?<![\w'’])(?P<who>[A-Za-z][\w.-]*)['’]s\s+fault(?![\w-])"
    r"(?![\s-]*(?:injection|injector|inject|tolerance|tolerant|domain|line|zone|isolation"
    r"|detection|detector|handling|handler|code|model|tree|mode|condition|path|signal|state))",
    re.IGNORECASE,
)
_NOT_SOMEONE = frozenset({"nobody", "noone", "one", "anybody", "anyone", "it", "that", "what"})

_TEAM_WORDS = re.compile(
    r"\b(?:team|squad|group|guild|chapter|on-?call|rotation|sre|ops|devops|department|org)\b",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s*|^\s*(?:[-*+]|\d+[.)])\s+)$")


@dataclass(frozen=True, slots=True)
class _Finding:
    start: int
    end: int
    message: str


@lru_cache(maxsize=8)
def _phrase_matcher(
    phrases: tuple[tuple[str, str], ...],
) -> tuple[re.Pattern[str], re.Pattern[str] | None, dict[str, str], tuple[tuple[str, ...], ...]]:
    """One regex for every phrase (longest first, so the longest wins), the same regex
    for lower-cased text (see :func:`_lowered`; ASCII phrases only), key -> phrase, and
    the words of each key (a match of the key contains every one of them)."""
    keys = {" ".join(p.lower().split()): p for p, _ in phrases if p.split()}
    words = sorted(keys, key=lambda k: (-len(k), k))
    if not words:
        return re.compile(r"(?!)"), re.compile(r"(?!)"), keys, ()
    alternation = "|".join(r"\s+".join(map(re.escape, k.split())) for k in words)
    pattern = rf"(?<!\w)(?:{alternation})(?!\w)"
    lower = re.compile(pattern) if all(key.isascii() for key in keys) else None
    needed = tuple(sorted({tuple(sorted(set(key.split()), key=len, reverse=True)) for key in keys}))
    return re.compile(pattern, re.IGNORECASE), lower, keys, needed


def _holds_all_words_of_one(text: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    """Some phrase has every one of its words somewhere in ``text`` (plain loops: cheap)."""
    for words in phrases:
        for word in words:
            if word not in text:
                break
        else:
            return True
    return False


def _lowered(text: str) -> str | None:
    """``text.lower()`` where searching it case-sensitively finds at least what a
    case-insensitive search of ``text`` finds (None where it might not).

    ``re.IGNORECASE`` is slow on an alternation; lower-casing once is not. The
    two differ only where lower-casing changes a length (``İ``) or where ``re``
    also equates a letter with a non-ASCII one (``ı`` with i, ``ſ`` with s).
    """
    lowered = text.lower()
    if len(lowered) != len(text) or "\u0131" in text or "\u017f" in text:
        return None
    return lowered


def _negated(text: str, start: int) -> bool:
    """A negating word among the three words before ``start``, in the same clause."""
    before = _CLAUSE_END.split(text[:start])[-1]
    words = re.findall(r"[\w'’]+", before.lower())[-3:]
    return any(w in _NEGATORS or w.endswith(("n't", "n’t")) for w in words)


def _mask(text: str) -> str:
    """Inline code replaced by spaces, so columns still point into the file line."""
    if "`" not in text:
        return text
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)


def _scannable(lines: Sequence[str], first: int, last: int) -> Iterator[tuple[int, str]]:
    """(line number, masked text) of lines first..last, outside code fences and HTML comments."""
    if first >= 1:
        chunk = lines[first - 1 : last]
        joined = "\n".join(chunk)
        if "`" not in joined and "~~~" not in joined and "<!--" not in joined:
            # no fence, inline code or comment (nor opt-out) to skip: every line as it is
            yield from enumerate(chunk, start=first)
            return
    fence: str | None = None
    in_comment = False
    for number in range(first, min(last, len(lines)) + 1):
        raw = lines[number - 1]
        opening = _FENCE.match(raw)
        if fence is not None:
            marker = opening.group(1) if opening else ""
            if (
                marker[:1] == fence[0]
                and len(marker) >= len(fence)
                and not raw.strip().strip(fence[0])
            ):
                fence = None
            continue
        if opening and not in_comment:
            fence = opening.group(1)
            continue
        text, in_comment = _strip_comments(raw, in_comment)
        if "<!--" in raw and _OPT_OUT.search(raw):
            continue
        yield number, _mask(text)


def _strip_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """The line with HTML comments blanked; whether a comment is still open at its end."""
    if not in_comment and "<!--" not in text:
        return text, False
    out = list(text)
    position = 0
    while position < len(text):
        if in_comment:
            close = text.find("-->", position)
            stop = len(text) if close < 0 else close + 3
            out[position:stop] = " " * (stop - position)
            position = stop
            in_comment = close < 0
        else:
            opening = text.find("<!--", position)
            if opening < 0:
                break
            position, in_comment = opening, True
    return "".join(out), in_comment


def _phrases(
    text: str, matcher: re.Pattern[str], keys: Mapping[str, str], suggestions: Mapping[str, str]
) -> Iterator[_Finding]:
    for match in matcher.finditer(text):
        phrase = keys.get(" ".join(match.group(0).lower().split())) or _key_of(match.group(0), keys)
        follower = _TECHNICAL_FOLLOWERS.get(phrase.lower())
        if _negated(text, match.start()):
            continue
        if follower is not None and follower.match(text, match.end()):
            continue
        yield _Finding(
            match.start(),
            match.end(),
            f'blaming language "{" ".join(match.group(0).split())}": {suggestions[phrase]}',
        )


# A line that starts a block of its own (list item, heading, quote, table row) does not
# continue the paragraph of the line above it.
_STARTS_BLOCK = re.compile(r"[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#|>|\|)")


def _wrapped_phrases(
    region: Sequence[tuple[int, str]],
    matcher: re.Pattern[str],
    keys: Mapping[str, str],
    suggestions: Mapping[str, str],
) -> Iterator[tuple[int, _Finding]]:
    """Phrases a paragraph's line break splits ("human" / "error"): (line, finding) each,
    on the line where the phrase starts."""
    for (number, text), (following, after) in pairwise(region):
        if (
            following != number + 1
            or not text.strip()
            or not after.strip()
            or text.lstrip().startswith("|")
            or _STARTS_BLOCK.match(after)
        ):
            continue
        for finding in _phrases(f"{text}\n{after}", matcher, keys, suggestions):
            if finding.start < len(text) < finding.end:
                yield number, finding


def _key_of(found: str, keys: Mapping[str, str]) -> str:
    """The phrase ``found`` matched where lower-casing does not give its key (``ſ`` for s)."""
    return next(
        phrase
        for key, phrase in keys.items()
        if re.fullmatch(r"\s+".join(map(re.escape, key.split())), found, re.IGNORECASE)
    )


def _fault(text: str) -> Iterator[_Finding]:
    for match in _POSSESSIVE_FAULT.finditer(text):
        if match.group("who").lower() in _NOT_SOMEONE:
            continue
        yield _Finding(
            match.start(),
            match.end(),
            f'blaming language "{match.group(0)}": describe the conditions that made the '
            "failure possible instead of whose fault it was",
        )


@lru_cache(maxsize=1024)  # the same people write post-mortem after post-mortem
def _person_names(names: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(shown name, pattern) for each person; team entries and empty names are skipped."""
    found: dict[str, re.Pattern[str]] = {}
    for entry in names:
        name = re.sub(r"<[^>]*>|\([^)]*\)", " ", entry).strip().lstrip("@").strip()
        if not name or _TEAM_WORDS.search(name) or not re.search(r"\w", name):
            continue
        words = name.split()
        full = r"(?<![\w@])@?" + r"\s+".join(map(re.escape, words)) + r"(?![\w])"
        # a one-word entry is a handle or a given name ("dana", "Will"): only as written
        found.setdefault(name, re.compile(full, re.IGNORECASE if len(words) > 1 else 0))
        given = words[0]
        if len(words) > 1 and len(given) >= 3 and given[0].isupper():
            found.setdefault(given, re.compile(r"(?<![\w@])" + re.escape(given) + r"(?![\w])"))
    return tuple(sorted(found.items()))


def _names(text: str, people: Sequence[tuple[str, re.Pattern[str]]]) -> Iterator[_Finding]:
    for name, pattern in people:
        case_sensitive = not pattern.flags & _IGNORECASE
        for match in pattern.finditer(text):
            if (
                case_sensitive
                and name[:1].isupper()
                and _SENTENCE_START.search(text[: match.start()])
            ):
                continue  # "Will", "May", "Mark" opening a sentence are ordinary words
            yield _Finding(
                match.start(),
                match.end(),
                f'the root cause analysis names a person ("{name}"): a root cause names '
                "conditions, not people; describe what allowed the action (missing guard rail, "
                "unclear runbook, misleading signal)",
            )


def _without_overlaps(findings: Iterable[_Finding]) -> list[_Finding]:
    """The longest finding wins where two overlap (a custom phrase may contain another)."""
    kept: list[_Finding] = []
    for finding in sorted(findings, key=lambda f: (-(f.end - f.start), f.start, f.message)):
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.message))


def _regions(pm: Postmortem | PartialPostmortem, line_count: int) -> Iterator[tuple[int, int]]:
    """(first, last) file lines to scan: free-text front-matter values, then the body."""
    starts = sorted(set(pm.key_lines.values()))
    front_end = pm.body_line - 2  # the closing '---' sits just above the body
    for key in _FREE_TEXT_KEYS:
        first = pm.key_lines.get(key)
        if first is None:
            continue
        after = [line for line in starts if line > first]
        last = min(after[0] - 1 if after else front_end, front_end)
        yield first, max(first, last)
    yield pm.body_line, line_count


def _rca_range(pm: Postmortem | PartialPostmortem, line_count: int) -> tuple[int, int] | None:
    heading = pm.section("root cause analysis")
    if heading is None:
        return None
    later = [s.line for s in pm.sections if s.line > heading.line]
    return heading.line + 1, (min(later) - 1 if later else line_count)


def check_blameless(
    pm: Postmortem | PartialPostmortem, lines: Sequence[str], settings: Settings
) -> list[Diagnostic]:
    """PM060 warnings for one post-mortem; ``lines[0]`` is file line 1."""
    suggestions = dict(settings.blame_phrases)  # a mapping, or (phrase, suggestion) pairs
    matcher, lower_matcher, keys, words = _phrase_matcher(tuple(sorted(suggestions.items())))
    people = _person_names((*pm.authors, *settings.roster))
    rca = _rca_range(pm, len(lines))
    diagnostics: list[Diagnostic] = []
    seen: set[int] = set()
    region: list[tuple[int, str]] = []  # every line to scan, each once, in region order
    for first, last in _regions(pm, len(lines)):
        for number, text in _scannable(lines, first, last):
            if number not in seen:
                seen.add(number)
                region.append((number, text))
    if not region:
        return diagnostics
    # Most files hold no phrase, no "fault" and no name at all: one search of the
    # lines joined rules a check out for every line (a match within a line is a
    # match in the joined text, whose line breaks are neither word nor space).
    joined = "\n".join(t for _, t in region)
    lowered_all = _lowered(joined)
    may_phrase = may_fault = True
    if lowered_all is not None:
        may_fault = "fault" in lowered_all
        if lower_matcher is not None:
            may_phrase = _holds_all_words_of_one(lowered_all, words) and (
                lower_matcher.search(lowered_all) is not None
            )
    named: list[tuple[str, re.Pattern[str]]] = []
    if rca is not None and people:
        in_rca = "\n".join(t for n, t in region if rca[0] <= n <= rca[1])
        lowered_rca = _lowered(in_rca)
        named = [
            (name, pattern)
            for name, pattern in people
            # a case-sensitive pattern is the name itself, between word boundaries; a
            # case-insensitive one needs its first word in the lower-cased text
            if (
                name in in_rca
                if not pattern.flags & _IGNORECASE
                else lowered_rca is None
                or not name.isascii()
                or name.split()[0].lower() in lowered_rca
            )
            and pattern.search(in_rca)
        ]
    if not (may_phrase or may_fault or named):
        return diagnostics
    wrapped: dict[int, list[_Finding]] = {}
    if may_phrase:
        for number, finding in _wrapped_phrases(region, matcher, keys, suggestions):
            wrapped.setdefault(number, []).append(finding)
    for number, text in region:
        findings: list[_Finding] = []
        # most lines hold no phrase and no "fault": a case-sensitive search of the
        # lower-cased line rules them out (the case-insensitive regexes then decide)
        lowered = _lowered(text) if may_phrase or may_fault else text
        if (
            may_phrase
            and (
                matcher.search(text)
                if lowered is None or lower_matcher is None
                else lower_matcher.search(lowered)
            )
            is not None
        ):
            findings.extend(_phrases(text, matcher, keys, suggestions))
        if may_fault and (lowered is None or "fault" in lowered):
            findings.extend(_fault(text))
        if named and rca is not None and rca[0] <= number <= rca[1]:
            findings.extend(_names(text, named))
        findings.extend(wrapped.get(number, ()))
        if not findings:
            continue
        diagnostics.extend(
            Diagnostic(
                pm.path,
                number,
                finding.start + 1,
                "PM060",
                Level.WARNING,
                finding.message + " (or opt the line out with `<!-- blameless: ignore -->`)",
            )
            for finding in _without_overlaps(findings)
        )
    return diagnostics
