"""The store's contract for pictures, on real SQLite and Postgres: a draft keeps its pictures,
approvals bind them, the outgoing post carries the copy fitted for its platform, and a
publication's uploaded ids are recorded by the worker holding it and read back (also by the
lean reader)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.store.reader import open_reader
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
)
from bot.domain.errors import StateConflict
from bot.domain.media import DraftMedia, MediaItem, media_sha256
from bot.domain.ports import Store
from bot.services.queue import draft_json

NOW = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
PASS = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})


def _item(platform: str, sha: str = "f" * 64, alt: str = "A lantern") -> MediaItem:
    return MediaItem(f"/data/media/{sha[:8]}-{platform}.jpg", alt, sha, "image/jpeg", 800, 600, 90_000)


def _picture(source_sha: str = "a" * 64, alt: str = "A lantern") -> DraftMedia:
    return DraftMedia(
        source="/home/me/media/lantern.jpg",
        source_sha256=source_sha,
        alt=alt,
        fitted={"dryrun": _item("dryrun", alt=alt), "bluesky": _item("bluesky", "b" * 64, alt)},
        original=MediaItem(
            "/home/me/media/lantern.jpg", alt, source_sha, "image/jpeg", 4000, 3000, 3_000_000
        ),
    )


def _draft(store: Store, media: tuple[DraftMedia, ...]) -> int:
    store.sync_campaigns([CampaignSpec("promo", CampaignKind.PROMO, {"brief": "x"})], NOW, "test")
    campaign = store.get_campaign("promo")
    slot = store.create_slot(campaign.id, NOW + timedelta(minutes=len(store.list_slots())), NOW, "test")
    assert slot is not None
    return store.add_draft(
        campaign_id=campaign.id,
        slot_id=slot.id,
        candidate=Candidate(text="Happy Mid-Autumn!", origin=DraftOrigin.MODEL, model_id="canned"),
        verdict=PASS,
        state=DraftState.PENDING_REVIEW,
        expires_at=None,
        now=NOW,
        actor="test",
        media=media,
    )


def _approve(store: Store, draft_id: int, media_sha: str | None, platform: str = "dryrun") -> None:
    store.approve_draft(
        draft_id,
        expected=[DraftState.PENDING_REVIEW],
        sha256=store.get_draft(draft_id).sha256,
        reviewer="ann",
        note="",
        decision=Decision.APPROVED,
        targets=[Target("outbox", platform)],
        not_before=NOW,
        now=NOW,
        media_sha256=media_sha,
    )


def test_a_draft_keeps_its_pictures_and_the_outgoing_post_has_the_platforms_copy(store: Store) -> None:
    pictures = (_picture(), _picture("c" * 64, "A moon cake"))
    draft_id = _draft(store, pictures)
    draft = store.get_draft(draft_id)
    assert draft.media == pictures
    assert draft.media_sha256 == media_sha256(pictures) is not None
    _approve(store, draft_id, draft.media_sha256)
    [pub] = store.claim_publications("w1", NOW, LEASE, 1)
    post = store.outgoing(pub)
    assert [m.alt for m in post.media] == ["A lantern", "A moon cake"]
    assert all(m.path.endswith("-dryrun.jpg") for m in post.media)
    assert post.media_ids is None


def test_an_approval_binds_the_pictures_and_alt_texts(store: Store) -> None:
    draft_id = _draft(store, (_picture(),))
    with pytest.raises(StateConflict, match="pictures"):
        _approve(store, draft_id, None)  # the reviewer saw no picture
    with pytest.raises(StateConflict, match="pictures"):
        _approve(store, draft_id, media_sha256([_picture(alt="Another alt")]))
    assert store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
    _approve(store, draft_id, store.get_draft(draft_id).media_sha256)
    [approval] = store.approvals(draft_id)
    assert approval.media_sha256 == store.get_draft(draft_id).media_sha256


def test_changing_the_pictures_voids_the_approval(store: Store) -> None:
    draft_id = _draft(store, (_picture(),))
    draft = store.get_draft(draft_id)
    _approve(store, draft_id, draft.media_sha256)
    edited = store.edit_draft(
        draft_id,
        expected=[DraftState.APPROVED],
        expected_sha256=draft.sha256,
        text=draft.text,
        new_state=DraftState.PENDING_REVIEW,
        verdict=PASS,
        checks=None,
        reviewer="bob",
        now=NOW,
        media=(),
        expected_media_sha256=draft.media_sha256,
    )
    assert edited.state is DraftState.PENDING_REVIEW and edited.media == () and edited.media_sha256 is None
    assert [a.decision for a in store.approvals(draft_id)] == [Decision.APPROVED, Decision.INVALIDATED]
    [pub] = store.list_publications(draft_id=draft_id)
    assert pub.state is PublicationState.CANCELLED


def test_media_ids_are_recorded_by_the_claim_holder_and_read_back(store: Store, db_url: str) -> None:
    draft_id = _draft(store, (_picture(),))
    _approve(store, draft_id, store.get_draft(draft_id).media_sha256)
    [pub] = store.claim_publications("w1", NOW, LEASE, 1)
    with pytest.raises(StateConflict):
        store.record_media_ids(pub.id, ["m-1"], NOW, "w2")  # not its claim
    store.record_media_ids(pub.id, ["m-1", '{"cid": "bafy"}'], NOW, "w1")
    again = store.get_publication(pub.id)
    assert again.media_ids == ("m-1", '{"cid": "bafy"}')
    assert store.outgoing(again).media_ids == again.media_ids
    reader = open_reader(db_url)
    try:
        [listed] = reader.list_publications(draft_id=draft_id)
        assert listed.media_ids == again.media_ids
        [draft] = reader.list_drafts()
        assert draft.media == store.get_draft(draft_id).media
        [written] = json.loads(reader.drafts_json(states=None))  # type: ignore[attr-defined]
        shown = draft_json(store.get_draft(draft_id))
        assert written["media"] == shown["media"] and written["media_sha256"] == shown["media_sha256"]
    finally:
        reader.close()
    store.release_claims("w1", NOW)
    assert store.get_publication(pub.id).media_ids == ("m-1", '{"cid": "bafy"}')
