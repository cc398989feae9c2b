"""Scheduling benchmark: `bot calendar --days 365` for 1,000 campaigns, and slot -> drafts latency.

1. ``calendar_s``: wall time of ``bot calendar --days 365 --json`` (a subprocess, as a user runs
   it) on a config of 1,000 campaigns (weekly, daily, monthly crons, holiday-relative and one-off
   triggers across eight time zones; the one-offs 20 to 317 days after today, so the bench
   never expires), with a SQLite database holding their campaigns.
   Baselines in the same run: ``python -c pass``, ``bot --help`` (interpreter + CLI start-up),
   and computing the same fire times in-process (no CLI, no output).
2. ``slot_to_drafts_s``: a daemon (``bot run``, SQLite, canned generator) is running; campaigns
   have one-off slots a few seconds ahead; the time from each slot's instant until its drafts
   are in the database (median over the slots after the first, in case anything is loaded
   lazily on the first slot). Baseline: drafting one slot in-process (``DraftingService.draft_slot``).

Ends with one JSON line: {"calendar_s": C, "slot_to_drafts_s": D}.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Singapore",
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",
    "UTC",
]
HOLIDAYS = [
    ("Mid-Autumn Festival", "CN"),
    ("Chinese New Year (Spring Festival)", "CN"),
    ("Dragon Boat Festival", "CN"),
    ("Thanksgiving Day", "US"),
    ("Independence Day", "US"),
    ("Chuseok", "KR"),
]

HEADER = """
[bot]
timezone = "Asia/Shanghai"
data_dir = "data"
poll_interval = "{poll}"
catch_up_grace = "1h"

[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box"]

[model]
backend = "canned"
candidates = 4
keep = 2

[moderation]
scorers = ["profanity"]

[[accounts]]
name = "outbox"
platform = "dryrun"
"""


def _campaign(name: str, when: str, zone: str) -> str:
    return (
        f'[[campaigns]]\nname = "{name}"\nkind = "greeting"\nwhen = {when}\ntimezone = "{zone}"\n'
        f'accounts = ["outbox"]\nbrief = "Write a greeting for {{{{ brand }}}}."\n'
    )


def _when(i: int, today: date) -> str:
    """Campaign ``i``'s trigger; its one-off times are counted from ``today`` (20 to 317 days
    ahead), so the bench never holds a past one-off (a config error: it would never fire)."""
    kind = i % 10
    if kind < 4:
        return f'{{ cron = "{i % 60} {8 + i % 10} * * {i % 7}" }}'
    if kind < 7:
        name, country = HOLIDAYS[i % len(HOLIDAYS)]
        return f'{{ holiday = "{name}", country = "{country}", offset = "-{i % 3}d", at = "09:00" }}'
    if kind == 7:
        return f'{{ cron = "{i % 60} {7 + i % 12} * * *" }}'
    if kind == 8:
        return f'{{ cron = "0 10 {1 + i % 28} * *" }}'
    return f'{{ at = "{today + timedelta(days=20 + (i // 10) * 3):%Y-%m-%d} 09:30" }}'


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.pop("BOT_CONFIG", None)
    env.update(extra)
    return env


def _bot(config: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        capture_output=True,
        env=_env(),
        cwd=config.parent,
        check=True,
    )


def _timed(cmd: list[str], runs: int = 3, **kw: object) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=_env(), **kw)  # type: ignore[call-overload]
        best = min(best, time.perf_counter() - started)
    return best


def calendar_config(today: date) -> str:
    """The calendar bench's config: 1,000 campaigns, the one-offs counted from ``today``."""
    campaigns = [_campaign(f"c{i:04d}", _when(i, today), ZONES[i % len(ZONES)]) for i in range(1000)]
    return HEADER.format(poll="10s") + "\n".join(campaigns)


def _today() -> date:
    """Today by the bot's clock ($BOT_FAKE_NOW moves the bench and the bot alike)."""
    from bot.adapters.clock import clock_from_env

    return clock_from_env().now().date()


def bench_calendar(work: Path) -> float:
    config = work / "bot.toml"
    config.write_text(calendar_config(_today()), encoding="utf-8")
    _bot(config, "db", "upgrade")
    _bot(config, "campaigns", "sync")
    python = _timed([sys.executable, "-c", "pass"])
    cli = _timed([sys.executable, "-m", "bot", "--help"])
    started = time.perf_counter()
    out = _bot(config, "calendar", "--days", "365", "--json").stdout
    first = time.perf_counter() - started
    calendar = min(
        first,
        _timed(
            [sys.executable, "-m", "bot", "--config", str(config), "calendar", "--days", "365", "--json"],
            runs=1,
            cwd=config.parent,
        ),
    )
    slots = len(json.loads(out)["slots"])
    fire_only = _fire_times_alone(config)
    print(f"calendar --days 365, 1000 campaigns, {slots} slots: {calendar:.2f}s")
    print(f"  baseline python -c pass: {python:.3f}s  ({calendar / python:.1f}x)")
    print(f"  baseline bot --help:     {cli:.3f}s  ({calendar / cli:.1f}x)")
    print(f"  fire times alone (in-process, config loaded): {fire_only:.2f}s  ({calendar / fire_only:.1f}x)")
    return calendar


