"""The publication tools, the calendar and the accounts pages of ``bot web``, with the store and
the event log checked, and the ``bot web`` commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from bot.domain import PublicationState
from bot.wiring import Wiring
from tests.conftest import ROOT, run_cli, subprocess_env
from tests.web.conftest import WEB, make_draft, post

Web = Callable[..., TestClient]


def _needs_check(world: Wiring, day: int = 0) -> int:
    """A publication whose send had an unknown outcome (through the store's real protocol)."""
    draft_id = make_draft(world, day)
    world.review.approve(draft_id, "bob")
    now = world.clock.now() + timedelta(days=day + 2)
    [pub] = world.store.claim_publications("w1", now, timedelta(minutes=2), accounts=["outbox"])
    world.store.mark_sending(pub.id, "w1", now)
    world.store.finish_publication(pub.id, "w1", PublicationState.NEEDS_CHECK, now=now, reason="timeout")
    return pub.id


def test_needs_check_publications_are_listed_with_their_tools(web: Web, world: Wiring) -> None:
    pub_id = _needs_check(world)
    page = web("alice").get("/publications")
    assert page.status_code == 200
    assert f'id="pub-{pub_id}"' in page.text
    for tool in ("check", "retry", "cancel"):
        assert f'id="{tool}-{pub_id}"' in page.text


def test_cancel_and_retry_go_through_the_publishing_service(web: Web, world: Wiring) -> None:
    cancelled, retried = _needs_check(world), _needs_check(world, 1)
    client = web("alice")
    response = post(
        client, f"/publications/{cancelled}/cancel", {"reason": "posted by hand", "back": "needs_check"}
    )
    assert response.status_code == 303
    assert "cancelled" in client.get(response.headers["location"]).text
    assert world.store.get_publication(cancelled).state is PublicationState.CANCELLED
    event = world.store.events(entity="publication", entity_id=cancelled)[-1]
    assert (event.actor, event.to_state) == ("alice", "cancelled")

    response = post(client, f"/publications/{retried}/retry", {"force": "1", "back": "needs_check"})
    assert response.status_code == 303
    assert world.store.get_publication(retried).state is PublicationState.QUEUED
    assert world.store.events(entity="publication", entity_id=retried)[-1].actor == "alice"


def test_check_looks_on_the_account_and_records_who_asked(web: Web, world: Wiring) -> None:
    pub_id = _needs_check(world)
    client = web("alice")
    response = post(client, f"/publications/{pub_id}/check", {"back": "needs_check"})
    assert response.status_code == 303
    shown = client.get(response.headers["location"]).text
    assert f"Publication {pub_id}:" in shown
    events = world.store.events(entity="publication", entity_id=pub_id)
    assert any(e.actor == "alice" for e in events)


def test_a_refused_publication_tool_is_a_message(web: Web, world: Wiring) -> None:
    pub_id = _needs_check(world)
    client = web("alice")
    response = post(client, f"/publications/{pub_id}/retry", {"back": "needs_check"})  # without force
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert 'class="message error"' in page
    assert world.store.get_publication(pub_id).state is PublicationState.NEEDS_CHECK


def test_calendar_and_accounts_pages(web: Web, world: Wiring) -> None:
    make_draft(world)
    client = web("alice")
    calendar = client.get("/calendar?days=30")
    assert calendar.status_code == 200 and "promo" in calendar.text and "CST" in calendar.text
    world.store.pause_account("outbox", "credentials rejected", world.clock.now(), "daemon")
    accounts = client.get("/accounts")
    assert accounts.status_code == 200
    assert 'id="account-outbox"' in accounts.text and "credentials rejected" in accounts.text


def test_bot_web_passwd_writes_an_argon2_hash(write_config: Callable[..., Path]) -> None:
    config = write_config(WEB)
    done = run_cli("web", "passwd", "alice", "--password-stdin", config=config, input="a-long-password\n")
    assert done.returncode == 0, done.stderr
    text = (config.parent / "web-secrets").read_text()
    assert "web_password_alice=$argon2id$" in text and "a-long-password" not in text
    short = run_cli("web", "passwd", "alice", "--password-stdin", config=config, input="short\n")
    assert short.returncode == 1 and "too short" in short.stderr and "Traceback" not in short.stderr
    unknown = run_cli(
        "web", "passwd", "mallory", "--password-stdin", config=config, input="a-long-password\n"
    )
    assert unknown.returncode == 1 and "no reviewer named 'mallory'" in unknown.stderr
    for args in (("web", "--help"), ("web", "serve", "--help"), ("web", "passwd", "--help")):
        shown = run_cli(*args, config=config)
        assert shown.returncode == 0 and "Usage:" in shown.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bot_web_serves_on_loopback_and_stops_on_sigterm(write_config: Callable[..., Path]) -> None:
    config = write_config(WEB)
    assert run_cli("db", "upgrade", config=config).returncode == 0
    env = subprocess_env(BOT_WEB_PASSWORD_ALICE="")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "web", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                time.sleep(0.5)
        assert answer is not None and answer.status_code == 200 and answer.text == "ok\n"
        login = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert login.status_code == 303 and login.headers["location"].startswith("/login")
        assert "torch" not in httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).text
    finally:
        os.kill(server.pid, signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    # uvicorn shuts down cleanly, then ends by the signal it caught (systemd counts it clean)
    assert server.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err
    assert "Traceback" not in err


def test_an_admin_resumes_a_paused_account_a_reviewer_cannot(web: Web, world: Wiring) -> None:
    world.store.pause_account("outbox", "credentials rejected", world.clock.now(), "daemon")
    alice = web("alice")
    assert 'id="resume-outbox"' not in alice.get("/accounts").text
    refused = post(alice, "/accounts/outbox/resume", page="/accounts")
    assert "Only an admin" in alice.get(refused.headers["location"]).text
    assert world.store.paused_accounts() == {"outbox": "credentials rejected"}
    root = web("root")
    assert 'id="resume-outbox"' in root.get("/accounts").text
    done = post(root, "/accounts/outbox/resume", page="/accounts")
    assert "Account outbox resumed." in root.get(done.headers["location"]).text
    assert world.store.paused_accounts() == {}
    event = world.store.events(entity="account")[-1]
    assert (event.actor, event.to_state, event.reason) == ("root", "active", "outbox")
    unknown = post(root, "/accounts/nobody/resume", page="/accounts")
    assert "not in the config" in root.get(unknown.headers["location"]).text
