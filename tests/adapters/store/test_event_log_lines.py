"""The store's log lines read sensibly for events without a state change: a publication's
uploaded pictures (real publishing to the fake platform) and a notification, named by its own
event id (never ``None -> None`` or id 0)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain.notify import NOTIFICATION
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
