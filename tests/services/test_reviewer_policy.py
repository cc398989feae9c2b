"""Who may review, on a real store and through the real CLI: with ``[[web.reviewers]]`` listed,
``--as`` must name one of them and only an admin may override (the web page's rule); with none
listed, the shell user is trusted under any name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec, Decision, DraftState
from bot.services.reviewers import NotAllowed
from bot.wiring import Wiring
from tests.conftest import run_cli

OVERRIDE = ("--override", "--reason", "fine")
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)

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
    app = Wiring(settings)
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
