"""Accessibility: axe-core finds no serious or critical violation on the key pages, in either palette."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from browser.browser_kit import Tab

pytestmark = pytest.mark.browser


def key_page(export: dict[str, Any], name: str) -> str:
    """Site path of a key page: home, the first incident, the first defined pattern, dashboard, graph."""
    if name == "incident":
        return f"incidents/{min(i['id'] for i in export['incidents'])}/"
    if name == "pattern":
        return f"patterns/{min(p['id'] for p in export['patterns'] if p['defined'])}/"
    return {"home": "", "dashboard": "dashboard/", "graph": "graph/", "actions": "actions/"}[name]


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize(
    "name",
    ["home", "incident", "pattern", "dashboard", "graph", "actions"],
)
def test_key_page_has_no_serious_or_critical_axe_violations(
    tab: Tab, export: dict[str, Any], name: str, scheme: str
) -> None:
    tab.open(key_page(export, name))
    if scheme == "slate":
        tab.page.locator("label[title='Switch to dark mode']").click()
    expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", scheme)
    if name == "home":
        tab.screenshot(f"home-{scheme}")
    assert tab.axe_serious() == []
    tab.assert_clean()
