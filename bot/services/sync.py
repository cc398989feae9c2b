"""Sync: the config's campaigns into the store (the CLI's ``campaigns sync`` and the daemon's
start and reload both call :class:`SyncService`, so both score briefs and log the same way).

Work left behind by a config change is closed, never deleted: the open drafts of a campaign
removed from the config expire ("campaign removed"); the queued publications to an account
removed from it fail ("account removed"). History keeps all of it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.domain import CampaignSpec, SyncReport
from bot.domain.ports import CampaignStore, Clock, PublicationStore
from bot.services.briefs import BriefWarning, score_campaigns
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


class SyncStore(CampaignStore, PublicationStore, Protocol):
    """The parts of the store a sync changes."""


class SyncService:
    """Makes the store's campaigns match the config; removed campaigns are deactivated."""

    def __init__(
        self, settings: Settings, store: SyncStore, gate: Callable[[], ModerationGate], clock: Clock
    ) -> None:
        self._settings = settings
        self._store = store
        self._gate = gate
        self._clock = clock

    def sync(self, actor: str) -> SyncOutcome:
        """Score every campaign's brief and variables, then sync (a flagged brief is a warning)."""
        campaigns = self._settings.campaigns
        warnings = tuple(score_campaigns(self._gate(), campaigns))
        report = self._store.sync_campaigns([campaign_spec(c) for c in campaigns], self._clock.now(), actor)
        accounts = [a.name for a in self._settings.accounts]
        failed = tuple(self._store.fail_unconfigured(accounts, self._clock.now(), actor))
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
        return SyncOutcome(report, warnings, failed)
