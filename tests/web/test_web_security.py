"""HTTP-level tests of the defences of ``bot web``: sessions, CSRF, roles, the login throttle,
cookies, and two reviewers racing on one draft."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.domain import DraftState, PublicationState
from bot.domain.ports import FixedClock
from bot.web.app import create_app
from bot.wiring import Wiring
from tests.web.conftest import PASSWORDS, csrf_of, login, make_draft, post

Web = Callable[..., TestClient]

PAGES = ["/", "/drafts/1", "/publications", "/calendar", "/accounts", "/?state=all", "/nowhere"]
ACTIONS = [
    "/drafts/1/approve",
    "/drafts/1/edit",
    "/drafts/1/reject",
    "/drafts/1/regenerate",
    "/drafts/1/override",
    "/publications/1/check",
    "/publications/1/retry",
    "/publications/1/cancel",
    "/accounts/outbox/resume",
    "/logout",
]


def _snapshot(world: Wiring, draft_id: int) -> tuple[Any, ...]:
    draft = world.store.get_draft(draft_id)
    return (
        draft.state,
        draft.text,
        len(world.store.approvals(draft_id)),
        len(world.store.events(entity="draft", entity_id=draft_id)),
        len(world.store.draft_requests(draft_id=draft_id)),
        len(world.store.list_publications(draft_id=draft_id)),
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_redirects_to_login(web: Web, world: Wiring, path: str) -> None:
    make_draft(world)
    response = web().get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_every_action_without_a_session_redirects_to_login_and_changes_nothing(
    web: Web, world: Wiring
) -> None:
    draft_id = make_draft(world)
    before = _snapshot(world, draft_id)
    client = web()
    token = csrf_of(client.get("/login").text)  # even with a valid token of an anonymous session
    for path in ACTIONS:
        response = client.post(
            path, data={"csrf": token, "reason": "x", "sha256": "0" * 64}, follow_redirects=False
        )
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    assert _snapshot(world, draft_id) == before


@pytest.mark.parametrize("token", [None, "", "forged-token-forged-token-forged-token"])
def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(
    web: Web, world: Wiring, token: str | None
) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    before = _snapshot(world, draft_id)
    sha = world.store.get_draft(draft_id).sha256
    forms = {
        "approve": {"sha256": sha},
        "reject": {"reason": "no"},
        "edit": {"sha256": sha, "text": "Lotus Leaf Tea House, new text. https://lotusleaf.example/shop"},
        "regenerate": {},
    }
    for action, fields in forms.items():
        data = fields if token is None else {**fields, "csrf": token}
        response = client.post(f"/drafts/{draft_id}/{action}", data=data, follow_redirects=False)
        assert response.status_code == 403, action
        assert "CSRF" in response.text and "Nothing was changed" in response.text
    assert _snapshot(world, draft_id) == before
    # logging out and in need the token too
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.post("/login", data={"name": "alice", "password": PASSWORDS["alice"]}).status_code == 403


def _flagged_draft(world: Wiring) -> int:
    draft_id = make_draft(world)
    # a reviewer's edit that the real gate flags
    world.review.edit(
        draft_id,
        "bob",
        "Lotus Leaf Tea House: I will kill you and burn your shop. https://lotusleaf.example/shop",
    )
    assert world.store.get_draft(draft_id).state is DraftState.FLAGGED
    return draft_id


def test_a_reviewer_cannot_override_a_flagged_draft_an_admin_can(web: Web, world: Wiring) -> None:
    draft_id = _flagged_draft(world)
    sha = world.store.get_draft(draft_id).sha256
    alice = web("alice")
    page = alice.get(f"/drafts/{draft_id}").text
    assert 'id="override-form"' not in page and 'id="approve-form"' not in page
    reasons = world.store.moderation_records(draft_id)[-1].verdict.reasons
    assert reasons and 'id="flag-reasons"' in page  # the banner says why it was flagged
    before = _snapshot(world, draft_id)
    refused = post(
        alice, f"/drafts/{draft_id}/override", {"sha256": sha, "reason": "fine"}, page=f"/drafts/{draft_id}"
    )
    assert refused.status_code == 403 and "Only an admin" in refused.text
    plain = post(alice, f"/drafts/{draft_id}/approve", {"sha256": sha}, page=f"/drafts/{draft_id}")
    assert plain.status_code == 409 and "flagged by moderation" in plain.text
    assert _snapshot(world, draft_id) == before

    root = web("root")
    assert 'id="override-form"' in root.get(f"/drafts/{draft_id}").text
    no_reason = post(
        root, f"/drafts/{draft_id}/override", {"sha256": sha, "reason": " "}, page=f"/drafts/{draft_id}"
    )
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.text
    done = post(
        root,
        f"/drafts/{draft_id}/override",
        {"sha256": sha, "reason": "a quote from a film review"},
        page=f"/drafts/{draft_id}",
    )
    assert done.status_code == 303
    assert world.store.get_draft(draft_id).state is DraftState.APPROVED
    record = world.store.approvals(draft_id)[-1]
    assert (record.decision.value, record.reviewer, record.note) == (
        "overridden",
        "root",
        "a quote from a film review",
    )


def test_the_sixth_wrong_password_in_a_minute_is_refused_per_name(web: Web, world: Wiring) -> None:
    for i in range(5):  # from five addresses: the name is what is counted
        response = login(web(address=f"203.0.113.{i}"), "alice", "wrong password")
        assert response.status_code == 401 and "Wrong name or password" in response.text
    sixth = login(web(address="203.0.113.99"), "alice")  # even the right password, now
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) >= 1
    assert login(web(address="203.0.113.99"), "bob").status_code == 303  # others are not locked out
    assert isinstance(world.clock, FixedClock)
    world.clock.advance(seconds=61)
    assert login(web(address="203.0.113.99"), "alice").status_code == 303


def test_the_sixth_wrong_password_in_a_minute_is_refused_per_address(web: Web, world: Wiring) -> None:
    names = ["alice", "bob", "root", "nobody", "alice"]
    for name in names:
        assert login(web(address="192.0.2.5"), name, "wrong password").status_code == 401
    assert login(web(address="192.0.2.5"), "bob").status_code == 429
    assert login(web(address="192.0.2.6"), "bob").status_code == 303


def test_unknown_names_and_missing_hashes_read_as_a_wrong_password(web: Web, world: Wiring) -> None:
    assert login(web(), "nobody", "whatever").status_code == 401  # type: ignore[arg-type]


def test_session_cookie_is_signed_httponly_lax_and_secure_when_https(web: Web, world: Wiring) -> None:
    response = login(web(), "alice")
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("bot_session=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie
    secure = TestClient(create_app(world.settings, wiring=world, login_delay=0), base_url="https://127.0.0.1")
    with secure:
        cookie = login(secure, "alice").headers["set-cookie"].lower()
    assert "secure" in cookie
    tampered = web()
    tampered.cookies.set("bot_session", response.cookies["bot_session"][:-4] + "AAAA")
    assert tampered.get("/", follow_redirects=False).status_code == 303


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(web: Web, world: Wiring) -> None:
    client = web()
    first = client.get("/calendar", follow_redirects=False)
    assert first.headers["location"] == "/login?next=%2Fcalendar"
    assert _login_then(client, "/calendar").headers["location"] == "/calendar"
    assert _login_then(web(), "//evil.example/x").headers["location"] == "/"


def _login_then(client: TestClient, target: str) -> Any:
    """Log in as alice from the login page, asking to go to ``target`` after."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"name": "alice", "password": PASSWORDS["alice"], "csrf": token, "next": target},
        follow_redirects=False,
    )


