"""HTML sanitizing of rendered post-mortem content (nh3, an allowlist).

The page templates escape every value (:mod:`postmortem_kb.escape`), so an
author's raw HTML already shows as text. This is the second wall: the HTML that
Python-Markdown and its extensions produce from a post-mortem goes through an
allowlist before the theme wraps it, so an extension a site turns on
(``attr_list``, ``md_in_html``, ...) cannot smuggle a script, a frame, an event
handler or a ``javascript:`` link into a page.

Kept: what mkdocs-material content needs — headings with permalinks
(``a.headerlink``), admonitions and ``details``/``summary``, tables (with
``text-align`` only), code blocks with Pygments spans and line-number anchors,
task lists, footnotes, images. Link and image targets: ``http``,
``https``, ``mailto``, relative and ``#`` only (checked after entity decoding,
in any case). Removed with their content: ``script``, ``style``, ``iframe``,
``object``, ``embed``, ``template``, ``noscript``, ``svg``, ``math`` and form
controls; every ``input`` left is a disabled checkbox (a task-list box; content
tabs, which need live radio buttons, do not work in post-mortem pages). Removed,
content kept: any other element (``form`` included). Dropped: every attribute not listed (``on*`` handlers, ``style`` but
``text-align``, ``srcdoc``, ``formaction``) and HTML comments.

``hidden``: the attribute is dropped and the element's content is *shown*. A
reviewer reads the Markdown source; the site shows what they read, and nothing
invisible reaches readers or the search index (nor is text silently lost).
"""

from __future__ import annotations

import re
from functools import cache

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "is_sanitized_page", "sanitize"]

URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""Schemes a link or image may use; relative URLs and ``#`` fragments are always kept."""

ALLOWED_TAGS = frozenset(
    {
        # text
        *("a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "dfn", "div"),
        *("dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr"),
        *("i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small"),
        *("span", "strong", "sub", "sup", "u", "ul", "var", "wbr"),
        # tables
        *("caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr"),
        # details (pymdownx.details), task lists (pymdownx.tasklist)
        *("details", "summary", "input", "label"),
    }
)
"""Elements kept; any other element is removed and its text kept."""

_CLEAN_CONTENT = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet"}
    | {"template", "noscript", "noembed", "noframes", "textarea", "select", "button", "math"}
    | {"svg", "title", "xmp", "plaintext", "base", "meta", "link"}
)

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "id", "title", "lang", "dir"}),
    "a": frozenset({"href", "name"}),  # name: line-number anchors of code blocks
    "abbr": frozenset(),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "details": frozenset({"open"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "input": frozenset({"checked"}),  # and always type="checkbox" disabled: see _FORCED
    "label": frozenset({"for"}),
    "li": frozenset({"value"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan", "style"}),  # style: text-align only
    "th": frozenset({"colspan", "rowspan", "scope", "style"}),
}
"""Attributes kept per element (``*``: on every kept element)."""

_FORCED = {"input": {"type": "checkbox", "disabled": ""}}
_STYLE_PROPERTIES = frozenset({"text-align"})


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        set_tag_attribute_values=_FORCED,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel=None,  # internal links and permalinks stay as the theme made them
        filter_style_properties=set(_STYLE_PROPERTIES),
    )


_INPUT = re.compile(r"<input((?: [a-z]+=\"[^\"]*\")*)>")
_ATTRIBUTE = re.compile(r' [a-z]+="[^"]*"')


def _sorted_attributes(match: re.Match[str]) -> str:
    return "<input" + "".join(sorted(_ATTRIBUTE.findall(match.group(1)))) + ">"


def sanitize(html: str) -> str:
    """``html`` with only the allowlisted elements, attributes and URL schemes left."""
    cleaned = str(_cleaner().clean(html))
    # nh3 adds the forced attributes in hash order: sort them for byte-identical builds
    return _INPUT.sub(_sorted_attributes, cleaned) if "<input" in cleaned else cleaned


_POSTMORTEM_PAGE = re.compile(r"\A(?:incidents|patterns)/(?!index\.md\Z)[^/]+\.md\Z")


def is_sanitized_page(src_uri: str) -> bool:
    """True for the pages that render an author's Markdown: incident and pattern pages.

    Incident pages carry a post-mortem's sections; pattern pages carry the curated
    definition enriched with root-cause statements, action items and lessons quoted
    from incidents. Index and service pages hold only values escaped as plain text,
    and their own markup (filter tables, charts) stays as generated.

    >>> [is_sanitized_page(u) for u in ("incidents/a.md", "patterns/p.md", "incidents/index.md", "services/s.md")]
    [True, True, False, False]
    """
    return _POSTMORTEM_PAGE.match(src_uri) is not None
