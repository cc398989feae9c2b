"""``/metrics`` as Prometheus reads it: the exposition text parsed by prometheus-client's own
parser, its values checked against a store filled by the test; the daemon's port serves it."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.metrics import Metrics
from bot.adapters.store.sql import SqlStore
from bot.domain import (
    CampaignKind,
    CampaignSpec,
    Candidate,
    Decision,
    DraftOrigin,
    DraftState,
    ModerationDecision,
    ModerationVerdict,
    PublicationState,
    Target,
    text_sha256,
)
from bot.domain.errors import StoreUnavailable
from bot.domain.notify import NOTIFICATION
from bot.domain.ports import FixedClock
from tests.fixtures.notify import free_port

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PASS = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
FLAG = ModerationVerdict(ModerationDecision.FLAG, {}, {}, {}, reasons=("wordlist.match",))


def fill(store: SqlStore) -> None:
    """3 pending drafts (one of a slot drafted 12 s after it was made), 1 flagged, 2 approved
    going to two platforms (one published, one failed, one needs_check, one queued), two
    daemons, two failed notification deliveries by webhook and one by email."""
    store.sync_campaigns([CampaignSpec("promo", CampaignKind.PROMO, {"name": "promo"})], NOW, "t")
    campaign = store.get_campaign("promo")
    slot = store.create_slot(campaign.id, NOW, NOW, "t")
    assert slot is not None

    def draft(text: str, verdict: ModerationVerdict, state: DraftState, slot_id: int | None = None) -> int:
        return store.add_draft(
            campaign_id=campaign.id, slot_id=slot_id, candidate=Candidate(text, DraftOrigin.MODEL, "m"),
            verdict=verdict, state=state, expires_at=None, now=NOW + timedelta(seconds=12), actor="t",
        )  # fmt: skip

    draft("a", PASS, DraftState.PENDING_REVIEW, slot.id)
    draft("b", PASS, DraftState.PENDING_REVIEW)
    draft("c", PASS, DraftState.PENDING_REVIEW)
    draft("d", FLAG, DraftState.FLAGGED)
    targets = [Target("m", "mastodon"), Target("x", "x")]
    for text in ("e", "f"):
        draft_id = draft(text, PASS, DraftState.PENDING_REVIEW)
        store.approve_draft(
            draft_id, expected=[DraftState.PENDING_REVIEW], sha256=text_sha256(text), reviewer="r", note="",
            decision=Decision.APPROVED, targets=targets, not_before=NOW, now=NOW,
        )  # fmt: skip
    pubs = store.claim_publications("w", NOW, timedelta(minutes=2), limit=3)
    outcomes = [PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.NEEDS_CHECK]
    for pub, state in zip(pubs, outcomes, strict=True):
        store.mark_sending(pub.id, "w", NOW)
        store.finish_publication(pub.id, "w", state, now=NOW)
    store.register_daemon("d-old", "h", 1, NOW - timedelta(hours=1), {})
    store.heartbeat("d-old", NOW - timedelta(minutes=30), "stopped")
    store.register_daemon("d-new", "h", 2, NOW, {})
    store.heartbeat("d-new", NOW - timedelta(seconds=5), "running")
    for channel in ("webhook", "webhook", "email"):
        store.append_event(
            NOW, "w", NOTIFICATION, 1, "queued", "failed", f"{channel}: x", {"channel": channel}
        )
    store.append_event(NOW, "w", NOTIFICATION, 1, "queued", "sent", "webhook: ok", {"channel": "webhook"})


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_parsed_match_the_store(store: SqlStore) -> None:
    fill(store)
    metrics = Metrics(store.store_metrics, FixedClock(NOW))
    metrics.observe_slot(3.2)
    got = samples(metrics.text())
    assert got[("bot_store_up", ())] == 1
    assert got[("bot_drafts", (("state", "pending_review"),))] == 3
    assert got[("bot_drafts", (("state", "flagged"),))] == 1
    assert got[("bot_drafts", (("state", "approved"),))] == 2
    pubs = {labels: v for (name, labels), v in got.items() if name == "bot_publications"}
    assert sum(pubs.values()) == 4
    assert {dict(labels)["state"] for labels in pubs} == {"published", "failed", "needs_check", "queued"}
    assert {dict(labels)["platform"] for labels in pubs} == {"mastodon", "x"}
    assert got[("bot_moderation_records", (("decision", "flag"),))] == 1
    assert got[("bot_moderation_records", (("decision", "pass"),))] == 5
    assert got[("bot_daemon_heartbeat_age_seconds", (("state", "running"), ("worker", "d-new")))] == 5
    assert got[("bot_daemon_heartbeat_age_seconds", (("state", "stopped"), ("worker", "d-old")))] == 1800
    assert got[("bot_notification_failures_total", (("channel", "webhook"),))] == 2
    assert got[("bot_notification_failures_total", (("channel", "email"),))] == 1
    # the one drafted slot: its first draft came 12 s after the slot
    assert got[("bot_slot_drafting_seconds_count", ())] == 1
    assert got[("bot_slot_drafting_seconds_sum", ())] == 12
    assert got[("bot_slot_drafting_seconds_bucket", (("le", "10.0"),))] == 0
    assert got[("bot_slot_drafting_seconds_bucket", (("le", "20.0"),))] == 1
    assert got[("bot_daemon_slot_generation_seconds_count", ())] == 1
    assert got[("bot_daemon_slot_generation_seconds_bucket", (("le", "5.0"),))] == 1


def test_a_store_that_does_not_answer_is_store_up_0() -> None:
    def down() -> Any:
        raise StoreUnavailable("database unavailable: connection refused")

    got = samples(Metrics(down, FixedClock(NOW)).text())
    assert got[("bot_store_up", ())] == 0
    assert not any(name == "bot_drafts" for name, _ in got)


def test_served_on_a_port(store: SqlStore) -> None:
    fill(store)
    metrics = Metrics(store.store_metrics, FixedClock(NOW))
    port = free_port()
    metrics.serve("127.0.0.1", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            got = samples(answer.read())
    finally:
        metrics.stop()
    assert got[("bot_drafts", (("state", "flagged"),))] == 1
