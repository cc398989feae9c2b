"""Publications per second through claim -> send to the fake platform -> record, on SQLite and
on Postgres, against a baseline measured in the same run: the same real clients sending the
same number of posts to the fake with no store at all.

A second run per database makes one post in ten answer "stored, then the connection dropped":
those are unknown outcomes, re-sent with the same key on Mastodon and reconciled against the
account (paging back past the send stamp, ``settle = 0s``) on the others, until every
publication is published exactly once.

Pictures: drafts with one 2 MB image each to X, Reddit and Mastodon (Bluesky takes 1 MB at
most, so a 2 MB file is not sent there as it is), through the store on SQLite (upload, record
the ids, stamp, send, record), against the same clients uploading and posting with no store,
in the same run. The fake processes uploads at once (no Mastodon processing wait).

Usage: ``python bench/publishing.py [--drafts N] [--media-drafts M]`` (each draft goes to four
accounts: X, Reddit, Mastodon, Bluesky). Postgres: a temporary database on ``$BOT_TEST_PG``'s
server, dropped at the end. The last line is ``{"sqlite_per_s": S, "postgres_per_s": P,
"sqlite_faults_per_s": SF, "postgres_faults_per_s": PF, "reconciled": N, "media_per_s": M,
"media_baseline_per_s": MB}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.platforms import build_publisher
from bot.domain import OutgoingPost
from bot.domain.media import MediaItem
from tests.fakeplatform import FakeServer
from tests.fakeplatform.images import image
from tests.fakeplatform.state import Fault
from tests.fakeplatform.world import ACCOUNTS, draft_media, fake_creds, make_world

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
PG_ADMIN = os.environ.get("BOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/bot_test")
OPTIONS = {"brand": "Lotus Leaf", "campaign": "promo"}
PUBLISHING = 'lease = "2m"\nbatch = 20\nmax_attempts = 3\nsettle = "0s"\nbackoff_base = "0.01s"\n'
POST_OPS = ["x.tweet", "reddit.submit", "mastodon.status", "bluesky.post"]
#: Where a 2 MB picture goes as it is (Bluesky's limit is 1 MB).
MEDIA_PLATFORMS = ["x", "reddit", "mastodon"]


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    server = FakeServer().start()
    for platform in PLATFORMS:
        user = server.add_user(platform, ACCOUNTS[platform][1], **fake_creds(platform))
        server.state.add_history(user, 250, oldest=30 * 86400, newest=86400)  # pages of older posts
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def temp_postgres() -> Iterator[str]:
    import psycopg

    name = f"bot_bench_{secrets.token_hex(6)}"
    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def text(label: str, n: int) -> str:
    return f"{label} tea note {n}: oolong, jasmine and longjing at Lotus Leaf https://lotusleaf.example #tea"


def baseline(directory: Path, drafts: int) -> float:
    """Raw send loop: the same clients, the same number of posts, no store."""
    with fake_server() as fake:
        world = make_world(directory, fake.url, PLATFORMS, timeout="10s", publishing=PUBLISHING)
        publishers = [build_publisher(world.settings.account(ACCOUNTS[p][0]), directory) for p in PLATFORMS]
        for publisher in publishers:  # log in / first connection outside the timing, as in the store runs
            publisher.check_credentials()
        started = time.perf_counter()
        for n in range(drafts):
            for i, publisher in enumerate(publishers):
                key = f"raw-{n}-{i}"
                post = OutgoingPost(
                    n * 4 + i, n, publisher.account, text("raw", n), key, "promo", options=OPTIONS
                )
                publisher.publish(post)
        elapsed = time.perf_counter() - started
        for publisher in publishers:
            getattr(publisher, "close", lambda: None)()
        world.app.close()
        assert len(fake.posts()) == drafts * 4
    return drafts * 4 / elapsed


def through_store(
    directory: Path, drafts: int, database_url: str | None, faults: bool = False
) -> tuple[float, int]:
    """Approved drafts -> claim -> send -> record (-> reconcile), until every publication is
    published; (publications/s, how many were reconciled)."""
    with fake_server() as fake:
        if faults:
            fake.state.chaos = {op: [(0.1, Fault(op=op, drop="after"))] for op in POST_OPS}
        world = make_world(
            directory, fake.url, PLATFORMS, timeout="10s", publishing=PUBLISHING, database_url=database_url
        )
        for n in range(drafts):
            world.approve(text("store", n))
        for platform in PLATFORMS:  # log in outside the timing, as in the baseline
            world.app.publisher(ACCOUNTS[platform][0]).check_credentials()
        total = drafts * 4
        started = time.perf_counter()
        reconciled = 0
        while True:
            report = world.app.publishing.run_once()
            reconciled += len(report.checks.found) + len(report.checks.requeued)
            counts = world.store.queue_sizes()["publications"]
            if counts.get("published", 0) == total:
                break
            assert time.perf_counter() - started < 600, counts
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        assert len(fake.posts()) == total
        world.app.close()
    return total / elapsed, reconciled


def two_mb_picture(directory: Path) -> MediaItem:
    """A 2 MB PNG that barely compresses (817 x 817 noisy RGB pixels)."""
    return image(directory, "festival.png", "Lanterns over the tea house", width=817, height=817, noisy=True)


def media_baseline(directory: Path, drafts: int) -> float:
    """Upload + post with the same clients, no store: posts per second."""
    picture = two_mb_picture(directory / "pictures")
    with fake_server() as fake:
        fake.state.media_polls = 0
        world = make_world(directory, fake.url, MEDIA_PLATFORMS, timeout="10s", publishing=PUBLISHING)
        publishers: list[Any] = [
            build_publisher(world.settings.account(ACCOUNTS[p][0]), directory) for p in MEDIA_PLATFORMS
        ]
        for publisher in publishers:
            publisher.check_credentials()
        started = time.perf_counter()
        for n in range(drafts):
            for i, publisher in enumerate(publishers):
                post = OutgoingPost(
                    n * 3 + i, n, publisher.account, text("raw picture", n), f"raw-{n}-{i}", "promo",
                    options=OPTIONS, media=(picture,),
                )  # fmt: skip
                publisher.publish(post, publisher.upload_media(post))
        elapsed = time.perf_counter() - started
        for publisher in publishers:
            getattr(publisher, "close", lambda: None)()
        world.app.close()
        assert len(fake.posts()) == drafts * len(MEDIA_PLATFORMS)
    return drafts * len(MEDIA_PLATFORMS) / elapsed


def media_through_store(directory: Path, drafts: int) -> float:
    """Approved drafts with the picture -> claim -> upload -> record ids -> send -> record."""
    picture = two_mb_picture(directory / "pictures")
    with fake_server() as fake:
        fake.state.media_polls = 0
        world = make_world(directory, fake.url, MEDIA_PLATFORMS, timeout="10s", publishing=PUBLISHING)
        for n in range(drafts):
            world.approve(text("store picture", n), media=draft_media(picture))
        for platform in MEDIA_PLATFORMS:
            world.app.publisher(ACCOUNTS[platform][0]).check_credentials()
        total = drafts * len(MEDIA_PLATFORMS)
        started = time.perf_counter()
        while world.store.queue_sizes()["publications"].get("published", 0) < total:
            world.app.publishing.run_once()
            assert time.perf_counter() - started < 600, world.store.queue_sizes()
        elapsed = time.perf_counter() - started
        media = fake.media()
        assert all([media[m]["sha256"] for m in p["media"]] == [picture.sha256] for p in fake.posts())
        assert len(fake.posts()) == total
        world.app.close()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drafts", type=int, default=100, help="drafts (x4 publications) per run")
    parser.add_argument(
        "--media-drafts", type=int, default=20, help="drafts with a 2 MB picture (x3 publications)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        raw = baseline(base / "raw", args.drafts)
        print(f"baseline  raw client sends, no store : {raw:8.1f} posts/s")
        sqlite, _ = through_store(base / "sqlite", args.drafts, None)
        print(f"sqlite    claim + send + record       : {sqlite:8.1f} publications/s  ({sqlite / raw:.2f}x)")
        sqlite_f, reconciled = through_store(base / "sqlite-f", args.drafts, None, faults=True)
        print(
            f"sqlite    10% dropped, reconciled     : {sqlite_f:8.1f} publications/s  ({reconciled} checks)"
        )
        with temp_postgres() as url:
            postgres, _ = through_store(base / "postgres", args.drafts, url)
        with temp_postgres() as url:
            postgres_f, more = through_store(base / "postgres-f", args.drafts, url, faults=True)
        reconciled += more
        print(
            f"postgres  claim + send + record       : {postgres:8.1f} publications/s  ({postgres / raw:.2f}x)"
        )
        print(f"postgres  10% dropped, reconciled     : {postgres_f:8.1f} publications/s  ({more} checks)")
        media_raw = media_baseline(base / "media-raw", args.media_drafts)
        print(f"baseline  2 MB picture, no store      : {media_raw:8.1f} posts/s")
        media = media_through_store(base / "media-sqlite", args.media_drafts)
        print(
            f"sqlite    2 MB picture, upload+record : {media:8.1f} publications/s  ({media / media_raw:.2f}x)"
        )
    os.environ.clear()
    os.environ.update(saved)
    figures = {
        "sqlite_per_s": round(sqlite, 1),
        "postgres_per_s": round(postgres, 1),
        "sqlite_faults_per_s": round(sqlite_f, 1),
        "postgres_faults_per_s": round(postgres_f, 1),
        "reconciled": reconciled,
        "media_per_s": round(media, 1),
        "media_baseline_per_s": round(media_raw, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
