"""Fixtures of the browser tests: Debian's chromium (one per test process), pages in fresh
contexts (each its own cookie jar, like a separate browser), a review world with drafts written
by the real services, and `bot web` serving it on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.browser import DESKTOP, launched
from tests.browser.server import WebServer
from tests.browser.world import ReviewWorld, make_review_world
from tests.fakeplatform import FakeServer

#: Generous for two busy cores: for actions, navigation and ``expect`` (default 5 s).
ACTION_TIMEOUT_MS = 30_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium per test process (skipped, with the reason, if there is none)."""
    with launched() as found:
        yield found


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(viewport=DESKTOP)``: a page in a new context (its own cookies)."""
    contexts: list[Any] = []

    def open_(viewport: dict[str, int] = DESKTOP, **options: Any) -> Page:
        context = browser.new_context(viewport=viewport, **options)  # type: ignore[arg-type]
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def world(tmp_path: Path, fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReviewWorld]:
    """A config with reviewers ann (reviewer) and root (admin), campaigns ``greeting`` (dry-run
    outbox) and ``promo`` (Reddit on the fake platform), a migrated store, no drafts yet. The
    Reddit credentials are in this process's environment too (the test publishes in-process)."""
    made = make_review_world(tmp_path / "world", fake.url)
    for name, value in made.env.items():
        monkeypatch.setenv(name, value)
    yield made
    made.app.close()


@pytest.fixture
def web(world: ReviewWorld) -> Iterator[WebServer]:
    """`bot web` serving the world on a free loopback port."""
    server = WebServer(world.config, env=world.env).start()
    yield server
    server.stop()
