"""How long `bot queue --json` takes on a store with 10,000 drafts, and `bot --help`, against
`python -c pass`.

All are measured in the same run, as subprocesses, interleaved, median of several runs each,
after one warm-up run that writes the bytecode caches (as an installed wheel has them).

Then the SQL alone that writes the queue's JSON (the lean reader's ``drafts_json``, in this
process, median of several runs after one warm-up) over the same 10,000 drafts, on SQLite and
on Postgres (a temporary database on ``$BOT_TEST_PG``'s server, dropped at the end; skipped,
null, when no server answers).

Ends with one JSON line: {"queue_json_vs_python": RATIO, "help_vs_python": RATIO,
"queue_sql_sqlite_ms": MS, "queue_sql_postgres_ms": MS} (goals: <= 8 and <= 4).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.store import engine as engines
from bot.adapters.store.tables import CampaignRow, DraftRow, ModerationRow, SlotRow

DRAFTS = 10_000
RUNS = 9


def build_store(directory: Path) -> Path:
    config = directory / "bot.toml"
    config.write_text(
        '[brand]\nname = "Bench Bakery"\n'
        '[model]\nbackend = "canned"\n[[accounts]]\nname = "outbox"\nplatform = "dryrun"\n'
        '[[campaigns]]\nname = "promo"\nkind = "promo"\nwhen = { cron = "0 10 * * FRI" }\n'
        'accounts = ["outbox"]\nbrief = "Write a promo."\n'
    )
    fill(f"sqlite:///{directory / 'data' / 'bot.db'}")
    return config


def fill(url: str) -> None:
    """Migrate the empty database at ``url`` and write the campaign, slots, drafts and their
    moderation records (one draft a slot)."""
    engines.upgrade(url)
    engine = engines.make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(CampaignRow),
            [
                dict(
                    id=1,
                    name="promo",
                    kind="promo",
                    active=True,
                    spec={},
                    spec_hash="x",
                    created_at=now,
                    updated_at=now,
                )
            ],
        )
        conn.execute(
            insert(SlotRow),
            [
                dict(
                    id=i,
                    campaign_id=1,
                    slot_at=now - timedelta(hours=i),
                    state="drafted",
                    created_by="bench",
                    created_at=now,
                )
                for i in range(1, DRAFTS + 1)
            ],
        )
        conn.execute(
            insert(DraftRow),
            [
                dict(
                    id=i,
                    campaign_id=1,
                    slot_id=i,
                    text=f"Draft number {i}: our Tieguanyin oolong is 10% off this "
                    "weekend with the code FRIDAYTEA. #TeaTime",
                    state="pending_review" if i % 4 else "flagged",
                    origin="model",
                    model_id="canned",
                    generation={"seed": i},
                    checks=[{"name": "ok", "passed": True}],
                    rank_score=1.0,
                    created_at=now,
                    updated_at=now,
                    expires_at=now + timedelta(days=2),
                )
                for i in range(1, DRAFTS + 1)
            ],
        )
        conn.execute(
            insert(ModerationRow),
            [
                dict(draft_id=i, text_sha256="0" * 64, decision="pass", record={}, created_at=now)
                for i in range(1, DRAFTS + 1)
            ],
        )
    engine.dispose()


def medians(cmds: dict[str, list[str]], env: dict[str, str]) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so load drifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(RUNS):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def queue_sql(url: str) -> float:
    """Median seconds of the lean reader writing ``bot queue --json``'s array (every open draft)."""
    from bot.adapters.store.reader import open_reader
    from bot.services.queue import QueueView

    reader = open_reader(url)
    try:
        view = QueueView(reader)
        listed = len(json.loads(view.drafts_json() or "[]"))  # warm-up: the caches, the plan
        assert listed == DRAFTS, listed
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            view.drafts_json()
            times.append(time.perf_counter() - start)
    finally:
        reader.close()
    return statistics.median(times)


def queue_sql_postgres() -> float | None:
    """:func:`queue_sql` on a temporary Postgres database; None when no server answers."""
    import psycopg

    from bench.publishing import temp_postgres

    try:
        with temp_postgres() as url:
            fill(url)
            return queue_sql(url)
    except psycopg.OperationalError as exc:
        print(f"postgres: not measured ({str(exc).strip().splitlines()[0]})")
        return None


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = build_store(Path(tmp))
        # As installed: with bytecode caches (a wheel's install compiles them; this environment
        # may forbid writing them, which would compile every module on every run).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "queue", "--json"],
                       check=True, stdout=subprocess.DEVNULL, env=env)  # fmt: skip
        bot = [sys.executable, "-m", "bot"]
        timed = medians(
            {
                "python": [sys.executable, "-c", "pass"],
                "queue": [*bot, "--config", str(config), "queue", "--json"],
                "help": [*bot, "--help"],
            },
            env,
        )
        baseline, queue, help_ = timed["python"], timed["queue"], timed["help"]
        out = subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(config), "queue", "--json"],
            check=True,
            capture_output=True,
            env=env,
        ).stdout
        listed = len(json.loads(out))
        sql_sqlite = queue_sql(f"sqlite:///{Path(tmp) / 'data' / 'bot.db'}")
    sql_postgres = queue_sql_postgres()
    ratio, help_ratio = queue / baseline, help_ / baseline
    print(f"python -c pass:          {baseline * 1000:8.1f} ms (median of {RUNS})")
    print(f"bot queue --json ({listed} drafts): {queue * 1000:8.1f} ms (median of {RUNS})")
    print(f"bot --help:              {help_ * 1000:8.1f} ms (median of {RUNS})")
    print(f"ratios: queue {ratio:.1f}x, help {help_ratio:.1f}x")
    print(f"queue SQL, sqlite:       {sql_sqlite * 1000:8.1f} ms (median of {RUNS})")
    if sql_postgres is not None:
        print(f"queue SQL, postgres:     {sql_postgres * 1000:8.1f} ms (median of {RUNS})")
    figures = {
        "queue_json_vs_python": round(ratio, 2),
        "help_vs_python": round(help_ratio, 2),
        "queue_sql_sqlite_ms": round(sql_sqlite * 1000, 1),
        "queue_sql_postgres_ms": None if sql_postgres is None else round(sql_postgres * 1000, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
