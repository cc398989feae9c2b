"""The never-twice, never-lost contract under SIGKILL against the hostile fake: the daemon
(``python -m bot run``, a subprocess) publishes 50 approved drafts to four accounts on the fake
platform (another subprocess, made hostile: several pages of history, noise, listing lag,
clock skew, random faults of every kind; :mod:`tests.fakeplatform.hostile`) and is killed at
random moments during publishing, at least 10 times, then restarted.

The daemon reconciles the ``needs_check`` publications itself; what it leaves to a person is
checked with the documented command. Every draft must end on every account exactly once:
0 duplicates, 0 lost.

A second run does the same with pictures: 20 drafts with one or two images each (their own
files and alt texts) to X and Reddit, uploads failing too (dropped, 413, 503), at least 5
kills: 0 duplicates, 0 lost, and every post carries exactly its own draft's pictures, in order.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.errors import StateConflict
from bot.domain.media import DraftMedia
from bot.domain.ports import SystemClock
from tests.conftest import ROOT, subprocess_env
from tests.fakeplatform.hostile import make_hostile, publishing_settings, tally
from tests.fakeplatform.images import image
from tests.fakeplatform.world import admin, draft_media, make_world, register_users

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
DRAFTS = 50
KILLS = 10
#: The run with pictures: drafts, platforms, kills.
MEDIA_RUN = (20, ["x", "reddit"], 5)
UPLOAD_OP = {"x": "x.media", "reddit": "reddit.s3", "mastodon": "mastodon.media", "bluesky": "bluesky.blob"}
TIMEOUT = 1.0
PUBLISHING = publishing_settings(lease='"2s"', batch="3", check_time='"3s"')
_P = PublicationState
PERSON = "person"


def start_fake(log: Path) -> tuple[subprocess.Popen[str], str]:
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakeplatform", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=subprocess_env(),
            cwd=ROOT,
        )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return proc, url


def start_daemon(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=subprocess_env(**env),
            cwd=config.parent,
        )


def post_count(url: str) -> int:
    return len(admin(url, "requests"))


def sending(daemon: subprocess.Popen[bytes], url: str, before: int) -> Any:
    """True once the daemon has sent a request to the fake (or died)."""
    return lambda: post_count(url) > before or daemon.poll() is not None


def wait_for(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def pictures_for(directory: Path, n: int) -> tuple[DraftMedia, ...]:
    """One or two pictures of draft ``n``, its own files and alt texts."""
    items = [
        image(directory, f"d{n}-{i}.png", f"Picture {i} of note {n}", width=24 + n, height=9 + i, seed=n + i)
        for i in range(1 + n % 2)
    ]
    return draft_media(*items)


def upload_chaos(url: str, platforms: list[str]) -> None:
    """Uploads fail too: dropped before or after the server kept the file, 413, 503."""
    chaos: dict[str, Any] = {}
    for platform in platforms:
        chaos[UPLOAD_OP[platform]] = [
            [0.04, {"kind": "upload-drop-after", "drop": "after"}],
            [0.04, {"kind": "upload-drop-before", "drop": "before"}],
            [0.04, {"kind": "upload-413", "status": 413, "body": {"error": "too large"}}],
            [0.04, {"kind": "upload-503", "status": 503, "body": {"error": "over capacity"}}],
        ]
    admin(url, "hostile", {"add_chaos": chaos})


def wrong_pictures(url: str, posts: list[dict[str, Any]], media: dict[str, list[str]]) -> list[str]:
    """The posts whose pictures (by sha256, in order) are not their own draft's."""
    uploads = {m["id"]: m for m in admin(url, "media")}
    carried = {p["id"]: [uploads[m]["sha256"] for m in p.get("media") or []] for p in posts}
    return [p["id"] for p in posts if carried[p["id"]] != media[p["text"]]]


