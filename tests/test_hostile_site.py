"""Hostile content through a real MkDocs build: nothing runs, everything shows as written.

One module-scoped build of a project whose post-mortems carry markup, event
handlers (also through ``attr_list`` and ``md_in_html``), unsafe URLs, comments,
``hidden``, template syntax, ``|`` and ``</script>`` in front-matter values,
control characters, and very large tables and lines; plus one build that a
500-deep list must fail cleanly (PM001), not crash Python-Markdown.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError

from site_helpers import (
    MKDOCS_YML,
    Node,
    build_site,
    parse_html,
    pattern,
    postmortem,
    write_project,
)

TITLE = "Pipe | <b>bold</b> **md** </script><script>alert(1)</script> {{ 7*7 }} \x07bell"
HOSTILE = "2025-04-02-hostile"
BIG = "2025-05-20-big"

BODY_ATTACKS = """\

- handler via attr_list {: onclick="alert(1)" onmouseover="alert(2)" }
- [attr link](https://ok.example){: href="javascript:alert(3)" }
- [mixed case](JaVaScRiPt:alert(4)) and [encoded](java&#115;cript:alert(5)) and [data](DATA:text/html,x)
- raw <script>alert(6)</script> and <iframe src="https://evil.example"></iframe> and <img src=x onerror=alert(7)>
- md_in_html <div markdown="1" onclick="alert(8)">inside</div>
- comment <!-- secret comment --> and <p hidden>hidden text</p>

Shown paragraph with hidden attribute.
{: hidden }
"""

LAST_ROW = "| 09:15 | Warmer made part of the flush job | [change](https://git.example.com/4) | |\n"
ROWS = "".join(f"| 09:15 | step {i} | log | |\n" for i in range(5000))
DEEP_LIST = "".join("    " * i + "- level\n" for i in range(32))
LONG_LINE = "y" * 8000


def hostile_postmortem() -> str:
    text = postmortem(
        title=TITLE,
        date="2025-04-02",
        tags=["a|b", "<i>tag</i>"],
        root_cause="Retries had no budget | so **clients** amplified <b>it</b>.",
        lesson="Budget retries [x](javascript:alert(9)) {{ 7*7 }}.",
    )
    return text.replace(
        "- The alert fired within three minutes.\n",
        "- The alert fired within three minutes.\n" + BODY_ATTACKS,
    )


def big_postmortem() -> str:
    text = postmortem(date="2025-05-20", title="Big one")
    text = text.replace(LAST_ROW, LAST_ROW + ROWS)
    return text.replace(
        "- The alert fired within three minutes.\n",
        "- The alert fired within three minutes.\n\n"
        + DEEP_LIST
        + "\n```\n"
        + LONG_LINE
        + "\n```\n",
    )


FILES = {
    f"postmortems/{HOSTILE}.md": hostile_postmortem(),
    f"postmortems/{BIG}.md": big_postmortem(),
    "docs/patterns/cache-stampede.md": pattern(
        "Cache stampede", "Many requests miss | an empty cache.", "Curated text."
    ),
}

CONFIG = {
    **MKDOCS_YML,
    "site_url": "https://kb.example.com/",
    "markdown_extensions": ["attr_list", "md_in_html", "tables", {"toc": {"permalink": True}}],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    build_site(write_project(root, FILES, CONFIG), root / "site")
    return root / "site"


def page(site: Path, uri: str) -> str:
    return (site / uri / "index.html").read_text(encoding="utf-8")


def article(html: str) -> Node:
    """The page's content (the theme's own markup and scripts left out)."""
    doc = parse_html(html)
    return next(n for n in doc.iter("article"))


def test_no_handler_script_frame_or_unsafe_url_survives_on_incident_pages(site: Path) -> None:
    content = article(page(site, f"incidents/{HOSTILE}"))
    elements = content.iter()
    assert [
        e.tag for e in elements if e.tag in ("script", "iframe", "img", "object", "style")
    ] == []
    assert [(e.tag, k) for e in elements for k in e.attrs if k.startswith("on")] == []
    assert [e.tag for e in elements if "hidden" in e.attrs] == []
    hrefs = [e.attrs.get("href", "") for e in content.iter("a")]
    assert [h for h in hrefs if ":" in h and not h.startswith(("https:", "http:", "mailto:"))] == []


def test_hostile_text_is_shown_as_written(site: Path) -> None:
    text = article(page(site, f"incidents/{HOSTILE}")).text()
    assert "raw <script>alert(6)</script> and <iframe" in text
    assert 'md_in_html <div markdown="1" onclick="alert(8)">inside</div>' in text
    assert "Shown paragraph with hidden attribute." in text
    assert "secret comment" not in text
    assert "{{ 7*7 }}" in text
    assert "49" not in text


def test_title_with_markup_pipe_and_script_end_is_escaped_everywhere(site: Path) -> None:
    html = page(site, f"incidents/{HOSTILE}")
    shown = TITLE  # HTML text keeps the control character (escaped text, shown as nothing)
    assert parse_html(html).iter("h1")[0].text() == shown + "¶"
    assert "</script><script>alert(1)" not in html
    index = parse_html(page(site, "incidents"))
    titles = [a.text() for a in index.iter("a") if a.attrs.get("href", "").endswith(f"{HOSTILE}/")]
    assert shown in titles


def test_pipes_and_markdown_in_values_stay_inside_their_table_cells(site: Path) -> None:
    doc = article(page(site, "patterns/cache-stampede"))
    rows = [
        r
        for r in doc.iter("tr")
        if HOSTILE in "".join(a.attrs.get("href", "") for a in r.iter("a"))
    ]
    cells = [c.text().strip() for c in rows[0].iter("td")]
    assert len(cells) == 5
    assert cells[2] == TITLE
    assert cells[4] == (
        "Retries had no budget | so clients amplified <b>it</b>. Evidence: review checklist"
    )


def test_json_files_are_strict_json_and_feeds_escape_markup(site: Path) -> None:
    for name in ("graph.json", "feed.json", "actions.json"):
        raw = (site / name).read_text(encoding="utf-8")
        assert "NaN" not in raw and "Infinity" not in raw, name
        json.loads(raw, parse_constant=pytest.fail)
    feed_raw = (site / "feed.json").read_text(encoding="utf-8")
    assert "\x07" not in feed_raw  # control characters as \\u escapes
    assert "</script" not in feed_raw.lower()
    titles = [item["title"] for item in json.loads(feed_raw)["items"]]
    assert TITLE in titles or TITLE.replace("\x07", "") in titles


def test_atom_feed_is_well_formed_xml_without_control_characters(site: Path) -> None:
    raw = (site / "feed.xml").read_text(encoding="utf-8")
    assert "\x07" not in raw
    tree = ET.fromstring(raw)  # raises on a control character or broken markup
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in tree.findall("a:entry/a:title", ns)]
    assert TITLE.replace("\x07", "") in titles


def test_embedded_data_never_closes_its_script(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert "alert(1)</script>" not in html.replace("&lt;/script&gt;", ""), path
        assert "<script>alert(" not in html, path


def test_large_table_long_line_and_deep_list_render(site: Path) -> None:
    content = article(page(site, f"incidents/{BIG}"))
    assert sum(1 for r in content.iter("tr") if "step " in r.text()) == 5000
    assert any(LONG_LINE in c.text() for c in content.iter("code"))
    depth = deepest = 0
    for tag in re.findall(r"</?ul\b", page(site, f"incidents/{BIG}")):
        depth += 1 if tag == "<ul" else -1
        deepest = max(deepest, depth)
    assert deepest == 32


def test_a_500_deep_list_fails_the_build_with_pm001_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    deep = "".join("    " * i + "- level\n" for i in range(500))
    text = postmortem(date="2025-06-01").replace(
        "- The alert fired within three minutes.\n",
        "- The alert fired within three minutes.\n\n" + deep,
    )
    files = {
        "postmortems/2025-06-01-deep.md": text,
        "docs/patterns/cache-stampede.md": pattern("Cache stampede"),
    }
    line = text.split("\n").index("    " * 33 + "- level") + 1
    with caplog.at_level(logging.ERROR), pytest.raises((Abort, PluginError)):
        build_site(write_project(tmp_path, files), tmp_path / "site", strict=False)
    assert re.search(
        rf"postmortems/2025-06-01-deep\.md:{line}:1: PM001 error: text nested 33 levels deep",
        caplog.text,
    )
    assert not (tmp_path / "site" / "incidents" / "2025-06-01-deep").exists()
