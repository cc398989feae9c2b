"""Sync: the config's campaigns into the store (the CLI's ``campaigns sync`` and the daemon's
start and reload both call :class:`SyncService`, so both score briefs and log the same way).

Work left behind by a config change is closed, never deleted: the open drafts of a campaign
removed from the config expire ("campaign removed"); the queued publications to an account
removed from it fail ("account removed"). History keeps all of it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.config.triggers import EARLIEST, LATEST, DateTrigger
from bot.domain import (
    CampaignRecord,
    CampaignSpec,
    DaemonInfo,
    DraftState,
    HeldPublication,
    PublicationState,
    SyncReport,
)
from bot.domain.ports import CampaignStore, Clock, DaemonStore, DraftStore, PublicationStore, SlotStore
from bot.services.briefs import BriefWarning, score_campaigns
from bot.services.catchup import SKIP_LOOKBACK
from bot.services.moderation import ModerationGate

log = logging.getLogger(__name__)


def campaign_spec(campaign: CampaignSettings) -> CampaignSpec:
    """The spec of a configured campaign (its settings as JSON)."""
    return CampaignSpec(campaign.name, campaign.kind, campaign.model_dump(mode="json"), campaign.enabled)


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync changed, and the campaign fields the moderation gate flagged."""

    report: SyncReport
    warnings: tuple[BriefWarning, ...]
    #: Queued publications to removed accounts, now failed.
    failed_publications: tuple[int, ...] = ()


class SyncStore(CampaignStore, DraftStore, PublicationStore, SlotStore, DaemonStore, Protocol):
    """The parts of the store a sync changes (and the drafts, slots and daemons it looks at)."""


@dataclass(frozen=True)
class LikelyRename:
    """A campaign gone from the config and a new one that looks like it under another name,
    with what syncing would close of the old one's work."""

    removed: str
    added: str
    #: Why they look alike ("the same schedule and brief").
    alike: str
    #: Drafts waiting for review (pending or flagged) that the sync would expire.
    waiting: tuple[int, ...]
    #: Approved posts' queued publications (id, draft id, account) the sync would cancel.
    approved: tuple[tuple[int, int, str], ...]

    def message(self) -> str:
        """The refusal: both names, what would be lost, how to go on."""
        lost = []
        if self.waiting:
            lost.append(
                f"its {_count(self.waiting, 'draft')} waiting for review ({_ids(self.waiting)}) would expire"
            )
        if self.approved:
            pubs = ", ".join(f"publication {p}: draft {d} to {a}" for p, d, a in self.approved)
            lost.append(
                f"its {_count(self.approved, 'approved publication')} ({pubs}) would be cancelled, "
                "the approval void"
            )
        return (
            f"campaign {self.removed!r} is gone from the config and {self.added!r} is new, "
            f"with {self.alike}: a rename? Syncing deactivates {self.removed!r}: "
            f"{' and '.join(lost)}. To keep them, "
            f'give the campaign its old name back (name = "{self.removed}"); to rename it and lose '
            "them, run `bot campaigns sync --accept-removal`"
        )


