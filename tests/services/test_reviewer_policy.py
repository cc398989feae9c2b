"""Who may review, on a real store and through the real CLI: with ``[[web.reviewers]]`` listed,
``--as`` must name one of them and only an admin may override (the web page's rule); with none
listed, the shell user is trusted under any name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.clock import FAKE_NOW
from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec, Decision, DraftState
from bot.domain.ports import FixedClock
from bot.services.reviewers import NotAllowed
from bot.wiring import Wiring
from tests.conftest import run_cli

OVERRIDE = ("--override", "--reason", "fine")
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI run reads the world's clock: its draft is for NOW's slot and expires two days
    later, so on the real clock it would be long expired (and refused)."""
    monkeypatch.setenv(FAKE_NOW, NOW.isoformat())


REVIEWERS = """
[web]
[[web.reviewers]]
name = "boss"
role = "admin"

[[web.reviewers]]
name = "ann"
"""


def _world(write_config: Any, extra: str) -> tuple[Any, Wiring, int]:
    """A config, a migrated store and one draft flagged by the real gate."""
    path = write_config(extra)
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    app = Wiring(settings, clock=FixedClock(NOW))
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
    app.store.sync_campaigns(specs, NOW, "test")
    slot = app.store.create_slot(app.store.get_campaign("promo").id, NOW, NOW, "test")
    assert slot is not None
    draft_id = app.drafting.draft_slot(slot)[0]
    flagged = app.review.edit(draft_id, "boss" if extra else "anyone", "Mooncakes for every idiot out there")
    assert flagged.state is DraftState.FLAGGED
    return path, app, draft_id


def test_listed_reviewers_only_and_only_an_admin_overrides(write_config: Any) -> None:
    path, app, draft_id = _world(write_config, REVIEWERS)
    try:
        made_up = run_cli("queue", "approve", str(draft_id), "--as", "nobody-at-all", *OVERRIDE, config=path)
        assert made_up.returncode == 1, made_up.stdout
        assert "'nobody-at-all' is not listed in [[web.reviewers]] (listed: boss, ann)" in made_up.stderr
        assert "Traceback" not in made_up.stderr
        plain = run_cli(
            "queue", "approve", str(draft_id), "--as", "ann", "--override", "--reason", "fine", config=path
        )
        assert plain.returncode == 1 and "only an admin can override" in plain.stderr
        # The walk refuses a reviewer's override before asking for its reason (finding 15).
        walk_ann = run_cli("queue", "review", "--as", "ann", config=path, input="a\nq\n")
        assert "only an admin can override" in walk_ann.stderr, walk_ann.stderr
        assert "reason for the override" not in walk_ann.stdout + walk_ann.stderr
        for args in (
            ("reject", str(draft_id), "--reason", "no"),
            ("edit", str(draft_id), "--text", "Mooncakes for all"),
            ("regenerate", str(draft_id)),
        ):
            refused = run_cli("queue", *args, "--as", "nobody-at-all", config=path)
            assert refused.returncode == 1 and "not listed in [[web.reviewers]]" in refused.stderr, args
        walk = run_cli("queue", "review", "--as", "nobody-at-all", config=path, input="a\nq\n")
        assert walk.returncode == 1 and "not listed in [[web.reviewers]]" in walk.stderr
        assert "Draft" not in walk.stdout
        with pytest.raises(NotAllowed, match="not listed"):
            app.review.approve(draft_id, "auto", override=True, reason="fine")  # no back door by name
        assert app.store.get_draft(draft_id).state is DraftState.FLAGGED
        assert app.store.list_publications(draft_id=draft_id) == []
        done = run_cli(
            "queue", "approve", str(draft_id), "--as", "boss", "--override", "--reason", "fine", config=path
        )
        assert done.returncode == 0, done.stderr
        (approval,) = app.store.approvals(draft_id)
        assert approval.decision is Decision.OVERRIDDEN and approval.reviewer == "boss"
    finally:
        app.close()


