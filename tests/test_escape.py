"""Escaping for every context a post-mortem value lands in."""

from __future__ import annotations

import doctest
import json

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from postmortem_kb import escape
from postmortem_kb.escape import (
    html_attr,
    html_text,
    is_safe_url,
    json_script,
    md_block,
    md_cell,
    md_text,
    safe_url,
    xml_text,
)
from site_helpers import parse_html


def rendered_text(md: str) -> str:
    """The visible text of ``md`` rendered by Python-Markdown (as MkDocs does, with tables)."""
    return parse_html(markdown.markdown(md, extensions=["tables"])).text()


def test_doctests() -> None:
    """The examples in the module's docstrings hold."""
    assert doctest.testmod(escape).failed == 0


@pytest.mark.parametrize(
    "value",
    [
        "<img src=x onerror=alert(1)>",
        "{{ 7*7 }} {% if %}",
        "*bold* _it_ `code` [link](javascript:x) ![i](y)",
        "- list",
        "1. list",
        "3) list",
        "+ list",
        "# heading",
        "=== setext",
        "a | b \\| c",
        "&amp; &lt; &#x3c;",
        "C# and F#",
        "> quote",
    ],
)
def test_md_text_renders_to_exactly_the_text(value: str) -> None:
    """Whatever the value, Markdown shows it as written, with no element made from it."""
    assert rendered_text(md_text(value)) == value
    html = markdown.markdown("para\n" + md_text(value), extensions=["tables"])
    assert [n.tag for n in parse_html(html).iter()] == ["p"]


@given(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)
)
def test_md_text_property(value: str) -> None:
    """Any one-line text survives Markdown unchanged (whitespace runs folded)."""
    assert rendered_text(md_text(value)).strip() == " ".join(value.split())


def test_md_cell_keeps_the_table_shape() -> None:
    """A pipe in a value stays inside its cell."""
    table = f"| a | b |\n|---|---|\n| {md_cell('x | y <b>')} | z |"
    cells = [
        td.text() for td in parse_html(markdown.markdown(table, extensions=["tables"])).iter("td")
    ]
    assert cells == ["x | y <b>", "z"]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=c", True),
        ("http://example.com", True),
        ("mailto:sre@example.com", True),
        ("../patterns/dns.md#signals", True),
        ("#t3", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("javascript&#58;alert(1)", False),
        ("javascript\\:alert(1)", False),
        ("data:text/html,<script>", False),
        ("vbscript:x", False),
    ],
)
def test_url_allowlist(url: str, safe: bool) -> None:
    """Only http, https, mailto, relative and # targets pass; obfuscated schemes do not."""
    assert is_safe_url(url) is safe
    assert safe_url(url) == (url.strip() if safe else "#")


def test_md_block_neutralises_html_and_links_but_keeps_code() -> None:
    """Raw HTML shows as text, bad links go to #, code is shown literally, comments vanish."""
    source = (
        "Hello <script>alert(1)</script> and [x](javascript:alert(1)) "
        "and [ok](https://example.com) `<b>code</b>` <!-- blameless: ignore -->\n"
        "[ref]: javascript:evil\n"
        "<javascript:alert(2)> <https://example.com/auto>\n"
        "```\n<i>fenced</i>\n```\n"
    )
    html = markdown.markdown(md_block(source), extensions=["tables", "fenced_code"])
    doc = parse_html(html)
    assert sorted({n.tag for n in doc.iter()}) == ["a", "code", "p", "pre"]
    assert [a.attrs["href"] for a in doc.iter("a")] == [
        "#",
        "https://example.com",
        "https://example.com/auto",
    ]
    assert "<script>alert(1)</script>" in doc.text()
    assert [c.text() for c in doc.iter("code")] == ["<b>code</b>", "<i>fenced</i>\n"]
    assert "blameless" not in doc.text()


def test_md_block_keeps_ordinary_markdown_as_written() -> None:
    """Lists, emphasis, tables and links of an author pass through unchanged."""
    source = "- **a** _b_\n- [c](../x.md)\n\n| h |\n|---|\n| v |\n\n1. one"
    assert md_block(source) == source


def test_html_and_xml_contexts() -> None:
    """Text, attribute and XML escaping; XML drops characters it cannot hold."""
    assert html_text('<a href="x">&') == '&lt;a href="x"&gt;&amp;'
    assert html_attr('" onmouseover="x') == "&quot; onmouseover=&quot;x"
    assert xml_text("a\x00b<c>'\"") == "ab&lt;c&gt;&#x27;&quot;"


def test_json_script_cannot_close_the_script() -> None:
    """No ``</script>``, ``<!--`` or line separators survive, and the JSON means the same."""
    value = {"title": "</script><script>alert(1)</script> <!-- \u2028\u2029 &"}
    text = json_script(value)
    for bad in ("</", "<!--", "\u2028", "\u2029", "&"):
        assert bad not in text
    assert json.loads(text) == value


@given(st.text(alphabet=st.sampled_from("ab <>[]()`~|\\:!-\n\r*#"), max_size=60))
def test_md_block_shortcut_agrees_with_the_line_by_line_pass(text: str) -> None:
    """Text without ``<``, ``]`` or a backtick is returned as is: the full pass would keep it too."""
    unix = text.replace("\r\n", "\n")
    assert md_block(text) == escape._md_lines(unix)