def _count(items: tuple[object, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _ids(ids: tuple[int, ...]) -> str:
    return ", ".join(map(str, ids[:10])) + (", ..." if len(ids) > 10 else "")


def likely_renames(settings: Settings, store: SyncStore) -> list[LikelyRename]:
    """Each active stored campaign missing from the config that looks like a campaign new to
    the store (same kind, and the same or a similar brief, or the same schedule and accounts)
    and has work a sync would close (drafts waiting, approved posts queued)."""
    stored = store.list_campaigns()
    known = {c.name for c in stored}
    configured = {c.name for c in settings.campaigns}
    new = [campaign_spec(c) for c in settings.campaigns if c.name not in known]
    found = []
    for record in stored:
        if not record.active or record.name in configured:
            continue
        match = next(((spec, why) for spec in new if (why := _alike(record, spec))), None)
        if match is None:
            continue
        waiting = tuple(
            d.id
            for d in store.list_drafts(
                states=[DraftState.PENDING_REVIEW, DraftState.FLAGGED], campaign=record.name
            )
        )
        approved = tuple(
            (p.id, p.draft_id, p.account)
            for d in store.list_drafts(states=[DraftState.APPROVED], campaign=record.name)
            for p in store.list_publications(states=[PublicationState.QUEUED], draft_id=d.id)
        )
        if waiting or approved:
            found.append(LikelyRename(record.name, match[0].name, match[1], waiting, approved))
    return found


def _alike(record: CampaignRecord, spec: CampaignSpec) -> str:
    """Why a stored campaign and a new one look like one campaign renamed ("" if they do not)."""
    import difflib

    old, new = record.spec, spec.spec
    if record.kind != spec.kind:
        return ""
    same_when = old.get("when") == new.get("when")
    brief_old, brief_new = str(old.get("brief") or ""), str(new.get("brief") or "")
    same_brief = bool(brief_old) and brief_old == brief_new
    if same_when and same_brief:
        return "the same schedule and brief"
    if same_brief:
        return "the same brief"
    if brief_old and difflib.SequenceMatcher(None, brief_old, brief_new).ratio() >= 0.8:
        return "the same schedule and a similar brief" if same_when else "a similar brief"
    if same_when and old.get("accounts") == new.get("accounts"):
        return "the same schedule and accounts"
    return ""


def other_configs(daemons: list[DaemonInfo], config: Path | None, now: datetime) -> list[str]:
    """One line per live daemon that runs with another config file than ``config``: it reloads
    its own file at its next poll after a sync, and so undoes a sync made from this one."""
    from bot.services.status import daemon_json

    mine = str(config) if config is not None else None
    lines = []
    for info in daemons:
        theirs = info.details.get("config")
        if not isinstance(theirs, str) or theirs == mine or not daemon_json(info, now)["alive"]:
            continue
        lines.append(
            f"daemon {info.worker_id} (pid {info.pid} on {info.host}) runs with {theirs}, not {mine}: "
            "at its next poll it reloads its own file, which undoes this sync (and a campaign "
            "missing from this file has its open drafts expired now)"
        )
    return lines


class PastStore(CampaignStore, SlotStore, Protocol):
    """What :func:`never_firing` reads: the stored campaigns and their slots."""


def never_firing(settings: Settings, store: PastStore | None, now: datetime) -> list[str]:
    """Enabled one-off campaigns (``when = { at = ... }``) whose time is past and that will
    never fire: a campaign never fires for an instant before it was first synced, so an ``at``
    already past at the first sync is lost. One whose slot exists (it fired, or was recorded
    as skipped) is fine, and so is one synced before its time that the daemon will still catch
    up or record as skipped. ``store`` None: nothing was ever synced."""
    records = {c.name: c for c in store.list_campaigns()} if store is not None else {}
    histories = store.campaign_histories() if store is not None and records else {}
    problems = []
    for i, campaign in enumerate(settings.campaigns):
        if not campaign.enabled or not isinstance(campaign.when, DateTrigger):
            continue
        zone = settings.zone_of(campaign)
        window = (EARLIEST.replace(tzinfo=UTC), LATEST.replace(tzinfo=UTC))
        instant = next(campaign.when.fire_times(*window, zone), None)
        if instant is None or instant > now:
            continue
        record = records.get(campaign.name)
        if record is not None and store is not None:
            if (record.id, instant) in store.slot_keys(instant, instant):
                continue
            history = histories.get(record.id)
            if (
                history is not None
                and history.created_at <= instant
                and instant >= now - SKIP_LOOKBACK
                and (history.last_slot_at is None or history.last_slot_at < instant)
            ):
                continue  # the daemon catches it up, or records it as skipped
        problems.append(
            f"campaigns[{i}] ({campaign.name}).when.at = '{campaign.when.at:%Y-%m-%d %H:%M}' ({zone}) "
            f"is already past ({instant:%Y-%m-%d %H:%M} UTC, now {now:%Y-%m-%d %H:%M} UTC) and never "
            "fired: a one-off campaign fires only at that time, never for a time before it was "
            "first synced, so it would never fire; set a future time, or set enabled = false"
        )
    return problems


class SyncService:
    """Makes the store's campaigns match the config; removed campaigns are deactivated."""

    def __init__(
        self, settings: Settings, store: SyncStore, gate: Callable[[], ModerationGate], clock: Clock
    ) -> None:
        self._settings = settings
        self._store = store
        self._gate = gate
        self._clock = clock

    def other_configs(self) -> list[str]:
        """The live daemons that run with another config file (see :func:`other_configs`)."""
        return other_configs(self._store.list_daemons(), self._settings.source, self._clock.now())

    def likely_renames(self) -> list[LikelyRename]:
        """Campaigns that a sync would remove though they look renamed (see :func:`likely_renames`)."""
        return likely_renames(self._settings, self._store)

    def never_firing(self) -> list[str]:
        """The enabled one-off campaigns that are past and will never fire (see
        :func:`never_firing`); the CLI refuses to sync them, the daemon logs them."""
        return never_firing(self._settings, self._store, self._clock.now())

    def sync(self, actor: str) -> SyncOutcome:
        """Score every campaign's brief and variables, then sync (a flagged brief is a warning)."""
        campaigns = self._settings.campaigns
        warnings = tuple(score_campaigns(self._gate(), campaigns))
        accounts = [a.name for a in self._settings.accounts]
        # Accounts first: a post to a removed account fails ("account removed", retryable once
        # it is back); what is left of a removed or disabled campaign is then held (cancelled).
        failed = tuple(self._store.fail_unconfigured(accounts, self._clock.now(), actor))
        report = self._store.sync_campaigns([campaign_spec(c) for c in campaigns], self._clock.now(), actor)
        if any(h.reopened and not h.removed for h in report.held):
            report = replace(report, held=tuple(self._needs_override(h) for h in report.held))
        if report.added or report.updated or report.deactivated:
            log.info(
                "campaigns synced: added %s, updated %s, deactivated %s",
                list(report.added),
                list(report.updated),
                list(report.deactivated),
            )
        if report.expired_drafts or failed:
            log.info(
                "removed from the config: drafts expired %s, publications failed %s",
                list(report.expired_drafts),
                list(failed),
            )
        # What was done to held posts is told by the caller (printed by the CLI, logged by the
        # daemon): logged here too, `bot campaigns sync` showed each line twice on a terminal.
        return SyncOutcome(report, warnings, failed)

    def _needs_override(self, held: HeldPublication) -> HeldPublication:
        """The held publication, saying why approving its reopened draft again needs
        ``--override`` (flagged by moderation, failed checks), if it does."""
        if not held.reopened or held.removed:
            return held
        from bot.services.review import failed_check_names

        draft = self._store.get_draft(held.draft_id)
        why = []
        if draft.state is DraftState.FLAGGED:
            why.append("it is flagged by moderation")
        if failed := failed_check_names(draft):
            why.append(f"it failed its checks: {', '.join(failed)}")
        return replace(held, needs_override=" and ".join(why))


def held_lines(report: SyncReport) -> list[str]:
    """What a sync did to the approved posts of removed or disabled campaigns, one line per
    publication, each saying how to undo it; and the ones it could not stop."""
    lines = []
    for held in report.held:
        what = "was removed from the config" if held.removed else "is disabled"
        head = (
            f"publication {held.publication_id} (draft {held.draft_id} to {held.account}) "
            f"cancelled: {held.campaign} {what}"
        )
        if held.removed and held.reopened:
            undo = (
                "its approval is void and the draft expired with the campaign's open drafts "
                f"(`bot queue show {held.draft_id}` keeps its text)"
            )
        elif held.reopened:
            approve = f"bot queue approve {held.draft_id}"
            if held.needs_override:
                approve += f" --override --reason TEXT` ({held.needs_override})"
            else:
                approve += "`"
            undo = (
                f"draft {held.draft_id} is back in the review queue; to send it after all, set "
                f"enabled = true, run `bot campaigns sync`, then `{approve}"
            )
        else:
            undo = f"draft {held.draft_id} went out elsewhere or has a failed publication; it stays approved"
        lines.append(f"{head}; {undo}")
    for busy in report.in_flight:
        what = "removed from the config" if busy.removed else "disabled"
        if busy.state == "needs_check":
            doing = f"may already be out; stop it with `bot publications cancel {busy.publication_id}`"
        else:
            doing = f"is being sent right now; see `bot publications show {busy.publication_id}`"
        lines.append(
            f"publication {busy.publication_id} (draft {busy.draft_id} to {busy.account}) of "
            f"{busy.campaign}, now {what}, is {busy.state} and not stopped by the sync: it {doing}"
        )
    return lines
