"""The daemon's store: opened on first use (the database may be down when the daemon starts),
and keeping in memory every publication outcome it could not record.

A send that reached the platform while the database went away leaves its publication claimed
with ``sending_at`` stamped, so no worker sends it again; the outcome the platform answered is
kept here and recorded first thing when the database answers again. If the claim was recovered
meanwhile (its lease ran out and another daemon turned it into ``needs_check``), a ``published``
outcome still settles it from ``needs_check``: the post is known to be out, it is never resent.

A daemon stopped while the database is still away saves what it kept to
``<data_dir>/daemons/<worker>.kept.json``; the next daemon started on this host adopts the file
(an atomic rename, so only one does) and records those outcomes first.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain import PublicationState
from bot.domain.errors import StateConflict, StoreError, StoreUnavailable
from bot.domain.ports import Store

log = logging.getLogger(__name__)

_P = PublicationState


@dataclass(frozen=True)
class KeptOutcome:
    """A ``finish_publication`` call that the database did not take."""

    pub_id: int
    worker: str
    state: PublicationState
    now: datetime
    reason: str
    remote_id: str | None
    url: str | None
    not_before: datetime | None
    check_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        for key in ("now", "not_before"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeptOutcome:
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        now = when(data["now"])
        assert now is not None
        return cls(
            pub_id=int(data["pub_id"]),
            worker=str(data["worker"]),
            state=PublicationState(data["state"]),
            now=now,
            reason=str(data.get("reason") or ""),
            remote_id=data.get("remote_id"),
            url=data.get("url"),
            not_before=when(data.get("not_before")),
        )

    def describe(self) -> str:
        where = f" as {self.remote_id}" if self.remote_id else ""
        return f"publication {self.pub_id}: {self.state.value}{where} at {self.now:%H:%M:%S}"


class KeepingStore:
    """A :class:`~bot.domain.ports.Store` that opens lazily and keeps unrecorded outcomes.

    Every other method is the real store's (attribute lookup falls through to it).
    """

    def __init__(self, open_store: Callable[[], Store]) -> None:
        self._open = open_store
        self._inner: Store | None = None
        self.kept: list[KeptOutcome] = []

    @property
    def inner(self) -> Store:
        """The real store, opened now if it is not yet (raises StoreUnavailable while down)."""
        if self._inner is None:
            self._inner = self._open()
        return self._inner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def finish_publication(
        self,
        pub_id: int,
        worker: str,
        new: PublicationState,
        *,
        now: datetime,
        reason: str = "",
        remote_id: str | None = None,
        url: str | None = None,
        not_before: datetime | None = None,
        check_at: datetime | None = None,
    ) -> None:
        """Record an outcome; if the database is unavailable, keep it and raise."""
        try:
            self.inner.finish_publication(
                pub_id, worker, new, now=now, reason=reason, remote_id=remote_id, url=url,
                not_before=not_before, check_at=check_at,
            )  # fmt: skip
        except StoreUnavailable:
            kept = KeptOutcome(pub_id, worker, new, now, reason, remote_id, url, not_before, check_at)
            self.kept.append(kept)
            log.warning("%s: kept in memory until the database answers (%s)", kept.describe(), reason or "-")
            raise

    def record_kept(self) -> int:
        """Record the kept outcomes, oldest first; return how many. Raises StoreUnavailable
        (keeping the rest) while the database is still away."""
        done = 0
        while self.kept:
            kept = self.kept[0]
            try:
                self._record(kept)
            except StoreUnavailable:
                raise
            except StoreError as exc:
                # e.g. someone moved it by hand meanwhile: nothing safe left to do here.
                log.error("%s: not recorded: %s", kept.describe(), exc)
            self.kept.pop(0)
            done += 1
        return done

    def _record(self, kept: KeptOutcome) -> None:
        store = self.inner
        try:
            store.finish_publication(
                kept.pub_id,
                kept.worker,
                kept.state,
                now=kept.now,
                reason=kept.reason,
                remote_id=kept.remote_id,
                url=kept.url,
                not_before=kept.not_before,
                check_at=kept.check_at,
            )
        except StateConflict:
            pass
        else:
            log.info("%s: recorded after the outage", kept.describe())
            return
        current = store.get_publication(kept.pub_id)
        if current.state is kept.state and current.remote_id == kept.remote_id:
            # The first attempt did commit; only its answer was lost with the connection.
            log.info("%s: was recorded after all", kept.describe())
            return
        if kept.state is _P.PUBLISHED and current.state is _P.NEEDS_CHECK:
            store.move_publication(
                kept.pub_id,
                [_P.NEEDS_CHECK],
                _P.PUBLISHED,
                now=kept.now,
                actor=kept.worker,
                reason="sent before a database outage; recorded when it ended",
                remote_id=kept.remote_id,
                url=kept.url,
            )
            log.info("%s: recorded after the outage (its claim had been recovered)", kept.describe())
            return
        log.error(
            "%s: not recorded: the publication is %s now (its claim was recovered; a check settles it)",
            kept.describe(),
            current.state.value,
        )

    def save(self, path: Path) -> int:
        """Write the outcomes still kept to ``path`` (for the next daemon); return how many."""
        if not self.kept:
            return 0
        body = {"pid": os.getpid(), "outcomes": [k.to_json() for k in self.kept]}
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(body), encoding="utf-8")
        temporary.replace(path)
        saved = len(self.kept)
        for kept in self.kept:
            log.warning("%s: saved to %s; the next daemon records it", kept.describe(), path)
        self.kept = []
        return saved

    def adopt(self, directory: Path) -> int:
        """Take over the outcomes saved by daemons that are gone; return how many."""
        adopted = 0
        for path in sorted(directory.glob("*.kept.json")):
            mine = path.with_name(f"{path.name}.{os.getpid()}")
            try:
                path.rename(mine)  # atomic: only one daemon adopts a file
                body = json.loads(mine.read_text(encoding="utf-8"))
                outcomes = [KeptOutcome.from_json(item) for item in body["outcomes"]]
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.error("cannot read the saved outcomes in %s: %s", path, exc)
                continue
            self.kept.extend(outcomes)
            adopted += len(outcomes)
            with contextlib.suppress(OSError):
                mine.unlink()
            log.info("adopted %d publication outcome(s) saved in %s", len(outcomes), path)
        return adopted

    def close(self) -> None:
        """Close the real store if it was opened; log the outcomes that could not be recorded."""
        for kept in self.kept:
            log.error(
                "%s: never recorded (the database stayed away); the claim turns needs_check when its "
                "lease runs out, and a check finds the post",
                kept.describe(),
            )
        if self._inner is not None:
            self._inner.close()
            self._inner = None