def test_logging_in_after_an_action_whose_session_ran_out_lands_on_its_page(web: Web, world: Wiring) -> None:
    """The login page kept next=/drafts/1/approve, and the browser then got a bare 405."""
    assert _login_then(web(), "/drafts/7/approve").headers["location"] == "/drafts/7"


@pytest.mark.parametrize(
    "path", ["/drafts/9223372036854775808", "/drafts/2147483648", "/drafts/99999999999999999999"]
)
def test_an_id_too_large_for_the_store_is_not_found(web: Web, world: Wiring, path: str) -> None:
    """A 64-bit id overflowed SQLite's INTEGER: a 500 and a traceback in the log."""
    client = web("alice")
    assert client.get(path).status_code == 404
    assert post(client, path + "/approve", {"sha256": "0" * 64}, page="/").status_code == 404


def test_a_reviewer_removed_from_the_config_is_logged_out(web: Web, world: Wiring, write_config: Any) -> None:
    client = web("alice")
    settings = world.settings.model_copy(
        update={"web": world.settings.web.model_copy(update={"reviewers": ()})}
    )
    app = create_app(settings, wiring=world, login_delay=0)
    with TestClient(app, base_url="http://127.0.0.1", cookies=dict(client.cookies)) as other:
        assert other.get("/", follow_redirects=False).status_code == 303


