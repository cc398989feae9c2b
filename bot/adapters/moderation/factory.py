"""Builds the moderation gate from ``[moderation]``.

Every scorer is built (and its files read) here, so a bad word list or a missing or
malformed detoxify checkpoint is a :class:`ConfigError` when the gate is built, before any
draft is scored. Only the configured scorers are imported: torch is loaded only with
detoxify.
"""

from __future__ import annotations

from pathlib import Path

from bot.config.moderation import ModerationSettings
from bot.domain.errors import ConfigError
from bot.domain.ports import ModerationScorer
from bot.services.moderation import ModerationGate

#: The labels of the scorers whose labels are fixed (detoxify's come from its checkpoint).
FIXED_LABELS = {"profanity": ("profanity",), "wordlist": ("match",)}


def build_gate(settings: ModerationSettings, base: Path | None = None) -> ModerationGate:
    """The gate for ``settings``; relative paths are resolved against ``base``."""
    scorers = [build_scorer(name, settings, base or Path.cwd()) for name in settings.scorers]
    for scorer in scorers:
        _check_thresholds(scorer, settings)
    return ModerationGate(scorers, {str(k): v for k, v in settings.thresholds.items()})


def build_scorer(name: str, settings: ModerationSettings, base: Path) -> ModerationScorer:
    """One scorer by its configured name."""
    if name == "profanity":
        from bot.adapters.moderation.profanity import ProfanityScorer

        return ProfanityScorer()
    if name == "wordlist":
        from bot.adapters.moderation.wordlist import WordlistScorer

        return WordlistScorer([base / f for f in settings.wordlist.files])
    if name == "detoxify":
        from bot.adapters.moderation.detoxify import DetoxifyScorer

        detox = settings.detoxify
        if detox.checkpoint is None or detox.model_dir is None:
            raise ConfigError("moderation.detoxify: checkpoint and model_dir are both needed")
        return DetoxifyScorer(
            base / detox.checkpoint, base / detox.model_dir, allow_pickle=detox.allow_pickle
        )
    raise ConfigError(f"moderation.scorers: unknown scorer {name!r}")


def labels_of(scorer: ModerationScorer) -> tuple[str, ...]:
    """The labels a scorer reports."""
    return FIXED_LABELS.get(scorer.name) or tuple(getattr(scorer, "labels", ()))


def _check_thresholds(scorer: ModerationScorer, settings: ModerationSettings) -> None:
    known = labels_of(scorer)
    thresholds = {str(k): v for k, v in settings.thresholds.items()}
    for label in thresholds.get(scorer.name, {}):
        if label not in known:
            raise ConfigError(
                f"moderation.thresholds.{scorer.name}.{label}: {scorer.name} has no such label; "
                f"its labels: {', '.join(known)}"
            )
