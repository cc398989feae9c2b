"""A draft with pictures on the web page: shown with their alt text, served only from the paths
the draft records, and the approval bound to the pictures shown as well as the text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.domain import Candidate, DraftOrigin, DraftState, ModerationDecision, ModerationVerdict
from bot.domain.media import DraftMedia, MediaItem
from bot.wiring import Wiring
from tests.web.conftest import NOW, csrf_of, post

Web = Callable[..., TestClient]
#: A 1x1 PNG (made here, byte by byte).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2e43a5d0000000049454e44ae426082"
)


def _picture(tmp_path: Path, alt: str = "A paper lantern over the tea counter") -> DraftMedia:
    path = tmp_path / "lantern.png"
    path.write_bytes(PNG)
    sha = hashlib.sha256(PNG).hexdigest()
    item = MediaItem(str(path), alt, sha, "image/png", 1, 1, len(PNG))
    return DraftMedia(source=str(path), source_sha256=sha, alt=alt, fitted={"dryrun": item}, original=item)


def _draft_with(world: Wiring, media: tuple[DraftMedia, ...]) -> int:
    campaign = world.store.get_campaign("promo")
    slot = world.store.create_slot(campaign.id, NOW + timedelta(days=3), NOW, "test")
    assert slot is not None
    return world.store.add_draft(
        campaign_id=campaign.id,
        slot_id=slot.id,
        candidate=Candidate(
            text="Lotus Leaf Tea House: lanterns are up. https://lotusleaf.example/shop",
            origin=DraftOrigin.HUMAN,
            model_id="test",
        ),
        verdict=ModerationVerdict(ModerationDecision.PASS, {}, {}, {}),
        state=DraftState.PENDING_REVIEW,
        expires_at=None,
        now=NOW,
        actor="test",
        media=media,
    )


@pytest.fixture
def shown(web: Web, world: Wiring, tmp_path: Path) -> tuple[int, TestClient, str]:
    """A draft with one picture, alice's client, and the draft's page as alice saw it."""
    draft_id = _draft_with(world, (_picture(tmp_path),))
    client = web("alice")
    return draft_id, client, client.get(f"/drafts/{draft_id}").text


def test_pictures_are_shown_with_alt_text_and_served_to_reviewers_only(
    web: Web, shown: tuple[int, TestClient, str]
) -> None:
    draft_id, client, page = shown
    assert 'id="draft-media"' in page and "A paper lantern over the tea counter" in page
    image = client.get(f"/drafts/{draft_id}/media/0")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert client.get(f"/drafts/{draft_id}/media/1").status_code == 404
    assert web().get(f"/drafts/{draft_id}/media/0", follow_redirects=False).status_code == 303


def test_approving_pictures_that_changed_since_the_page_was_shown_is_refused(
    world: Wiring, shown: tuple[int, TestClient, str]
) -> None:
    draft_id, client, page = shown
    draft = world.store.get_draft(draft_id)
    form = {"sha256": draft.sha256, "media_sha256": draft.media_sha256 or "", "csrf": csrf_of(page)}
    stale = {**form, "media_sha256": ""}  # a page from before the picture was added
    refused = client.post(f"/drafts/{draft_id}/approve", data=stale, follow_redirects=False)
    assert refused.status_code == 409 and "pictures of draft" in refused.text
    assert world.store.get_draft(draft_id).state is DraftState.PENDING_REVIEW
    done = post(client, f"/drafts/{draft_id}/approve", form, page=f"/drafts/{draft_id}")
    assert done.status_code == 303
    record = world.store.approvals(draft_id)[-1]
    assert record.media_sha256 == draft.media_sha256 and record.reviewer == "alice"
