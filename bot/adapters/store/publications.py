"""Publications and the leased claims the publishers work from.

The never-twice protocol (DESIGN.md, contract 1):

1. A worker claims a publication with a lease (``state=claimed``, ``claimed_by``,
   ``claimed_until``), using ``FOR UPDATE SKIP LOCKED`` on Postgres.
2. Right before the network call it stamps ``sending_at``. A claim that expires without
   ``sending_at`` was never sent and goes back to the queue; one with ``sending_at`` may have
   reached the platform and becomes ``needs_check``.
3. The outcome is recorded with a compare-and-set on ``claimed_by``: a worker that lost its
   lease cannot overwrite what another worker did.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.adapters.store.session import StoreBase, changed
from bot.adapters.store.tables import (
    AccountStateRow,
    CampaignRow,
    DraftRow,
    EventRow,
    PublicationRow,
    UTCDateTime,
)
from bot.domain import (
    OutgoingPost,
    Publication,
    PublicationState,
    can_move_publication,
)
from bot.domain.errors import NotFound, StateConflict
from bot.domain.media import MediaItem, media_from_json

_Q, _C = PublicationState.QUEUED.value, PublicationState.CLAIMED.value
_N = PublicationState.NEEDS_CHECK.value


@dataclass(frozen=True)
class _Expected:
    """What a recovery saw of a claim; the reset applies only if the claim is still that."""

    owner: str | None
    sending: bool
    #: Only if its lease ended before this (None: whatever the lease, its owner is dead).
    before: datetime | None


class PublicationsSql(StoreBase):
    """:class:`~bot.domain.ports.PublicationStore` on SQLAlchemy."""

    # -- claims ---------------------------------------------------------------------------

    def claim_publications(
        self,
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int = 1,
        accounts: Iterable[str] | None = None,
    ) -> list[Publication]:
        """Claim up to ``limit`` due publications for ``worker`` with a lease."""
        with self._tx() as s:
            paused = select(AccountStateRow.account).where(AccountStateRow.paused_reason.is_not(None))
            query = (
                select(PublicationRow.id)
                .where(
                    PublicationRow.state == _Q,
                    PublicationRow.not_before <= now,
                    PublicationRow.account.not_in(paused),
                )
                .order_by(PublicationRow.not_before, PublicationRow.id)
                .limit(limit)
            )
            if accounts is not None:
                query = query.where(PublicationRow.account.in_(list(accounts)))
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claimed = []
            for pub_id in s.scalars(query).all():
                done = changed(
                    s,
                    update(PublicationRow)
                    .where(PublicationRow.id == pub_id, PublicationRow.state == _Q)
                    .values(
                        state=_C,
                        claimed_by=worker,
                        claimed_until=now + lease,
                        sending_at=None,
                        updated_at=now,
                    ),
                )
                if done:
                    self._event(s, now, worker, "publication", pub_id, _Q, _C)
                    claimed.append(pub_id)
            rows = s.scalars(
                select(PublicationRow).where(PublicationRow.id.in_(claimed)).order_by(PublicationRow.id)
            )
            return [_publication(r) for r in rows]

    def mark_sending(self, pub_id: int, worker: str, now: datetime, lease: timedelta | None = None) -> None:
        """Stamp the claim right before the network call (see the module docstring).

        Given ``lease``, renews it so the send has a full lease to finish in. A claim whose lease
        ran out but that nobody recovered yet is still ours: a recovery's compare-and-set
        re-checks ``sending_at`` and ``claimed_until``, so exactly one of the two wins.

        A claim whose campaign a sync deactivated (removed from the config, or disabled) since
        the claim is not stamped: StateConflict naming why (:func:`pulled_campaign`). On
        Postgres the campaign row is read ``FOR SHARE``, so a sync deactivating it waits for
        the stamp, or the stamp for the sync: never both a sync that says it is stopped and a
        send.
        """
        values: dict[str, Any] = {
            "sending_at": now,
            "first_sent_at": func.coalesce(PublicationRow.first_sent_at, literal(now, UTCDateTime())),
            "last_sent_at": now,
            "attempts": PublicationRow.attempts + 1,
            "updated_at": now,
        }
        if lease is not None:
            values["claimed_until"] = now + lease
        with self._tx() as s:
            if why := pulled_campaign(s, pub_id):
                raise StateConflict(f"publication {pub_id} is not sent: {why}")
            _update_held(
                s, pub_id, _C, PublicationRow.claimed_by, worker, values, PublicationRow.sending_at.is_(None)
            )

    def renew_claim(self, pub_id: int, worker: str, now: datetime, lease: timedelta) -> None:
        """Extend ``worker``'s claim to ``now + lease`` (a search of the account after the send,
        longer than what is left of the lease). A claim whose lease ran out but that nobody
        recovered yet is still ours: a recovery's compare-and-set re-checks ``claimed_until``,
        so exactly one of the two wins. StateConflict when the claim is no longer ``worker``'s."""
        with self._tx() as s:
            _update_held(s, pub_id, _C, PublicationRow.claimed_by, worker, {"claimed_until": now + lease})

    def pulled(self, pub_id: int) -> str:
        """Why the publication's campaign must not post now, as the store says ("" when it
        may): a sync deactivated it (removed from the config, or ``enabled = false``)."""
        with self._tx() as s:
            return pulled_campaign(s, pub_id, lock=False)

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
        """Record the outcome of a claimed publication (compare-and-set on the claim)."""
        values: dict[str, Any] = {
            "state": new.value,
            "claimed_by": None,
            "claimed_until": None,
            "sending_at": None,
            "updated_at": now,
        }
        if new is PublicationState.NEEDS_CHECK:
            values.update(check_at=check_at, check_tries=0, checking_by=None, checking_until=None)
        if new is PublicationState.PUBLISHED:
            values.update(remote_id=remote_id, url=url, published_at=now, last_error=None)
        elif reason:
            values["last_error"] = reason
        if new is PublicationState.PARTIAL:  # the thread's first part: where to look
            values.update(remote_id=remote_id, url=url)
        if not_before is not None:
            values["not_before"] = not_before
        with self._tx() as s:
            _update_held(s, pub_id, _C, PublicationRow.claimed_by, worker, values)
            self._event(
                s, now, worker, "publication", pub_id, _C, new.value, reason, remote_id=remote_id, url=url
            )

    def release_claims(self, worker: str, now: datetime, reason: str = "released at shutdown") -> int:
        """Give back this worker's claims that were never sent (clean shutdown, or the end of a
        database outage); return how many."""
        with self._tx() as s:
            ids = s.scalars(
                select(PublicationRow.id).where(
                    PublicationRow.state == _C,
                    PublicationRow.claimed_by == worker,
                    PublicationRow.sending_at.is_(None),
                )
            ).all()
            released = 0
            for pub_id in ids:
                done = changed(
                    s,
                    update(PublicationRow)
                    .where(
                        PublicationRow.id == pub_id,
                        PublicationRow.state == _C,
                        PublicationRow.claimed_by == worker,
                        PublicationRow.sending_at.is_(None),
                    )
                    .values(state=_Q, claimed_by=None, claimed_until=None, updated_at=now),
                )
                if done:
                    self._event(s, now, worker, "publication", pub_id, _C, _Q, reason)
                    released += 1
            return released

    def recover_expired_claims(self, now: datetime, actor: str) -> tuple[list[int], list[int]]:
        """Claims whose lease ran out: unsent ones are re-queued, sent ones need a check."""
        requeued, to_check = [], []
        with self._tx() as s:
            rows = s.execute(
                select(PublicationRow.id, PublicationRow.sending_at, PublicationRow.claimed_by).where(
                    PublicationRow.state == _C, PublicationRow.claimed_until < now
                )
            ).all()
            for pub_id, sending_at, owner in rows:
                expect = _Expected(owner, sending_at is not None, now)
                if sending_at is None:
                    reason = f"lease of {owner} expired before sending"
                    if self._reset_claim(s, pub_id, _Q, now, actor, reason, expect):
                        requeued.append(pub_id)
                else:
                    reason = f"lease of {owner} expired during the send: outcome unknown"
                    if self._reset_claim(s, pub_id, _N, now, actor, reason, expect):
                        to_check.append(pub_id)
        return requeued, to_check

    def take_over_claim(
        self, pub_id: int, owner: str, now: datetime, actor: str, reason: str
    ) -> Publication | None:
        """Take the claim of a dead ``owner`` now, as recovery would once its lease ends: never
        sent, queued again; stamped (it may be out), ``needs_check``. Compare-and-set on the
        owner and the stamp the caller saw; None when the claim is no longer that one."""
        with self._tx() as s:
            row = s.get(PublicationRow, pub_id)
            if row is None or row.state != _C or row.claimed_by != owner:
                return None
            sending = row.sending_at is not None
            expect = _Expected(owner, sending, None)
            if not self._reset_claim(s, pub_id, _N if sending else _Q, now, actor, reason, expect):
                return None
            s.flush()
            s.refresh(row)
            return _publication(row)

    def _reset_claim(
        self,
        s: Session,
        pub_id: int,
        new: str,
        now: datetime,
        actor: str,
        reason: str,
        expect: _Expected | None = None,
    ) -> bool:
        """Compare-and-set a claim back to ``new``; with ``expect``, only if it is still that claim."""
        values: dict[str, Any] = {"state": new, "claimed_by": None, "claimed_until": None, "updated_at": now}
        if new != _Q:
            values["last_error"] = reason
        if new == _N:  # checked by the daemon once the send has settled
            values.update(check_at=now, check_tries=0, checking_by=None, checking_until=None)
        values["sending_at"] = None
        cas = update(PublicationRow).where(PublicationRow.id == pub_id, PublicationRow.state == _C)
        if expect is not None:
            sent = (
                PublicationRow.sending_at.is_not(None)
                if expect.sending
                else PublicationRow.sending_at.is_(None)
            )
            cas = cas.where(PublicationRow.claimed_by == expect.owner, sent)
            if expect.before is not None:
                cas = cas.where(PublicationRow.claimed_until < expect.before)
        done = changed(s, cas.values(**values))
        if done:
            self._event(s, now, actor, "publication", pub_id, _C, new, reason)
        return bool(done)

    def move_publication(
        self,
        pub_id: int,
        expected: Iterable[PublicationState],
        new: PublicationState,
        *,
        now: datetime,
        actor: str,
        reason: str = "",
        remote_id: str | None = None,
        url: str | None = None,
        send_late: bool = False,
    ) -> Publication:
        """Compare-and-set a publication that nobody holds (check, retry, cancel from the CLI)."""
        allowed = {e.value for e in expected}
        with self._tx() as s:
            row = s.get(PublicationRow, pub_id)
            if row is None:
                raise NotFound(f"no publication {pub_id}")
            old = PublicationState(row.state)
            if old.value not in allowed or not can_move_publication(old, new):
                raise StateConflict(f"publication {pub_id} is {old.value}; cannot make it {new.value}")
            values: dict[str, Any] = {"state": new.value, "updated_at": now}
            values.update(check_at=None, check_tries=0, checking_by=None, checking_until=None)
            if new is PublicationState.QUEUED:
                values.update(not_before=now, attempts=0)
            if new is PublicationState.PUBLISHED:
                values.update(remote_id=remote_id, url=url, published_at=now, last_error=None)
            if new is PublicationState.PARTIAL:  # a thread's first part, found by a check
                values.update(remote_id=remote_id, url=url)
            if reason and new is not PublicationState.PUBLISHED:
                values["last_error"] = reason
            done = changed(
                s,
                update(PublicationRow)
                .where(PublicationRow.id == pub_id, PublicationRow.state == old.value)
                .values(**values),
            )
            if not done:
                raise StateConflict(f"publication {pub_id} was changed by someone else; look again")
            if new is PublicationState.QUEUED:
                _refuse_rivals(s, row)
            late = {"send_late": True} if send_late else {}
            self._event(s, now, actor, "publication", pub_id, old.value, new.value, reason, **late)
            if new is PublicationState.CANCELLED:
                self._reopen_cancelled(s, row.draft_id, now, actor)
            s.flush()
            s.refresh(row)
            return _publication(row)

    def _reopen_cancelled(self, s: Session, draft_id: int, now: datetime, actor: str) -> None:
        """A person cancelled a publication: an approved draft with none left that is not
        cancelled posts nothing, could not be approved again and kept its slot's alternatives
        out, so it goes back to review (:meth:`reopen_unposted`). Not a draft of a campaign
        removed from the config (its posts are held, cancelled, until the campaign comes back)."""
        active = s.scalar(
            select(CampaignRow.active)
            .join(DraftRow, DraftRow.campaign_id == CampaignRow.id)
            .where(DraftRow.id == draft_id)
        )
        if active:
            why = "every publication cancelled: back in the queue, to approve again or reject"
            self.reopen_unposted(s, draft_id, now, actor, why)

    def late_send_allowed(self, pub_id: int) -> bool:
        """Whether an event of the publication records a person's ``send_late`` (the JSON
        details are read in Python: SQLite and Postgres query JSON differently)."""
        with self._tx() as s:
            details = s.scalars(
                select(EventRow.details).where(
                    EventRow.entity == "publication",
                    EventRow.entity_id == pub_id,
                    EventRow.to_state == PublicationState.QUEUED.value,
                )
            ).all()
        return any(isinstance(d, dict) and d.get("send_late") is True for d in details)

    # -- checks of needs_check publications ----------------------------------------------

    def claim_checks(
        self, worker: str, now: datetime, lease: timedelta, limit: int = 1, pub_id: int | None = None
    ) -> list[Publication]:
        """Lease ``needs_check`` publications for a check (see the port for which ones)."""
        free = or_(PublicationRow.checking_until.is_(None), PublicationRow.checking_until < now)
        with self._tx() as s:
            query = select(PublicationRow.id).where(PublicationRow.state == _N, free)
            if pub_id is not None:
                query = query.where(PublicationRow.id == pub_id)
            else:
                query = query.where(PublicationRow.check_at <= now).order_by(
                    PublicationRow.check_at, PublicationRow.id
                )
            query = query.limit(limit)
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            taken = []
            for candidate in s.scalars(query).all():
                done = changed(
                    s,
                    update(PublicationRow)
                    .where(PublicationRow.id == candidate, PublicationRow.state == _N, free)
                    .values(checking_by=worker, checking_until=now + lease),
                )
                if done:
                    taken.append(candidate)
            rows = s.scalars(
                select(PublicationRow).where(PublicationRow.id.in_(taken)).order_by(PublicationRow.id)
            )
            return [_publication(r) for r in rows]

    def finish_check(
        self,
        pub_id: int,
        worker: str,
        new: PublicationState,
        *,
        now: datetime,
        reason: str,
        remote_id: str | None = None,
        url: str | None = None,
        check_at: datetime | None = None,
        tried: bool = True,
    ) -> Publication:
        """Record a check this worker leased (compare-and-set on the check lease)."""
        values: dict[str, Any] = {
            "state": new.value,
            "checking_by": None,
            "checking_until": None,
            "updated_at": now,
        }
        if new is PublicationState.PUBLISHED:
            values.update(remote_id=remote_id, url=url, published_at=now, last_error=None, check_at=None)
        elif new is PublicationState.QUEUED:  # attempts are kept: max_attempts bounds the sends
            values.update(not_before=now, check_at=None, check_tries=0, last_error=reason)
        elif new is PublicationState.FAILED:
            values.update(check_at=None, last_error=reason)
        elif new is PublicationState.PARTIAL:
            values.update(remote_id=remote_id, url=url, check_at=None, last_error=reason)
        elif new is PublicationState.NEEDS_CHECK:
            values.update(check_at=check_at, last_error=reason)
            if tried:
                values["check_tries"] = PublicationRow.check_tries + 1
        else:
            raise ValueError(f"a check cannot make a publication {new.value}")
        with self._tx() as s:
            _update_held(s, pub_id, _N, PublicationRow.checking_by, worker, values)
            self._event(
                s, now, worker, "publication", pub_id, _N, new.value, reason, remote_id=remote_id, url=url
            )
            row = s.get(PublicationRow, pub_id)
            assert row is not None
            s.flush()
            s.refresh(row)
            return _publication(row)

    def fail_unconfigured(self, accounts: Collection[str], now: datetime, actor: str) -> list[int]:
        """Queued publications to accounts no longer in the config become ``failed``."""
        queued = PublicationState.QUEUED.value
        with self._tx() as s:
            ids = s.scalars(
                select(PublicationRow.id).where(
                    PublicationRow.state == queued, PublicationRow.account.not_in(list(accounts))
                )
            ).all()
            failed = []
            new, reason = PublicationState.FAILED.value, "account removed"
            for pub_id in ids:
                moved = update(PublicationRow).where(
                    PublicationRow.id == pub_id, PublicationRow.state == queued
                )
                if changed(s, moved.values(state=new, updated_at=now, last_error=reason)):
                    failed.append(pub_id)
                    self._event(s, now, actor, "publication", pub_id, queued, new, reason)
            for account in sorted(
                {a for (a,) in s.execute(select(PublicationRow.account).where(PublicationRow.id.in_(failed)))}
            ):
                self._event(
                    s, now, actor, "account", 0, "active", "removed", f"{account}: removed from config"
                )
        return failed

    def record_media_ids(self, pub_id: int, ids: Sequence[str], now: datetime, actor: str) -> None:
        """Record the uploaded pictures' platform ids of a publication ``actor`` holds claimed."""
        with self._tx() as s:
            values = {"media_ids": [str(i) for i in ids], "updated_at": now}
            _update_held(s, pub_id, _C, PublicationRow.claimed_by, actor, values)
            self._event(
                s, now, actor, "publication", pub_id, None, None, "media uploaded", media_ids=list(ids)
            )

    # -- reading --------------------------------------------------------------------------

    def get_publication(self, pub_id: int) -> Publication:
        with self._tx() as s:
            row = s.get(PublicationRow, pub_id)
            if row is None:
                raise NotFound(f"no publication {pub_id}")
            return _publication(row)

    def list_publications(
        self,
        *,
        states: Iterable[PublicationState] | None = None,
        draft_id: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[Publication]:
        query = select(PublicationRow).order_by(PublicationRow.id)
        if states is not None:
            query = query.where(PublicationRow.state.in_([st.value for st in states]))
        if draft_id is not None:
            query = query.where(PublicationRow.draft_id == draft_id)
        if account is not None:
            query = query.where(PublicationRow.account == account)
        if limit:
            query = query.limit(limit)
        with self._tx() as s:
            return [_publication(r) for r in s.scalars(query)]

    def published_since(self, account: str, since: datetime) -> list[datetime]:
        """When this account published since ``since`` (for pacing and daily caps)."""
        with self._tx() as s:
            return list(
                s.scalars(
                    select(PublicationRow.published_at).where(
                        PublicationRow.account == account, PublicationRow.published_at >= since
                    )
                )
            )

    def outgoing(self, pub: Publication) -> OutgoingPost:
        """The post to send for a publication: the draft's approved text."""
        return self.outgoing_posts([pub])[pub.id]

    def outgoing_posts(self, pubs: Sequence[Publication]) -> dict[int, OutgoingPost]:
        """The posts for a batch of claimed publications, in one query (by publication id).

        The text cannot change under a claim: editing an approved draft is refused while one
        of its publications is claimed (see ``cancel_open_publications``).
        """
        with self._tx() as s:
            rows = s.execute(
                select(DraftRow.id, DraftRow.text, CampaignRow.name, DraftRow.media, DraftRow.expires_at)
                .join(CampaignRow, CampaignRow.id == DraftRow.campaign_id)
                .where(DraftRow.id.in_({p.draft_id for p in pubs}))
            ).all()
        drafts = {draft_id: (text, campaign, media, exp) for draft_id, text, campaign, media, exp in rows}
        return {
            p.id: OutgoingPost(
                publication_id=p.id,
                draft_id=p.draft_id,
                account=p.account,
                text=drafts[p.draft_id][0],
                idempotency_key=p.idempotency_key,
                campaign=drafts[p.draft_id][1],
                media=_media_for(drafts[p.draft_id][2], p.platform),
                media_ids=p.media_ids,
                expires_at=drafts[p.draft_id][3],
            )
            for p in pubs
        }


def pulled_campaign(s: Session, pub_id: int, *, lock: bool = True) -> str:
    """Why the publication's campaign posts nothing now ("" when it may): inactive in the store
    since a sync that did not have it (removed) or had ``enabled = false`` (disabled). The
    store, not a daemon's config, says it: a daemon that has not reloaded yet still lists it."""
    query = (
        select(CampaignRow.active, CampaignRow.spec)
        .join(DraftRow, DraftRow.campaign_id == CampaignRow.id)
        .join(PublicationRow, PublicationRow.draft_id == DraftRow.id)
        .where(PublicationRow.id == pub_id)
    )
    if lock and s.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True, of=CampaignRow)
    row = s.execute(query).one_or_none()
    if row is None or row.active:
        return ""
    how = "disabled in" if (row.spec or {}).get("enabled") is False else "removed from"
    return f"campaign {how} the config (inactive in the store)"