def test_without_listed_reviewers_the_shell_user_is_trusted(write_config: Any) -> None:
    path, app, draft_id = _world(write_config, "")
    try:
        done = run_cli("queue", "approve", str(draft_id), "--as", "someone", *OVERRIDE, config=path)
        assert done.returncode == 0, done.stderr
        (approval,) = app.store.approvals(draft_id)
        assert approval.reviewer == "someone"
    finally:
        app.close()


def _failed_publication(app: Wiring, draft_id: int) -> int:
    """The flagged draft approved by the admin, its publication failed (its account left)."""
    app.review.approve(draft_id, "boss", override=True, reason="fine")
    (pub,) = app.store.list_publications(draft_id=draft_id)
    assert app.store.fail_unconfigured([], NOW, "test") == [pub.id]
    return pub.id


def _actors(app: Wiring, entity: str, entity_id: int) -> list[tuple[str | None, str]]:
    return [(e.to_state, e.actor) for e in app.store.events(entity=entity, entity_id=entity_id)]


def test_publication_hand_tools_and_resume_follow_the_reviewer_rule(write_config: Any) -> None:
    """``publications check/retry/cancel`` take ``--as`` and need a listed reviewer (any role, as
    on the web page); ``accounts resume`` needs a listed admin; the event log names who acted."""
    path, app, draft_id = _world(write_config, REVIEWERS)
    try:
        pub_id = _failed_publication(app, draft_id)
        for args in (("retry", str(pub_id)), ("cancel", str(pub_id)), ("check", str(pub_id))):
            refused = run_cli("publications", *args, "--as", "nobody-at-all", config=path)
            assert refused.returncode == 1, (args, refused.stdout)
            assert "'nobody-at-all' is not listed in [[web.reviewers]] (listed: boss, ann)" in refused.stderr
            assert "Traceback" not in refused.stderr
        # Without --as, the login name is not listed either.
        assert run_cli("publications", "cancel", str(pub_id), config=path).returncode == 1
        assert app.store.get_publication(pub_id).state.value == "failed"
        retried = run_cli("publications", "retry", str(pub_id), "--as", "ann", config=path)
        assert retried.returncode == 0, retried.stderr
        cancelled = run_cli("publications", "cancel", str(pub_id), "--as", "ann", config=path)
        assert cancelled.returncode == 0, cancelled.stderr
        assert _actors(app, "publication", pub_id)[-2:] == [("queued", "ann"), ("cancelled", "ann")]

        app.store.pause_account("outbox", "credentials rejected", NOW, "w1")
        plain = run_cli("accounts", "resume", "outbox", "--as", "ann", config=path)
        assert plain.returncode == 1 and "only an admin can resume a paused account" in plain.stderr
        made_up = run_cli("accounts", "resume", "outbox", "--as", "nobody-at-all", config=path)
        assert made_up.returncode == 1 and "not listed in [[web.reviewers]]" in made_up.stderr
        assert app.store.paused_accounts() == {"outbox": "credentials rejected"}
        done = run_cli("accounts", "resume", "outbox", "--as", "boss", config=path)
        assert done.returncode == 0, done.stderr
        assert app.store.paused_accounts() == {}
        history = run_cli("history", "--json", config=path)
        resumed = [e for e in json.loads(history.stdout) if e["entity"] == "account" and e["to"] == "active"]
        assert [e["actor"] for e in resumed] == ["boss"], resumed
        for command in (("publications", "retry"), ("publications", "cancel"), ("accounts", "resume")):
            shown = run_cli(*command, "--help")
            assert "--as NAME" in shown.stdout and "[[web.reviewers]]" in shown.stdout, command
    finally:
        app.close()


def test_without_listed_reviewers_the_hand_tools_take_any_name(write_config: Any) -> None:
    path, app, draft_id = _world(write_config, "")
    try:
        pub_id = _failed_publication(app, draft_id)
        retried = run_cli("publications", "retry", str(pub_id), "--as", "someone", config=path)
        assert retried.returncode == 0, retried.stderr
        app.store.pause_account("outbox", "credentials rejected", NOW, "w1")
        resumed = run_cli("accounts", "resume", "outbox", "--as", "someone", config=path)
        assert resumed.returncode == 0, resumed.stderr
        assert _actors(app, "publication", pub_id)[-1] == ("queued", "someone")
    finally:
        app.close()
