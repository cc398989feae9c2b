"""How a draft's text measures on each platform its campaign posts to: the length each platform
counts (X's weighted characters, Bluesky's graphemes, ...) against its limit, with the same
:class:`~bot.domain.platforms.PlatformLimit` the drafting checks and the publishers use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.errors import ConfigError, NotConfigured
from bot.plugins import limit_for

if TYPE_CHECKING:
    from bot.config import Settings


def platform_previews(settings: Settings, campaign: str, text: str) -> list[dict[str, Any]]:
    """One row per account of ``campaign``: ``{"account", "platform", "length", "maximum",
    "unit", "fits"}``; none when the campaign left the config."""
    try:
        accounts = settings.campaign(campaign).accounts
    except NotConfigured:
        return []
    rows = []
    for name in accounts:
        try:
            account = settings.account(name)
            limit = limit_for(account)
        except (NotConfigured, ConfigError):
            continue
        rows.append(
            {
                "account": name,
                "platform": account.platform,
                "length": limit.measure(text),
                "maximum": limit.maximum,
                "unit": limit.unit,
                "fits": limit.fits(text),
            }
        )
    return rows
