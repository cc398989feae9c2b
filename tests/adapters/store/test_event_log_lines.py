"""The store's log lines read sensibly for events without a state change: a publication's
uploaded pictures (real publishing to the fake platform) and a notification, named by its own
event id (never ``None -> None`` or id 0)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.store.sql import SqlStore
from bot.domain import PublicationState
from bot.domain.errors import StoreUnavailable
from bot.domain.notify import NOTIFICATION
from bot.domain.ports import FixedClock
from tests.fakeplatform import FakeServer
from tests.fakeplatform.images import image
from tests.fakeplatform.world import draft_media

TEXT = "Happy Mid-Autumn from Lotus Leaf: mooncakes and oolong all week"


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("bot.adapters.store")]


def test_media_uploaded_and_notification_lines(
    world_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    world = world_factory(["mastodon"])
    items = (
        image(tmp_path / "pics", "moon.png", "A full moon", seed=1),
        image(tmp_path / "pics", "cakes.png", "Four mooncakes", seed=2),
    )
    [pub_id] = world.approve(TEXT, media=draft_media(*items))
    with caplog.at_level(logging.INFO, logger="bot.adapters.store"):
        assert world.app.publishing.run_once().published == [pub_id]
        message_id = world.store.append_event(
            datetime.now(UTC), "w1", NOTIFICATION, None, None, "queued", "Daily digest", {"kind": "digest"}
        )
    lines = _lines(caplog)
    uploaded = [line for line in lines if "media uploaded" in line]
    assert uploaded and uploaded[0].startswith(f"publication {pub_id}: media uploaded (2 ids) by "), uploaded
    assert f"notification {message_id}: queued by w1 Daily digest" in lines, lines
    assert message_id > 0
    assert not [line for line in lines if "None" in line or line.startswith("notification 0")], lines


def test_a_line_is_logged_once_its_change_is_committed_and_says_what_changed(
    world_factory: Any, fake: FakeServer, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The "claimed" line is written after the claim's commit (another connection already sees
    it: a SIGKILL right after the line cannot lose the claim it announced), and a check that
    changed nothing says "still needs_check", not "needs_check -> needs_check"."""
    world = world_factory(["bluesky"], publishing='settle = "60s"\ncheck_tries = 2\ncheck_backoff = "10s"\n')
    [pub_id] = world.approve("said once")
    other = SqlStore.open(world.settings.database_url, busy_timeout_ms=200)
    seen: dict[str, str] = {}

    class Peek(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith(f"publication {pub_id}: queued -> claimed"):
                try:
                    seen["claimed"] = other.get_publication(pub_id).state.value
                except StoreUnavailable:  # the claim's transaction is still open
                    seen["claimed"] = "not committed yet"

    peek = Peek()
    logging.getLogger("bot.adapters.store").addHandler(peek)
    try:
        fake.fault("bluesky.post", drop="after")  # the post is made, its answer lost: needs_check
        with caplog.at_level(logging.INFO, logger="bot.adapters.store"):
            world.app.publishing.run_once()
            assert world.store.get_publication(pub_id).state is PublicationState.NEEDS_CHECK
            clock.advance(seconds=61)
            for _ in range(12):  # the listing fails: the check is unknown and changes nothing
                fake.fault("bluesky.records", status=500, body={"error": "down"})
            assert world.app.publishing.run_once().checks.unresolved == [pub_id]
    finally:
        logging.getLogger("bot.adapters.store").removeHandler(peek)
        other.close()
    assert seen == {"claimed": "claimed"}
    lines = [line for line in _lines(caplog) if line.startswith(f"publication {pub_id}:")]
    assert len([line for line in lines if "queued -> claimed" in line]) == 1, lines
    assert not [line for line in lines if "needs_check -> needs_check" in line], lines
    assert [line for line in lines if line.startswith(f"publication {pub_id}: still needs_check by ")], lines
