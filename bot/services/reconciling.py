"""Reconciliation of ``needs_check`` publications: find the post, never re-post on a guess.

A publication whose send may have reached the platform (a timeout, a dropped connection, a
5xx, an unreadable answer, a crash during the send) is ``needs_check``. The daemon checks it
by itself once the send has settled (``[publishing] settle``, so late listings have caught
up), under a check lease (two daemons never check the same one):

- **found** on the account (at or after the send stamp less ``clock_skew``): ``published``;
- **absent**, only when the search provably covered every post since then: ``queued`` again;
- **unknown** (a bound was hit, a rate limit, an error, a listing that ended too early):
  still ``needs_check``, tried again after ``check_backoff`` (doubling), and after
  ``check_tries`` tries left to a person (``bot publications check/retry --force/cancel``).

A person's ``check`` is the same search and the same rule: it re-queues only on proven
absence, so it can never re-post. Asked before the send has settled, it looks anyway: a post
found is ``published``; one not found stays ``needs_check`` (a listing may lag), and the
answer says when absence can be proven.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain import OutgoingPost, Publication, PublicationState, PublishResult
from bot.domain.errors import BotError, ConfigError, StateConflict
from bot.domain.finding import FindAnswer, FindStatus, PostSearch
from bot.domain.ports import Clock, PublicationStore, Publisher
from bot.domain.text import split_parts

log = logging.getLogger(__name__)

_P = PublicationState


@dataclass(frozen=True)
class CheckOutcome:
    """What one check found."""

    publication: Publication
    found: bool
    message: str
    status: FindStatus = FindStatus.UNKNOWN


@dataclass
class CheckReport:
    """What a pass of automatic checks did, by publication id."""

    found: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    unresolved: list[int] = field(default_factory=list)
    to_person: list[int] = field(default_factory=list)


class Reconciler:
    """Checks ``needs_check`` publications against their accounts."""

    def __init__(
        self,
        settings: Settings,
        store: PublicationStore,
        publisher_for: Callable[[str], Publisher],
        outgoing: Callable[[Publication], OutgoingPost],
        clock: Clock,
        worker: str,
    ) -> None:
        self.settings = settings
        self.store = store
        self._publisher_for = publisher_for
        self._outgoing = outgoing
        self.clock = clock
        self.worker = worker

    @property
    def lease(self) -> timedelta:
        """A check lease outlasts the longest search (its time bound, plus a last page), with a margin."""
        return self.settings.publishing.check_time * 2 + timedelta(seconds=5)

    def search_for(self, pub: Publication) -> PostSearch:
        """From the first send (or, if never stamped, from the publication's creation)."""
        cfg = self.settings.publishing
        return PostSearch(
            since=pub.first_sent_at or pub.created_at,
            clock_skew=cfg.clock_skew,
            max_pages=cfg.check_pages,
            max_time=cfg.check_time,
        )

    def settled_at(self, pub: Publication) -> datetime:
        """When a listing may be trusted to show the latest send (the daemon's ``check_at``
        already counts from when the outcome became unknown)."""
        sent = pub.last_sent_at or pub.first_sent_at or pub.created_at
        return sent + self.settings.publishing.settle

    def run_due(self, limit: int, stopping: Callable[[], bool] = lambda: False) -> CheckReport:
        """Check the due ``needs_check`` publications (at most ``limit``)."""
        report = CheckReport()
        if self.settings.publishing.check_tries == 0:
            return report
        for pub in self.store.claim_checks(self.worker, self.clock.now(), self.lease, limit):
            if stopping():
                self._release(pub)
                continue
            outcome = self._check(pub, self.worker, automatic=True)
            bucket = {
                FindStatus.FOUND: report.found,
                FindStatus.ABSENT: report.requeued,
            }.get(outcome.status, report.unresolved)
            bucket.append(pub.id)
            if outcome.publication.state is _P.NEEDS_CHECK and outcome.publication.check_at is None:
                report.to_person.append(pub.id)
        return report

    def settle_from_now(self, pub_ids: list[int]) -> None:
        """Publications that just became ``needs_check`` (a recovered claim: the send may have
        been answered only now) are checked no sooner than ``settle`` from now."""
        now = self.clock.now()
        for pub_id in pub_ids:
            for pub in self.store.claim_checks(self.worker, now, self.lease, 1, pub_id=pub_id):
                self.store.finish_check(
                    pub.id, self.worker, _P.NEEDS_CHECK, now=now, reason=pub.last_error or "",
                    check_at=now + self.settings.publishing.settle, tried=False,
                )  # fmt: skip

    def check(self, pub_id: int, actor: str) -> CheckOutcome:
        """A person's check: the same search and rule as the daemon's (never re-posts on a guess).

        Raises:
            StateConflict: the publication is not waiting for a check, or is being checked.
        """
        pub = self.store.get_publication(pub_id)
        if pub.state is not _P.NEEDS_CHECK:
            raise StateConflict(
                f"publication {pub_id} is {pub.state.value}; only needs_check ones (and failed ones "
                "that were sent) are checked"
            )
        taken = self.store.claim_checks(actor, self.clock.now(), self.lease, 1, pub_id=pub_id)
        if not taken:
            raise StateConflict(
                f"publication {pub_id} is being checked by a daemon right now; try again shortly"
            )
        return self._check(taken[0], actor, automatic=False)

    def _release(self, pub: Publication) -> None:
        self.store.finish_check(
            pub.id, self.worker, _P.NEEDS_CHECK, now=self.clock.now(), reason=pub.last_error or "",
            check_at=pub.check_at, tried=False,
        )  # fmt: skip

    def _check(self, pub: Publication, actor: str, *, automatic: bool) -> CheckOutcome:
        now = self.clock.now()
        settled = self.settled_at(pub)
        if now < settled and automatic:
            moved = self.store.finish_check(
                pub.id, actor, _P.NEEDS_CHECK, now=now, reason=pub.last_error or "",
                check_at=settled, tried=False,
            )  # fmt: skip
            return CheckOutcome(
                moved, False, f"too early to tell: the send may not be listed before {settled:%H:%M:%S} UTC"
            )
        answer = self._find(pub)
        if answer.status is FindStatus.FOUND and answer.post is not None:
            other = self.recorded_elsewhere(pub, answer.post.remote_id)
            total = len(split_parts(self._outgoing(pub).text))
            if other is None and total > 1:
                return self._first_part(pub, actor, answer.post, total)
            if other is None:
                moved = self.store.finish_check(
                    pub.id, actor, _P.PUBLISHED, now=self.clock.now(),
                    reason="found on the account by a check", remote_id=answer.post.remote_id,
                    url=answer.post.url,
                )  # fmt: skip
                message = f"found on {pub.account} as {answer.post.remote_id}: marked published"
                return CheckOutcome(moved, True, message, FindStatus.FOUND)
            answer = FindAnswer.unknown(
                f"the matching post {answer.post.remote_id} on {pub.account} is already recorded for "
                f"publication {other}; look on the account, then use retry --force or cancel"
            )
        if now < settled:
            return self._not_yet(pub, actor, answer, settled)
        if answer.status is FindStatus.ABSENT:
            return self._absent(pub, actor, answer)
        return self._unresolved(pub, actor, answer, automatic)

    def _first_part(self, pub: Publication, actor: str, found: PublishResult, total: int) -> CheckOutcome:
        """A thread's first part is on the account: a check cannot tell whether the others
        went out (a send stops at the first part whose answer is lost), so it is ``partial``."""
        reason = (
            f"found the first of {total} parts on {pub.account} as {found.remote_id}; whether the "
            "others went out is not known (a check looks for the first part only): look at the "
            "account, post what is missing by hand and cancel this, or delete the posted parts "
            "and retry --force"
        )
        moved = self.store.finish_check(
            pub.id, actor, _P.PARTIAL, now=self.clock.now(), reason=reason,
            remote_id=found.remote_id, url=found.url,
        )  # fmt: skip
        return CheckOutcome(moved, True, f"{reason}: partial", FindStatus.FOUND)

    def _not_yet(self, pub: Publication, actor: str, answer: FindAnswer, settled: datetime) -> CheckOutcome:
        """A person looked before the send settled and the post was not found: a listing may
        lag behind a send, so this proves nothing; nothing changes but the record of the look."""
        wait = max(0, round((settled - self.clock.now()).total_seconds()))
        when = f"{settled:%Y-%m-%d %H:%M:%S} UTC (in {wait} s)"
        reason = f"checked by {actor} before the send settled: not found yet ({answer.reason})"
        moved = self.store.finish_check(
            pub.id, actor, _P.NEEDS_CHECK, now=self.clock.now(), reason=reason,
            check_at=pub.check_at, tried=False,
        )  # fmt: skip
        message = (
            f"not found on {pub.account} yet ({answer.reason}); nothing changed: a listing may lag "
            f"behind a send, so the post can be proven absent only after {when}; check again "
            "then, or let the daemon do it"
        )
        return CheckOutcome(moved, False, message, FindStatus.UNKNOWN)

    def _absent(self, pub: Publication, actor: str, answer: FindAnswer) -> CheckOutcome:
        """Proven absent: queued again, or failed once ``max_attempts`` sends are used up."""
        max_attempts = self.settings.publishing.max_attempts
        if pub.attempts >= max_attempts:
            reason = f"gave up after {pub.attempts} attempts; checked: not on the account: {answer.reason}"
            moved = self.store.finish_check(pub.id, actor, _P.FAILED, now=self.clock.now(), reason=reason)
            return CheckOutcome(moved, False, f"proven absent, {reason}: failed", FindStatus.ABSENT)
        reason = f"checked: absent: {answer.reason}"
        moved = self.store.finish_check(pub.id, actor, _P.QUEUED, now=self.clock.now(), reason=reason)
        return CheckOutcome(
            moved,
            False,
            f"not found on {pub.account}, proven absent ({answer.reason}): queued again",
            FindStatus.ABSENT,
        )

    def _unresolved(self, pub: Publication, actor: str, answer: FindAnswer, automatic: bool) -> CheckOutcome:
        cfg = self.settings.publishing
        now = self.clock.now()
        tries = pub.check_tries + 1
        if not automatic:
            check_at, reason = pub.check_at, f"checked by {actor}: {answer.reason}"
        elif tries < cfg.check_tries:
            check_at = now + cfg.check_backoff * 2 ** (tries - 1)
            reason = f"check {tries} of {cfg.check_tries} unresolved: {answer.reason}"
        else:
            check_at = None
            reason = (
                f"the daemon gave up after {tries} checks ({answer.reason}); a person decides: "
                "bot publications check / retry --force / cancel"
            )
            log.warning("publication %d: %s", pub.id, reason)
        moved = self.store.finish_check(
            pub.id, actor, _P.NEEDS_CHECK, now=now, reason=reason, check_at=check_at, tried=automatic
        )
        return CheckOutcome(moved, False, f"unknown, nothing changed: {answer.reason}", FindStatus.UNKNOWN)

    def look(self, pub: Publication, since: datetime | None = None) -> FindAnswer:
        """Search the account for the publication's post (what a check does, or from ``since``
        instead of the send stamp), changing nothing."""
        return self._find(pub, since)

    def _find(self, pub: Publication, since: datetime | None = None) -> FindAnswer:
        search = self.search_for(pub)
        if since is not None:
            search = replace(search, since=since)
        try:
            publisher = self._publisher_for(pub.account)
            return publisher.find(self._outgoing(pub), search)
        except ConfigError as exc:
            return FindAnswer.unknown(f"cannot build the publisher for {pub.account}: {exc}")
        except BotError as exc:
            return FindAnswer.unknown(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a search that broke proves nothing
            log.exception("publication %d: the search failed", pub.id)
            return FindAnswer.unknown(f"the search failed: {type(exc).__name__}")

    def recorded_elsewhere(self, pub: Publication, remote_id: str) -> int | None:
        """Two drafts with the same text: a post already recorded for another one (published,
        or a thread's first part) is not this one."""
        for other in self.store.list_publications(account=pub.account, states=[_P.PUBLISHED, _P.PARTIAL]):
            if other.remote_id == remote_id and other.id != pub.id:
                return other.id
        return None
