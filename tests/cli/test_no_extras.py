"""A campaign can do without the brand's link and hashtags, and a reviewer's edit can post a
text without them (the hostile pass's finding 8). Real CLI in a subprocess, real SQLite, the
drafting service with the canned backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import BASE_CONFIG, run_cli

BASE = BASE_CONFIG.replace(
    'link = "https://lotusleaf.example/shop"\n',
    'link = "https://lotusleaf.example/shop"\nhashtags = ["#LotusLeafTea"]\n',
)

CAMPAIGNS = """
[[campaigns]]
name = "none"
kind = "promo"
when = { cron = "0 10 * * FRI" }
accounts = ["outbox"]
brief = "Write a promo for {{ brand }}."
link = false
hashtags = []

[[campaigns]]
name = "own"
kind = "promo"
when = { cron = "0 10 * * FRI" }
accounts = ["outbox"]
brief = "Write a promo for {{ brand }}."
hashtags = ["#TeaTime"]
brand_hashtags = false
"""

LINK = "https://lotusleaf.example/shop"


def _fired(config: Path) -> dict[str, list[dict[str, Any]]]:
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        done = run_cli(*args, config=config)
        assert done.returncode == 0, done.stderr
    for name in ("promo", "none", "own"):
        done = run_cli("campaigns", "fire", name, config=config)
        assert done.returncode == 0, done.stderr
    by: dict[str, list[dict[str, Any]]] = {}
    for draft in json.loads(run_cli("queue", "--json", config=config).stdout):
        by.setdefault(draft["campaign"], []).append(draft)
    return by


def test_a_campaign_turns_off_the_brands_link_and_hashtags(write_config: Any) -> None:
    config = write_config(CAMPAIGNS, base=BASE)
    by = _fired(config)
    assert by["promo"] and by["none"] and by["own"]
    for draft in by["promo"]:  # the default: the brand's link and hashtags
        assert draft["text"].endswith(f"\n\n{LINK} #LotusLeafTea"), draft["text"]
    for draft in by["none"]:  # link = false, hashtags = []: none at all
        assert LINK not in draft["text"] and "#" not in draft["text"], draft["text"]
    for draft in by["own"]:  # brand_hashtags = false: the campaign's own tags, the brand's link
        assert draft["text"].endswith(f"\n\n{LINK} #TeaTime"), draft["text"]
        assert "#LotusLeafTea" not in draft["text"]


def test_an_edit_with_bare_posts_the_text_as_written(write_config: Any) -> None:
    config = write_config(CAMPAIGNS, base=BASE)
    first, second = (str(d["id"]) for d in _fired(config)["promo"][:2])
    body = "Tea time at Lotus Leaf Tea House."
    kept = run_cli("queue", "edit", first, "--text", body, "--as", "ann", config=config)
    assert kept.returncode == 0, kept.stderr
    assert f"{body}\n\n{LINK} #LotusLeafTea\n" in kept.stdout  # a new body keeps the extras
    bare = run_cli(
        "queue", "edit", second, "--bare", "--text", body + " Come by.", "--as", "ann", config=config
    )
    assert bare.returncode == 0, bare.stderr
    shown = run_cli("queue", "show", second, "--json", config=config)
    assert json.loads(shown.stdout)["text"] == body + " Come by."


def test_link_true_is_refused_with_the_way_to_say_it(write_config: Any) -> None:
    config = write_config(CAMPAIGNS.replace("link = false", "link = true"), base=BASE)
    done = run_cli("config", "check", config=config)
    assert done.returncode != 0
    assert "link" in done.stderr + done.stdout


def test_queue_review_has_a_bare_edit(write_config: Any, tmp_path: Path) -> None:
    """`queue review`: [e]dit adds the brand's link and hashtags back, [b]are edit (as
    `queue edit --bare`) posts the text exactly as the editor saved it."""
    config = write_config(CAMPAIGNS, base=BASE)
    _fired(config)
    # the walk shows the pending drafts in the queue's order: edit the first, bare-edit the second
    queue = json.loads(run_cli("queue", "--json", config=config).stdout)
    assert [d["campaign"] for d in queue[:2]] == ["promo", "promo"]  # both get the brand's extras
    order = [d["id"] for d in queue]
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Tea time at Lotus Leaf Tea House." > "$1"\n')
    editor.chmod(0o755)
    done = run_cli(
        "queue", "review", "--as", "ann", config=config, input="e\nb\nq\n", env={"EDITOR": str(editor)}
    )
    assert done.returncode == 0, done.stderr
    assert "[b]are edit" in done.stdout
    texts = {
        i: json.loads(run_cli("queue", "show", str(i), "--json", config=config).stdout)["text"]
        for i in order[:2]
    }
    assert texts[order[0]] == f"Tea time at Lotus Leaf Tea House.\n\n{LINK} #LotusLeafTea", texts
    assert texts[order[1]] == "Tea time at Lotus Leaf Tea House.", texts
