"""Real MkDocs builds of a mini knowledge base: pages, escaping, logging, failure, offline."""

from __future__ import annotations

import gc
import json
import logging
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import Abort

from site_helpers import (
    HOSTILE_TITLE,
    MKDOCS_YML,
    Node,
    build_site,
    parse_html,
    pattern,
    postmortem,
    write_project,
)

LOGGER = "mkdocs.plugins.postmortem_kb.plugin"

A = "2025-03-14-checkout-slow"
B = "2025-04-02-hostile"
C = "2025-05-20-search-down"
DRAFT = "2025-05-30-draft"

FILES = {
    f"postmortems/2025/{A}.md": postmortem(
        related=[B],
        tags=["cache"],
        root_cause="Cache jobs are not reviewed against their consumers.",
    ),
    f"postmortems/2025/{B}.md": postmortem(
        title=HOSTILE_TITLE,
        date="2025-04-02",
        root_causes=["cache-stampede"],
        contributing=["retry-storm"],
        tags=["<b>bold</b>"],
        root_cause="Retries had no budget so clients amplified the outage.",
    ),
    f"postmortems/{C}.md": postmortem(
        date="2025-05-20",
        title="Search returned nothing",
        services=["search"],
        root_causes=["retry-storm"],
        root_cause="Search retried forever against a cold index.",
    ),
    f"postmortems/{DRAFT}.md": postmortem(date="2025-05-30", status="draft", title="Draft"),
    "postmortems/2025/diagram.png": "not really a png",
    "docs/patterns/cache-stampede.md": pattern(
        "Cache stampede", "Many requests miss an empty cache at once.", "Curated stampede text."
    ),
    "docs/patterns/retry-storm.md": pattern("Retry storm", "Retries amplify an outage."),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One strict build of the mini project, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("kb")
    config = write_project(root, FILES)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.INFO)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        build_site(config, root / "site")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    (root / "site" / "log.json").write_text(
        json.dumps([[r.name, r.levelname, r.getMessage()] for r in records]), encoding="utf-8"
    )
    return root / "site"


def page(site: Path, path: str) -> Node:
    return parse_html((site / path / "index.html").read_text(encoding="utf-8"))


def section_after(doc: Node, heading: str) -> list[Node]:
    """Elements following the h2 whose text is ``heading``, up to the next h2."""
    article = doc.iter("article")[0]
    found: list[Node] = []
    inside = False
    for child in article.children:
        if not isinstance(child, Node):
            continue
        if child.tag == "h2":
            inside = child.text().strip("¶ ").strip() == heading
            continue
        if inside:
            found.append(child)
    return found


def test_every_published_postmortem_has_a_page_and_drafts_are_hidden(site: Path) -> None:
    """A, B and C get pages; the draft does not (show_drafts is off)."""
    pages = sorted(p.name for p in (site / "incidents").iterdir() if p.is_dir())
    assert pages == [A, B, C]


def test_pattern_page_lists_exactly_the_citing_incidents_with_statements(site: Path) -> None:
    """The enriched page replaces the definition and lists each citing incident once."""
    doc = page(site, "patterns/cache-stampede")
    text = doc.iter("article")[0].text()
    assert "Curated stampede text." in text
    rows = [tr.iter("td") for table in section_after(doc, "Incidents") for tr in table.iter("tr")]
    rows = [r for r in rows if r]
    assert [(r[2].text(), r[3].text(), r[4].text().strip()) for r in rows] == [
        (
            HOSTILE_TITLE,
            "root cause",
            "Retries had no budget so clients amplified the outage. Evidence: review checklist",
        ),
        (
            "Checkout slowed after a cache flush",
            "root cause",
            "Cache jobs are not reviewed against their consumers. Evidence: review checklist",
        ),
    ]
    retry = page(site, "patterns/retry-storm")
    cited = [
        (tr.iter("td")[2].text(), tr.iter("td")[3].text())
        for table in section_after(retry, "Incidents")
        for tr in table.iter("tr")
        if tr.iter("td")
    ]
    assert cited == [
        ("Search returned nothing", "root cause"),
        (HOSTILE_TITLE, "contributing factor"),
    ]


