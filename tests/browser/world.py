"""A review world for the browser tests and ``bench/web.py``: a config with reviewers, a migrated
SQLite store, campaigns synced and drafts written by the real services (the canned generator,
the configured moderation gate), and a way to see exactly what a test changed in the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bot.adapters.store import engine as engines
from bot.config import Settings, load_settings
from bot.wiring import Wiring
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS, credential_env

#: Reviewers of the world and their passwords (hashed into BOT_WEB_PASSWORD_<NAME>).
REVIEWERS = {"ann": ("reviewer", "ann-correct-horse"), "root": ("admin", "root-battery-staple")}

#: The Reddit account's timeout: generous, so that only the faulted send times out on a busy machine.
REDDIT_TIMEOUT_S = 5

#: The tables a review can change, and the event log.
TABLES = ("drafts", "moderation_records", "approvals", "publications", "slots", "events", "account_states")


def config_text(fake_url: str | None) -> str:
    """Two campaigns: ``greeting`` to a dry-run outbox and ``promo`` to Reddit on the fake
    platform (when ``fake_url`` is given; else to the outbox too)."""
    lines = ["[bot]", 'timezone = "Asia/Shanghai"', 'data_dir = "data"', ""]
    lines += ["[brand]", 'name = "Lotus Leaf"', 'products = ["oolong sampler"]']
    lines += ['link = "https://lotusleaf.example/shop"', "", "[model]", 'backend = "canned"', ""]
    lines += ["[publishing]", 'settle = "0s"', 'check_backoff = "1s"', "max_attempts = 3", ""]
    lines += ["[web]", 'secrets_file = "web-secrets"']
    for name, (role, _) in REVIEWERS.items():
        lines += ["[[web.reviewers]]", f'name = "{name}"', f'role = "{role}"']
    lines += ["", "[[accounts]]", 'name = "outbox"', 'platform = "dryrun"', ""]
    promo_account = "outbox"
    if fake_url:
        account, _, _, extra = ACCOUNTS["reddit"]
        promo_account = account
        lines += ["[[accounts]]", f'name = "{account}"', 'platform = "reddit"']
        lines += [f'base_url = "{fake_url}"', f'timeout = "{REDDIT_TIMEOUT_S}s"', extra, ""]
    lines += ["[[campaigns]]", 'name = "greeting"', 'kind = "greeting"', 'when = { cron = "0 9 * * MON" }']
    lines += ['accounts = ["outbox"]', 'brief = "Greet the customers of {{ brand }}."', ""]
    lines += ["[[campaigns]]", 'name = "promo"', 'kind = "promo"', 'when = { cron = "0 10 * * FRI" }']
    lines += [f'accounts = ["{promo_account}"]', 'brief = "Write a promo for {{ brand }}."', ""]
    return "\n".join(lines)


@dataclass
class ReviewWorld:
    """The config on disk, the wiring over its store, and the environment a server needs."""

    directory: Path
    settings: Settings
    app: Wiring
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        assert self.settings.source is not None
        return self.settings.source

    @property
    def url(self) -> str:
        return self.settings.database_url

    def fire(self, campaign: str, times: int, start: datetime | None = None) -> list[int]:
        """Fire ``campaign`` at ``times`` slots a day apart from ``start`` (default: tomorrow)
        through the real services; the ids of the drafts written."""
        start = start or datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        drafts: list[int] = []
        for i in range(times):
            drafts += self.app.firing.fire(campaign, start + timedelta(days=i), "test").drafts
        return drafts


def stuck_publication(world: ReviewWorld, fake: FakeServer) -> int:
    """A promo draft approved (by ``root``, a listed admin) and sent to Reddit, where the fake stored the post
    but answered too late: its publication is ``needs_check``. Returns the publication's id."""
    from bot.domain import PublicationState

    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    draft_id = world.fire("promo", 1, start=due)[0]
    world.app.review.approve(draft_id, "root")
    fake.fault("reddit.submit", slow=2 * REDDIT_TIMEOUT_S)  # stored, answered past the timeout
    world.app.publishing.run_once()
    [publication] = world.app.store.list_publications(draft_id=draft_id)
    assert publication.state is PublicationState.NEEDS_CHECK, publication
    return publication.id


def make_review_world(directory: Path, fake_url: str | None = None) -> ReviewWorld:
    """Write the config and the reviewers' password hashes, migrate the store and sync the
    campaigns (no drafts yet: :meth:`ReviewWorld.fire` writes them)."""
    from argon2 import PasswordHasher

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bot.toml"
    path.write_text(config_text(fake_url), encoding="utf-8")
    hasher = PasswordHasher()
    secrets = [f"web_password_{name}={hasher.hash(pw)}" for name, (_, pw) in REVIEWERS.items()]
    secrets.append("web_session_secret=" + "s" * 48)
    (directory / "web-secrets").write_text("\n".join(secrets) + "\n", encoding="utf-8")
    (directory / "web-secrets").chmod(0o600)
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    app = Wiring(settings)
    app.sync.sync("test")
    env = credential_env(["reddit"]) if fake_url else {}
    return ReviewWorld(directory, settings, app, env)


