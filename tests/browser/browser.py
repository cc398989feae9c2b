"""Debian's chromium driven by Playwright: nothing downloads a browser build.

``scripts/ensure-chromium.sh`` (run by ``make test``) installs the Debian package; Playwright
is pointed at it with ``executable_path``. The tests are skipped, with the reason, only where
chromium is not installed and cannot be; under ``CI=true`` they fail instead, so a CI run never
passes without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.world import REVIEWERS

CHROMIUM = os.environ.get("BOT_TEST_CHROMIUM", "/usr/bin/chromium")

#: Where the tests write their screenshots (gitignored); named in the test output.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

#: As root, on a machine without a network: no sandbox, no GPU, no calls home.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-proxy-server",
]


def require_chromium() -> str:
    """The chromium executable, or a skip (a failure under CI) saying why there is none."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = (
        f"Debian's chromium is not installed at {CHROMIUM} and could not be "
        "(scripts/ensure-chromium.sh needs root and apt-get: apt-get install chromium fonts-liberation)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
    raise AssertionError  # unreachable: skip raises


@contextmanager
def launched() -> Iterator[Browser]:
    """A headless chromium, closed afterwards."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``SCREENSHOTS/name.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def log_in(page: Page, url: str, name: str) -> None:
    """Open the queue, get the login page (no session yet), log in as ``name``."""
    page.goto(f"{url}/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # no session yet
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(REVIEWERS[name][1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.locator("header .who")).to_contain_text(name)


def message(page: Page) -> Any:
    """The first message the page shows (what an action did)."""
    return page.locator("p.message").first