def test_related_incidents_appear_with_their_reasons(site: Path) -> None:
    """A links B explicitly and shares a pattern and a service with it."""
    items = [
        li
        for ul in section_after(page(site, f"incidents/{A}"), "Related incidents")
        for li in ul.iter("li")
    ]
    assert [" ".join(li.text().split()) for li in items] == [
        f"{HOSTILE_TITLE} (P2, 2025-04-02) — explicit link; shared pattern Cache stampede; "
        "shared service checkout",
    ]
    assert items[0].iter("a")[0].attrs["href"] == f"../{B}/"


def test_hostile_title_is_text_everywhere(site: Path) -> None:
    """Title tag, header, h1, listings, tables, search index and graph.json show it as text."""
    for html_file in site.rglob("*.html"):
        doc = parse_html(html_file.read_text(encoding="utf-8"))
        assert not [n for n in doc.iter() if "onerror" in n.attrs], html_file
        assert not [n for n in doc.iter("b") if n.text() == "bold"], html_file
    doc = page(site, f"incidents/{B}")
    assert doc.iter("title")[0].text() == f"{HOSTILE_TITLE} - Test knowledge base"
    assert doc.iter("h1")[0].text().rstrip("¶") == HOSTILE_TITLE
    topics = [n.text().strip() for n in doc.iter("span") if n.attrs.get("class") == "md-ellipsis"]
    assert HOSTILE_TITLE in topics
    tags = [n.text() for n in doc.iter() if "md-tag" in n.attrs.get("class", "").split()]
    assert tags == ["<b>bold</b>"]
    index_links = [
        a.text() for a in page(site, "incidents").iter("a") if a.attrs.get("href") == f"{B}/"
    ]
    assert index_links == [HOSTILE_TITLE]
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {d["title"] for d in search["docs"] if d["location"] == f"incidents/{B}/"}
    assert titles == {
        "&lt;img src=x onerror=alert(1)&gt; {{ 7*7 }}"
    }  # Material shows titles as HTML
    graph = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    assert {n["title"] for n in graph["nodes"] if n["id"] == f"incident:{B}"} == {HOSTILE_TITLE}
    assert b"<img" not in (site / "graph.json").read_bytes().replace(b"\\u003c", b"")


def test_content_is_never_a_template(site: Path) -> None:
    """``{{ 7*7 }}`` in a summary is shown as written."""
    summary = section_after(page(site, f"incidents/{A}"), "Summary")[0].text()
    assert "cache flush {{ 7*7 }}." in summary
    assert "49" not in summary


def test_timeline_has_elapsed_time_decisions_and_causal_links(site: Path) -> None:
    """Elapsed since started, the decision row marked, causes linked to earlier rows."""
    table = section_after(page(site, f"incidents/{A}"), "Timeline")[-1]
    rows = [tr.iter("td") for tr in table.iter("tr") if tr.iter("td")]
    assert [r[0].text().rsplit(" (", 1)[1] for r in rows] == [
        "+0 min)",
        "+3 min)",
        "+5 min)",
        "+8 min)",
        "+12 min)",
        "+15 min)",
    ]
    decisions = [
        i
        for i, r in enumerate(rows)
        if r[1].iter("span") and r[1].iter("span")[0].attrs.get("class") == "pmkb-decision"
    ]
    assert decisions == [3]
    assert [a.attrs["href"] for r in rows for a in r[3].iter("a")] == ["#t1", "#t2", "#t3", "#t4"]
    note = next(
        p
        for p in page(site, f"incidents/{A}").iter("p")
        if "pmkb-timeline-note" in p.attrs.values()
    )
    assert note.text() == (
        "Times in UTC; elapsed since impact began (2025-03-14 09:00). Decision points are marked ◆."
    )
    # the same sentence on every incident: not in the search index
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    [timeline] = [d for d in search["docs"] if d["location"] == f"incidents/{A}/#timeline"]
    assert "elapsed since" not in timeline["text"]
    assert timeline["text"].startswith("Time (elapsed) Event Source Cause 09:00 (+0 min) Cache")