def _refuse_rivals(s: Session, row: PublicationRow) -> None:
    """A publication queued again by hand must not make its slot post twice on its account
    (another draft of the slot was approved meanwhile): StateConflict, rolled back."""
    from bot.adapters.store.reviews import lock_slot, slot_rivals

    slot_id = s.scalar(select(DraftRow.slot_id).where(DraftRow.id == row.draft_id))
    if slot_id is None:
        return
    lock_slot(s, slot_id)
    if rivals := slot_rivals(s, row.draft_id, slot_id, [row.account]):
        where = ", ".join(f"publication {r.publication_id} of draft {r.draft_id}, {r.state}" for r in rivals)
        raise StateConflict(
            f"publication {row.id} is not queued again: another draft of the same slot already posts "
            f"to {row.account} ({where}), and a slot posts once per account; cancel that one first "
            f"(`bot publications cancel ID`) to send this one instead"
        )


def _media_for(stored: Any, platform: str) -> tuple[MediaItem, ...]:
    """A draft's pictures as they go to ``platform`` (its fitted copies), in order."""
    items = (m.for_platform(platform) for m in media_from_json(stored))
    return tuple(item for item in items if item is not None)


def _publication(row: PublicationRow) -> Publication:
    return Publication(
        id=row.id,
        draft_id=row.draft_id,
        account=row.account,
        platform=row.platform,
        state=PublicationState(row.state),
        not_before=row.not_before,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        claimed_until=row.claimed_until,
        sending_at=row.sending_at,
        idempotency_key=row.idempotency_key,
        remote_id=row.remote_id,
        url=row.url,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        first_sent_at=row.first_sent_at,
        last_sent_at=row.last_sent_at,
        check_tries=row.check_tries or 0,
        check_at=row.check_at,
        media_ids=tuple(row.media_ids) if row.media_ids is not None else None,
    )


def _update_held(
    s: Session, pub_id: int, state: str, holder: Any, worker: str, values: dict[str, Any], *extra: Any
) -> None:
    """Compare-and-set: update the publication only while it is in ``state`` and ``holder``
    (its claim or its check lease) names ``worker``; StateConflict otherwise."""
    held = update(PublicationRow).where(
        PublicationRow.id == pub_id, PublicationRow.state == state, holder == worker, *extra
    )
    if not changed(s, held.values(**values)):
        doing = "claimed" if state == _C else "being checked"
        raise StateConflict(f"publication {pub_id} is no longer {doing} by {worker}")
