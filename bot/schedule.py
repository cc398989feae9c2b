"""The daemon's alarm clock: APScheduler, through its public API only.

APScheduler is only a clock here: its job store lives in memory and is rebuilt from the
campaigns at every start (:class:`Alarm`); durable state (slots, drafts) lives in our tables.
The arithmetic of fire times belongs to the triggers themselves
(:mod:`bot.config.triggers`, with the DST rules of :mod:`bot.domain.wallclock`).

Whatever the trigger, the daemon stores each fire time as one slot row keyed by (campaign,
UTC instant): a slot can be made only once, and a pass that finds a fire time without a row
makes it (or records it as skipped, see :mod:`bot.services.catchup`), so none is lost silently.
The alarm only wakes the daemon sooner than its ``poll_interval``; a missed alarm costs latency,
never a slot.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger as ApsDate

from bot.domain.ports import Clock

log = logging.getLogger(__name__)


class Alarm:
    """Wakes the daemon at given instants: APScheduler with an in-memory job store.

    Each key (a campaign name) has at most one pending wake-up; setting it again replaces it.
    ``on_fire`` runs on one of APScheduler's threads, so it should only poke the daemon.
    Instants are read on ``clock`` (a test's clock may stand still or jump): the alarm rings
    when as much real time has passed as the clock says is left.
    """

    def __init__(self, on_fire: Callable[[str], None], clock: Clock | None = None) -> None:
        self._on_fire = on_fire
        self._clock = clock
        self._lock = threading.Lock()
        # One INFO line per added job would drown the log: the daemon logs what matters.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": None}
        )

    def start(self) -> None:
        """Start the clock thread."""
        self._scheduler.start()

    def set(self, key: str, at: datetime | None) -> None:
        """Wake at ``at`` for ``key`` (None: no wake-up for it)."""
        with self._lock:
            if at is None:
                # The job may have just fired and been removed by the scheduler's thread.
                with contextlib.suppress(JobLookupError):
                    self._scheduler.remove_job(key)
                return
            if self._clock is not None:
                at = datetime.now(UTC) + (at - self._clock.now())
            # Add or replace in one step under the scheduler's own lock (no remove-then-add
            # window in which its thread could remove the fired job first).
            self._scheduler.add_job(
                self._on_fire,
                ApsDate(run_date=at, timezone=UTC),
                args=[key],
                id=key,
                name=key,
                replace_existing=True,
            )

    def clear(self) -> None:
        """Forget every wake-up (the job store is rebuilt from the campaigns on reload)."""
        with self._lock:
            self._scheduler.remove_all_jobs()

    def pending(self) -> dict[str, datetime]:
        """Key -> next wake-up instant (UTC, real time)."""
        with self._lock:
            return {
                job.id: job.next_run_time.astimezone(UTC)
                for job in self._scheduler.get_jobs()
                if job.next_run_time is not None
            }

    def stop(self) -> None:
        """Stop the clock thread (pending wake-ups are dropped: they live in memory only)."""
        with self._lock:
            if not self._scheduler.running:
                return
            # APScheduler 3 flips its state to "stopped" before it waits for a round of job
            # processing in flight, and such a round then fails to remove the job it just ran.
            # So: pause (later rounds do nothing), remove every job (this waits for the round
            # in flight, which holds the job stores while it runs), then shut down.
            self._scheduler.pause()
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=True)