def test_edit_link_points_at_the_postmortem_file(site: Path) -> None:
    """ "Edit this page" opens the file in postmortems/, not a generated path."""
    doc = page(site, f"incidents/{A}")
    edits = [
        a.attrs["href"] for a in doc.iter("a") if "md-content__button" in a.attrs.get("class", "")
    ]
    assert edits == [f"https://git.example.com/team/kb/edit/main/postmortems/2025/{A}.md"]
    pattern_edits = [
        a.attrs["href"]
        for a in page(site, "patterns/cache-stampede").iter("a")
        if "md-content__button" in a.attrs.get("class", "")
    ]
    assert pattern_edits == [
        "https://git.example.com/team/kb/edit/main/docs/patterns/cache-stampede.md"
    ]


def test_incidents_stay_out_of_the_sidebar(site: Path) -> None:
    """No page's navigation links an incident page."""
    nav = page(site, "").iter("nav")
    hrefs = [a.attrs.get("href", "") for n in nav for a in n.iter("a")]
    assert not [h for h in hrefs if h.startswith("incidents/2025")]
    assert "incidents/" in hrefs


def test_counts_log_line_adds_up_to_the_files_found(site: Path) -> None:
    """5 files: 3 published + 1 draft hidden + 0 failed + 1 ignored, and the ignored one named."""
    log = json.loads((site / "log.json").read_text(encoding="utf-8"))
    ours = [(level, msg) for name, level, msg in log if name == LOGGER]
    counts = [m for _, m in ours if "files:" in m]
    assert counts == [
        "postmortem_kb: postmortems: 5 files: 3 published, 1 draft hidden, 0 failed, 1 ignored"
    ]
    numbers = [int(n) for n in re.findall(r"\d+", counts[0])]
    assert numbers[0] == sum(numbers[1:])
    assert (
        "INFO",
        "postmortem_kb: postmortems: ignored postmortems/2025/diagram.png: "
        "not a Markdown file (attachments may sit beside post-mortems)",
    ) in ours


def test_feeds_without_site_url_say_once_to_set_it(site: Path) -> None:
    """An info line, not a warning: a strict build of a site without a URL still passes
    (this repository's own has none)."""
    log = json.loads((site / "log.json").read_text(encoding="utf-8"))
    about = [(level, msg) for name, level, msg in log if name == LOGGER and "site_url" in msg]
    assert about == [
        (
            "INFO",
            "postmortem_kb: postmortems: feed.xml and feed.json link to the post-mortems by"
            " relative URLs, which feed readers cannot resolve: set site_url in mkdocs.yml",
        )
    ]


