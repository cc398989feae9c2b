"""A review world for the HTTP tests of ``bot web``: a config with three reviewers, a migrated
SQLite store with drafts written by the real services, and logged-in TestClients."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec
from bot.domain.ports import FixedClock
from bot.web.app import create_app
from bot.wiring import Wiring
from tests.conftest import BASE_CONFIG

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
PASSWORDS = {"alice": "alice-correct-horse", "bob": "bob-battery-staple", "root": "root-staple-horse"}

WEB = """
[web]
secrets_file = "web-secrets"

[[web.reviewers]]
name = "alice"

[[web.reviewers]]
name = "bob"
role = "reviewer"

[[web.reviewers]]
name = "root"
role = "admin"
"""


@pytest.fixture
def world(write_config: Any, sqlite_url: str, request: pytest.FixtureRequest) -> Iterator[Wiring]:
    """The wiring over a fresh store with the campaigns synced and the passwords set
    (parametrized indirectly with a tuple of brand hashtags, the brand has them)."""
    base = BASE_CONFIG
    if hashtags := getattr(request, "param", ()):
        link = 'link = "https://lotusleaf.example/shop"\n'
        base = base.replace(link, f"{link}hashtags = {json.dumps(list(hashtags))}\n")
    settings = load_settings(write_config(WEB, base=base, database_url=sqlite_url))
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(NOW))
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    app.store.sync_campaigns(specs, NOW, "test")
    for name, password in PASSWORDS.items():
        app.web_secrets.set_password(name, password)
    yield app
    app.close()


def make_draft(world: Wiring, day: int = 0) -> int:
    """One draft written by the real drafting service for a new slot of ``promo``."""
    record = world.store.get_campaign("promo")
    slot = world.store.create_slot(record.id, NOW + timedelta(days=day + 1), NOW, "test")
    assert slot is not None
    return world.drafting.draft_slot(slot)[0]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str | None = None) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"name": name, "password": PASSWORDS[name] if password is None else password, "csrf": token},
        follow_redirects=False,
    )


@pytest.fixture
def web(world: Wiring) -> Callable[..., TestClient]:
    """A client factory: ``web("alice")`` is logged in as alice; ``web()`` is not logged in."""
    app = create_app(world.settings, wiring=world, login_delay=0)
    clients: list[TestClient] = []

    def make(name: str | None = None, address: str = "198.51.100.7") -> TestClient:
        client = TestClient(app, base_url="http://127.0.0.1", client=(address, 50000))
        client.__enter__()
        clients.append(client)
        if name is not None:
            assert login(client, name).status_code == 303
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        client.__exit__(None, None, None)


def post(
    client: TestClient, path: str, data: dict[str, str] | None = None, *, page: str | None = None
) -> Any:
    """POST a form the way the page does: with the CSRF token of ``page`` (default: the path's
    draft page or the queue)."""
    html = client.get(page or "/").text
    return client.post(path, data={**(data or {}), "csrf": csrf_of(html)}, follow_redirects=False)
