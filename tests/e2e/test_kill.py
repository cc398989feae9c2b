"""The never-twice, never-lost contract under SIGKILL against the hostile fake: the daemon
(``python -m bot run``, a subprocess) publishes 50 approved drafts to four accounts on the fake
platform (another subprocess, made hostile: several pages of history, noise, listing lag,
clock skew, random faults of every kind; :mod:`tests.fakeplatform.hostile`) and is killed at
random moments during publishing, at least 10 times, then restarted.

The daemon reconciles the ``needs_check`` publications itself; what it leaves to a person is
checked with the documented command. Every draft must end on every account exactly once:
0 duplicates, 0 lost.
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
from bot.domain.ports import SystemClock
from tests.conftest import ROOT, subprocess_env
from tests.fakeplatform.hostile import make_hostile, publishing_settings, tally
from tests.fakeplatform.world import admin, make_world, register_users

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
DRAFTS = 50
KILLS = 10
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


@pytest.mark.slow
def test_sigkill_during_publishing_never_posts_twice_never_loses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(int(os.environ.get("BOT_KILL_SEED", "0")) or None)
    fake, url = start_fake(tmp_path / "fake.log")
    saved_env = dict(os.environ)
    daemons: list[subprocess.Popen[bytes]] = []
    try:
        register_users(url, PLATFORMS)
        make_hostile(url, PLATFORMS, timeout=TIMEOUT, rate=0.04, seed=rng.randint(1, 10**6))
        world = make_world(
            tmp_path / "bot",
            url,
            PLATFORMS,
            timeout=f"{TIMEOUT}s",
            publishing=PUBLISHING,
            bot='poll_interval = "0.2s"',
        )
        texts = {}
        for n in range(DRAFTS):
            text = (
                f"Lotus Leaf tea note #{n}: {rng.choice(['oolong', 'pu-erh', 'jasmine', 'longjing'])} today"
            )
            for pub_id in world.approve(text):
                texts[pub_id] = text
        assert len(texts) == DRAFTS * len(PLATFORMS)
        admin(url, "latency", {"seconds": 0.02})  # a slow network
        config = world.settings.source
        assert config is not None
        log = tmp_path / "daemon.log"
        store = world.store
        started = time.monotonic()

        kills = 0
        while kills < KILLS:
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
        counts = tally(pubs, texts, admin(url, "posts"), store.events(limit=100_000), PERSON)
        counts.update(kills=kills, seconds=round(seconds, 1), injected=admin(url, "injected"))
        with capsys.disabled():  # the counts show in every run, not only with -s
            print("\nkill " + json.dumps({k: v for k, v in counts.items() if k != "lost_ids"}))
        assert counts["duplicates"] == 0
        assert counts["lost"] == 0, [store.get_publication(p) for p in counts["lost_ids"]]
        assert counts["publications"] == DRAFTS * len(PLATFORMS)
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