def test_feeds_with_site_url_are_absolute_and_say_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_project(tmp_path, FILES, {**MKDOCS_YML, "site_url": "https://kb.example.org/"})
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        build_site(config, tmp_path / "site")
    assert [r.getMessage() for r in caplog.records if "set site_url" in r.getMessage()] == []
    feed = json.loads((tmp_path / "site" / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["url"] == f"https://kb.example.org/incidents/{C}/"


CDN_NEEDLES = ("https://fonts.", "cdn.", "cdn/", "unpkg", "jsdelivr", "cdnjs")
# Material's bundle names two fallbacks it fetches only when a page needs them:
# a polyfill for browsers without ResizeObserver, and Mermaid for `.mermaid` blocks.
MATERIAL_FALLBACKS = {
    "https://unpkg.com/resize-observer-polyfill",
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
}


def test_no_asset_comes_from_a_cdn(site: Path) -> None:
    """Fonts off, no Mermaid, no third-party script: no page or stylesheet points at a CDN."""
    fallbacks: set[str] = set()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".js" and "/assets/javascripts/" in path.as_posix():
                fallbacks |= set(re.findall(r"https://unpkg\.com[^\"')]*", text))
                text = re.sub(r"https://unpkg\.com[^\"')]*", "", text)
            for needle in CDN_NEEDLES:
                assert needle not in text, (path, needle)
        if path.suffix == ".html":
            doc = parse_html(path.read_text(encoding="utf-8"))
            assert not [n for n in doc.iter() if "mermaid" in n.attrs.get("class", "")], path
    assert fallbacks == MATERIAL_FALLBACKS
    assert (site / "assets/postmortem_kb/postmortem-kb.js").is_file()


def test_graph_json_is_node_link_with_edges_key(site: Path) -> None:
    """``nodes`` and ``edges`` (not ``links``), one node per incident, pattern and service."""
    graph = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    assert sorted(graph) == ["directed", "edges", "graph", "multigraph", "nodes"]
    assert [n["id"] for n in graph["nodes"]] == [
        f"incident:{A}",
        f"incident:{B}",
        f"incident:{C}",
        "pattern:cache-stampede",
        "pattern:retry-storm",
        "service:checkout",
        "service:search",
    ]
    related = {(e["source"], e["target"]) for e in graph["edges"] if e["key"] == "related"}
    assert related == {(f"incident:{A}", f"incident:{B}")}


def test_search_finds_root_cause_statement_on_pattern_and_incident(site: Path) -> None:
    """A phrase of a root-cause statement is indexed on the incident and on its pattern."""
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    phrase = "Search retried forever against a cold index"
    where = sorted({d["location"].split("#")[0] for d in search["docs"] if phrase in d["text"]})
    assert where == [f"incidents/{C}/", "patterns/retry-storm/"]


def test_search_leaves_out_related_incidents_and_listing_pages(site: Path) -> None:
    """Titles of related incidents and neighbours are not text of the page listing them."""
    search = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    # not even the heading: alone, it would be a section of its own with no text
    assert not [d for d in search["docs"] if d["location"].endswith("#related-incidents")]
    heading = next(
        h for h in page(site, f"incidents/{A}").iter("h2") if h.text() == "Related incidents"
    )
    assert heading.attrs == {"id": "related-incidents", "data-search-exclude": ""}
    # the header card is on the page, not in the index: its facts are the tags, filters and indexes
    top = [d for d in search["docs"] if d["location"] == f"incidents/{A}/"]
    assert [(d["title"], d["text"], "boost" in d) for d in top] == [
        ("Checkout slowed after a cache flush", "", False)
    ]
    facts = next(
        n for n in page(site, f"incidents/{A}").iter("ul") if "pmkb-facts" in n.attrs.values()
    )
    assert facts.iter("li")[0].text() == "Severity: P2"
    # a lesson is found on its incident, not on each pattern page it is shown on too
    lesson = "review it against its consumers"
    found = sorted(d["location"] for d in search["docs"] if lesson in d["text"])
    assert found == [f"incidents/{n}/#lessons-learned" for n in (A, B, C)]  # sorted by date
    assert not [d for d in search["docs"] if d["location"].endswith("/#lessons-learned_1")]
    assert not [
        d
        for d in search["docs"]
        if d["location"].startswith("patterns/") and "lessons" in d["location"]
    ]
    pages = {d["location"].split("#")[0].split("/")[0] for d in search["docs"]}
    assert pages == {"", "incidents", "patterns"}  # home, incident and pattern pages only
    assert not [d for d in search["docs"] if d["location"] in ("incidents/", "patterns/")]


def test_invalid_postmortem_fails_the_build_naming_path_line_and_code(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The bad file's diagnostic is logged as an error, the others still render, the build fails."""
    bad = postmortem(title="Bad", date="2025-02-01").replace("severity: P2", "severity: P9")
    config = write_project(
        tmp_path,
        {
            f"postmortems/{A}.md": postmortem(),
            "postmortems/bad.md": bad,
            "docs/patterns/cache-stampede.md": pattern("Cache stampede"),
        },
    )
    with caplog.at_level(logging.INFO, logger="mkdocs"), pytest.raises(Abort):
        build_site(config, tmp_path / "site", strict=False)
    errors = [
        r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR
    ]
    assert errors == [
        "postmortem_kb: postmortems/bad.md:4:11: PM004 error: "
        "severity must be one of P0, P1, P2, P3 (got 'P9')"
    ]
    assert (tmp_path / "site" / "incidents" / A / "index.html").is_file()
    assert not (tmp_path / "site" / "incidents" / "bad").exists()
    counts = [
        r.getMessage() for r in caplog.records if r.name == LOGGER and "files:" in r.getMessage()
    ]
    assert counts == [
        "postmortem_kb: postmortems: 2 files: 1 published, 0 drafts hidden, 1 failed, 0 ignored"
    ]


def test_the_collector_leaves_the_build_alone_until_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects alive after the corpus is loaded are frozen for the build, and thawed after
    it: a good build, and one that fails."""
    from postmortem_kb import plugin

    during: list[int] = []
    on_nav = plugin.PostmortemsPlugin.on_nav

    def watching(self: plugin.PostmortemsPlugin, nav: Any, **kwargs: Any) -> Any:
        during.append(gc.get_freeze_count())
        return on_nav(self, nav, **kwargs)

    monkeypatch.setattr(plugin.PostmortemsPlugin, "on_nav", watching)
    before = gc.get_freeze_count()
    files = {
        f"postmortems/{A}.md": postmortem(),
        "docs/patterns/cache-stampede.md": pattern("Cache stampede"),
    }
    build_site(write_project(tmp_path / "good", files), tmp_path / "good" / "site")
    assert gc.get_freeze_count() == before
    bad = postmortem(title="Bad", date="2025-02-01").replace("severity: P2", "severity: P9")
    config = write_project(tmp_path / "bad", {**files, "postmortems/bad.md": bad})
    with pytest.raises(Abort):
        build_site(config, tmp_path / "bad" / "site", strict=False)
    assert gc.get_freeze_count() == before
    assert len(during) == 2 and min(during) > before + 10_000


def test_properdocs_builds_the_same_site(tmp_path: Path) -> None:
    """ProperDocs (the maintained MkDocs 1.x fork) loads the plugin and builds the site.

    Run in a subprocess: ProperDocs redirects every ``mkdocs`` import to itself.
    """
    pytest.importorskip("properdocs")
    config = write_project(
        tmp_path,
        {
            f"postmortems/{A}.md": postmortem(),
            **{k: v for k, v in FILES.items() if k.startswith("docs/patterns/")},
        },
    )
    script = textwrap.dedent(
        f"""
        import properdocs.replacement  # every mkdocs.* import now means properdocs.*
        from properdocs.commands.build import build
        from properdocs.config import load_config
        cfg = load_config({str(config)!r}, site_dir={str(tmp_path / "site")!r}, strict=True)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site" / "incidents" / A / "index.html").is_file()
    assert (tmp_path / "site" / "patterns" / "cache-stampede" / "index.html").is_file()
    assert MKDOCS_YML["plugins"][2] == {"postmortems": {"today": "2025-06-01"}}


def test_plugin_options_give_the_same_settings_as_the_core(tmp_path: Path) -> None:
    """The typed Config maps onto ``settings_from_mapping``: both adapters agree."""
    from mkdocs.config import load_config

    from postmortem_kb.config import settings_from_mapping

    options = {
        "postmortems_dir": "incidents-src",
        "gap_limit_minutes": 10,
        "min_whys": 3,
        "roster": ["Dana Analyst"],
        "today": "2025-06-01",
        "overdue": "error",
        "show_drafts": True,
        "blame_phrases": {"oops": "describe the conditions"},
    }
    config_file = write_project(tmp_path, {}, {**MKDOCS_YML, "plugins": [{"postmortems": options}]})
    cfg = load_config(str(config_file))
    plugin = cfg.plugins["postmortems"]
    plugin.on_config(cfg)
    assert plugin.settings == settings_from_mapping(options, tmp_path.resolve())
    assert str(tmp_path.resolve() / "incidents-src") not in cfg.watch  # the folder does not exist
    assert str(tmp_path.resolve() / "docs" / "patterns") not in cfg.watch


def test_bad_option_value_is_a_clear_plugin_error(tmp_path: Path) -> None:
    """A wrong option fails at config time, naming the option and the expected form."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    bad = {**MKDOCS_YML, "plugins": [{"postmortems": {"today": "yesterday"}}]}
    cfg = load_config(str(write_project(tmp_path, {}, bad)))
    with pytest.raises(
        PluginError, match=r"^postmortems: today: expected a date YYYY-MM-DD, got 'yesterday'$"
    ):
        cfg.plugins["postmortems"].on_config(cfg)


def test_serve_keeps_serving_with_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Under ``mkdocs serve`` an error is logged and the site is written, but nothing is raised."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = write_project(
        tmp_path,
        {
            f"postmortems/{A}.md": postmortem(),
            "postmortems/bad.md": postmortem(date="2025-02-01").replace(
                "severity: P2", "severity: P9"
            ),
            "docs/patterns/cache-stampede.md": pattern("Cache stampede"),
        },
    )
    cfg = load_config(str(config), site_dir=str(tmp_path / "site"))
    cfg.plugins.on_startup(command="serve", dirty=False)
    try:
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    assert [
        r.getMessage().split(" error: ")[0]
        for r in caplog.records
        if r.name == LOGGER and r.levelno == logging.ERROR
    ] == ["postmortem_kb: postmortems/bad.md:4:11: PM004"]
    assert (tmp_path / "site" / "incidents" / A / "index.html").is_file()


def test_trim_indentation_keeps_pre_and_textarea_whitespace() -> None:
    """Indentation and blank lines go; <pre> and <textarea> keep every space and newline."""
    from postmortem_kb.plugin import trim_indentation

    page = (
        "<div>\n\n    <p>a\n      b</p>\n"
        '    <PRE class="x"><code>def f():\n\n    return 1\n</code></PRE>\n'
        "  <textarea>\n  kept\n</textarea>\n  <pre>two\n  blocks</pre>\n\t</div>\n"
    )
    assert trim_indentation(page) == (
        "<div>\n<p>a\nb</p>\n"
        '<PRE class="x"><code>def f():\n\n    return 1\n</code></PRE>\n'
        "<textarea>\n  kept\n</textarea>\n<pre>two\n  blocks</pre>\n</div>\n"
    )


def test_generated_pages_are_trimmed(site: Path) -> None:
    """No line of an incident page starts with whitespace outside <pre>."""
    text = (site / "incidents" / A / "index.html").read_text(encoding="utf-8")
    outside_pre = re.sub(r"<pre\b.*?</pre>", "", text, flags=re.DOTALL)
    assert not re.findall(r"\n[ \t\n]", outside_pre)
    assert "\n\n" not in outside_pre


def test_plugin_doctests() -> None:
    """The examples in the adapter's docstrings (trimming, the related heading) hold."""
    import doctest

    from postmortem_kb import plugin as plugin_module

    result = doctest.testmod(plugin_module)
    assert result.failed == 0 and result.attempted >= 2


class _Feed:
    """A stand-in for the page feed: what the worker "finished", and what was claimed."""

    def __init__(self, done: object) -> None:
        self.done, self.claimed = done, []  # type: list[str]

    def finished(self, uri: str) -> object:
        return self.done

    def claim(self, uri: str) -> None:
        self.claimed.append(uri)


def _fed_page(tmp_path: Path, feed: _Feed, markdown: str) -> tuple[Any, Any, Any]:
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files

    from postmortem_kb import plugin

    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    file = File("incidents/a.md", str(tmp_path / "docs"), str(tmp_path / "site"), True)
    page = plugin._FedPage(file, config, feed)  # type: ignore[arg-type]
    page.markdown = markdown
    return page, config, Files([file])


def test_a_page_takes_the_workers_conversion_only_of_the_markdown_it_has(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from postmortem_kb import plugin

    record = logging.LogRecord("mkdocs.structure.pages", logging.WARNING, "", 0, "held", None, None)
    converted = plugin._Converted(
        markdown="# A\n",
        content="<h1 id='a'>from the worker</h1>",
        toc=[],  # type: ignore[arg-type]
        title="A",
        anchors={"a"},
        links=None,
        records=[record],
    )
    same = _Feed(converted)
    page, config, files = _fed_page(tmp_path / "same", same, "# A\n")
    with caplog.at_level(logging.WARNING):
        page.render(config, files)
    assert page.content == "<h1 id='a'>from the worker</h1>" and page.present_anchor_ids == {"a"}
    assert [r.getMessage() for r in caplog.records] == ["held"]  # logged here, in its turn
    assert same.claimed == []
    # a plugin changed the page's Markdown after it was read: converted here, as usual
    changed = _Feed(converted)
    page, config, files = _fed_page(tmp_path / "changed", changed, "# B\n")
    page.render(config, files)
    assert page.content == '<h1 id="b">B</h1>' and changed.claimed == ["incidents/a.md"]


def test_pages_are_converted_elsewhere_only_with_named_extensions_and_mkdocs_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from markdown.extensions.toc import TocExtension
    from mkdocs.structure.pages import Page

    from postmortem_kb import plugin

    def config(*extensions: object) -> Any:
        return SimpleNamespace(markdown_extensions=list(extensions))

    assert plugin._convertible(config("toc", "tables", "pymdownx.details"))
    # an extension object (as mkdocs-autorefs adds one) may gather state across pages
    assert not plugin._convertible(config("toc", TocExtension()))
    monkeypatch.setattr(Page, "render", lambda self, config, files: None)  # a plugin's patch
    assert not plugin._convertible(config("toc"))


def test_the_generated_pages_folders_are_made_before_mkdocs_writes_any_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All at once (interleaved with the writes, a thousand of them cost a second); here by
    MkDocs' process (with a page worker, the worker makes them first: test_pipeline)."""
    import mkdocs.utils

    monkeypatch.setenv("PMKB_WORKERS", "1")
    write_file = mkdocs.utils.write_file
    writes: list[tuple[str, bool]] = []  # (page written, its folder was there already)

    def watching(content: bytes, output_path: str) -> None:
        path = Path(output_path)
        if path.suffix == ".html" and path.name != "404.html":
            writes.append((path.relative_to(site_dir).as_posix(), path.parent.is_dir()))
        write_file(content, output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", watching)
    site_dir = tmp_path / "site"
    build_site(write_project(tmp_path, FILES), site_dir)
    generated = {p: there for p, there in writes if p.startswith(("incidents/", "patterns/"))}
    assert generated == {
        f"incidents/{A}/index.html": True,
        f"incidents/{B}/index.html": True,
        f"incidents/{C}/index.html": True,
        "incidents/index.html": True,
        "patterns/cache-stampede/index.html": True,
        "patterns/retry-storm/index.html": True,
        "patterns/index.html": True,
    }
    # only the folders of pages that are written: no empty folder (the draft is left out)
    assert [p for p in site_dir.rglob("*") if p.is_dir() and not any(p.iterdir())] == []


def test_a_folder_that_cannot_be_made_is_left_to_mkdocs(tmp_path: Path) -> None:
    from postmortem_kb import plugin

    (tmp_path / "taken").write_text("a file where a folder should be", encoding="utf-8")
    folders = [tmp_path / "taken" / "page", tmp_path / "a" / "b", tmp_path / "a" / "b"]
    plugin._make_folders(folders)  # no error: MkDocs reports it when it writes there
    assert (tmp_path / "a" / "b").is_dir() and (tmp_path / "taken").is_file()


def test_a_serve_rebuild_converts_only_the_pages_whose_markdown_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """And search indexes only those again; the rebuild writes what a clean build of the
    edited files writes, warnings and search index included."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from postmortem_kb import plugin

    monkeypatch.setenv("PMKB_WORKERS", "1")
    converted: list[str] = []
    convert = plugin._converted

    def counting(page: Any, config: Any, files: Any) -> Any:
        converted.append(page.file.src_uri)
        return convert(page, config, files)

    monkeypatch.setattr(plugin, "_converted", counting)
    # and the pages mkdocs-material's search indexes (the others take the last build's)
    from material.plugins.search.plugin import SearchIndex

    indexed: list[str] = []
    index = SearchIndex.add_entry_from_context

    def indexing(self: Any, page: Any) -> None:
        indexed.append(page.file.src_uri)
        index(self, page)

    monkeypatch.setattr(SearchIndex, "add_entry_from_context", indexing)
    files = {
        **FILES,
        "docs/patterns/cache-stampede.md": pattern(
            "Cache stampede", body="See [the runbook](missing-runbook.md)."
        ),
    }
    config_file = write_project(tmp_path / "kb", files)

    def serve_build() -> list[str]:
        """One build the way `mkdocs serve` makes each: the configuration read again."""
        converted.clear()
        indexed.clear()
        caplog.clear()
        cfg = load_config(str(config_file), site_dir=str(tmp_path / "served"))
        cfg.plugins.on_startup(command="serve", dirty=False)
        with caplog.at_level(logging.WARNING):
            build(cfg)
        return sorted(r.getMessage() for r in caplog.records if "missing-runbook" in r.getMessage())

    fed = [
        "actions.md",
        "dashboard.md",
        "graph.md",
        f"incidents/{A}.md",
        f"incidents/{B}.md",
        f"incidents/{C}.md",
        "lessons.md",
        "patterns/cache-stampede.md",
        "patterns/retry-storm.md",
        "services/checkout.md",
        "services/search.md",
    ]
    cfg = load_config(str(config_file))
    cfg.plugins["postmortems"]._kept = plugin._KeptConversions()  # none from other tests
    warned = serve_build()
    assert sorted(converted) == fed and len(warned) == 1
    first = sorted(indexed)
    assert {*fed, "incidents/index.md", "patterns/index.md", "index.md"} <= set(first)
    # an author edits one post-mortem: only its page's Markdown changed
    edited = tmp_path / "kb" / f"postmortems/{C}.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("## Impact\n", "## Impact\n\nEdited.\n", 1),
        encoding="utf-8",
    )
    assert serve_build() == warned  # the kept pattern page's broken link is reported again
    assert converted == [f"incidents/{C}.md"]
    # the edited page is indexed again, and the author's own home page (not generated)
    assert sorted(indexed) == [f"incidents/{C}.md", "index.md"]
    build_site(config_file, tmp_path / "clean", strict=False)
    served, clean = tmp_path / "served", tmp_path / "clean"
    written = sorted(p.relative_to(clean) for p in clean.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(served) for p in served.rglob("*") if p.is_file())
    assert [p for p in written if (served / p).read_bytes() != (clean / p).read_bytes()] == []
    assert "Edited." in (served / f"incidents/{C}/index.html").read_text(encoding="utf-8")
    # a new post-mortem: every page's links may resolve differently, nothing is kept
    (tmp_path / "kb" / "postmortems/2025-06-01-new.md").write_text(
        postmortem(date="2025-06-01", title="New"), encoding="utf-8"
    )
    serve_build()
    assert sorted(converted) == sorted([*fed, "incidents/2025-06-01-new.md"])


def test_kept_conversions_are_the_last_builds_with_the_same_inputs() -> None:
    from postmortem_kb import plugin

    def converted(markdown: str) -> Any:
        toc: Any = [{"id": "a"}]
        return plugin._Converted(markdown, f"<p>{markdown}</p>", toc, None, {"a"}, None, [])

    kept = plugin._KeptConversions()
    kept.begin(("inputs", 1))
    assert kept.get("a.md", "A") is None
    kept.keep("a.md", converted("A"))
    kept.keep("b.md", converted("B"))
    kept.begin(("inputs", 1))  # the next build, nothing else changed
    a = kept.get("a.md", "A")
    assert a is not None and a.content == "<p>A</p>"
    assert kept.get("a.md", "A changed") is None
    a.toc[0]["id"] = "changed by a plugin"  # each page gets its own copy
    a.anchors.add("x")
    again = kept.get("a.md", "A")
    assert again is not None and again.toc == [{"id": "a"}] and again.anchors == {"a"}
    kept.keep("a.md", again)  # b.md was not kept by this build: it is gone from the next
    again.toc[0]["id"] = "changed after it was kept"  # as the page takes it, after keep()
    kept.begin(("inputs", 1))
    a = kept.get("a.md", "A")
    assert kept.get("b.md", "B") is None and a is not None and a.toc == [{"id": "a"}]
    kept.begin(("inputs", 2))  # something a conversion depends on changed: nothing is kept
    assert kept.get("a.md", "A") is None