# -- what changed -------------------------------------------------------------------------


def snapshot(url: str) -> dict[str, dict[int, dict[str, Any]]]:
    """Every row of the review tables, by table and id (the key for ``account_states``)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found: dict[str, dict[Any, dict[str, Any]]] = {}
            for table in TABLES:
                rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
                key = "account" if table == "account_states" else "id"
                found[table] = {row[key]: _plain(row) for row in rows}
            return found
    finally:
        engine.dispose()


@dataclass
class Changes:
    """What changed between two snapshots: rows added, and rows changed (column: (old, new))."""

    added: dict[str, list[dict[str, Any]]]
    changed: dict[str, dict[Any, dict[str, tuple[Any, Any]]]]
    removed: dict[str, list[Any]]


def changes(
    before: dict[str, dict[Any, dict[str, Any]]], after: dict[str, dict[Any, dict[str, Any]]]
) -> Changes:
    added = {t: [after[t][k] for k in sorted(after[t].keys() - before[t].keys())] for t in TABLES}
    removed = {t: sorted(before[t].keys() - after[t].keys()) for t in TABLES}
    changed: dict[str, dict[Any, dict[str, tuple[Any, Any]]]] = {}
    for table in TABLES:
        for key in before[table].keys() & after[table].keys():
            old, new = before[table][key], after[table][key]
            diff = {col: (old[col], new[col]) for col in new if old.get(col) != new[col]}
            if diff:
                changed.setdefault(table, {})[key] = diff
    return Changes(
        {t: rows for t, rows in added.items() if rows},
        changed,
        {t: keys for t, keys in removed.items() if keys},
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON columns decoded, so a diff compares values rather than their spelling."""
    return {col: _decoded(value) for col, value in row.items()}


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# -- many drafts, fast ----------------------------------------------------------------------

#: The states of the copies, by their number modulo 10: most wait for review.
_COPY_STATES = {0: "flagged", 1: "rejected", 2: "expired"}


def clone_drafts(url: str, total: int) -> None:
    """Grow the store to ``total`` drafts by copying the real ones (text, checks, generation
    settings, moderation record), each with its own slot, moderation record and creation event:
    a long-running bot's store in seconds. Of the copies, one in ten is flagged, one in ten
    rejected and one in ten expired; the rest wait for review."""
    from sqlalchemy import func, insert, select

    from bot.adapters.store.tables import DraftRow, EventRow, ModerationRow, SlotRow

    engine = engines.make_engine(url)
    try:
        with engine.begin() as conn:
            seeds = [dict(r._mapping) for r in conn.execute(select(DraftRow).order_by(DraftRow.id))]
            records = {r.draft_id: r for r in conn.execute(select(ModerationRow).order_by(ModerationRow.id))}
            next_draft = int(conn.execute(select(func.max(DraftRow.id))).scalar_one()) + 1
            next_slot = int(conn.execute(select(func.max(SlotRow.id))).scalar_one()) + 1
            # an hour apart, all before the real slots (which are from now on): no clash
            base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=total + 24)
            rows: dict[Any, list[dict[str, Any]]] = {
                SlotRow: [],
                DraftRow: [],
                ModerationRow: [],
                EventRow: [],
            }
            for n in range(total - len(seeds)):
                seed = seeds[n % len(seeds)]
                copy = _copy(
                    seed, records[seed["id"]], next_draft + n, next_slot + n, base + timedelta(hours=n)
                )
                for table, row in zip((SlotRow, DraftRow, ModerationRow, EventRow), copy, strict=True):
                    rows[table].append(row)
            for table, values in rows.items():
                if values:
                    conn.execute(insert(table), values)
    finally:
        engine.dispose()


def _copy(
    seed: dict[str, Any], record: Any, draft_id: int, slot_id: int, at: datetime
) -> list[dict[str, Any]]:
    """The slot, draft, moderation record and creation event of one copy of ``seed``."""
    state = _COPY_STATES.get(draft_id % 10, "pending_review")
    slot = {"id": slot_id, "campaign_id": seed["campaign_id"], "slot_at": at, "state": "drafted"}
    slot |= {"created_by": "bench", "created_at": at}
    draft = seed | {"id": draft_id, "slot_id": slot_id, "state": state, "created_at": at, "updated_at": at}
    draft["expires_at"] = at + timedelta(days=2)
    moderation = {"draft_id": draft_id, "text_sha256": record.text_sha256, "decision": record.decision}
    moderation |= {"record": record.record, "created_at": at}
    event = {"at": at, "actor": "bench", "entity": "draft", "entity_id": draft_id, "from_state": None}
    event |= {"to_state": state, "reason": record.decision, "details": {}}
    return [slot, draft, moderation, event]
