"""Link check of the built sample site, offline: no broken internal link or anchor.

The sample knowledge base (this repository's ``mkdocs.yml``, ``docs/`` and
``postmortems/``) is built with ``.html`` URLs and checked by a small checker
written here with ``html.parser``: every internal ``href``/``src`` must name a
file of the site and every fragment an ``id`` or ``name`` on that page. It also
runs on a deliberately broken site to show it can fail. (LinkChecker works
offline on ``file://`` sites, but checks no anchors behind directory URLs and
took over a minute on this site: too slow for every test run.)
"""

from __future__ import annotations

import html.parser
import posixpath
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from site_helpers import build_site

REPO = Path(__file__).resolve().parents[1]


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(str(values[key]))
        for key in ("href", "src"):
            target = values.get(key)
            if target and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(target)


def broken_links(site: Path) -> list[str]:
    """``page -> target`` for every internal link whose file or anchor is missing."""
    pages: dict[str, _Links] = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    broken: list[str] = []
    for name, parser in pages.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # external (http, https, mailto): not checked offline
            target = name
            if parts.path:
                # `/x` is site-root relative (MkDocs's 404 page, served at any depth, uses it)
                here = "" if parts.path.startswith("/") else posixpath.dirname(name)
                path = unquote(parts.path).lstrip("/")
                target = posixpath.normpath(posixpath.join(here, path))
                if link.endswith("/") or (site / target).is_dir():
                    target = posixpath.join(target, "index.html")
            if not (site / target).is_file():
                broken.append(f"{name} -> {link}")
            elif parts.fragment and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{name} -> {link} (no anchor)")
    return broken


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("links")
    project = base / "project"
    project.mkdir()
    for folder in ("docs", "postmortems"):
        shutil.copytree(REPO / folder, project / folder)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["use_directory_urls"] = False
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    build_site(project / "mkdocs.yml", base / "site", strict=False)
    return base / "site"


def test_no_broken_internal_link_or_anchor(sample_site: Path) -> None:
    assert len(list(sample_site.rglob("*.html"))) > 40
    assert broken_links(sample_site) == []


def test_the_checker_finds_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="a/#x">ok</a><a href="a/#y">bad</a><a href="b.html">bad</a>'
        '<a href="#top">bad</a><a href="https://example.com/nope">external</a>',
        encoding="utf-8",
    )
    assert broken_links(tmp_path) == [
        "index.html -> a/#y (no anchor)",
        "index.html -> b.html",
        "index.html -> #top (no anchor)",
    ]
