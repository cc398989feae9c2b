"""``/metrics`` on the web server, parsed by prometheus-client's own parser: the store's
counts, no session needed, answered to loopback clients only unless ``[web] metrics = "public"``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.domain import DraftState
from bot.web.app import create_app
from bot.wiring import Wiring
from tests.web.conftest import make_draft


def scraped(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_without_a_session_from_loopback(world: Wiring, web: Callable[..., TestClient]) -> None:
    for day in range(3):
        make_draft(world, day)
    drafts = world.store.list_drafts()
    answer = web(address="127.0.0.1").get("/metrics", follow_redirects=False)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = scraped(answer.text)
    assert got[("bot_store_up", ())] == 1
    for state in (DraftState.PENDING_REVIEW, DraftState.FLAGGED):
        expected = sum(d.state is state for d in drafts)
        assert got.get(("bot_drafts", (("state", state.value),)), 0) == expected
    assert sum(v for (name, _), v in got.items() if name == "bot_drafts") == len(drafts) >= 3
    assert got[("bot_slot_drafting_seconds_count", ())] == 3
    # the web server drafts nothing: no daemon histogram here
    assert not any(name.startswith("bot_daemon_slot_generation") for name, _ in got)


def test_metrics_refused_to_other_addresses_unless_public(
    world: Wiring, web: Callable[..., TestClient]
) -> None:
    remote = web(address="198.51.100.7")
    assert remote.get("/metrics", follow_redirects=False).status_code == 404
    logged_in = web("alice")
    assert logged_in.get("/metrics", follow_redirects=False).status_code == 404  # a session is no key
    public = world.settings.model_copy(
        update={"web": world.settings.web.model_copy(update={"metrics": "public"})}
    )
    with TestClient(create_app(public, wiring=world), client=("198.51.100.7", 5000)) as client:
        answer: Any = client.get("/metrics", follow_redirects=False)
    assert answer.status_code == 200 and "bot_drafts" in answer.text
    off = world.settings.model_copy(update={"web": world.settings.web.model_copy(update={"metrics": "off"})})
    with TestClient(create_app(off, wiring=world), client=("127.0.0.1", 5000)) as client:
        assert client.get("/metrics", follow_redirects=False).status_code == 404
