"""Dry-run outbox: an error after the line was handed to the file (a short write, fsync, close:
ENOSPC, EIO, a pipe) is an unknown outcome (``needs_check``), never ``failed``; a check finds
the line by publication id and settles it, and ``retry`` or ``cancel`` of a failed publication
looks first.
The outbox is a FIFO drained by a reader (fsync on a pipe fails with EINVAL after the bytes
went through), as in the hostile report. The real CLI in a subprocess on SQLite and Postgres."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.platforms.dryrun import DryRunPublisher
from bot.adapters.store.sql import SqlStore
from bot.domain import OutgoingPost, PublicationState
from bot.domain.errors import PublishUnknownOutcome
from bot.domain.finding import FindStatus, PostSearch
from tests.conftest import run_cli

NOW = datetime(2030, 1, 4, 10, 1, tzinfo=UTC)


@contextmanager
def fifo_outbox(path: Path) -> Iterator[list[bytes]]:
    """``path`` as a FIFO whose reader keeps what was written; afterwards the FIFO is replaced
    by a regular file with those bytes (the outbox "restored")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    got: list[bytes] = []
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            fd = os.open(path, os.O_RDONLY)  # blocks until a writer opens it
            try:
                while chunk := os.read(fd, 65536):
                    got.append(chunk)
            finally:
                os.close(fd)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        yield got
    finally:
        stop.set()
        fd = os.open(path, os.O_RDWR)  # a writer: wakes a reader blocked in open for its last loop
        os.close(fd)
        reader.join(5)
        path.unlink()
        path.write_bytes(b"".join(got))


def _post(pub_id: int = 7) -> OutgoingPost:
    return OutgoingPost(
        publication_id=pub_id,
        draft_id=3,
        account="outbox",
        text="Mooncakes today.",
        idempotency_key="bot-3-abc",
        campaign="promo",
    )


