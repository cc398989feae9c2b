"""``bot accounts`` and ``bot publications`` as a user runs them (a subprocess), against the fake."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from typing import Any

from bot.domain import (
    Candidate,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
)
from bot.domain.ports import FixedClock
from tests.conftest import run_cli, subprocess_env
from tests.fakeplatform import FakeServer

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]


def config_of(world: Any) -> Any:
    return world.settings.source


def test_accounts_list_shows_whether_credentials_are_set_never_their_values(world_factory: Any) -> None:
    world = world_factory(PLATFORMS)
    env = dict(world.env)
    env["BOT_TEA_X_API_SECRET"] = ""
    done = run_cli("accounts", "list", "--json", config=config_of(world), env=env)
    assert done.returncode == 0, done.stderr
    rows = {r["name"]: r for r in json.loads(done.stdout)}
    assert rows["tea-x"]["credentials"] == {
        "api_key": True,
        "api_secret": False,
        "access_token": True,
        "access_token_secret": True,
    }
    assert rows["tea-reddit"]["platform"] == "reddit" and rows["tea-reddit"]["paused"] is None
    table = run_cli("accounts", "list", config=config_of(world), env=env)
    assert "missing: api_secret" in table.stdout and "tea-bsky\tbluesky\tset" in table.stdout
    for secret in ("ck-1", "at-x", "pw-r", "tok-m", "app-pw-b"):
        assert secret not in done.stdout + done.stderr + table.stdout


def test_accounts_list_does_not_import_platform_clients(world_factory: Any) -> None:
    world = world_factory(PLATFORMS)
    code = (
        "import sys\nfrom bot.cli.main import cli\n"
        "try:\n    cli.main(['--config', sys.argv[1], 'accounts', 'list'], standalone_mode=False)\n"
        "finally:\n    print(sorted(m for m in ('tweepy','praw','mastodon','atproto') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config_of(world))],
        capture_output=True,
        text=True,
        env=subprocess_env(**world.env),
        check=False,
        timeout=120,
    )
    assert done.stdout.strip().endswith("[]"), done.stdout + done.stderr


def test_accounts_check_reports_users_limits_and_failures(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(PLATFORMS)
    done = run_cli("accounts", "check", "--json", config=config_of(world), env=world.env)
    assert done.returncode == 0, done.stdout + done.stderr
    results = {r["name"]: r for r in json.loads(done.stdout)}
    assert all(r["ok"] for r in results.values())
    assert results["tea-x"]["user"] == "lotus_x" and results["tea-x"]["limits"]["max_weighted_length"] == 280
    assert results["tea-masto"]["limits"]["instance_max_characters"] == 500
    text = run_cli("accounts", "check", "tea-x", config=config_of(world), env=world.env).stdout
    assert "tea-x (x): ok as lotus_x; limits: max_weighted_length 280" in text, text
    assert "{" not in text and "None" not in text  # words, not Python's reprs (finding 12)
    bad = {**world.env, "BOT_TEA_BSKY_APP_PASSWORD": "not-it"}
    done = run_cli("accounts", "check", "tea-bsky", config=config_of(world), env=bad)
    assert done.returncode == 1
    assert "tea-bsky (bluesky): rejected" in done.stdout and "not-it" not in done.stdout
    done = run_cli("accounts", "check", "nope", config=config_of(world), env=world.env)
    assert done.returncode == 1 and "no account named 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_cancelling_a_drafts_only_publication_puts_it_back_in_the_queue(world_factory: Any) -> None:
    """Nothing approved is lost: the draft was left approved with nothing to post, refusing a
    new approval (finding of the hostile user of 2026-12-07)."""
    world = world_factory(["x"])
    (pub,) = world.approve("Tea at four")
    draft_id = world.store.get_publication(pub).draft_id
    cfg = config_of(world)
    done = run_cli(
        "publications", "cancel", str(pub), "--reason", "oops wrong one", config=cfg, env=world.env
    )
    assert done.returncode == 0, done.stderr
    assert (
        f"draft {draft_id} has no other publication: it is back in the queue (pending_review)" in done.stdout
    )
    done = run_cli("queue", "approve", str(draft_id), config=cfg, env=world.env)
    assert done.returncode == 0, done.stderr
    assert world.store.get_publication(pub).state is PublicationState.QUEUED


def test_accounts_resume_unpauses(world_factory: Any) -> None:
    world = world_factory(["x"])
    world.store.pause_account("tea-x", "bad token", world.app.clock.now(), "test")
    done = run_cli("accounts", "resume", "tea-x", config=config_of(world), env=world.env)
    assert done.returncode == 0 and "resumed" in done.stdout
    assert world.store.paused_accounts() == {}
    done = run_cli("accounts", "resume", "tea-x", config=config_of(world), env=world.env)
    assert done.returncode == 1 and "not paused" in done.stderr


def test_publications_check_list_show_retry_cancel(world_factory: Any, fake: FakeServer) -> None:
    world = world_factory(["reddit", "x"])
    slow, lost = world.approve("Slow but sure\nbody text")
    fake.fault("reddit.submit", slow=1.0)
    fake.fault("x.tweet", drop="before")
    world.app.publishing.run_once()
    assert world.store.get_publication(slow).state is PublicationState.NEEDS_CHECK
    cfg = config_of(world)

    done = run_cli("publications", "list", "--state", "needs_check", "--json", config=cfg, env=world.env)
    assert sorted(p["id"] for p in json.loads(done.stdout)) == [slow, lost]

    done = run_cli("publications", "retry", str(slow), config=cfg, env=world.env)
    assert done.returncode == 1 and "check" in done.stderr  # never retried without a check

    done = run_cli("publications", "check", str(slow), "--json", config=cfg, env=world.env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["found"] is True and data["state"] == "published" and data["remote_id"]

    done = run_cli("publications", "check", str(lost), config=cfg, env=world.env)
    assert "not found" in done.stdout and "queued again" in done.stdout

    done = run_cli(
        "publications", "cancel", str(lost), "--reason", "changed our mind", config=cfg, env=world.env
    )
    assert done.returncode == 0
    done = run_cli("publications", "show", str(lost), "--json", config=cfg, env=world.env)
    shown = json.loads(done.stdout)
    assert shown["state"] == "cancelled"
    assert [e["to"] for e in shown["events"]][-1] == "cancelled"
    assert any(e["reason"] == "changed our mind" for e in shown["events"])

    done = run_cli("publications", "show", str(slow), config=cfg, env=world.env)
    assert "state: published" in done.stdout and "needs_check -> published" in done.stdout
    done = run_cli("publications", "check", str(slow), config=cfg, env=world.env)
    assert done.returncode == 1 and "only needs_check" in done.stderr
    done = run_cli("publications", "show", "9999", config=cfg, env=world.env)
    assert done.returncode == 1 and "no publication 9999" in done.stderr
    assert len(fake.posts("reddit")) == 1 and fake.posts("x") == []


def test_publications_retry_a_failed_one(world_factory: Any, fake: FakeServer, clock: FixedClock) -> None:
    world = world_factory(["mastodon"])
    [pub_id] = world.approve("Rejected once")
    fake.fault("mastodon.status", status=422, body={"error": "Validation failed: nope"})
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is PublicationState.FAILED
    env = {**world.env, "BOT_FAKE_NOW": clock.now().isoformat()}  # the CLI on the test's clock
    done = run_cli("publications", "retry", str(pub_id), config=config_of(world), env=env)
    assert done.returncode == 0, done.stderr
    clock.advance(seconds=5)
    world.app.publishing.run_once()
    assert world.store.get_publication(pub_id).state is PublicationState.PUBLISHED


def test_a_stale_publication_is_listed_and_retry_explains_then_force_sends_it(
    world_factory: Any, fake: FakeServer, clock: FixedClock
) -> None:
    """Hostile pass, finding 1: a weekend offer approved while X was paused must not go out
    ten days later when X is resumed."""
    world = world_factory(["x"])
    world.store.pause_account("tea-x", "X rejected the keys", clock.now(), "daemon")
    [pub_id] = world.approve("Tune-up $45, this weekend only", expires_at=clock.now() + timedelta(hours=48))
    clock.advance(days=10)
    world.store.resume_account("tea-x", clock.now(), "operator")
    world.app.publishing.run_once()
    cfg, env = config_of(world), {**world.env, "BOT_FAKE_NOW": clock.now().isoformat()}

    done = run_cli("publications", "list", config=cfg, env=env)
    assert done.returncode == 0, done.stderr
    assert "failed" in done.stdout and "stale, not sent" in done.stdout
    done = run_cli("publications", "retry", str(pub_id), config=cfg, env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"publication {pub_id} is stale" in done.stderr and "--force" in done.stderr
    assert "bot campaigns fire promo" in done.stderr
    done = run_cli("publications", "retry", str(pub_id), "--force", config=cfg, env=env)
    assert done.returncode == 0, done.stderr
    assert "it goes out late, as you asked" in done.stdout
    assert world.app.publishing.run_once().published == [pub_id]
    assert len(fake.posts("x")) == 1


def test_approving_for_a_paused_account_warns_how_to_resume_it(world_factory: Any, clock: FixedClock) -> None:
    world = world_factory(["x", "mastodon"])
    world.store.pause_account("tea-x", "X rejected the keys", clock.now(), "daemon")
    campaign = world.store.get_campaign("promo")
    verdict = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
    expires = clock.now() + timedelta(hours=48)
    draft_id = world.store.add_draft(
        campaign_id=campaign.id, slot_id=None, verdict=verdict, expires_at=expires, now=clock.now(),
        candidate=Candidate(text="Happy holidays", origin=DraftOrigin.HUMAN, model_id="test"),
        state=DraftState.PENDING_REVIEW, actor="test",
    )  # fmt: skip
    env = {**world.env, "BOT_FAKE_NOW": clock.now().isoformat()}
    done = run_cli("queue", "approve", str(draft_id), "--as", "jo", config=config_of(world), env=env)
    assert done.returncode == 0, done.stderr
    assert "approved; queued for tea-x, tea-masto" in done.stdout
    [warning] = done.stderr.strip().splitlines()
    assert warning.startswith("warning: account tea-x is paused (X rejected the keys)")
    assert "`bot accounts resume tea-x`" in warning
    assert f"not resumed by {expires:%Y-%m-%d %H:%M} UTC (when the draft expires)" in warning
