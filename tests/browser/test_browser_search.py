"""Search in the browser: a root-cause phrase finds the incident and its pattern, and the results open them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from browser.browser_kit import Tab

pytestmark = pytest.mark.browser


def phrase_from(statement: str, words: int = 6) -> str:
    """The first words of a root-cause statement, without Markdown or the evidence part.

    Six words: what a reader remembers of a statement. Material's search ORs the
    terms, so a longer phrase mostly adds common words that match every page.
    """
    text = statement.split("Evidence:")[0]
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("`", "")
    return " ".join(re.findall(r"[A-Za-z][A-Za-z'-]*", text)[:words])


def searched_incident(export: dict[str, Any]) -> dict[str, Any]:
    """The first incident (by id) with a root-cause statement and a defined root-cause pattern."""
    defined = {p["id"] for p in export["patterns"] if p["defined"]}
    for incident in sorted(export["incidents"], key=lambda i: i["id"]):
        if incident["root_cause_statement"] and set(incident["root_causes"]) & defined:
            return incident
    raise AssertionError("no incident with a root-cause statement and a defined pattern")


# resolves after two animation frames: the list has handled the scroll and rendered
NEXT_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


def search(tab: Tab, phrase: str) -> dict[str, str]:
    """Type the phrase key by key into Material's search; page path -> result title, in result order."""
    tab.open("")
    box = tab.page.locator("input.md-search__input")
    box.click()
    expect(box).to_be_focused()
    box.press_sequentially(phrase)
    meta = tab.page.locator(".md-search-result__meta")
    expect(meta).to_contain_text("matching documents")
    items = tab.page.locator("li.md-search-result__item")
    expect(items.first).to_be_visible()
    # Material renders ten results at a time, and more when the list is scrolled to its end
    shown = 0
    while items.count() != shown:
        shown = items.count()
        items.last.scroll_into_view_if_needed()
        tab.page.evaluate(NEXT_FRAMES)
    found: dict[str, str] = {}
    for item in items.all():
        first = item.locator("a.md-search-result__link").first
        href = first.get_attribute("href") or ""
        title = first.locator("h1").first.inner_text() if first.locator("h1").count() else ""
        found.setdefault(urlsplit(href).path.lstrip("/"), title.strip())
    return found


def test_root_cause_phrase_finds_incident_and_pattern_and_results_open_them(
    tab: Tab, export: dict[str, Any]
) -> None:
    incident = searched_incident(export)
    patterns = {p["id"]: p for p in export["patterns"]}
    pattern = patterns[next(p for p in incident["root_causes"] if patterns[p]["defined"])]
    phrase = phrase_from(incident["root_cause_statement"])
    assert len(phrase.split()) == 6

    found = search(tab, phrase)
    incident_path = f"incidents/{incident['id']}/"
    pattern_path = f"patterns/{pattern['id']}/"
    assert found[incident_path] == incident["title"]
    assert found.get(pattern_path) == pattern["title"], (phrase, found)

    # the result links open the right pages, with the phrase's words highlighted
    for path, title in ((incident_path, incident["title"]), (pattern_path, pattern["title"])):
        if tab.path() != "":
            found = search(tab, phrase)
        link = tab.page.locator(
            f"li.md-search-result__item a.md-search-result__link[href*='/{path}']"
        ).first
        link.click()
        tab.page.wait_for_url(re.compile(re.escape(path)))
        assert tab.path() == path
        assert tab.heading() == title
        expect(tab.page.locator("article mark").first).to_be_visible()
    tab.assert_clean()
