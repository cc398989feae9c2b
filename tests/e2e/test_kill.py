"""The never-twice, never-lost contract under SIGKILL: the daemon (``python -m bot run``, a
subprocess) publishes 50 approved drafts to four accounts on the fake platform (another
subprocess) and is killed at random moments during publishing, then restarted.

Afterwards every publication is on the fake exactly once, or in ``needs_check`` with a reason;
none is on the fake twice; none is lost. The checks then resolve every ``needs_check`` one
and the last pass leaves every draft on every account exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.domain import PublicationState
from bot.domain.ports import SystemClock
from tests.conftest import ROOT, subprocess_env
from tests.fakeplatform.world import ACCOUNTS, admin, make_world, register_users

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
DRAFTS = 50
KILLS = 6
PUBLISHING = (
    'lease = "2s"\nbatch = 3\nmax_attempts = 8\nbackoff_base = "0.2s"\nbackoff_max = "1s"\n'
    'settle = "0.5s"\nclock_skew = "5s"\ncheck_backoff = "0.5s"\n'
)
_P = PublicationState


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
        world = make_world(
            tmp_path / "bot",
            url,
            PLATFORMS,
            timeout="1s",
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
        # a slow network, and a few of every fault the clients must survive
        admin(url, "latency", {"seconds": 0.04})
        faults = []
        for op in ("x.tweet", "reddit.submit", "mastodon.status", "bluesky.post"):
            faults += [
                {"op": op, "slow": 1.3, "after": rng.randint(0, 40)},
                {"op": op, "drop": "after", "after": rng.randint(0, 40)},
                {"op": op, "status": 503, "after": rng.randint(0, 40)},
            ]
        admin(url, "faults", faults)
        config = world.settings.source
        assert config is not None
        log = tmp_path / "daemon.log"

        kills = 0
        while kills < KILLS:
            daemon = start_daemon(config, world.env, log)
            daemons.append(daemon)
            wait_for(sending(daemon, url, post_count(url)), 30)
            time.sleep(rng.uniform(0.0, 1.2))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(10)
            kills += 1

        daemon = start_daemon(config, world.env, log)
        daemons.append(daemon)
        store = world.store

        def settled() -> bool:
            counts = store.queue_sizes()["publications"]
            return not counts.get("queued") and not counts.get("claimed")

        assert wait_for(settled, 90, 0.3), store.queue_sizes()["publications"]
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(20) == 0

        posts = Counter((p["platform"], p["text"]) for p in admin(url, "posts"))
        pubs = store.list_publications()
        platform_of = {ACCOUNTS[p][0]: p for p in PLATFORMS}
        on_fake = {p.id: posts[(platform_of[p.account], texts[p.id])] for p in pubs}
        states = Counter(p.state.value for p in pubs)
        twice = [p.id for p in pubs if on_fake[p.id] > 1]
        lost = [
            p.id
            for p in pubs
            if not (
                (p.state is _P.PUBLISHED and on_fake[p.id] == 1)
                or (p.state is _P.NEEDS_CHECK and p.last_error and on_fake[p.id] <= 1)
            )
        ]
        needs_check_on_fake = sum(1 for p in pubs if p.state is _P.NEEDS_CHECK and on_fake[p.id] == 1)
        with capsys.disabled():  # the counts show in every run, not only with -s
            print(
                f"\nkills={kills} publications={len(pubs)} published={states['published']} "
                f"needs_check={states['needs_check']} (of which already on the fake: {needs_check_on_fake}) "
                f"on_fake_once={sum(1 for c in on_fake.values() if c == 1)} on_fake_twice={len(twice)} "
                f"lost={len(lost)} states={dict(states)}"
            )
        assert twice == []
        assert lost == [], [(p, store.get_publication(p)) for p in lost]
        logged = log.read_text(encoding="utf-8", errors="replace")
        recorded = " ".join(f"{e.reason} {e.details}" for e in store.events(limit=100_000))
        recorded += " ".join(p.last_error or "" for p in pubs)
        for secret in world.env.values():  # never in logs, the database or error messages
            assert secret not in logged and secret not in recorded

        # the checks resolve every needs_check one; one more pass publishes the rest
        admin(url, "clear-faults", {})
        service = world.app.publishing
        service.clock = SystemClock()
        for p in pubs:
            if p.state is _P.NEEDS_CHECK:
                service.check(p.id, "test")
        service.run_once()
        final = Counter((p["platform"], p["text"]) for p in admin(url, "posts"))
        assert all(n == 1 for n in final.values())
        assert len(final) == DRAFTS * len(PLATFORMS)
        assert all(p.state is _P.PUBLISHED for p in store.list_publications())
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
