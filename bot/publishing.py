"""Publishing: claim due publications with a lease, send them, record the outcome.

What each error type from an adapter leads to:

========================  =====================================================
PublishRetryable          back to ``queued`` after backoff (or the platform's
                          ``retry_after``); ``failed`` after ``max_attempts``
PublishAuthError          ``queued`` again, and the account is paused until fixed
PublishRejected           ``failed`` with the platform's reason
PublishUnknownOutcome     ``needs_check``: never retried without a check
anything else             ``needs_check`` (we cannot know whether it went out)
========================  =====================================================
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain import Publication, PublicationState
from bot.errors import (
    PublishAuthError,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
    StateConflict,
)
from bot.ports import Clock, Publisher
from bot.store.sql import SqlStore

log = logging.getLogger(__name__)


@dataclass
class PublishReport:
    published: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    needs_check: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)


class PublishingService:
    """One worker's publishing loop body; several workers may share one store."""

    def __init__(
        self,
        settings: Settings,
        store: SqlStore,
        publisher_for: Callable[[str], Publisher],
        clock: Clock,
        worker: str,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._publisher_for = publisher_for
        self.clock = clock
        self.worker = worker
        self._rng = rng or random.Random()
        self.stopping: Callable[[], bool] = lambda: False

    def run_once(self, limit: int | None = None) -> PublishReport:
        """Recover expired claims, then claim and send due publications until none are left."""
        report = PublishReport()
        self.store.recover_expired_claims(self.clock.now(), self.worker)
        budget = limit if limit is not None else 10_000
        while budget > 0 and not self.stopping():
            batch = self.store.claim_publications(
                self.worker,
                self.clock.now(),
                self.settings.publishing.lease,
                min(self.settings.publishing.batch, budget),
                accounts=self._accounts(),
            )
            if not batch:
                break
            for pub in batch:
                if self.stopping():
                    self.store.release_claims(self.worker, self.clock.now())
                    return report
                self.send(pub, report)
            budget -= len(batch)
        return report

    def send(self, pub: Publication, report: PublishReport) -> None:
        """Send one claimed publication and record what happened."""
        wait = self._pacing_delay(pub.account)
        if wait is not None:
            self._finish(
                pub,
                PublicationState.QUEUED,
                report.deferred,
                reason=f"paced until {wait:%H:%M:%S}",
                not_before=wait,
            )
            return
        post = self.store.outgoing(pub)
        publisher = self._publisher_for(pub.account)
        self.store.mark_sending(pub.id, self.worker, self.clock.now())
        try:
            result = publisher.publish(post)
        except PublishRetryable as exc:
            self._retry(pub, str(exc), exc.retry_after, report)
        except PublishAuthError as exc:
            self.store.pause_account(pub.account, str(exc), self.clock.now(), self.worker)
            self._finish(pub, PublicationState.QUEUED, report.retrying, reason=f"account paused: {exc}")
        except PublishRejected as exc:
            self._finish(pub, PublicationState.FAILED, report.failed, reason=str(exc))
        except PublishUnknownOutcome as exc:
            self._finish(pub, PublicationState.NEEDS_CHECK, report.needs_check, reason=str(exc))
        except Exception as exc:  # the send may have gone out: never retry blindly
            log.exception("publication %d: unexpected error from %s", pub.id, pub.account)
            self._finish(
                pub, PublicationState.NEEDS_CHECK, report.needs_check, reason=f"unexpected error: {exc!r}"
            )
        else:
            self._finish(
                pub, PublicationState.PUBLISHED, report.published, remote_id=result.remote_id, url=result.url
            )

    def _retry(self, pub: Publication, reason: str, retry_after: float | None, report: PublishReport) -> None:
        attempts = pub.attempts + 1
        if attempts >= self.settings.publishing.max_attempts:
            self._finish(
                pub,
                PublicationState.FAILED,
                report.failed,
                reason=f"gave up after {attempts} attempts: {reason}",
            )
            return
        delay = self.backoff(attempts, retry_after)
        self._finish(
            pub, PublicationState.QUEUED, report.retrying, reason=reason, not_before=self.clock.now() + delay
        )

    def backoff(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Exponential backoff with full jitter, at least the platform's ``retry_after``."""
        cfg = self.settings.publishing
        ceiling = min(cfg.backoff_max.total_seconds(), cfg.backoff_base.total_seconds() * 2 ** (attempts - 1))
        delay = self._rng.uniform(ceiling / 2, ceiling)
        return timedelta(seconds=max(delay, retry_after or 0.0))

    def _finish(
        self,
        pub: Publication,
        state: PublicationState,
        bucket: list[int],
        *,
        reason: str = "",
        remote_id: str | None = None,
        url: str | None = None,
        not_before: datetime | None = None,
    ) -> None:
        try:
            self.store.finish_publication(
                pub.id,
                self.worker,
                state,
                now=self.clock.now(),
                reason=reason,
                remote_id=remote_id,
                url=url,
                not_before=not_before,
            )
        except StateConflict:
            log.error("publication %d: lost the claim before recording %s (%s)", pub.id, state.value, reason)
            return
        bucket.append(pub.id)

    def _pacing_delay(self, account: str) -> datetime | None:
        """When the account may post next, if it may not post now (min interval, daily cap)."""
        cfg = self.settings.account(account)
        now = self.clock.now()
        if not cfg.daily_cap and not cfg.min_interval:
            return None
        recent = sorted(self.store.published_since(account, now - timedelta(days=1)))
        if cfg.daily_cap and len(recent) >= cfg.daily_cap:
            return recent[len(recent) - cfg.daily_cap] + timedelta(days=1)
        if cfg.min_interval and recent and recent[-1] + cfg.min_interval > now:
            return recent[-1] + cfg.min_interval
        return None

    def _accounts(self) -> list[str]:
        return [a.name for a in self.settings.accounts]
