"""A resume after fixed credentials publishes with them (hostile pass, finding 7): the daemon
drops the client it built for an account whenever the account is paused or resumed (by any
process), so no client holding the old credentials pauses it again; and once an account is
paused in a pass, its other claims of that pass are not tried. SQLite and Postgres."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.domain import PublicationState
from bot.domain.ports import FixedClock
from tests.fakeplatform import FakeServer

_P = PublicationState


def _wrong_token_world(world_factory: Any, tmp_path: Path, db_url: str) -> tuple[Any, Path]:
    secrets_file = tmp_path / "masto.env"
    secrets_file.write_text("access_token=wrong-token\n", encoding="utf-8")
    world = world_factory(
        ["mastodon"], account_extra=f'secrets_file = "{secrets_file}"\n', database_url=db_url
    )
    del os.environ["BOT_TEA_MASTO_ACCESS_TOKEN"]  # the secrets file is the only source
    return world, secrets_file


def _pauses(world: Any) -> int:
    return sum(1 for e in world.store.events(entity="account", limit=500) if e.to_state == "paused")


def test_a_resume_after_the_fix_publishes_everything_even_after_a_check_built_a_client(
    world_factory: Any, fake: FakeServer, clock: FixedClock, tmp_path: Path, db_url: str
) -> None:
    world, secrets_file = _wrong_token_world(world_factory, tmp_path, db_url)
    pubs = [world.approve(f"post {n}")[0] for n in range(5)]
    report = world.app.publishing.run_once()
    assert report.retrying == pubs[:1] and report.deferred == pubs[1:]  # the others not tried
    assert "tea-masto" in world.store.paused_accounts() and _pauses(world) == 1
    # while paused, a check (as the daemon's reconciler makes of a needs_check post) builds a
    # client from the still-wrong file, and keeps it
    answer = world.app.publishing.reconciler.look(world.store.get_publication(pubs[0]))
    assert answer.status.value == "unknown"
    secrets_file.write_text("access_token=tok-m\n", encoding="utf-8")  # the operator fixes it
    world.store.resume_account("tea-masto", clock.now(), "operator")  # `bot accounts resume`
    report = world.app.publishing.run_once()
    assert sorted(report.published) == pubs and report.retrying == []
    assert world.store.paused_accounts() == {} and _pauses(world) == 1
    assert sorted(p["text"] for p in fake.posts("mastodon")) == [f"post {n}" for n in range(5)]


def test_a_resume_between_passes_rebuilds_a_client_that_worked_before_the_pause(
    world_factory: Any, fake: FakeServer, clock: FixedClock, tmp_path: Path, db_url: str
) -> None:
    """The token is replaced on the platform (revoked) while the daemon holds a client with the
    old one; the operator pauses nothing, the daemon does; another process resumes it after the
    fix: the next pass reads the file again."""
    secrets_file = tmp_path / "masto.env"
    secrets_file.write_text("access_token=tok-m\n", encoding="utf-8")
    world = world_factory(
        ["mastodon"], account_extra=f'secrets_file = "{secrets_file}"\n', database_url=db_url
    )
    del os.environ["BOT_TEA_MASTO_ACCESS_TOKEN"]
    [first] = world.approve("first")
    assert world.app.publishing.run_once().published == [first]  # a client with tok-m is kept
    # another daemon pauses the account and, after the fix, someone resumes it, both between
    # two passes of this daemon: it never saw the account paused
    world.store.pause_account("tea-masto", "rejected elsewhere", clock.now(), "other-daemon")
    user = next(u for u in fake.state.users if u.platform == "mastodon" and u.name == "lotus_masto")
    user.creds["access_token"] = "tok-new"  # the old token is revoked on the platform
    secrets_file.write_text("access_token=tok-new\n", encoding="utf-8")
    world.store.resume_account("tea-masto", clock.now(), "operator")
    [second] = world.approve("second")
    assert world.app.publishing.run_once().published == [second]
    assert world.store.paused_accounts() == {}


def test_the_mark_changes_on_pause_and_resume_even_at_one_instant(
    world_factory: Any, clock: FixedClock, db_url: str
) -> None:
    world = world_factory(["mastodon"], database_url=db_url)
    assert world.store.account_marks() == {}
    world.store.pause_account("tea-masto", "bad", clock.now(), "d")
    paused = world.store.account_marks()["tea-masto"]
    world.store.resume_account("tea-masto", clock.now(), "op")  # the clock has not moved
    assert world.store.account_marks()["tea-masto"] != paused
