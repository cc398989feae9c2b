"""Hostile pass finding 14: renaming a campaign silently expired its drafts and voided its
approvals (exit 0). Now a removed campaign that looks renamed (a new one of the same kind with
its brief, or its schedule and accounts) and has work waiting makes `bot campaigns sync` exit 1
naming both and what would be lost; `--accept-removal` goes on. Approving a draft the removal
expired says there is nothing to reject and how to go on. Real SQLite and Postgres, the real
CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot.cli.main import cli


def bot(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.output


def fired(write_config: Any, db_url: str, extra: str = "") -> Path:
    """The base config on ``db_url``: promo fired once, its first draft approved (a queued
    publication), its second waiting for review."""
    config = write_config(extra, database_url=db_url)
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "promo")):
        code, output = bot(config, *args)
        assert code == 0, output
    code, output = bot(config, "queue", "approve", "1", "--as", "jo")
    assert code == 0, output
    return config


def renamed(config: Path, brief: str | None = None) -> None:
    text = config.read_text().replace('name = "promo"', 'name = "promo-fixed"')
    if brief is not None:
        text = text.replace("Write a promo for {{ brand }}.", brief)
    config.write_text(text)


def test_a_rename_is_refused_naming_what_would_be_lost(write_config: Any, db_url: str) -> None:
    config = fired(write_config, db_url)
    renamed(config)
    code, output = bot(config, "campaigns", "sync")
    assert code == 1, output
    assert (
        "Error: not synced: campaign 'promo' is gone from the config and 'promo-fixed' is new, with "
        "the same schedule and brief: a rename? Syncing deactivates 'promo': its 1 draft waiting for "
        "review (2) would expire and its 1 approved publication (publication 1: draft 1 to outbox) "
        "would be cancelled, the approval void. To keep them, give the campaign its old name back "
        '(name = "promo"); to rename it and lose them, run `bot campaigns sync --accept-removal`'
    ) in output, output
    code, listing = bot(config, "queue", "list", "--json")
    assert [d["state"] for d in json.loads(listing)] == ["pending_review"]  # nothing changed
    code, output = bot(config, "publications", "list", "--json")
    assert [p["state"] for p in json.loads(output)] == ["queued"]

    code, output = bot(config, "campaigns", "sync", "--accept-removal")
    assert code == 0, output
    assert "added: promo-fixed" in output and "deactivated: promo" in output

    code, output = bot(config, "queue", "approve", "2", "--as", "jo")
    assert code == 1
    assert "draft 2 is expired and its campaign 'promo' is not in the config" in output, output
    assert "nothing is left to approve or reject" in output and "bot campaigns fire promo" in output
    assert "reject its pending drafts" not in output


def test_a_similar_brief_looks_renamed_and_a_different_campaign_does_not(
    write_config: Any, db_url: str
) -> None:
    config = fired(write_config, db_url)
    renamed(config, brief="Write a short promo for {{ brand }}.")
    code, output = bot(config, "campaigns", "sync")
    assert code == 1 and "with the same schedule and a similar brief: a rename?" in output, output
    # A different campaign (another kind, another brief) replacing it is a removal, not a rename.
    text = config.read_text().replace('kind = "promo"', 'kind = "greeting"')
    config.write_text(
        text.replace("Write a short promo for {{ brand }}.", "Happy holidays from {{ brand }}.")
    )
    code, output = bot(config, "campaigns", "sync")
    assert code == 0, output
    assert "drafts expired (campaign removed): 1, 2" in output, output


def test_a_rename_with_nothing_waiting_syncs(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert bot(config, *args)[0] == 0
    renamed(config)
    code, output = bot(config, "campaigns", "sync")
    assert code == 0, output
    assert "added: promo-fixed" in output