@pytest.mark.slow
@pytest.mark.parametrize("pictures", [False, True], ids=["text", "pictures"])
def test_sigkill_during_publishing_never_posts_twice_never_loses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pictures: bool
) -> None:
    rng = random.Random(int(os.environ.get("BOT_KILL_SEED", "0")) or None)
    drafts, platforms, kills_wanted = MEDIA_RUN if pictures else (DRAFTS, PLATFORMS, KILLS)
    fake, url = start_fake(tmp_path / "fake.log")
    saved_env = dict(os.environ)
    daemons: list[subprocess.Popen[bytes]] = []
    try:
        register_users(url, platforms)
        make_hostile(url, platforms, timeout=TIMEOUT, rate=0.04, seed=rng.randint(1, 10**6))
        if pictures:
            upload_chaos(url, platforms)
        world = make_world(
            tmp_path / "bot",
            url,
            platforms,
            timeout=f"{TIMEOUT}s",
            publishing=PUBLISHING,
            bot='poll_interval = "0.2s"',
        )
        texts = {}
        media: dict[str, list[str]] = {}  # text -> the sha256 of its pictures, in order
        for n in range(drafts):
            text = (
                f"Lotus Leaf tea note #{n}: {rng.choice(['oolong', 'pu-erh', 'jasmine', 'longjing'])} today"
            )
            chosen = pictures_for(tmp_path / "pictures", n) if pictures else ()
            media[text] = [m.source_sha256 for m in chosen]
            for pub_id in world.approve(text, media=chosen):
                texts[pub_id] = text
        assert len(texts) == drafts * len(platforms)
        admin(url, "latency", {"seconds": 0.02})  # a slow network
        config = world.settings.source
        assert config is not None
        log = tmp_path / "daemon.log"
        store = world.store
        started = time.monotonic()

        kills = 0
        while kills < kills_wanted:
            daemon = start_daemon(config, world.env, log)
            daemons.append(daemon)
            wait_for(sending(daemon, url, post_count(url)), 30)
            time.sleep(rng.uniform(0.0, 1.0))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(10)
            kills += 1

        daemon = start_daemon(config, world.env, log)
        daemons.append(daemon)

        def settled() -> bool:  # nothing left for the daemon: sent, or left to a person
            return not [
                p
                for p in store.list_publications()
                if p.state in (_P.QUEUED, _P.CLAIMED)
                or (p.state is _P.NEEDS_CHECK and p.check_at is not None)
            ]

        assert wait_for(settled, 150, 0.3), store.queue_sizes()["publications"]
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(20) == 0
        seconds = time.monotonic() - started

        # what the daemon left to a person: the documented command, as a person runs it
        service = world.app.publishing
        service.clock = SystemClock()
        for p in store.list_publications(states=[_P.NEEDS_CHECK]):
            deadline = time.monotonic() + 30
            while True:
                try:
                    service.check(p.id, PERSON)
                    break
                except StateConflict:  # a killed daemon's check lease: it runs out soon
                    assert time.monotonic() < deadline
                    time.sleep(0.5)
        service.run_once()

        pubs = store.list_publications()
        posts = admin(url, "posts")
        counts = tally(pubs, texts, posts, store.events(limit=100_000), PERSON)
        counts.update(kills=kills, seconds=round(seconds, 1), injected=admin(url, "injected"))
        wrong = wrong_pictures(url, posts, media) if pictures else []
        counts.update(wrong_pictures=len(wrong))
        with capsys.disabled():  # the counts show in every run, not only with -s
            print("\nkill " + json.dumps({k: v for k, v in counts.items() if k != "lost_ids"}))
        assert counts["duplicates"] == 0
        assert counts["lost"] == 0, [store.get_publication(p) for p in counts["lost_ids"]]
        assert counts["publications"] == drafts * len(platforms)
        assert wrong == []
        logged = log.read_text(encoding="utf-8", errors="replace")
        recorded = " ".join(f"{e.reason} {e.details}" for e in store.events(limit=100_000))
        recorded += " ".join(p.last_error or "" for p in pubs)
        for secret in world.env.values():  # never in logs, the database or error messages
            assert secret not in logged and secret not in recorded
        world.app.close()
    finally:
        for proc in daemons:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        os.environ.clear()
        os.environ.update(saved_env)
        fake.send_signal(signal.SIGTERM)
        fake.wait(10)
        if fake.stdout:
            fake.stdout.close()
