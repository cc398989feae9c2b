"""Sessions end on the server: a copy of the cookie taken before logging out, or before the
reviewer's password changed, is refused (by this process and by another one on the same data
directory), and old revocations are forgotten once no session could still use them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from starlette.testclient import TestClient

from bot.adapters.websessions import RevokedSessions
from bot.domain.ports import FixedClock
from bot.web.app import create_app
from bot.wiring import Wiring
from tests.conftest import run_cli
from tests.web.conftest import login, post

Web = Callable[..., TestClient]


def _copy(client: TestClient, web: Web) -> tuple[TestClient, str]:
    """Another browser holding a saved copy of ``client``'s session cookie, and the copy."""
    cookie = client.cookies["bot_session"]
    thief = web(address="203.0.113.9")
    thief.cookies.set("bot_session", cookie)
    return thief, cookie


def test_a_cookie_copied_before_logout_is_refused_after(web: Web, world: Wiring) -> None:
    alice, other_tab = web("alice"), web("alice")
    saved, cookie = _copy(alice, web)
    assert saved.get("/", follow_redirects=False).status_code == 200
    assert post(alice, "/logout").headers["location"] == "/login"
    for client in (saved, alice):
        answer = client.get("/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert client.get("/drafts/1", follow_redirects=False).status_code == 303
    # alice's other login is a session of its own
    assert other_tab.get("/", follow_redirects=False).status_code == 200
    # the logout is in the data directory, so another worker (or a restart) refuses it too
    second = Wiring(world.settings, clock=world.clock)
    try:
        with TestClient(create_app(world.settings, wiring=second, login_delay=0)) as restarted:
            restarted.cookies.set("bot_session", cookie)
            assert restarted.get("/", follow_redirects=False).status_code == 303
    finally:
        second.close()
    # logging in again works
    assert login(alice, "alice").status_code == 303
    assert alice.get("/", follow_redirects=False).status_code == 200


def test_a_new_password_ends_the_reviewers_sessions(web: Web, world: Wiring) -> None:
    alice, bob = web("alice"), web("bob")
    saved, _ = _copy(alice, web)
    assert world.settings.source is not None
    changed = run_cli(
        "web", "passwd", "alice", "--password-stdin", config=world.settings.source, input="a-brand-new-pass\n"
    )
    assert changed.returncode == 0, changed.stderr
    for client in (alice, saved):
        answer = client.get("/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert bob.get("/", follow_redirects=False).status_code == 200  # only alice's sessions end
    assert login(alice, "alice").status_code == 401  # the old password is gone
    assert login(alice, "alice", "a-brand-new-pass").status_code == 303
    assert alice.get("/", follow_redirects=False).status_code == 200


def test_revocations_are_kept_for_the_session_lifetime_then_pruned(web: Web, world: Wiring) -> None:
    assert isinstance(world.clock, FixedClock)
    revoked = RevokedSessions(world.settings.data_dir)
    alice = web("alice")
    post(alice, "/logout")
    assert len(revoked.path.read_text().splitlines()) == 1
    assert oct(revoked.path.stat().st_mode & 0o777) == "0o600"
    world.clock.advance(hours=11)
    bob = web("bob")
    post(bob, "/logout")
    assert len(revoked.path.read_text().splitlines()) == 2  # alice's could still be used
    world.clock.advance(hours=1, seconds=2)  # alice's session would have ended by now anyway
    revoked.revoke("another", world.clock.now(), timedelta(hours=12))
    ids = [line.split()[0] for line in revoked.path.read_text().splitlines()]
    assert len(ids) == 2 and ids[-1] == "another"
    assert revoked.is_revoked("another") and not revoked.is_revoked("never-seen")


def test_a_cookie_without_a_session_id_is_refused(web: Web, world: Wiring) -> None:
    """A cookie signed before sessions had ids (an upgrade) means logging in again."""
    import base64
    import json

    from itsdangerous import TimestampSigner

    secret = world.web_secrets.session_secret()
    data = base64.b64encode(json.dumps({"user": "alice", "since": world.clock.now().isoformat()}).encode())
    old = web()
    old.cookies.set("bot_session", TimestampSigner(secret).sign(data).decode())
    assert old.get("/", follow_redirects=False).status_code == 303
