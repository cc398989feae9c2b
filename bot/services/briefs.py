"""Scores what a campaign puts into every prompt or post (its brief, template variables,
products, hashtags and pictures' alt texts) so that ``bot campaigns sync`` can warn about a
toxic brief before any draft is written from it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.campaigns import CampaignSettings, MediaFolder
from bot.services.moderation import ModerationGate


@dataclass(frozen=True)
class BriefWarning:
    """One field of one campaign that the gate flags (or holds for review)."""

    campaign: str
    field: str
    text: str
    reasons: tuple[str, ...]
    #: Not flagged, but over a review threshold: drafts repeating it are never auto-approved.
    held: bool = False

    def message(self) -> str:
        if self.held:
            return (
                f"campaign {self.campaign}: {self.field} is held for review (drafts that repeat it "
                f"are not auto-approved): {'; '.join(self.reasons)}"
            )
        return f"campaign {self.campaign}: {self.field} scores toxic: {'; '.join(self.reasons)}"


def campaign_fields(campaign: CampaignSettings) -> list[tuple[str, str]]:
    """(field, text) pairs of everything the campaign feeds into its posts."""
    fields = [("brief", campaign.brief)]
    fields += [(f"variables.{name}", value) for name, value in campaign.variables.items()]
    fields += [(f"products[{i}]", p) for i, p in enumerate(campaign.products)]
    fields += [(f"hashtags[{i}]", h) for i, h in enumerate(campaign.hashtags or ())]
    media = campaign.media
    if isinstance(media, MediaFolder):
        fields += [("media.alt", media.alt or "")]
    else:
        fields += [(f"media[{i}].alt", m.alt or "") for i, m in enumerate(media)]
    return [(name, text) for name, text in fields if text.strip()]


def score_campaigns(gate: ModerationGate, campaigns: tuple[CampaignSettings, ...]) -> list[BriefWarning]:
    """A warning for every flagged or held field, in config order (one batched gate call)."""
    items = [(c.name, name, text) for c in campaigns for name, text in campaign_fields(c)]
    if not items:
        return []
    verdicts = gate.check([text for _, _, text in items])
    return [
        BriefWarning(campaign, field, text, verdict.reasons or verdict.holds, held=verdict.held)
        for (campaign, field, text), verdict in zip(items, verdicts, strict=True)
        if verdict.flagged or verdict.held
    ]
