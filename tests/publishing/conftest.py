"""Fixtures for the publishing tests: the fake platform in-process and a world wired to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.ports import FixedClock
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS, World, fake_creds, make_world

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer().start()
    for platform in PLATFORMS:
        server.add_user(platform, ACCOUNTS[platform][1], **fake_creds(platform))
    yield server
    server.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def world_factory(tmp_path: Path, fake: FakeServer, clock: FixedClock) -> Iterator[Any]:
    saved = dict(os.environ)
    worlds: list[World] = []

    def build(platforms: list[str], **config: Any) -> World:
        world = make_world(tmp_path / f"w{len(worlds)}", fake.url, platforms, clock=clock, **config)
        worlds.append(world)
        return world

    yield build
    for world in worlds:
        world.app.close()
    os.environ.clear()
    os.environ.update(saved)