def test_an_error_after_the_line_is_unknown_and_find_settles_it(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox.jsonl"
    publisher = DryRunPublisher("outbox", outbox)
    with fifo_outbox(outbox) as got, pytest.raises(PublishUnknownOutcome, match="may be in the file"):
        publisher.publish(_post())
    assert b'"publication_id": 7' in b"".join(got)
    search = PostSearch(
        since=NOW - timedelta(hours=1), clock_skew=timedelta(0), max_pages=1, max_time=timedelta(5)
    )
    assert publisher.find(_post(), search).status is FindStatus.FOUND
    # a later attempt of the same publication with another key (re-approved) and the same text
    rekeyed = OutgoingPost(
        publication_id=7,
        draft_id=3,
        account="outbox",
        text="Mooncakes today.",
        idempotency_key="k2",
        campaign="promo",
    )
    assert publisher.find(rekeyed, search).status is FindStatus.FOUND
    other = OutgoingPost(
        publication_id=8,
        draft_id=3,
        account="outbox",
        text="Mooncakes today.",
        idempotency_key="k3",
        campaign="promo",
    )
    assert publisher.find(other, search).status is FindStatus.ABSENT


def _ok(*args: str, config: Path, now: datetime = NOW) -> str:
    result = run_cli(*args, config=config, env={"BOT_FAKE_NOW": now.isoformat()})
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _approved(config: Path) -> int:
    _ok("db", "upgrade", config=config)
    _ok("campaigns", "sync", config=config)
    fired = json.loads(_ok("campaigns", "fire", "promo", "--at", "2030-01-04 10:00", "--json", config=config))
    _ok("queue", "approve", str(fired["drafts"][0]), config=config)
    (pub,) = json.loads(_ok("publications", "list", "--json", config=config))
    return int(pub["id"])


def _lines(outbox: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]


def test_the_pass_records_needs_check_and_a_check_finds_the_line(write_config: Any, db_url: str) -> None:
    config = write_config(database_url=db_url)
    outbox = config.parent / "data" / "outbox.jsonl"
    pub = _approved(config)
    with fifo_outbox(outbox):
        passed = json.loads(_ok("run", "--once", "--json", config=config))
    assert passed["needs_check"] == [pub] and passed["failed"] == [], passed
    shown = json.loads(_ok("publications", "show", str(pub), "--json", config=config))
    assert shown["state"] == "needs_check" and "may be in the file" in shown["last_error"]

    retry = run_cli("publications", "retry", str(pub), config=config, env={"BOT_FAKE_NOW": NOW.isoformat()})
    assert retry.returncode == 1 and "bot publications check" in retry.stderr  # look first
    checked = _ok("publications", "check", str(pub), config=config)
    assert "marked published" in checked, checked
    assert [line["publication_id"] for line in _lines(outbox)] == [pub]  # once


def _failed_in_the_outbox(config: Path, db_url: str) -> int:
    """A publication recorded failed although its line is in the outbox (as the old outbox did
    after an fsync error)."""
    outbox = config.parent / "data" / "outbox.jsonl"
    pub = _approved(config)
    with closing(SqlStore.open(db_url)) as store:
        (claimed,) = store.claim_publications("w1", NOW, timedelta(minutes=2))
        store.mark_sending(claimed.id, "w1", NOW)
        DryRunPublisher("outbox", outbox).publish(store.outgoing(claimed))
        store.finish_publication(
            claimed.id, "w1", PublicationState.FAILED, now=NOW, reason="cannot write outbox"
        )
    return pub


def test_cancel_of_a_failed_publication_looks_first(write_config: Any, db_url: str) -> None:
    """``cancel`` of a failed publication whose line is in the outbox is refused (it would
    record a post that is out as never posted), pointing to ``check``; an outbox that cannot be
    read refuses with its reason; ``--even-if-posted`` cancels without looking."""
    config = write_config(database_url=db_url)
    outbox = config.parent / "data" / "outbox.jsonl"
    pub = _failed_in_the_outbox(config, db_url)
    refused = run_cli("publications", "cancel", str(pub), config=config)
    assert refused.returncode == 1, refused.stdout
    said = refused.stderr
    assert f"publication {pub} is on outbox after all" in said and "not cancelled" in said, said
    assert f"bot publications check {pub}" in said and "--even-if-posted" in said, said
    assert "Traceback" not in said
    assert json.loads(_ok("publications", "show", str(pub), "--json", config=config))["state"] == "failed"
    kept = outbox.with_name("kept.jsonl")
    outbox.rename(kept)
    outbox.mkdir()  # an outbox that cannot be read: the search cannot tell
    unreadable = run_cli("publications", "cancel", str(pub), config=config)
    assert unreadable.returncode == 1 and "cannot be told now" in unreadable.stderr, unreadable.stderr
    assert "cannot read outbox" in unreadable.stderr and "Traceback" not in unreadable.stderr
    outbox.rmdir()
    kept.rename(outbox)
    forced = _ok(
        "publications", "cancel", str(pub), "--even-if-posted", "--reason", "old price", config=config
    )
    assert f"publication {pub}: cancelled" in forced
    shown = json.loads(_ok("publications", "show", str(pub), "--json", config=config))
    assert shown["state"] == "cancelled" and "--even-if-posted" in shown["events"][-1]["reason"]
    assert shown["events"][-1]["reason"].startswith("old price")


def test_retry_of_a_failed_publication_looks_first(write_config: Any, db_url: str) -> None:
    """A publication recorded failed although its line is in the outbox (as the old outbox did
    after an fsync error) is not queued again by ``retry``, nor ``retry --force``; ``check``
    records the line as its post."""
    config = write_config(database_url=db_url)
    outbox = config.parent / "data" / "outbox.jsonl"
    pub = _failed_in_the_outbox(config, db_url)
    refused = run_cli("publications", "retry", str(pub), config=config, env={"BOT_FAKE_NOW": NOW.isoformat()})
    assert refused.returncode == 1, refused.stdout
    assert f"publication {pub} is already on outbox" in refused.stderr
    assert f"bot publications check {pub}" in refused.stderr
    assert json.loads(_ok("publications", "show", str(pub), "--json", config=config))["state"] == "failed"
    forced = run_cli(
        "publications", "retry", str(pub), "--force", config=config, env={"BOT_FAKE_NOW": NOW.isoformat()}
    )
    assert forced.returncode == 1 and "would post it twice" in forced.stderr  # --force looks too
    _ok("run", "--once", "--json", config=config)
    assert len(_lines(outbox)) == 1
    assert "marked published" in _ok("publications", "check", str(pub), config=config)
    assert json.loads(_ok("publications", "show", str(pub), "--json", config=config))["state"] == "published"
