"""A brief whose facts do not fit X's 280 becomes a thread of up to three posts; one that no
thread can hold (a statement longer than a post) says so where nothing passes (the hostile
pass's finding 9): `drafts preview`, `campaigns fire` and the saved draft's facts check name
the account, what the facts need against the room, and the ways out. Real CLI in a
subprocess, the drafting service with the canned backend."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run_cli

LONG_NEWS = '''
[[accounts]]
name = "teahouse-x"
platform = "x"

[[campaigns]]
name = "moving"
kind = "announcement"
when = { cron = "0 8 * * SAT" }
accounts = ["outbox", "teahouse-x"]
brief = """
Big news: from February we're moving to 42 Sydney Road, Brunswick (the old bakery by the pub).
The new tea room has six tables instead of two, so walk-ins are back on weekday evenings from 5pm to 8pm.
Memberships stay at $30 a year and existing memberships carry over. Our last day at the old shop is 31 Jan.
"""
'''

#: One statement longer than any post: no thread holds it.
TOO_LONG_NEWS = LONG_NEWS.replace(
    "Our last day at the old shop is 31 Jan.",
    "Our last day at the old shop is 31 Jan, and until then every pot of Tieguanyin, Da Hong Pao, "
    "Dancong, Jin Xuan, Baozhong, Dong Ding, Oriental Beauty, Longjing, Biluochun, Keemun, Dian Hong, "
    "Lapsang and the aged Pu'er from 2006 is half price while the old tins last.",
)

WAYS_OUT = "shorten the brief or the facts, take teahouse-x off the campaign's accounts, or post a thread"


def test_facts_too_long_for_one_post_become_a_thread(write_config: Any) -> None:
    config = write_config(LONG_NEWS)
    preview = run_cli("drafts", "preview", "moving", "--at", "2026-12-12 08:00", "--json", config=config)
    assert preview.returncode == 0, preview.stderr
    out = json.loads(preview.stdout)
    assert out["notes"] == []
    best = out["candidates"][0]
    assert best["origin"] == "composed" and best["passed"], best
    parts = best["text"].split("\n---\n")
    assert len(parts) == 2 and "42 Sydney Road" in parts[0] and "31 Jan" in parts[1]


def test_facts_too_long_for_x_say_so_in_preview_fire_and_queue(write_config: Any) -> None:
    config = write_config(TOO_LONG_NEWS)
    preview = run_cli("drafts", "preview", "moving", "--at", "2026-12-12 08:00", config=config)
    assert preview.returncode == 0, preview.stderr
    last = preview.stdout.strip().splitlines()[-1]
    assert last.startswith("nothing passes: the facts need at least "), preview.stdout
    assert "teahouse-x (x, 280 weighted) has room for 248 once the link and hashtags (32) are added" in last
    assert WAYS_OUT in last and "lines holding only ---" in last
    needs = int(last.split("at least ")[1].split()[0])
    assert needs > 248
    as_json = run_cli("drafts", "preview", "moving", "--at", "2026-12-12 08:00", "--json", config=config)
    assert json.loads(as_json.stdout)["notes"] == [last]

    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert run_cli(*args, config=config).returncode == 0
    fired = run_cli("campaigns", "fire", "moving", config=config)
    assert fired.returncode == 0, fired.stderr
    assert "nothing passes: the facts need at least" in fired.stdout and WAYS_OUT in fired.stdout
    drafts = json.loads(run_cli("queue", "--json", config=config).stdout)
    shown = run_cli("queue", "show", str(drafts[0]["id"]), config=config)
    assert "has room for 248" in shown.stdout and WAYS_OUT in shown.stdout, shown.stdout


def test_facts_that_fit_say_nothing_of_the_limit(write_config: Any) -> None:
    config = write_config(LONG_NEWS.replace(', "teahouse-x"]', "]"))
    preview = run_cli("drafts", "preview", "moving", "--at", "2026-12-12 08:00", "--json", config=config)
    assert preview.returncode == 0, preview.stderr
    out = json.loads(preview.stdout)
    assert out["notes"] == []
    assert not any("room for" in c["detail"] for row in out["candidates"] for c in row["checks"])
