"""Review use-cases: approve, reject, edit, override and regenerate drafts.

Approval is bound to the sha256 of the exact text the reviewer saw; any edit voids it.
Every transition is a compare-and-set, so two reviewers acting at once get one winner and a
:class:`~bot.domain.errors.StateConflict` naming what happened for the other. A draft past its
expiry (by the injected clock) is neither approved nor edited
(:class:`~bot.domain.errors.DraftExpired`, :mod:`bot.services.expiry`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import plugins
from bot.config import Settings
from bot.domain import (
    CheckResult,
    Decision,
    Draft,
    DraftState,
    ModerationVerdict,
    Publication,
    RejectionCategory,
    Target,
)
from bot.domain.errors import BotError, NotConfigured, StateConflict
from bot.domain.media import MAX_MEDIA, DraftMedia
from bot.domain.ports import Clock, ReviewStore
from bot.domain.text import clean_name, clean_text
from bot.services.drafting import cleaning
from bot.services.expiry import refuse_late
from bot.services.moderation import ModerationGate
from bot.services.reviewed import AUTO_REVIEWER
from bot.services.reviewers import authorize

if TYPE_CHECKING:
    from bot.services.media import MediaService

log = logging.getLogger(__name__)

_REVIEWABLE = (DraftState.PENDING_REVIEW,)
_OPEN = (DraftState.PENDING_REVIEW, DraftState.FLAGGED)
#: Longest text an edit may store (Reddit's 40,000 is the largest platform limit).
MAX_TEXT = 40_000
#: Longest reviewer name and reason the records keep (the CLI checks the same bounds).
MAX_REVIEWER, MAX_REASON = 100, 2000
#: Checks that no reviewer can waive: a post over a platform's limit, or a picture a platform
#: cannot take (too many, unfittable, alt text too long), cannot be published.
_HARD_CHECKS = ("limit:", "media:")
#: Longest alt text an edit may store (the most any platform takes is 2,000).
MAX_ALT = 5000

#: ``approve(media_sha256=...)`` default: the pictures the draft has now (the caller showed them).
CURRENT_MEDIA = "current"

#: Re-runs the drafting checks on an edited text: (draft, new text) -> results.
Recheck = Callable[[Draft, str], Sequence[CheckResult]]


class ReviewService:
    """What a reviewer can do to a draft."""

    def __init__(
        self,
        settings: Settings,
        store: ReviewStore,
        gate: Callable[[], ModerationGate],
        clock: Clock,
        recheck: Recheck | None = None,
        media: MediaService | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._gate = gate
        self.clock = clock
        self._recheck = recheck
        self._media = media

    def approve(
        self,
        draft_id: int,
        reviewer: str,
        *,
        sha256: str | None = None,
        override: bool = False,
        reason: str = "",
        media_sha256: str | None = CURRENT_MEDIA,
    ) -> Draft:
        """Approve a pending draft (a flagged one, or one that failed a check a reviewer may
        waive, only with ``override`` and a reason). ``sha256`` and ``media_sha256`` pin the
        text and the pictures the reviewer saw (:attr:`Draft.media_sha256`; None: no pictures).

        Raises:
            NotConfigured: the draft's campaign (or one of its accounts) left the config.
        """
        reviewer = _who(reviewer)
        authorize(self.settings.web, reviewer, override=override)
        return self._approve(draft_id, reviewer, sha256, override, reason, media_sha256)

    def _approve(
        self,
        draft_id: int,
        reviewer: str,
        sha256: str | None,
        override: bool,
        reason: str,
        media_sha256: str | None,
    ) -> Draft:
        reason = _why(reason)
        draft = self._configured(draft_id, reviewer, "approved")
        if not self.settings.campaign(draft.campaign_name).enabled:
            where = f" in {self.settings.source}" if self.settings.source else ""
            raise BotError(
                f"draft {draft_id} is not approved: its campaign {draft.campaign_name!r} is disabled "
                f"(enabled = false{where}) and a disabled campaign posts nothing. Set enabled = true "
                f"and run `bot campaigns sync` first, or reject it with `bot queue reject {draft_id} "
                "--reason TEXT`"
            )
        if draft.state is DraftState.FLAGGED and not override:
            raise StateConflict(
                f"draft {draft_id} is flagged by moderation; approve it with --override --reason TEXT"
            )
        _refuse_hard_failures(draft)
        failed = failed_checks(draft)
        if failed and not override:
            raise StateConflict(
                f"draft {draft_id} failed its checks ({'; '.join(failed)}); fix it with "
                f"`bot queue edit {draft_id}`, or approve it as it is with --override --reason TEXT"
            )
        if override and not reason.strip():
            raise BotError("--override needs --reason saying why the flag or failed check is wrong")
        targets = self._targets(draft)
        _refuse_unfitted(draft, targets)
        if override and failed:  # a failed check waived (the draft may be flagged as well)
            expected: tuple[DraftState, ...] = _OPEN
        else:
            expected = (DraftState.FLAGGED,) if override else _REVIEWABLE
        return self.store.approve_draft(
            draft_id,
            expected=expected,
            sha256=sha256 or draft.sha256,
            reviewer=reviewer,
            note=reason,
            decision=Decision.OVERRIDDEN if override else Decision.APPROVED,
            targets=targets,
            not_before=self._not_before(draft),
            now=self.clock.now(),
            media_sha256=draft.media_sha256 if media_sha256 == CURRENT_MEDIA else media_sha256,
        )

    def auto_approve(self, draft_id: int) -> Draft:
        """``approval = "auto"``: approve a draft that passed the gate (never a flagged one, nor
        one the gate holds for a person: its current text's audit record must say ``pass``)."""
        draft = self.store.get_draft(draft_id)
        records = [r for r in self.store.moderation_records(draft_id) if r.text_sha256 == draft.sha256]
        if not records or not records[-1].verdict.auto_approvable:
            why = (
                "; ".join(records[-1].verdict.holds or records[-1].verdict.reasons)
                if records
                else "no record"
            )
            raise StateConflict(f"draft {draft_id} is held for a person, not auto-approved: {why}")
        return self._approve(draft_id, AUTO_REVIEWER, None, False, "", CURRENT_MEDIA)

    def reject(
        self,
        draft_id: int,
        reviewer: str,
        reason: str,
        *,
        withdraw: bool = False,
        category: RejectionCategory | None = None,
    ) -> Draft:
        """Reject an open draft; ``withdraw`` also takes back an approval not yet published;
        ``category`` says why (``toxic`` rejections teach the moderation gate). Needs no config:
        it is how the drafts of a removed campaign are cleared by hand."""
        expected = (*_OPEN, DraftState.APPROVED) if withdraw else _OPEN
        reviewer, reason = self._who(reviewer), _why(reason)
        return self.store.reject_draft(
            draft_id,
            expected=expected,
            reviewer=reviewer,
            reason=reason,
            now=self.clock.now(),
            category=category,
        )

    def edit(
        self, draft_id: int, reviewer: str, text: str, *, bare: bool = False, seen: Draft | None = None
    ) -> Draft:
        """Replace the text; it is re-scored and any approval is void (needs a new one).

        ``text`` is the post: the campaign's link, if it lacks it, and its hashtags, if it has
        none of them, are added at the end as when drafting (:func:`with_tail`), so an edit of the
        body alone never drops them; a tag deleted from a text that keeps others stays out.
        ``bare``: the text is the post exactly as written, nothing added (a reviewer who removed
        the link or the hashtags on purpose). ``seen``: the draft as the reviewer opened it (in
        ``$EDITOR``): when its text or state changed since, nothing is saved (StateConflict)."""
        reviewer = self._who(reviewer)
        text = clean_text(text, "the edited text").strip()
        if not text:
            raise BotError("the edited text is empty; use `bot queue reject` to drop a draft")
        draft = self._configured(draft_id, reviewer, "edited")
        if seen is not None and (seen.sha256, seen.state) != (draft.sha256, draft.state):
            what = "its text was edited" if seen.sha256 != draft.sha256 else f"it is now {draft.state.value}"
            raise StateConflict(
                f"draft {draft_id} changed while you edited it ({what}); your edit was not saved. "
                f"Look again with `bot queue show {draft_id}` and edit that"
            )
        if not bare:
            text = with_tail(self.settings, draft.campaign_name, text)
        if len(text) > MAX_TEXT:
            raise BotError(f"the edited text is {len(text)} characters long; at most {MAX_TEXT} are allowed")
        if text == draft.text:
            return draft
        checks = self._checks(draft, text)
        verdict = self._gate().check([text])[0]
        new = DraftState.FLAGGED if verdict.flagged else DraftState.PENDING_REVIEW
        return self.store.edit_draft(
            draft_id,
            expected=(*_OPEN, DraftState.APPROVED),
            expected_sha256=draft.sha256,
            text=text,
            new_state=new,
            verdict=verdict,
            checks=checks,
            reviewer=reviewer,
            now=self.clock.now(),
        )

    def edit_media(
        self,
        draft_id: int,
        reviewer: str,
        *,
        add: Sequence[tuple[str, str]] = (),
        drop: Sequence[int] = (),
        alts: Mapping[int, str] | None = None,
        swap: Mapping[int, tuple[str, str]] | None = None,
    ) -> Draft:
        """Change a draft's pictures: ``alts`` (picture number -> new alt text), ``swap``
        (number -> (file, alt text)), ``drop`` (numbers), then ``add`` (file, alt text) at the
        end. Numbers count from 1 in the draft's order. New files are read and fitted to the
        campaign's platforms; the checks run again and any approval is void."""
        reviewer = self._who(reviewer)
        draft = self._configured(draft_id, reviewer, "edited")
        if self._media is None:
            raise BotError("pictures cannot be changed without the media service")
        campaign = self.settings.campaign(draft.campaign_name)
        items = list(draft.media)
        alts, swap = dict(alts or {}), dict(swap or {})
        for number in (*drop, *alts, *swap):
            if not 1 <= number <= len(items):
                raise BotError(f"draft {draft_id} has {len(items)} pictures; there is no picture {number}")
        for number, text in alts.items():
            items[number - 1] = _with_alt(items[number - 1], _alt(text))
        for number, (path, text) in swap.items():
            items[number - 1] = self._media.build(campaign, [(_file(path), _alt(text))])[0]
        items = [m for i, m in enumerate(items, 1) if i not in set(drop)]
        items += self._media.build(campaign, [(_file(path), _alt(text)) for path, text in add])
        if len(items) > MAX_MEDIA:
            raise BotError(f"{len(items)} pictures: a post carries at most {MAX_MEDIA}")
        if tuple(items) == draft.media:  # a swap for the same file refits it: that is a change
            return draft
        checks = self._checks(replace(draft, media=tuple(items)), draft.text)
        verdict = self._score(draft.text, [m.alt for m in items])
        return self.store.edit_draft(
            draft_id,
            expected=(*_OPEN, DraftState.APPROVED),
            expected_sha256=draft.sha256,
            text=draft.text,
            new_state=DraftState.FLAGGED if verdict.flagged else DraftState.PENDING_REVIEW,
            verdict=verdict,
            checks=checks if self._recheck is not None else None,
            reviewer=reviewer,
            now=self.clock.now(),
            media=tuple(items),
            expected_media_sha256=draft.media_sha256,
        )

    def _who(self, reviewer: str) -> str:
        """The cleaned reviewer name, if the config lets them review (:func:`authorize`)."""
        reviewer = _who(reviewer)
        authorize(self.settings.web, reviewer)
        return reviewer

    def _score(self, text: str, alts: Sequence[str]) -> ModerationVerdict:
        """The gate's verdict on the text and on every alt text a reviewer may have typed (they
        are published too): the first flagged one, else the text's."""
        verdicts = self._gate().check([text, *alts])
        return next((v for v in verdicts if v.flagged), verdicts[0])

    def _configured(self, draft_id: int, reviewer: str, action: str) -> Draft:
        """The draft, if it is not past its expiry (else DraftExpired: an open one is expired
        now, see :func:`refuse_late`) and its campaign is still in the config (else
        NotConfigured names it)."""
        draft = self.store.get_draft(draft_id)
        refuse_late(self.store, draft, self.clock.now(), reviewer, action, approved_too=action == "edited")
        if draft.state not in _OPEN and draft.campaign_name not in {c.name for c in self.settings.campaigns}:
            raise NotConfigured(gone_campaign(self.settings, draft))
        self.settings.campaign(draft.campaign_name)
        return draft

    def _checks(self, draft: Draft, text: str) -> list[CheckResult]:
        """Every drafting check on the new text; without a checker, none (the old results
        described the old text and must not stay)."""
        if self._recheck is None:
            return []
        return list(self._recheck(draft, text))

    def _targets(self, draft: Draft) -> list[Target]:
        campaign = self.settings.campaign(draft.campaign_name)
        return [Target(name, self.settings.account(name).platform) for name in campaign.accounts]

    def _not_before(self, draft: Draft) -> datetime:
        now = self.clock.now()
        return max(now, draft.slot_at) if draft.slot_at else now


def gone_campaign(settings: Settings, draft: Draft) -> str:
    """Why a closed draft (expired, rejected ...) of a campaign no longer in the config cannot
    be acted on, and the way on: there is nothing to reject; the campaign, back under its name
    and synced, can be fired again."""
    where = f" in {settings.source}" if settings.source else ""
    name = draft.campaign_name
    return (
        f"draft {draft.id} is {draft.state.value} and its campaign {name!r} is not in the config{where} "
        f"(renamed or removed?); nothing is left to approve or reject. To post it after all, put the "
        f"campaign back as {name!r}, run `bot campaigns sync`, then `bot campaigns fire {name}` for a "
        f"new draft (`bot queue show {draft.id}` keeps this one's text)"
    )


def goes_out(publications: Sequence[Publication], now: datetime) -> str:
    """What an approval adds about its timing: a post approved before its slot waits for it
    ("; it goes out at its slot's time, 2026-12-08 17:00 UTC"); else nothing."""
    later = [p.not_before for p in publications if p.not_before > now]
    return f"; it goes out at its slot's time, {min(later):%Y-%m-%d %H:%M} UTC" if later else ""


def paused_warnings(
    publications: Sequence[Publication], paused: Mapping[str, str], expires_at: datetime | None
) -> list[str]:
    """What an approval must say about accounts that are paused (their credentials were
    rejected or missing): one line per paused account of the approved draft, naming it, why it
    is paused and how to resume it, and when its post stops being sent (the draft's expiry).
    The CLI and the web page print the same lines."""
    lines = []
    for account in sorted({p.account for p in publications if p.account in paused}):
        why = paused[account] or "paused"
        late = (
            f"; if it is not resumed by {expires_at:%Y-%m-%d %H:%M} UTC (when the draft expires), "
            "its post is not sent at all (stale)"
            if expires_at is not None
            else ""
        )
        lines.append(
            f"account {account} is paused ({why}): its post waits until its credentials are fixed "
            f"(`bot accounts check {account}` tries them) and it is resumed with `bot accounts resume "
            f"{account}`{late}"
        )
    return lines


def with_tail(settings: Settings, campaign_name: str, body: str) -> str:
    """A reviewer's text as the post it becomes (the rule the CLI and the web page share): the
    campaign's link is appended when the text lacks it, and its hashtags when the text carries
    none of them, as drafting appends them. A text that carries some of the campaign's hashtags
    has its tags as the reviewer left them: one deleted from the post on purpose stays out."""
    campaign = settings.campaign(campaign_name)
    tags = settings.hashtags_of(campaign)
    if any(cleaning.has_hashtag(body, tag) for tag in tags):
        tags = ()
    return cleaning.compose(body, settings.link_of(campaign), tags)


def failed_checks(draft: Draft) -> list[str]:
    """The draft's failed checks a reviewer may waive (with ``--override --reason``), as
    ``name: detail``; a platform's length limit is not among them (nobody can waive it)."""
    return [f"{c['name']}: {c['detail']}" if c.get("detail") else str(c["name"]) for c in _waivable(draft)]


def failed_check_names(draft: Draft) -> list[str]:
    """Just the names of :func:`failed_checks` (for a list column)."""
    return [str(c["name"]) for c in _waivable(draft)]


def _waivable(draft: Draft) -> list[dict[str, Any]]:
    return [
        c
        for c in draft.checks
        if not c.get("passed", True) and not str(c.get("name", "")).startswith(_HARD_CHECKS)
    ]


def hard_failures(draft: Draft) -> list[str]:
    """The draft's failed checks nobody can waive (a platform's length limit), as ``name: detail``."""
    return [
        f"{c['name']}: {c.get('detail') or 'failed'}"
        for c in draft.checks
        if not c.get("passed", True) and c.get("name", "").startswith(_HARD_CHECKS)
    ]


def _refuse_hard_failures(draft: Draft) -> None:
    """A draft that fails a check nobody can waive (a platform's length limit) is not approvable."""
    if failed := hard_failures(draft):
        details = "; ".join(failed)
        raise BotError(
            f"draft {draft.id} cannot be approved: {details}; shorten it with `bot queue edit {draft.id}`"
        )


def _refuse_unfitted(draft: Draft, targets: Sequence[Target]) -> None:
    """A picture without a copy fitted for a target's platform (its account joined the campaign
    after drafting) would go out unchecked: the reviewer fits it again first."""
    for target in targets:
        if plugins.platform(target.platform).media is None and draft.media:
            raise BotError(
                f"draft {draft.id} has pictures but {target.platform} ({target.account}) takes none; "
                f"drop them with `bot queue edit {draft.id} --drop-media N`"
            )
        for number, picture in enumerate(draft.media, 1):
            if target.platform not in picture.fitted:
                raise BotError(
                    f"draft {draft.id}: picture {number} ({Path(picture.source).name}) was not fitted "
                    f"for {target.platform} (account {target.account} joined the campaign after "
                    f"drafting); fit it again with `bot queue edit {draft.id} --swap-media {number} FILE ALT`"
                )


def _with_alt(media: DraftMedia, alt: str) -> DraftMedia:
    """The picture with a new alt text (its fitted copies carry it too)."""
    fitted = {p: replace(item, alt=alt) for p, item in media.fitted.items()}
    original = replace(media.original, alt=alt) if media.original is not None else None
    return replace(media, alt=alt, fitted=fitted, original=original)


def _alt(text: str) -> str:
    text = " ".join(clean_text(text, "the alt text").split())
    if not text:
        raise BotError("the alt text is empty: describe the picture for people who cannot see it")
    if len(text) > MAX_ALT:
        raise BotError(f"the alt text is {len(text)} characters long; at most {MAX_ALT} are allowed")
    return text


def _file(path: str) -> str:
    """A picture named on the command line, as an absolute path (relative to where it was run)."""
    return str(Path(path).expanduser().resolve())


def _who(reviewer: str) -> str:
    return clean_name(reviewer, "the reviewer name", MAX_REVIEWER)


def _why(reason: str) -> str:
    reason = clean_text(reason, "the reason")
    if len(reason) > MAX_REASON:
        raise BotError(f"the reason is {len(reason)} characters long; at most {MAX_REASON} are allowed")
    return reason
