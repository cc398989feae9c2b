"""Builds the moderation gate from ``[moderation]``."""

from __future__ import annotations

from bot.config.moderation import ModerationSettings
from bot.moderation.gate import ModerationGate
from bot.ports import ModerationScorer


def build_gate(settings: ModerationSettings) -> ModerationGate:
    scorers: list[ModerationScorer] = []
    for name in settings.scorers:
        if name == "profanity":
            from bot.moderation.profanity import ProfanityScorer

            scorers.append(ProfanityScorer())
        elif name == "wordlist":
            from bot.moderation.wordlist import WordlistScorer

            scorers.append(WordlistScorer(settings.wordlist.files))
        elif name == "detoxify":
            from bot.errors import ConfigError

            raise ConfigError("moderation.scorers: 'detoxify' is not available yet")
    return ModerationGate(scorers, settings.thresholds)