def _fire_times_alone(config: Path) -> float:
    from bot.adapters.clock import clock_from_env
    from bot.config import load_settings

    settings = load_settings(config)
    now = clock_from_env().now()
    started = time.perf_counter()
    for c in settings.campaigns:
        for _ in c.when.fire_times(now, now + timedelta(days=365), settings.zone_of(c)):
            pass
    return time.perf_counter() - started


def _draft_alone(config: Path) -> float:
    """Baseline: one slot drafted in-process (generation, moderation, saving), warm."""
    from bot.config import load_settings
    from bot.wiring import Wiring

    app = Wiring(load_settings(config))
    app.sync.sync("bench")
    record = app.store.get_campaign("warm")
    times = []
    for k in range(4):
        slot = app.store.create_slot(
            record.id, datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=k), app.clock.now(), "bench"
        )
        assert slot is not None
        started = time.perf_counter()
        app.drafting.draft_slot(slot)
        times.append(time.perf_counter() - started)
    app.close()
    return statistics.median(times[1:])


def bench_slot_to_drafts(work: Path) -> float:
    config = work / "bot.toml"
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=25)
    n = 6
    warm_at = (first + timedelta(days=3650)).strftime("%Y-%m-%d %H:%M")  # never due during the bench
    campaigns = [_campaign("warm", f'{{ at = "{warm_at}" }}', "UTC")]
    for i in range(n):
        at = (first + timedelta(seconds=3 * i)).strftime("%Y-%m-%d %H:%M:%S")
        campaigns.append(_campaign(f"s{i}", f'{{ at = "{at}" }}', "UTC"))
    # poll_interval is long on purpose: the daemon must be woken by the APScheduler alarm.
    config.write_text(HEADER.format(poll="60s") + "\n".join(campaigns), encoding="utf-8")
    _bot(config, "db", "upgrade")
    baseline = _draft_alone(config)
    sock_dir = Path(tempfile.mkdtemp(prefix="bb", dir="/tmp"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(sock_dir / "n.sock"))
    listener.settimeout(60)
    log = (work / "daemon.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(NOTIFY_SOCKET=str(sock_dir / "n.sock")),
        cwd=work,
    )
    try:
        while b"READY=1" not in listener.recv(4096):
            pass
        if datetime.now(UTC) > first - timedelta(seconds=2):
            raise SystemExit("the daemon started too late for the first slot; raise the lead time")
        latencies = _watch_slots(config, [first + timedelta(seconds=3 * i) for i in range(n)])
    finally:
        proc.terminate()
        proc.wait(60)
        listener.close()
        shutil.rmtree(sock_dir, ignore_errors=True)
    steady = statistics.median(latencies[1:])
    print(f"slot instant -> drafts in the database (daemon, canned generator): median {steady:.3f}s")
    each = ", ".join(f"{x:.3f}" for x in latencies)
    print(f"  each slot: {each} s (the median leaves out the first, in case anything loads lazily)")
    print(f"  baseline draft_slot in-process: {baseline:.3f}s  ({steady / baseline:.1f}x)")
    return steady


def _watch_slots(config: Path, instants: list[datetime]) -> list[float]:
    from bot.adapters.store.sql import SqlStore
    from bot.config import load_settings

    store = SqlStore.open(load_settings(config).database_url)
    seen: dict[datetime, float] = {}
    deadline = time.monotonic() + 120
    while len(seen) < len(instants) and time.monotonic() < deadline:
        drafted = {d.slot_at for d in store.list_drafts() if d.slot_at in instants}
        now = datetime.now(UTC)
        for at in drafted - set(seen):
            seen[at] = (now - at).total_seconds()
        time.sleep(0.01)
    store.close()
    if len(seen) < len(instants):
        raise SystemExit(f"only {len(seen)} of {len(instants)} slots were drafted")
    return [seen[at] for at in instants]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-sched-") as tmp:
        (Path(tmp) / "cal").mkdir()
        (Path(tmp) / "slot").mkdir()
        calendar = bench_calendar(Path(tmp) / "cal")
        latency = bench_slot_to_drafts(Path(tmp) / "slot")
    print(json.dumps({"calendar_s": round(calendar, 3), "slot_to_drafts_s": round(latency, 3)}))


if __name__ == "__main__":
    main()
