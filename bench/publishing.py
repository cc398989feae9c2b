"""Publications per second through claim -> send to the fake platform -> record, on SQLite and
on Postgres, against a baseline measured in the same run: the same real clients sending the
same number of posts to the fake with no store at all.

Usage: ``python bench/publishing.py [--drafts N]`` (each draft goes to four accounts: X,
Reddit, Mastodon, Bluesky). Postgres: a temporary database on ``$BOT_TEST_PG``'s server,
dropped at the end. The last line is ``{"sqlite_per_s": S, "postgres_per_s": P}``.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.platforms import build_publisher
from bot.domain import OutgoingPost
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS, fake_creds, make_world

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
PG_ADMIN = os.environ.get("BOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/bot_test")
OPTIONS = {"brand": "Lotus Leaf", "campaign": "promo"}
PUBLISHING = 'lease = "2m"\nbatch = 20\nmax_attempts = 3\n'


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    server = FakeServer().start()
    for platform in PLATFORMS:
        server.add_user(platform, ACCOUNTS[platform][1], **fake_creds(platform))
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


def through_store(directory: Path, drafts: int, database_url: str | None) -> float:
    """Approved drafts -> claim -> send -> record, until every publication is published."""
    with fake_server() as fake:
        world = make_world(
            directory, fake.url, PLATFORMS, timeout="10s", publishing=PUBLISHING, database_url=database_url
        )
        for n in range(drafts):
            world.approve(text("store", n))
        for platform in PLATFORMS:  # log in outside the timing, as in the baseline
            world.app.publisher(ACCOUNTS[platform][0]).check_credentials()
        started = time.perf_counter()
        report = world.app.publishing.run_once()
        elapsed = time.perf_counter() - started
        total = drafts * 4
        assert len(report.published) == total, (len(report.published), report)
        assert len(fake.posts()) == total
        world.app.close()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drafts", type=int, default=100, help="drafts (x4 publications) per run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        raw = baseline(base / "raw", args.drafts)
        print(f"baseline  raw client sends, no store : {raw:8.1f} posts/s")
        sqlite = through_store(base / "sqlite", args.drafts, None)
        print(f"sqlite    claim + send + record       : {sqlite:8.1f} publications/s  ({sqlite / raw:.2f}x)")
        with temp_postgres() as url:
            postgres = through_store(base / "postgres", args.drafts, url)
        print(
            f"postgres  claim + send + record       : {postgres:8.1f} publications/s  ({postgres / raw:.2f}x)"
        )
    os.environ.clear()
    os.environ.update(saved)
    print(json.dumps({"sqlite_per_s": round(sqlite, 1), "postgres_per_s": round(postgres, 1)}))


if __name__ == "__main__":
    main()
