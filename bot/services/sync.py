"""Sync: the config's campaigns into the store (the CLI's ``campaigns sync`` and the daemon's
start and reload both call :class:`SyncService`, so both score briefs and log the same way)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.config.campaigns import CampaignSettings
from bot.domain import CampaignSpec, SyncReport
from bot.domain.ports import CampaignStore, Clock
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


class SyncService:
    """Makes the store's campaigns match the config; removed campaigns are deactivated."""

    def __init__(
        self, settings: Settings, store: CampaignStore, gate: Callable[[], ModerationGate], clock: Clock
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
        if report.added or report.updated or report.deactivated:
            log.info(
                "campaigns synced: added %s, updated %s, deactivated %s",
                list(report.added),
                list(report.updated),
                list(report.deactivated),
            )
        return SyncOutcome(report, warnings)
