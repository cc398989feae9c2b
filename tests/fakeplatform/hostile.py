"""The fake at its worst, shared by the hostile suite and the kill test.

Each account holds several pages of older posts (page caps: Mastodon 40, the others 100),
someone else posts between ours, listings show a post only after a lag, the platform's clock
is behind ours, and a share of the post requests fail in every way that matters: stored then
a timeout, stored then a dropped connection, stored then a 500, a 429 with reset headers, a 503
with nothing stored, a slow success. Listings themselves are rate limited now and then.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.domain import Event, Publication, PublicationState
from tests.fakeplatform.world import ACCOUNTS, admin

POST_OP = {
    "x": "x.tweet",
    "reddit": "reddit.submit",
    "mastodon": "mastodon.status",
    "bluesky": "bluesky.post",
}
LIST_OP = {
    "x": "x.timeline",
    "reddit": "reddit.submitted",
    "mastodon": "mastodon.statuses",
    "bluesky": "bluesky.records",
}
PAGE = {"x": 100, "reddit": 100, "mastodon": 40, "bluesky": 100}
#: Listing lag and clock skew of the fake (seconds); the bot's settings must exceed them.
LAG, SKEW = 0.5, -2.0


def publishing_settings(**extra: str) -> str:
    """``[publishing]`` for a hostile run: short delays, settle > lag, clock_skew > |skew|."""
    values = {
        "lease": '"5s"',
        "batch": "5",
        "max_attempts": "12",
        "backoff_base": '"0.2s"',
        "backoff_max": '"1s"',
        "settle": '"3s"',
        "clock_skew": '"10s"',
        "check_pages": "20",
        "check_time": '"10s"',
        "check_tries": "6",
        "check_backoff": '"0.5s"',
    } | extra
    return "".join(f"{key} = {value}\n" for key, value in values.items())


def post_faults(timeout: float, rate: float) -> list[list[Any]]:
    """[probability, fault] pairs for a post request (``timeout``: the client's)."""
    faults: list[dict[str, Any]] = [
        {"kind": "stored-then-timeout", "slow": timeout + 0.7},
        {"kind": "stored-then-drop", "drop": "after"},
        {"kind": "stored-then-500", "status": 500, "stored": True, "body": {"error": "internal error"}},
        {"kind": "429-with-reset", "status": 429, "reset_in": 1.0, "body": {"error": "rate limited"}},
        {"kind": "503-not-stored", "status": 503, "body": {"error": "over capacity"}},
        {"kind": "slow-success", "slow": timeout / 5},
    ]
    return [[rate, fault] for fault in faults]


def make_hostile(
    url: str, platforms: list[str], *, timeout: float, rate: float = 0.04, seed: int = 1
) -> None:
    """Turn the fake at ``url`` hostile for the (registered) users of ``platforms``."""
    chaos: dict[str, list[list[Any]]] = {}
    for platform in platforms:
        name = ACCOUNTS[platform][1]
        admin(url, "history", {"platform": platform, "name": name, "count": int(PAGE[platform] * 3.5),
                               "oldest": 30 * 86400, "newest": 86400})  # fmt: skip
        chaos[POST_OP[platform]] = post_faults(timeout, rate)
        chaos[LIST_OP[platform]] = [
            [0.05, {"kind": "listing-429", "status": 429, "reset_in": 0.5, "body": {"error": "slow down"}}],
        ]
    admin(url, "hostile", {
        "lag": LAG, "skew": SKEW, "noise": 0.5, "seed": seed, "chaos": chaos,
        # Idempotency-Key ignored: never-twice must not rest on the server's goodwill.
        "honour_idempotency": False,
    })  # fmt: skip


def history_twin(url: str, platform: str, text: str) -> None:
    """An older post of the account with the same text as one we are about to send."""
    admin(url, "history", {"platform": platform, "name": ACCOUNTS[platform][1], "count": 1,
                           "oldest": 2 * 86400, "newest": 2 * 86400, "text": text})  # fmt: skip


def tally(
    pubs: list[Publication],
    texts: dict[int, str],
    posts: list[dict[str, Any]],
    events: list[Event],
    person: str,
) -> dict[str, Any]:
    """Duplicates, losses and who resolved the needs_check publications."""
    platform_of = {ACCOUNTS[p][0]: p for p in ACCOUNTS}
    on_fake = Counter((p["platform"], p["text"]) for p in posts)
    count = {p.id: on_fake[(platform_of[p.account], texts[p.id])] for p in pubs}
    duplicates = sum(n - 1 for n in count.values() if n > 1)
    lost = [
        p.id
        for p in pubs
        if not (
            (p.state is PublicationState.PUBLISHED and count[p.id] == 1)
            or (p.state is PublicationState.FAILED and count[p.id] == 0)
        )
    ]
    mine = {p.id for p in pubs}
    left = [
        e
        for e in events
        if e.entity == "publication" and e.entity_id in mine and e.from_state == "needs_check"
    ]
    left = [e for e in left if e.to_state != "needs_check"]
    mine_events = [e for e in events if e.entity == "publication" and e.entity_id in mine]
    entered = sum(1 for e in mine_events if e.to_state == "needs_check" and e.from_state != "needs_check")
    by_person = sum(1 for e in left if e.actor == person)
    by_daemon = len(left) - by_person
    return {
        "publications": len(pubs),
        "duplicates": duplicates,
        "lost": len(lost),
        "lost_ids": lost,
        "needs_check": entered,
        "resolved_by_daemon": by_daemon,
        "resolved_by_person": by_person,
        "daemon_share": round(by_daemon / entered, 3) if entered else 1.0,
        "states": dict(Counter(p.state.value for p in pubs)),
    }
