"""Publishing: claim due publications with a lease, send them, record the outcome.

What each error type from an adapter leads to:

========================  =====================================================
PublishRetryable          back to ``queued`` after backoff (or the platform's
                          ``retry_after``); ``failed`` after ``max_attempts``
PublishAuthError          ``queued`` again, and the account is paused until fixed
                          (``bot accounts resume``); other accounts go on
PublishRejected           ``failed`` with the platform's reason
PublishDuplicate          refused as the same text as a post on the account:
                          ``published`` only if a search from the send stamp
                          finds it and no other publication has it; else
                          ``failed`` saying whose it is (unknown: ``needs_check``)
PublishPartial            ``partial``: a thread stopped part-way; never re-sent
                          (its first parts would be posted twice); a person
                          finishes it by hand or removes the parts and retries
PublishUnknownOutcome     ``needs_check``: never re-sent without a proven
                          absence, on every platform (an Idempotency-Key
                          is sent to Mastodon, but never trusted: a server
                          or proxy may ignore it)
anything else             ``needs_check`` (we cannot know whether it went out)
========================  =====================================================

Pictures are uploaded before the send stamp (:meth:`PublishingService._media`), and their
platform ids recorded (``record_media_ids``): a failed upload is a retry whatever the error
says, since no post exists yet (rejected credentials still pause the account, a refusal for
good still fails). The next attempt reuses recorded ids while the platform keeps them
(``MediaUploader.media_reuse``: X and Mastodon), else uploads again (Bluesky, Reddit).

A crash between the send and the record leaves the claim with ``sending_at`` stamped; when
its lease runs out, :meth:`~bot.adapters.store.publications.PublicationsSql.recover_expired_claims`
turns it into ``needs_check``. Each pass then reconciles the due ``needs_check`` publications
(:mod:`bot.services.reconciling`): found is ``published``, proven absent is queued again,
anything else waits for the next try or a person.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.config import Settings
from bot.domain import OutgoingPost, Publication, PublicationState, PublishResult, past_expiry
from bot.domain.errors import (
    BotError,
    ConfigError,
    MediaError,
    NotConfigured,
    PublishAuthError,
    PublishDuplicate,
    PublishPartial,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
    StateConflict,
)
from bot.domain.finding import FindAnswer, FindStatus
from bot.domain.ports import (
    AccountStore,
    Clock,
    DaemonStore,
    DraftStore,
    EventLog,
    MediaUploader,
    PublicationStore,
    Publisher,
)
from bot.domain.text import split_parts
from bot.services.expiry import stale_reason, stale_refusal
from bot.services.reconciling import CheckOutcome, CheckReport, Reconciler
from bot.services.reviewers import authorize
from bot.services.status import dead_owner

if TYPE_CHECKING:
    from bot.services.media import MediaService

log = logging.getLogger(__name__)

_P = PublicationState


class _PublishingStore(PublicationStore, AccountStore, EventLog, DraftStore, DaemonStore, Protocol):
    """What publishing needs of the store: publications, the accounts' pause state, the
    event log (when a publication's pictures were uploaded), the drafts (their pictures'
    source files, when a fitted copy must be made again) and the daemons (whether the owner
    of a claim is alive)."""


@dataclass
class PublishReport:
    published: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    needs_check: list[int] = field(default_factory=list)
    #: Threads that stopped part-way (first parts posted): a person decides.
    partial: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    #: Not sent: their campaign was removed from the config or disabled.
    cancelled: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)
    #: Of ``failed``: claimed past their draft's expiry, not sent (stale).
    stale: list[int] = field(default_factory=list)
    checks: CheckReport = field(default_factory=CheckReport)


#: How far back a post the platform calls a duplicate is looked for, to say whose it is (X
#: and Reddit compare with the posts of about the last day).
DUPLICATE_WINDOW = timedelta(days=1)

#: What a forced retry adds to its reason, by the state it leaves.
_RETRY_NOTE = {
    PublicationState.NEEDS_CHECK: " without a check",
    PublicationState.PARTIAL: " after the posted parts were removed",
}


class PublishingService:
    """One worker's publishing loop body; several workers may share one store."""

    def __init__(
        self,
        settings: Settings,
        store: _PublishingStore,
        publisher_for: Callable[[str], Publisher],
        clock: Clock,
        worker: str,
        rng: random.Random | None = None,
        forget: Callable[[str], None] | None = None,
        media: Callable[[], MediaService] | None = None,
    ) -> None:
        self.settings = settings
        #: Fits again a picture copy missing from the data directory (None: sent as stored;
        #: built on first use, so a pass without pictures never loads Pillow).
        self._media_service = media
        #: Drops an account's cached publisher after its credentials were rejected, so that
        #: fixed secret files are read again once the account is resumed.
        self._forget = forget or (lambda _account: None)
        self.store = store
        self._publisher_for = publisher_for
        self.clock = clock
        self.worker = worker
        self._rng = rng or random.Random()
        #: Claims this worker gave back because it was stopping (the daemon's ``stopped`` line).
        self.released_at_stop = 0
        #: The accounts' pause marks as last seen (:meth:`_refresh_clients`).
        self._marks: dict[str, str] | None = None
        #: Accounts this pass paused (credentials rejected): the rest of their batch waits.
        self._paused_now: dict[str, str] = {}
        self.reconciler = Reconciler(settings, store, publisher_for, self.outgoing, clock, worker)

    def run_once(
        self, limit: int | None = None, stopping: Callable[[], bool] = lambda: False
    ) -> PublishReport:
        """Recover expired claims, then claim and send due publications until none are left.

        ``stopping`` is asked between sends: when it says so, the claims not yet sent are
        released and the pass returns (the send in flight always finishes)."""
        report = PublishReport()
        self._paused_now = {}
        self._refresh_clients()
        _, to_check = self.store.recover_expired_claims(self.clock.now(), self.worker)
        report.recovered.extend(to_check)
        if to_check:
            self.reconciler.settle_from_now(to_check)
        if not stopping():
            report.checks = self.reconciler.run_due(self.settings.publishing.batch, stopping)
        budget = limit if limit is not None else 10_000
        while budget > 0 and not stopping():
            batch = self.store.claim_publications(
                self.worker,
                self.clock.now(),
                self.settings.publishing.lease,
                min(self.settings.publishing.batch, budget),
                accounts=self._accounts(),
            )
            if not batch:
                break
            self._refresh_clients()  # an account resumed since the pass began: fresh credentials
            posts = self.store.outgoing_posts(batch)
            for pub in batch:
                if stopping():
                    self.released_at_stop += self.store.release_claims(self.worker, self.clock.now())
                    return report
                self.send(pub, report, posts[pub.id])
            budget -= len(batch)
        return report

    def _refresh_clients(self) -> None:
        """Drop the cached client of every account paused or resumed since the last look
        (another process's ``bot accounts resume``, or another daemon's pause): a client built
        before (by a send, or by a check of a ``needs_check`` post while the account was
        paused) holds the credentials read then, and the fixed ones must be read again before
        anything is sent on the account; otherwise the old ones pause it again at once."""
        marks = self.store.account_marks()
        if self._marks is not None:
            for account in sorted(set(marks) | set(self._marks)):
                if marks.get(account) != self._marks.get(account):
                    log.info("account %s was paused or resumed: its client is built again", account)
                    self._forget(account)
        self._marks = marks

    def send(self, pub: Publication, report: PublishReport, post: OutgoingPost | None = None) -> None:
        """Send one claimed publication and record what happened."""
        post = post or self.store.outgoing(pub)
        if self._stale(pub, post, report):
            return
        if why := self._paused_now.get(pub.account):  # rejected earlier in this pass: not tried
            self._finish(pub, _P.QUEUED, report.deferred, reason=f"account paused: {why}")
            return
        wait = self._pacing_delay(pub.account)
        if wait is not None:
            reason = f"paced until {wait:%Y-%m-%d %H:%M:%S} UTC"
            self._finish(pub, _P.QUEUED, report.deferred, reason=reason, not_before=wait)
            return
        publisher = self._publisher(pub, report)
        if publisher is None:
            return
        post = self._with_options(post)
        if pulled := self._pulled(post.campaign, pub.id):
            # queued again after the sync held the campaign's posts (a check that proved it
            # absent, a backoff, a retry), or claimed before the sync: a pulled campaign's
            # post never goes out by itself
            self._cancel_pulled(pub, pulled, report)
            return
        media_ids: tuple[str, ...] = ()
        if post.media:
            restored = self._restored(pub, post, report)
            if restored is None:
                return
            post = restored
            uploaded = self._media(pub, publisher, post, report)
            if uploaded is None:
                return
            media_ids = uploaded
        try:
            self.store.mark_sending(pub.id, self.worker, self.clock.now(), self.settings.publishing.lease)
        except StateConflict as exc:
            log.warning("publication %d: not sent: %s", pub.id, exc)
            if pulled := self.store.pulled(pub.id):  # a sync pulled it during the upload
                self._cancel_pulled(pub, pulled, report)
            return
        self._deliver(pub, publisher, post, report, media_ids)

    def _stale(self, pub: Publication, post: OutgoingPost, report: PublishReport) -> bool:
        """A publication claimed at or after its draft's expiry is not sent (it waited for a
        paused account, a cap, a daemon or database outage, a retry's backoff): ``failed``, the
        reason saying so and how to send it anyway; unless a person forced it (``retry --force``)."""
        if not past_expiry(post.expires_at, self.clock.now()) or self.store.late_send_allowed(pub.id):
            return False
        assert post.expires_at is not None
        reason = stale_reason(pub, post.expires_at, post.campaign)
        log.warning("publication %d: %s", pub.id, reason)
        self._finish(pub, _P.FAILED, report.failed, reason=reason)
        report.stale.append(pub.id)
        return True

    def _cancel_pulled(self, pub: Publication, why: str, report: PublishReport) -> None:
        log.warning("publication %d: not sent: %s", pub.id, why)
        self._finish(pub, _P.CANCELLED, report.cancelled, reason=why)

    def _deliver(
        self,
        pub: Publication,
        publisher: Publisher,
        post: OutgoingPost,
        report: PublishReport,
        media_ids: Sequence[str] = (),
    ) -> None:
        try:
            if media_ids:
                assert isinstance(publisher, MediaUploader)  # _media refused any other
                result = publisher.publish(post, media_ids)
            else:
                result = publisher.publish(post)
        except Exception as exc:
            self._failed(pub, publisher, exc, report, sent=True)
        else:
            self._finish(pub, _P.PUBLISHED, report.published, remote_id=result.remote_id, url=result.url)

    def _failed(
        self, pub: Publication, publisher: Publisher, exc: Exception, report: PublishReport, *, sent: bool
    ) -> None:
        """Record what an error from the publisher leads to. ``sent``: it came from the send
        itself (an unknown outcome may be a post); else from an upload (no post exists)."""
        if isinstance(exc, PublishRetryable):
            self._retry(pub, str(exc), exc.retry_after, report)
        elif isinstance(exc, PublishAuthError):
            self._pause(pub, str(exc), report)
        elif isinstance(exc, PublishDuplicate) and sent:
            self._duplicate(pub, exc, report)
        elif isinstance(exc, PublishRejected):
            self._finish(pub, _P.FAILED, report.failed, reason=str(exc))
        elif isinstance(exc, PublishPartial):
            self._partial(pub, exc, report)
        elif not sent:  # an upload that may or may not have arrived: nothing was posted
            if not isinstance(exc, PublishUnknownOutcome):
                log.exception("publication %d: unexpected error uploading to %s", pub.id, pub.account)
            self._retry(pub, f"upload failed, nothing posted: {exc or type(exc).__name__}", None, report)
        elif isinstance(exc, PublishUnknownOutcome):
            self._unknown(pub, str(exc), report)
        else:  # the send may have gone out: never retry blindly
            log.error("publication %d: unexpected error from %s", pub.id, pub.account, exc_info=exc)
            self._unknown(pub, f"unexpected error: {type(exc).__name__}", report)

    def _duplicate(self, pub: Publication, exc: PublishDuplicate, report: PublishReport) -> None:
        """The platform refused the post as the same text as one on the account. That post is
        this publication's (an earlier send of it was stored after all) only if the search a
        check makes (from the send stamp) finds it and no other publication has it; a post of
        another publication, or one from before this publication's first send, is not: then
        this one failed, saying whose it is (adopting it would record one post for two
        publications, and nothing would go out).

        Each search may take a check's time bound and more (``check_time``, a last page): the
        claim is renewed before each (:meth:`_hold_for_search`), so that no other worker's
        recovery takes it over meanwhile."""
        if not self._hold_for_search(pub):
            return
        answer = self.reconciler.look(pub)
        found = answer.post if answer.status is FindStatus.FOUND else None
        other = self.reconciler.recorded_elsewhere(pub, found.remote_id) if found is not None else None
        if found is not None and other is None:
            log.info(
                "publication %d: %s; found as %s, sent by an earlier attempt", pub.id, exc, found.remote_id
            )
            self._adopt(pub, exc, found, report)
            return
        if answer.status is FindStatus.UNKNOWN:
            reason = f"{exc}; cannot tell whether the copy is this publication's: {answer.reason}"
            self._unknown(pub, reason, report)
            return
        if found is None:  # absent since the send stamp: the copy is older; say whose it is
            if not self._hold_for_search(pub):
                return
            wide = self.reconciler.look(pub, since=self.clock.now() - DUPLICATE_WINDOW)
            if wide.status is FindStatus.FOUND and wide.post is not None:
                found, other = wide.post, self.reconciler.recorded_elsewhere(pub, wide.post.remote_id)
        if found is not None and other is not None:
            whose = f"the same text is already on {pub.account} as {found.remote_id}, for publication {other}"
        elif found is not None:
            whose = (
                f"the same text is already on {pub.account} as {found.remote_id}, posted before this "
                "publication was first sent (not by it)"
            )
        else:
            whose = f"an earlier post on {pub.account} has the same text (not this publication's)"
        reason = (
            f"{exc}: {whose}. Nothing was posted, and this text cannot go out there again: close "
            f"this with `bot publications cancel {pub.id}` and post other words (a new draft)"
        )
        log.warning("publication %d: %s", pub.id, reason)
        self._finish(pub, _P.FAILED, report.failed, reason=reason)

    def _hold_for_search(self, pub: Publication) -> bool:
        """Renew the claim for a search of the account (as long as a check's lease, which
        outlasts the longest search, and at least ``publishing.lease``). False: the claim was
        lost (a recovery took it over as ``needs_check``: a check settles it); nothing more to do."""
        lease = max(self.settings.publishing.lease, self.reconciler.lease)
        try:
            self.store.renew_claim(pub.id, self.worker, self.clock.now(), lease)
        except StateConflict as exc:
            log.error("publication %d: lost the claim before searching the account: %s", pub.id, exc)
            return False
        return True

    def _adopt(
        self, pub: Publication, exc: PublishDuplicate, found: PublishResult, report: PublishReport
    ) -> None:
        """The refused post is this publication's own earlier send: ``published`` (a thread's
        first part only: ``partial``, as a check would make it)."""
        total = len(split_parts(self.outgoing(pub).text))
        if total == 1:
            self._finish(pub, _P.PUBLISHED, report.published, remote_id=found.remote_id, url=found.url)
            return
        reason = f"{exc}; " + _first_part_found(pub.account, found.remote_id, total, " (an earlier attempt)")
        self._finish(pub, _P.PARTIAL, report.partial, reason=reason, remote_id=found.remote_id, url=found.url)

    def _partial(self, pub: Publication, exc: PublishPartial, report: PublishReport) -> None:
        """A broken thread: recorded as ``partial`` with its first part, never sent again."""
        reason = (
            f"broken thread: {exc}; the first part is {exc.remote_id}. Not sent again (the posted "
            "parts would be posted twice): post the rest by hand and cancel this, or remove the "
            "posted parts and retry --force"
        )
        log.warning("publication %d: %s", pub.id, reason)
        self._finish(pub, _P.PARTIAL, report.partial, reason=reason, remote_id=exc.remote_id, url=exc.url)

    def _restored(self, pub: Publication, post: OutgoingPost, report: PublishReport) -> OutgoingPost | None:
        """The post with any fitted picture copy missing from disk made again from the user's
        file (None: it cannot be, and the publication failed saying why)."""
        if self._media_service is None:
            return post
        try:
            draft = self.store.get_draft(pub.draft_id)
            media = self._media_service().restore(draft.id, draft.media, pub.platform)
        except MediaError as exc:
            self._finish(pub, _P.FAILED, report.failed, reason=str(exc))
            return None
        return post if media == post.media else replace(post, media=media)

    def _media(
        self, pub: Publication, publisher: Publisher, post: OutgoingPost, report: PublishReport
    ) -> tuple[str, ...] | None:
        """The platform's ids of the post's pictures, in order: reused from an earlier attempt
        while the platform keeps them, else uploaded now and recorded before the send stamp.
        None: this attempt ended here (a retry, a pause or a failure is recorded)."""
        if not isinstance(publisher, MediaUploader):
            reason = f"{pub.platform} accounts cannot post pictures ({len(post.media)} attached)"
            self._finish(pub, _P.FAILED, report.failed, reason=reason)
            return None
        reused = self._reusable(pub, publisher, post)
        if reused is not None:
            log.info("publication %d: reusing %d uploads", pub.id, len(reused))
            return reused
        try:
            ids = tuple(publisher.upload_media(post))
            if len(ids) != len(post.media):
                raise PublishUnknownOutcome(f"{len(ids)} uploads for {len(post.media)} pictures")
        except Exception as exc:
            self._failed(pub, publisher, exc, report, sent=False)
            return None
        try:
            self.store.record_media_ids(pub.id, ids, self.clock.now(), self.worker)
        except StateConflict as exc:
            log.warning("publication %d: not sent: %s", pub.id, exc)
            return None
        return ids

    def _reusable(
        self, pub: Publication, publisher: MediaUploader, post: OutgoingPost
    ) -> tuple[str, ...] | None:
        """The ids recorded by an earlier attempt, if the platform still keeps them."""
        ids = tuple(pub.media_ids or ())
        if not ids or len(ids) != len(post.media) or publisher.media_reuse <= timedelta(0):
            return None
        uploaded = None
        for event in self.store.events(entity="publication", entity_id=pub.id, limit=1000):
            if event.reason == "media uploaded" and list(event.details.get("media_ids") or ()) == list(ids):
                uploaded = event.at
        if uploaded is None or self.clock.now() - uploaded >= publisher.media_reuse:
            return None
        return ids

    def _unknown(self, pub: Publication, reason: str, report: PublishReport) -> None:
        """The send may have reached the platform: reconciliation looks for it (after the
        settle delay) before anything is sent again. No platform's idempotency key is trusted
        for this: a server that ignores it would post twice."""
        check_at = self.clock.now() + self.settings.publishing.settle
        self._finish(pub, _P.NEEDS_CHECK, report.needs_check, reason=reason, check_at=check_at)

    def _publisher(self, pub: Publication, report: PublishReport) -> Publisher | None:
        """The account's publisher; a config problem (e.g. missing credentials) pauses the account."""
        try:
            return self._publisher_for(pub.account)
        except ConfigError as exc:
            self._pause(pub, str(exc), report)
            return None

    def _pause(self, pub: Publication, why: str, report: PublishReport) -> None:
        """Credentials rejected or missing: the account is paused until a person resumes it,
        its cached client dropped (fixed secret files are read again then), this publication
        queued again, and the account's other claims of this pass are not tried."""
        self._forget(pub.account)
        self.store.pause_account(pub.account, why, self.clock.now(), self.worker)
        self._paused_now[pub.account] = why
        self._finish(pub, _P.QUEUED, report.retrying, reason=f"account paused: {why}")

    def outgoing(self, pub: Publication) -> OutgoingPost:
        """The post to send, with the campaign's variables for templates (Reddit titles)."""
        return self._with_options(self.store.outgoing(pub))

    def _with_options(self, post: OutgoingPost) -> OutgoingPost:
        return replace(post, options=self.template_variables(post.campaign))

    def template_variables(self, campaign_name: str) -> dict[str, Any]:
        """What a title template may use: the same names a campaign brief has (no date)."""
        brand = self.settings.brand
        values: dict[str, Any] = {
            "brand": brand.name,
            "campaign": campaign_name,
            "link": brand.link or "",
            "voice": brand.voice,
            "products": list(brand.products),
            "product": brand.products[0] if brand.products else "",
            "holiday": "",
        }
        try:
            campaign = self.settings.campaign(campaign_name)
        except NotConfigured:
            return values
        products = campaign.products or brand.products
        values.update(
            link=self.settings.link_of(campaign) or "",
            kind=campaign.kind.value,
            language=campaign.language,
            holiday=campaign.when.holiday_name or "",
            products=list(products),
            product=products[0] if products else "",
        )
        values.update(campaign.variables)
        return values

    def _retry(self, pub: Publication, reason: str, retry_after: float | None, report: PublishReport) -> None:
        attempts = pub.attempts + 1
        if attempts >= self.settings.publishing.max_attempts:
            reason = f"gave up after {attempts} attempts: {reason}"
            self._finish(pub, _P.FAILED, report.failed, reason=reason)
            return
        delay = self.backoff(attempts, retry_after)
        self._finish(pub, _P.QUEUED, report.retrying, reason=reason, not_before=self.clock.now() + delay)

    def backoff(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Exponential backoff with jitter, at least the platform's ``retry_after``."""
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
        check_at: datetime | None = None,
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
                check_at=check_at,
            )
        except StateConflict:
            log.error("publication %d: lost the claim before recording %s (%s)", pub.id, state.value, reason)
            return
        bucket.append(pub.id)

    def _pacing_delay(self, account: str) -> datetime | None:
        """When the account may post next, if it may not post now (min interval, daily cap)."""
        try:
            cfg = self.settings.account(account)
        except NotConfigured:
            return None
        now = self.clock.now()
        if not cfg.daily_cap and not cfg.min_interval:
            return None
        day_ago = now - timedelta(days=1)
        recent = sorted(t for t in self.store.published_since(account, day_ago) if t > day_ago)
        if cfg.daily_cap and len(recent) >= cfg.daily_cap:
            return recent[len(recent) - cfg.daily_cap] + timedelta(days=1)
        if cfg.min_interval and recent and recent[-1] + cfg.min_interval > now:
            return recent[-1] + cfg.min_interval
        return None

    def _accounts(self) -> list[str]:
        return [a.name for a in self.settings.accounts]

    # -- what a person does from the CLI ---------------------------------------------------

    def check(self, pub_id: int, actor: str) -> CheckOutcome:
        """Look for a ``needs_check`` publication on its account, as the daemon does: found is
        marked published, proven absent is queued again, anything else changes nothing.

        Raises:
            NotAllowed: reviewers are listed and ``actor`` is not one of them.
            StateConflict: the publication is not waiting for a check, or is being checked.
        """
        authorize(self.settings.web, actor)
        pub = self._configured(pub_id)
        if pub.state is _P.CLAIMED:
            pub = self._take_over(pub, actor)
            if pub.state is _P.QUEUED:
                message = f"{self._taken_note(pub)}: it was never sent, so it is queued again"
                return CheckOutcome(pub, False, message)
        if pub.state is _P.FAILED:
            return self._check_failed(pub, actor)
        return self.reconciler.check(pub_id, actor)

    def _check_failed(self, pub: Publication, actor: str) -> CheckOutcome:
        """A failed publication that was sent, looked for on its account (its send may have
        been reported failed after the post was stored): found, and no other publication's, it
        is recorded as ``published`` with the post's id (a thread's first part: ``partial``);
        otherwise nothing changes. Never sends."""
        if pub.first_sent_at is None:
            raise StateConflict(
                f"publication {pub.id} failed before it was sent: there is nothing to look for; "
                f"`bot publications retry {pub.id}` queues it again"
            )
        answer = self.reconciler.look(pub)
        post = answer.post if answer.status is FindStatus.FOUND else None
        if post is None:
            then = "still failed" + (
                f": `bot publications retry {pub.id}` sends it again"
                if answer.status is FindStatus.ABSENT
                else ""
            )
            return CheckOutcome(
                pub, False, f"not found on {pub.account} ({answer.reason}); {then}", answer.status
            )
        other = self.reconciler.recorded_elsewhere(pub, post.remote_id)
        if other is not None:
            message = (
                f"the matching post {post.remote_id} on {pub.account} is already recorded for "
                f"publication {other}; nothing changed"
            )
            return CheckOutcome(pub, False, message, FindStatus.UNKNOWN)
        total = len(split_parts(self.outgoing(pub).text))
        new = _P.PUBLISHED if total == 1 else _P.PARTIAL
        reason = f"found on the account by {actor}'s check (the send was reported failed after it was stored)"
        if new is _P.PARTIAL:
            reason = _first_part_found(pub.account, post.remote_id, total)
        moved = self.store.move_publication(
            pub.id, [_P.FAILED], new, now=self.clock.now(), actor=actor, reason=reason,
            remote_id=post.remote_id, url=post.url,
        )  # fmt: skip
        return CheckOutcome(
            moved, True, f"found on {pub.account} as {post.remote_id}: marked {new.value}", FindStatus.FOUND
        )

    def _configured(self, pub_id: int) -> Publication:
        """The publication, if its account is still in the config (else NotConfigured names it)."""
        pub = self.store.get_publication(pub_id)
        self.settings.account(pub.account)
        return pub

    def retry(self, pub_id: int, actor: str, *, force: bool = False) -> Publication:
        """Queue a failed publication again (a ``needs_check`` or ``partial`` one only with
        ``force``, once a person has looked at the account). Any of them that was sent is looked
        for on its account first, with ``force`` too, and not queued when its post is there
        (``check`` records it as published): a retry never posts what the bot can see is out.
        One whose draft has expired (stale: the daemon does not send it late) is queued only
        with ``force``, which records that it may go out late.

        Raises:
            NotAllowed: reviewers are listed and ``actor`` is not one of them.
            NotConfigured: its account left the config.
            BotError: not queued (stale, may be on the account, ...): the message says why.
        """
        authorize(self.settings.web, actor)
        pub = self._configured(pub_id)
        if pub.state is _P.CLAIMED:
            pub = self._take_over(pub, actor)
            if pub.state is _P.QUEUED:
                return pub
        draft = self.store.get_draft(pub.draft_id)
        if pulled := self._pulled(draft.campaign_name, pub_id):
            raise BotError(
                f"publication {pub_id} is not queued again: its {pulled}; put it back (enabled = "
                "true) and run `bot campaigns sync` first, or close it with "
                f"`bot publications cancel {pub_id}`"
            )
        if pub.state is _P.NEEDS_CHECK and not force:
            raise BotError(
                f"publication {pub_id} may already be on {pub.account}; run `bot publications check "
                f"{pub_id}` first, or --force if you have looked yourself"
            )
        if pub.state is _P.PARTIAL and not force:
            raise BotError(
                f"publication {pub_id} is a broken thread: its first parts are on {pub.account} "
                f"(from {pub.remote_id}); a retry sends the whole thread again. Remove the posted "
                "parts on the account first, then retry --force; or post the rest by hand and cancel it"
            )
        late = past_expiry(draft.expires_at, self.clock.now())
        if late and not force and pub.state is _P.FAILED:
            assert draft.expires_at is not None
            raise BotError(stale_refusal(pub, draft.expires_at, draft.campaign_name))
        if pub.state in (_P.NEEDS_CHECK, _P.PARTIAL) or (
            pub.state is _P.FAILED and pub.first_sent_at is not None
        ):
            self._refuse_found(pub)  # --force too: a person's look may be out of date
        expected = [_P.FAILED, _P.NEEDS_CHECK, _P.PARTIAL] if force else [_P.FAILED]
        reason = "retried by hand" + _RETRY_NOTE.get(pub.state, "")
        if late:  # only with --force: sent although its draft expired, as the person asked
            reason += ", to be sent although its draft expired (--force)"
        return self.store.move_publication(
            pub_id, expected, _P.QUEUED, now=self.clock.now(), actor=actor, reason=reason, send_late=late
        )

    def _pulled(self, campaign: str, pub_id: int) -> str:
        """Why the campaign's posts must not go out now ("" when they may): by the config this
        service runs with, then by the store (a sync from a newer config deactivated it while a
        daemon still runs with the old one: the store's word is the latest)."""
        try:
            enabled = self.settings.campaign(campaign).enabled
        except NotConfigured:
            return "campaign removed from the config"
        if not enabled:
            return "campaign disabled in the config"
        return self.store.pulled(pub_id)

    def _take_over(self, pub: Publication, actor: str) -> Publication:
        """A publication claimed by a worker proven dead (see :func:`dead_owner`) is taken over
        now, as recovery would when its lease ends; otherwise a BotError says when it frees up
        and who takes it over."""
        owner = pub.claimed_by or "?"
        stamped = pub.sending_at is not None
        dead, why = dead_owner(owner, self.store.list_daemons(), self.clock.now(), stamped=stamped)
        until = f"{pub.claimed_until:%Y-%m-%d %H:%M:%S} UTC" if pub.claimed_until else "its lease ends"
        then = (
            "a claim never sent goes back to the queue, one being sent becomes needs_check and is "
            "checked on the account"
        )
        if not dead:
            raise BotError(
                f"publication {pub.id} is claimed by {owner} until {until} ({why}). When that lease "
                f"ends, a running daemon (or `bot run --once`) takes it over: {then}. Try again then"
            )
        reason = f"taken over from {owner} before its lease ended: {why}"
        moved = self.store.take_over_claim(pub.id, owner, self.clock.now(), actor, reason)
        if moved is None:
            raise StateConflict(f"publication {pub.id} changed meanwhile; look again")
        log.warning("publication %d: %s", pub.id, reason)
        return moved

    @staticmethod
    def _taken_note(pub: Publication) -> str:
        return f"taken over from a dead worker ({pub.last_error or 'claim released'})"

    def _refuse_found(self, pub: Publication) -> None:
        """A publication that was sent is looked for first, even with ``--force``: a failure
        reported after the post was stored, a check that could not tell, or a post a person
        thought was removed would otherwise be posted twice. A post found that another
        publication has is not this one's; a search that cannot tell lets a forced retry go."""
        post, _ = self._live_post(pub)
        if post is None:
            return
        if pub.state is _P.PARTIAL:
            raise BotError(
                f"publication {pub.id} is a broken thread whose first part is still on {pub.account} "
                f"(found as {post.remote_id} just now); a retry sends the whole thread again. Delete "
                "the posted parts on the account first, then retry --force; or post the rest by hand "
                f"and `bot publications cancel {pub.id}`"
            )
        raise BotError(
            f"publication {pub.id} is already on {pub.account} (found as {post.remote_id} just now); "
            f"not queued again: that would post it twice. Record it as published with `bot "
            f"publications check {pub.id}`; or, if that post must go, delete it on the account, "
            "then retry (it looks again first)"
        )

    def _live_post(self, pub: Publication) -> tuple[PublishResult | None, FindAnswer]:
        """(its post, the search's answer): the publication's post if a search of its account
        (what a check makes) finds it and no other publication has it, else None. Changes nothing."""
        answer = self.reconciler.look(pub)
        post = answer.post if answer.status is FindStatus.FOUND else None
        if post is not None and self.reconciler.recorded_elsewhere(pub, post.remote_id) is not None:
            post = None  # another publication's post: not this one's
        return post, answer

    def cancel(
        self, pub_id: int, actor: str, reason: str = "", *, even_if_posted: bool = False
    ) -> Publication:
        """Cancel a publication that is not being sent and not published (also one to an
        account no longer in the config: cancelling needs no account).

        A failed one that was sent, and one waiting for a check (its send's outcome unknown),
        is looked for on its account first, as a retry does (its post may have been stored):
        while its post is there, or when the search cannot tell, it is not cancelled (`check`
        records it as published), unless ``even_if_posted`` (then it is not looked for).

        Raises:
            NotAllowed: reviewers are listed and ``actor`` is not one of them.
            BotError: its post is on the account, or the search could not tell.
        """
        authorize(self.settings.web, actor)
        pub = self.store.get_publication(pub_id)
        why = reason or "cancelled by hand"
        if (pub.state is _P.FAILED and pub.first_sent_at is not None) or pub.state is _P.NEEDS_CHECK:
            if even_if_posted:
                why += " (--even-if-posted: not looked for on the account)"
            else:
                self._refuse_cancel_found(pub)
        return self.store.move_publication(
            pub_id,
            [_P.QUEUED, _P.FAILED, _P.NEEDS_CHECK, _P.PARTIAL],
            _P.CANCELLED,
            now=self.clock.now(),
            actor=actor,
            reason=why,
        )

    def _refuse_cancel_found(self, pub: Publication) -> None:
        """A publication that was sent (failed, or waiting for a check) may be out after all:
        cancelling it would record a live post as never posted. A BotError while its post is
        there or the search cannot tell (a dry-run account searches its outbox)."""
        post, answer = self._live_post(pub)
        anyway = (
            f"`bot publications cancel {pub.id} --even-if-posted` cancels it anyway (a post that is "
            "out stays out, recorded as cancelled)"
        )
        unknown = pub.state is _P.NEEDS_CHECK
        how = (
            "its send's outcome was unknown"
            if unknown
            else "its send was reported failed after the post was stored"
        )
        sent = "was sent (its outcome unknown)" if unknown else "was sent before it failed"
        if post is not None:
            raise BotError(
                f"publication {pub.id} is on {pub.account} after all (found as {post.remote_id} just "
                f"now: {how}); not cancelled. "
                f"`bot publications check {pub.id}` records it as published; if that post must go, "
                f"delete it on the account, then cancel again (it looks again first); or {anyway}"
            )
        if answer.status is not FindStatus.ABSENT:
            raise BotError(
                f"publication {pub.id} {sent}, and whether its post is on "
                f"{pub.account} cannot be told now ({answer.reason}); not cancelled. Try again "
                f"when the platform answers (`bot publications check {pub.id}` looks for it), "
                f"or {anyway}"
            )


def _first_part_found(account: str, remote_id: str, total: int, how: str = "") -> str:
    """Why a thread whose first part was found on the account (``how``: by what) is
    ``partial``: whether its other parts went out is not known. Said by a duplicate refusal
    that finds this publication's earlier send, and by a check of a failed one."""
    return (
        f"found the first of {total} parts on {account} as {remote_id}{how}; whether the others "
        "went out is not known: post what is missing by hand and cancel this, or delete the "
        "posted parts and retry --force"
    )
