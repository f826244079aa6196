"""The HTML allowlist: hostile markup removed, mkdocs-material content kept byte for byte."""

from __future__ import annotations

import pytest

from postmortem_kb.sanitize import is_sanitized_page, sanitize


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<p>a</p><iframe src='https://evil.example'>x</iframe>", "<p>a</p>"),
        ("<style>body{display:none}</style><p>a</p>", "<p>a</p>"),
        ("<form action='https://evil.example'><p>a</p></form>", "<p>a</p>"),
        ("<object data='x.swf'>x</object><embed src='x'>", ""),
        ("<svg><script>alert(1)</script></svg><p>a</p>", "<p>a</p>"),
        ("<template><img src=x onerror=alert(1)></template>", ""),
        ('<p onclick="alert(1)" onmouseover=x>a</p>', "<p>a</p>"),
        ('<img src="x.png" onerror="alert(1)" alt="d">', '<img src="x.png" alt="d">'),
        ('<a href="javascript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="JaVaScRiPt:alert(1)">a</a>', "<a>a</a>"),
        ('<a href=" javascript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="java\tscript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="java&#115;cript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="&#x6A;avascript&colon;alert(1)">a</a>', "<a>a</a>"),
        ('<a href="vbscript:msgbox(1)">a</a>', "<a>a</a>"),
        ('<a href="DATA:text/html;base64,PHNjcmlwdD4=">a</a>', "<a>a</a>"),
        ('<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">', "<img>"),
        ('<a href="ftp://example.com/x">a</a>', "<a>a</a>"),
        ("<p>a<!-- hidden note --></p>", "<p>a</p>"),
        ("<p hidden>secret</p>", "<p>secret</p>"),
        ('<div style="display:none">secret</div>', "<div>secret</div>"),
        ('<input type="text" name="password">', '<input disabled="" type="checkbox">'),
        ('<button formaction="javascript:x">b</button>', ""),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ""),
        ('<base href="https://evil.example/">', ""),
        ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ""),
        ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', ""),
        ('<p style="background:url(javascript:alert(1))">a</p>', "<p>a</p>"),
        ("<custom-element>text</custom-element>", "text"),
    ],
)
def test_hostile_markup_is_removed(html: str, expected: str) -> None:
    assert sanitize(html) == expected


KEPT = [
    # permalinks (toc permalink: true)
    '<h2 id="summary">Summary<a class="headerlink" href="#summary" title="Permanent link">¶</a></h2>',
    # admonitions
    '<div class="admonition warning">\n<p class="admonition-title">Draft</p>\n<p>Text.</p>\n</div>',
    # details (pymdownx.details)
    '<details class="note" open=""><summary>More</summary><p>Text.</p></details>',
    # code highlighting (pymdownx.highlight, pygments) with line anchors
    '<div class="language-python highlight"><pre><span></span><code>'
    '<span id="__span-0-1"><a id="__codelineno-0-1" name="__codelineno-0-1" '
    'href="#__codelineno-0-1"></a><span class="kn">import</span> <span class="nn">os</span>\n'
    "</span></code></pre></div>",
    # tables with alignment
    '<table>\n<thead>\n<tr>\n<th style="text-align: left;">A</th>\n</tr>\n</thead>\n'
    '<tbody>\n<tr>\n<td style="text-align: left;">1</td>\n</tr>\n</tbody>\n</table>',
    # task lists (pymdownx.tasklist)
    '<ul class="task-list"><li class="task-list-item"><label class="task-list-control">'
    '<input checked="" disabled="" type="checkbox"><span class="task-list-indicator"></span>'
    "</label> done</li></ul>",
    # footnotes
    '<p>a<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>',
    # links: http, https, mailto, relative, fragment
    '<p><a href="https://x.example/a?b=1&amp;c=2">a</a> <a href="http://x.example">b</a> '
    '<a href="mailto:sre@example.com">c</a> <a href="../patterns/p/">d</a> '
    '<a href="#t3">e</a></p>',
    '<p><img src="../img/diagram.png" alt="diagram" title="t"></p>',
    "<blockquote><p><em>a</em> <strong>b</strong> <code>c</code> <del>d</del></p></blockquote>",
    '<p><span id="t1"></span>09:00 <span class="pmkb-decision" title="Decision point">◆</span></p>',
]


@pytest.mark.parametrize("html", KEPT)
def test_mkdocs_material_content_is_kept(html: str) -> None:
    normalized = html.replace(' style="text-align: left;"', ' style="text-align:left"')
    assert sanitize(html) == normalized


def test_only_text_align_survives_in_a_table_cell_style() -> None:
    assert sanitize('<table><tr><td style="text-align: right; color: red">1</td></tr></table>') == (
        '<table><tbody><tr><td style="text-align:right">1</td></tr></tbody></table>'
    )


def test_forced_input_attributes_come_out_in_one_order() -> None:
    outputs = {sanitize('<input type="checkbox" checked>') for _ in range(50)}
    assert outputs == {'<input checked="" disabled="" type="checkbox">'}


def test_text_stays_escaped() -> None:
    assert sanitize("<p>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}</p>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}</p>"
    )


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("incidents/2025-01-01-x.md", True),
        ("patterns/retry-storm.md", True),
        ("incidents/index.md", False),
        ("patterns/index.md", False),
        ("services/checkout.md", False),
        ("incidents/sub/x.md", False),
        ("index.md", False),
        ("graph.json", False),
    ],
)
def test_pages_sanitized(uri: str, expected: bool) -> None:
    assert is_sanitized_page(uri) is expected
