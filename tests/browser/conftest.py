"""Browser fixtures: the sample site built once, served on 127.0.0.1, driven by Debian's Chromium.

Playwright cannot download its own browser here, so it launches the system Chromium
(``PMKB_CHROMIUM``, else ``chromium`` on PATH). Without one, the tests skip locally and
say so; when ``CI`` is set they fail instead. axe-core comes from the npm registry:
``npm ci --prefix tests/browser``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from browser.browser_kit import REPO, Tab, missing, subprocess_env

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FOREIGN = re.compile(r"^(?!http://127\.0\.0\.1[:/])[a-z][a-z0-9+.-]*://")
VIEWPORT = {"width": 1200, "height": 760}


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of the system Chromium."""
    for candidate in (
        os.environ.get("PMKB_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    missing("Chromium", "apt-get install chromium, or set PMKB_CHROMIUM")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site (mkdocs.yml, sample corpus) built strictly into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def export() -> dict[str, Any]:
    """``pmkb export --format json`` of the sample corpus: what the pages must show."""
    proc = subprocess.run(
        [sys.executable, "-m", "postmortem_kb", "export", "--format", "json"],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output free of access logs."""


@pytest.fixture(scope="session")
def origin(site_dir: Path) -> Iterator[str]:
    """Base URL of the built site, served over HTTP on 127.0.0.1 (file:// breaks the search worker)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def chromium(chromium_executable: str) -> Iterator[Browser]:
    """Headless Chromium launched through Playwright."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(chromium: Browser, origin: str) -> Iterator[Tab]:
    """A fresh browser context (light scheme, empty storage); off-host requests are recorded and refused."""
    context = chromium.new_context(viewport=VIEWPORT, color_scheme="light", reduced_motion="reduce")
    context.set_default_timeout(10_000)  # a local site answers in milliseconds
    page = context.new_page()
    opened = Tab(page=page, origin=origin)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on(
        "console",
        lambda message: _record_console(opened.errors, message),
    )
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))

    # only off-host requests are intercepted (matched in the browser): recorded above, refused here
    context.route(FOREIGN, lambda route: route.abort())
    try:
        yield opened
    finally:
        context.close()


def _record_console(errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        errors.append(f"console error at {message.location.get('url', '?')}: {message.text}")
