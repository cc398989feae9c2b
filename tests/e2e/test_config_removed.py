"""A campaign and an account leave the config while work on them is pending: every command that
needs them exits 1 with a sentence naming them, the daemon's pass completes, sync closes the
work (drafts expire, queued publications to the removed account fail, the removed campaign's
other approved posts are cancelled) and history keeps all of it. Clearing by hand
(``queue reject``, ``publications cancel``) needs no config and still works."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

TWO_ACCOUNTS = """
[[accounts]]
name = "extra"
platform = "dryrun"

[[campaigns]]
name = "launch"
kind = "announcement"
when = { cron = "0 9 1 1 *" }
accounts = ["outbox", "extra"]
brief = "Announce the new {{ product }} at {{ brand }}."
"""

#: The base config's "promo" (outbox) stays; "launch" and the account "extra" go.
WITHOUT = ""


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _refused(*args: str, config: Path, names: str) -> None:
    result = run_cli(*args, config=config)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert names in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)


def test_removed_campaign_and_account(write_config: Any) -> None:
    config = write_config(TWO_ACCOUNTS)
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    first = json.loads(
        _ok("campaigns", "fire", "launch", "--at", "2030-01-01 09:00:00", "--json", config=config)
    )
    second = json.loads(
        _ok("campaigns", "fire", "launch", "--at", "2030-01-02 09:00:00", "--json", config=config)
    )
    approved, pending = first["drafts"][0], second["drafts"][0]
    _ok("queue", "approve", str(approved), config=config)
    pubs = {p["account"]: p for p in json.loads(_ok("publications", "list", "--json", config=config))}
    assert {p["state"] for p in pubs.values()} == {"queued"}

    write_config(WITHOUT)
    campaign, account = "'launch'", "'extra'"
    extra = str(pubs["extra"]["id"])
    # Before any sync (the traceback of the issue): the config changed under the stored work.
    _refused("queue", "approve", str(pending), config=config, names=campaign)
    _refused("publications", "retry", extra, config=config, names=account)

    synced = json.loads(_ok("campaigns", "sync", "--json", config=config))
    assert synced["deactivated"] == ["launch"]
    assert pending in synced["expired_drafts"] and approved not in synced["expired_drafts"]
    assert synced["failed_publications"] == [pubs["extra"]["id"]]
    passed = json.loads(_ok("run", "--once", "--json", config=config))  # it syncs first: nothing new
    assert pubs["extra"]["id"] not in passed["published"]

    _refused("queue", "approve", str(pending), config=config, names=campaign)
    _refused("queue", "edit", str(pending), "--text", "New text.", config=config, names=campaign)
    _refused("queue", "regenerate", str(pending), config=config, names=campaign)
    _refused("campaigns", "fire", "launch", config=config, names=campaign)
    _refused("drafts", "preview", "launch", config=config, names=campaign)
    for verb in ("retry", "check"):
        _refused("publications", verb, extra, config=config, names=account)
    _refused("accounts", "check", "extra", config=config, names=account)
    _ok("run", "--once", "--json", config=config)
    _ok("publications", "cancel", extra, "--reason", "account gone", config=config)

    drafts = {d["id"]: d for d in json.loads(_ok("queue", "list", "--all", "--json", config=config))}
    assert drafts[pending]["state"] == "expired" and drafts[approved]["state"] == "approved"
    after = {p["account"]: p for p in json.loads(_ok("publications", "list", "--json", config=config))}
    assert after["extra"]["state"] == "cancelled"
    # its account is still there, but its campaign is not: the approved post is held (cancelled)
    assert after["outbox"]["state"] == "cancelled"
    assert after["outbox"]["last_error"] == "campaign removed from the config"
    campaigns = json.loads(_ok("campaigns", "list", "--all", "--json", config=config))
    assert {c["name"]: c["active"] for c in campaigns}["launch"] is False
    history = json.loads(_ok("history", "--limit", "1000", "--json", config=config))
    reasons = {(e["entity"], e["entity_id"], e["reason"]) for e in history}
    assert ("draft", pending, "campaign removed") in reasons
    assert ("publication", pubs["extra"]["id"], "account removed") in reasons
    assert ("publication", pubs["extra"]["id"], "account gone") in reasons
    assert ("account", 0, "extra: removed from config") in reasons
    assert {e["entity_id"] for e in history if e["entity"] == "draft"} >= set(drafts)


RENAMED = TWO_ACCOUNTS.replace('name = "launch"', 'name = "launch-2030"')


def test_one_pass_refuses_a_likely_rename_and_loses_no_approved_post(write_config: Any) -> None:
    """`bot run --once` (cron) acted on a config the store had not seen: a renamed campaign's
    approved post was cancelled as "removed from the config", which `bot campaigns sync` and
    the daemon refuse to do (hostile user, 2026-12-07). It refuses as they do, and syncs first."""
    config = write_config(TWO_ACCOUNTS)
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(
        _ok("campaigns", "fire", "launch", "--at", "2030-01-01 09:00:00", "--json", config=config)
    )
    approved = fired["drafts"][0]
    _ok("queue", "approve", str(approved), config=config)

    write_config(RENAMED)
    done = run_cli("run", "--once", config=config)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the pass did not run:" in done.stderr and "campaigns not synced" in done.stderr
    pubs = json.loads(_ok("publications", "list", "--json", config=config))
    assert {p["state"] for p in pubs} == {"queued"}

    write_config(TWO_ACCOUNTS.replace('name = "launch"', 'name = "launch"\nenabled = false'))
    _ok("run", "--once", config=config)  # synced first: the approval is voided, the draft kept
    drafts = {d["id"]: d for d in json.loads(_ok("queue", "list", "--all", "--json", config=config))}
    assert drafts[approved]["state"] == "pending_review"
