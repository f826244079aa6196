"""Escaping for every context a post-mortem value can land in.

Post-mortems are untrusted data. Each function here escapes a value for one
context and returns :class:`Safe`, the only kind of value the page templates
accept (see :mod:`postmortem_kb.pages`): Markdown inline text, a Markdown table
cell, an author's Markdown block (raw HTML and unsafe links neutralised), HTML
text and attributes, URLs (``http``, ``https``, ``mailto``, relative and ``#``
only), JSON inside ``<script>``, and XML.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = [
    "Safe",
    "html_attr",
    "html_text",
    "is_safe_url",
    "json_script",
    "md_block",
    "md_cell",
    "md_cell_block",
    "md_text",
    "safe_url",
    "split_code_spans",
    "xml_text",
]


class Safe(str):
    """Text already escaped for the context it is about to be written into."""

    __slots__ = ()


# Characters with inline meaning, backslash-escaped (`|` too: the tables extension
# makes it escapable); `<` and `&` are not escapable in Python-Markdown: entities.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|>])")
# Only at the start of a value do these make a list, a heading or a setext underline.
_MD_LEADING = re.compile(r"^(?:([-+])|(\d+)([.)]))")
_ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_MD_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def md_text(value: Any) -> Safe:
    """Plain text as Markdown inline text that renders to exactly that text.

    >>> md_text("- <img src=x> *a* [b](c) {{ 7*7 }}")
    '\\\\- &lt;img src=x\\\\> \\\\*a\\\\* \\\\[b\\\\]\\\\(c\\\\) \\\\{\\\\{ 7\\\\*7 \\\\}\\\\}'
    """
    text = " ".join(_text(value).split())  # newlines would end a heading, list item or cell
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    text = _MD_LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    return Safe("&#61;" + text[1:] if text.startswith("=") else text)


def md_cell(value: Any) -> Safe:
    """Plain text for a Markdown table cell (``|`` escaped, one line)."""
    return md_text(value)  # md_text already escapes `|` and folds newlines


def is_safe_url(url: str) -> bool:
    """True for ``http``, ``https``, ``mailto``, relative and ``#`` targets.

    The check runs on what a browser would see: HTML entities decoded, Markdown
    backslash escapes removed, whitespace and control characters dropped.

    >>> [is_safe_url(u) for u in ("https://x.org", "../a.md#b", "javascript:alert(1)", "java&#115;cript:x")]
    [True, True, False, False]
    """
    seen = _CONTROL.sub("", html.unescape(_MD_UNESCAPE.sub(r"\1", url)))
    scheme = _SCHEME.match(seen)
    return scheme is None or scheme.group(1).lower() in _ALLOWED_SCHEMES


def safe_url(value: Any) -> Safe:
    """``value`` if it is an allowed link target, else ``#``.

    >>> safe_url("data:text/html,x"), safe_url("mailto:sre@example.com")
    ('#', 'mailto:sre@example.com')
    """
    url = _text(value).strip()
    return Safe(url if is_safe_url(url) else "#")


def html_text(value: Any) -> Safe:
    """Text for an HTML element's content."""
    return Safe(html.escape(_text(value), quote=False))


def html_attr(value: Any) -> Safe:
    """Text for a double- or single-quoted HTML attribute value."""
    return Safe(html.escape(_text(value), quote=True))


def json_script(value: Any) -> Safe:
    """JSON that is safe inside ``<script>``: no ``</``, ``<!--``, U+2028 or U+2029 survive.

    >>> json_script({"t": "</script>\\u2028"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u2028"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Safe(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def xml_text(value: Any) -> Safe:
    """Text for XML content or a quoted attribute (characters XML forbids removed)."""
    return Safe(html.escape(_XML_INVALID.sub("", _text(value)), quote=True))


# --- an author's Markdown -------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>")
_INLINE_LINK = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s)]*)")
_REF_DEF = re.compile(r"^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _neutral_link(match: re.Match[str]) -> str:
    target = match.group(2)
    bare = target[1:-1] if target.startswith("<") and target.endswith(">") else target
    return match.group(1) + (target if is_safe_url(bare) else "#")


def _prose(text: str) -> str:
    """Neutralise raw HTML and unsafe links in Markdown prose (no code in ``text``)."""
    text = _COMMENT.sub("", text)  # opt-out comments (`<!-- blameless: ignore -->`) stay invisible
    text = _REF_DEF.sub(_neutral_link, text) if "]:" in text else text
    text = _INLINE_LINK.sub(_neutral_link, text)
    parts = _AUTOLINK.split(text)
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # an autolink's URL
            out.append(f"<{part}>" if is_safe_url(part) else "&lt;" + part + ">")
        else:
            out.append(_TAG_START.sub("&lt;", part))
    return "".join(out)


def _line(line: str) -> str:
    """One line of prose, leaving inline code spans as written (code is shown literally)."""
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(line):
        out.append(_prose(line[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_prose(line[pos:]))
    return "".join(out)


def md_block(value: Any) -> Safe:
    """An author's Markdown, kept as written except: raw HTML shows as text, HTML
    comments are dropped, and links to anything but allowed targets go to ``#``.

    Fenced code blocks and inline code are left alone (Markdown shows them literally).

    >>> md_block("Hi <script>x</script> [a](javascript:y) `<b>`")
    'Hi &lt;script>x&lt;/script> [a](#) `<b>`'
    """
    text = _text(value).replace("\r\n", "\n")
    if "<" not in text and "]" not in text and "`" not in text:
        return Safe(text)  # no tag, comment, link or code span: every line stays as written
    return Safe(_md_lines(text))


def _md_lines(text: str) -> str:
    """:func:`md_block` line by line: fenced code as written, every other line through ``_line``."""
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    prose: list[str] = []

    def flush() -> None:
        # a comment spanning lines is not recognised and shows as text: safe, and rare
        out.extend(_line(line) for line in prose)
        prose.clear()

    for line in lines:
        opener = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            closes = (
                opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence)
            )
            if closes and not line.strip().strip(fence[0]):  # a closing fence carries nothing else
                fence = None
            continue
        if opener:
            flush()
            fence = opener.group(1)
            out.append(line)
            continue
        prose.append(line)
    flush()
    return "\n".join(out)


def split_code_spans(value: Any) -> list[tuple[str, bool]]:
    """Text and its inline code spans, in order, as ``(text, is_code)`` pairs.

    A code span's backticks and surrounding spaces are dropped, as Python-Markdown does;
    a backtick without its match stays text. Nothing is escaped: each part goes through
    the escape function of its context.

    >>> split_code_spans("Answer `503` with `` `x` `` and ` lone")
    [('Answer ', False), ('503', True), (' with ', False), ('`x`', True), (' and ` lone', False)]
    """
    text = _text(value)
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > pos:
            parts.append((text[pos : match.start()], False))
        parts.append((match.group(2).strip(), True))
        pos = match.end()
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def md_cell_block(value: Any) -> Safe:
    """An author's Markdown for one table cell: sanitised like :func:`md_block`, one line,
    with unescaped ``|`` escaped."""
    text = md_block(" ".join(_text(value).split()))
    return Safe(_UNESCAPED_PIPE.sub(r"\\|", text) if "|" in text else text)
