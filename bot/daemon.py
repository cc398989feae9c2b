"""The daemon: fires due slots, drafts them, expires old drafts and publishes approved posts.

Lifecycle: ``start`` (checks, APScheduler clock) -> ``loop`` -> ``stop`` on SIGTERM/SIGINT
(the send in flight finishes, unsent claims are released). ``bot run --once`` runs one pass
of the same work and returns.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

from bot.app import App
from bot.domain import Slot
from bot.errors import BotError
from bot.publishing import PublishReport
from bot.schedule import fire_times

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    """What one pass of the daemon did."""

    slots: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    failed_slots: list[str] = field(default_factory=list)
    publishing: PublishReport = field(default_factory=PublishReport)


def due_slots(app: App, now: datetime) -> list[Slot]:
    """Create the slots due within the catch-up grace window (unique: one winner per slot)."""
    grace = app.settings.bot.catch_up_grace
    created = []
    for record in app.store.list_campaigns(active_only=True):
        try:
            campaign = app.settings.campaign(record.name)
        except KeyError:
            continue
        if not campaign.enabled:
            continue
        zone = app.settings.zone_of(campaign)
        for instant in fire_times(campaign.when, zone, now - grace, now):
            slot = app.store.create_slot(record.id, instant, now, app.worker)
            if slot is not None:
                created.append(slot)
    return created


def run_pass(app: App) -> PassReport:
    """One pass: expire, fire due slots and draft them, then publish what is due."""
    report = PassReport()
    now = app.clock.now()
    report.expired = app.store.expire_drafts(now, app.worker)
    for slot in due_slots(app, now):
        report.slots.append(slot.id)
        try:
            report.drafts.extend(app.drafting.draft_slot(slot))
        except BotError as exc:
            log.error("slot %d of %s failed: %s", slot.id, slot.campaign_name, exc)
            report.failed_slots.append(f"{slot.campaign_name}: {exc}")
    report.publishing = app.publishing.run_once()
    return report


class Daemon:
    """``bot run``: passes every ``poll_interval`` until told to stop."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._stop = threading.Event()
        app.publishing.stopping = self._stop.is_set

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        log.info("received %s: finishing the send in flight, then stopping", signal.Signals(signum).name)
        self._stop.set()

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        log.info("daemon %s started on %s", self.app.worker, self.app.store.engine.url.render_as_string())
        interval = self.app.settings.bot.poll_interval.total_seconds()
        try:
            while not self._stop.is_set():
                try:
                    run_pass(self.app)
                except BotError as exc:
                    log.error("pass failed: %s", exc)
                self._stop.wait(interval)
        finally:
            released = self.app.store.release_claims(self.app.worker, self.app.clock.now())
            log.info("daemon %s stopped; released %d claims", self.app.worker, released)