def test_a_running_page_follows_the_config_files_reviewers(world: Wiring) -> None:
    """`bot web` read the reviewers once: one removed from the config kept his session and
    could log in again until a restart (hostile user, 2026-12-07). The app built from the
    config file reads it again when it changes."""
    assert world.settings.source is not None
    config = world.settings.source
    app = create_app(config, wiring=world, login_delay=0)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert login(client, "bob").status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 200
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace('[[web.reviewers]]\nname = "bob"\nrole = "reviewer"\n', ""), encoding="utf-8"
        )
        assert client.get("/", follow_redirects=False).status_code == 303  # logged out
        assert login(client, "bob").status_code == 401  # and not let in again
        config.write_text(text.replace("[[web.reviewers]]\nname", "[[web.reviewers]]\nnam"), encoding="utf-8")
        assert login(client, "alice").status_code == 303  # a broken config: the list in force is kept


def _race(calls: dict[str, tuple[TestClient, str, dict[str, str]]]) -> dict[str, Any]:
    """POST each (client, path, form) at the same moment from its own thread."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, Any] = {}

    def act(name: str, client: TestClient, path: str, data: dict[str, str]) -> None:
        barrier.wait()
        results[name] = client.post(path, data=data, follow_redirects=False)

    threads = [threading.Thread(target=act, args=(name, *call)) for name, call in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_reviewers_approving_and_rejecting_at_once_one_wins_the_other_sees_why(
    web: Web, world: Wiring
) -> None:
    for round_ in range(3):
        draft_id = make_draft(world, round_)
        sha = world.store.get_draft(draft_id).sha256
        alice, bob = web("alice"), web("bob")
        tokens = [csrf_of(c.get(f"/drafts/{draft_id}").text) for c in (alice, bob)]
        results = _race(
            {
                "alice": (alice, f"/drafts/{draft_id}/approve", {"sha256": sha, "csrf": tokens[0]}),
                "bob": (bob, f"/drafts/{draft_id}/reject", {"reason": "off-brand", "csrf": tokens[1]}),
            }
        )
        codes = sorted(r.status_code for r in results.values())
        assert codes == [303, 409], {k: (v.status_code, v.text[:300]) for k, v in results.items()}
        loser = next(r for r in results.values() if r.status_code == 409)
        state = world.store.get_draft(draft_id).state
        assert state in (DraftState.APPROVED, DraftState.REJECTED)
        winner = "alice" if state is DraftState.APPROVED else "bob"
        assert f"was {state.value} by {winner}" in loser.text and "while you had it open" in loser.text
        pubs = world.store.list_publications(draft_id=draft_id)
        assert (state is DraftState.APPROVED) == bool(pubs)
        if pubs:
            assert [p.state for p in pubs] == [PublicationState.QUEUED]


def test_a_user_mistake_is_a_page_never_a_500(web: Web, world: Wiring) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    assert client.get("/drafts/999999").status_code == 404
    assert "no draft 999999" in client.get("/drafts/999999").text
    bad_sha = post(client, f"/drafts/{draft_id}/approve", {"sha256": "nope"}, page=f"/drafts/{draft_id}")
    assert bad_sha.status_code == 400 and "sha256 missing" in bad_sha.text
    empty = post(
        client,
        f"/drafts/{draft_id}/edit",
        {"sha256": world.store.get_draft(draft_id).sha256, "text": "  "},
        page=f"/drafts/{draft_id}",
    )
    assert empty.status_code == 400 and "empty" in empty.text
    unknown = post(client, "/drafts/999999/reject", {"reason": "x"})
    assert unknown.status_code == 404
    bogus = post(client, "/publications/999999/check", {"back": "needs_check"}, page="/publications")
    assert bogus.status_code == 303
    assert "no publication 999999" in client.get(bogus.headers["location"]).text
    assert client.get("/calendar?days=abc").status_code == 200
    assert client.get("/?state=bogus").status_code == 200


def test_responses_forbid_framing_and_caching(web: Web, world: Wiring) -> None:
    response = web("alice").get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_passwords_are_argon2_hashes_in_the_secrets_file_not_the_config(world: Wiring) -> None:
    assert world.settings.source is not None
    secrets_file = world.settings.source.parent / "web-secrets"
    text = secrets_file.read_text()
    assert "web_password_alice=$argon2id$" in text
    assert PASSWORDS["alice"] not in text
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert "$argon2" not in world.settings.source.read_text()
    assert timedelta(hours=12) == world.settings.web.session_lifetime


def test_a_login_ends_after_the_session_lifetime_however_busy(web: Web, world: Wiring) -> None:
    client = web("alice")
    assert isinstance(world.clock, FixedClock)
    for _ in range(11):  # used every hour: the cookie is fresh each time
        world.clock.advance(hours=1)
        assert client.get("/", follow_redirects=False).status_code == 200
    world.clock.advance(hours=1, seconds=1)  # 12 h since the login
    assert client.get("/", follow_redirects=False).status_code == 303
