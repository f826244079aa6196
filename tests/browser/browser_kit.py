"""Shared pieces of the browser tests: paths, the skip-or-fail rule and the recorded tab."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Every run saves its screenshots under tests/artifacts/ (git-ignored, kept by CI for
# inspection); UPDATE_SCREENSHOTS=1 refreshes the committed copies the README shows.
README_SCREENSHOTS = HERE / "screenshots"
SCREENSHOTS = (
    README_SCREENSHOTS
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else HERE.parent / "artifacts" / "screenshots"
)
LOCAL_SCHEMES = {"data", "blob", "about"}
REPO = HERE.parents[1]
# A fixed build date: the site and the export agree on "today" (overdue marks, feeds).
SOURCE_DATE_EPOCH = "1782864000"  # 2026-07-01T00:00Z


def _in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false")


def missing(what: str, how: str) -> None:
    """Skip locally with the reason; fail in CI, where the browser tests must run."""
    if _in_ci():
        pytest.fail(f"{what} is missing and CI is set: {how}", pytrace=False)
    pytest.skip(
        f"{what} is missing ({how}); browser tests skipped locally (they run when CI is set)"
    )


def subprocess_env() -> dict[str, str]:
    """Subprocess environment: fixed build date, and this checkout's plugin first on the path."""
    path = os.pathsep.join(p for p in (str(REPO / "plugins"), os.environ.get("PYTHONPATH")) if p)
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": path,
    }


@dataclass
class Tab:
    """A page on the served site, with every request and every console error recorded."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Load a site path (relative to the site root) and wait until it has loaded."""
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response is not None and response.status == 200, path

    def path(self) -> str:
        """The current page's path relative to the site root, without query or fragment."""
        return urlsplit(self.page.url).path.lstrip("/")

    def heading(self) -> str:
        """The page's title as shown: the article's h1 without its permalink sign."""
        self.page.wait_for_load_state("load")
        text: str = self.page.locator("article h1").first.evaluate(
            """(h1) => {
                const copy = h1.cloneNode(true);
                copy.querySelectorAll(".headerlink").forEach((a) => a.remove());
                return copy.textContent.trim();
            }"""
        )
        return text

    def foreign_requests(self) -> list[str]:
        """Requests that left 127.0.0.1."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self) -> None:
        """No request left localhost and no page logged an error."""
        assert self.requests, "no request was recorded"
        assert self.foreign_requests() == []
        assert self.errors == []

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save a PNG under SCREENSHOTS (see above; the README shows some of them)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=full_page, animations="disabled")
        return target

    def axe_serious(self) -> list[dict[str, Any]]:
        """axe-core violations of impact serious or critical on the current page."""
        if not AXE_JS.is_file():
            missing("axe-core", "npm ci --prefix tests/browser")
        self.page.add_script_tag(path=str(AXE_JS))
        found: list[dict[str, Any]] = self.page.evaluate(
            """async () => {
                const result = await axe.run(document);
                return result.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => ({
                        id: v.id,
                        impact: v.impact,
                        nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary),
                    }));
            }"""
        )
        return found
