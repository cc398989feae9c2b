"""Builds the moderation scorers of ``[moderation]`` (the wiring puts them in the gate).

Every scorer is built (and its files read) here, so a bad word list or a missing or
malformed detoxify checkpoint is a :class:`ConfigError` when the gate is built, before any
draft is scored. Only the configured scorers are imported: torch is loaded only with
detoxify.
"""

from __future__ import annotations

from pathlib import Path

from bot import plugins
from bot.config.moderation import ModerationSettings
from bot.domain.errors import ConfigError
from bot.domain.ports import ModerationScorer, ScorerBackend


def build_scorers(
    settings: ModerationSettings, base: Path | None = None, data_dir: Path | None = None
) -> list[ModerationScorer]:
    """The configured scorers, their thresholds checked; relative paths are resolved against
    ``base``; models accepted with ``bot moderation train --accept`` are read from ``data_dir``."""
    scorers = [build_scorer(name, settings, base or Path.cwd(), data_dir) for name in settings.scorers]
    for scorer in scorers:
        _check_thresholds(scorer, settings)
    return scorers


def build_scorer(
    name: str, settings: ModerationSettings, base: Path, data_dir: Path | None = None
) -> ModerationScorer:
    """One scorer by its registered name."""
    return _backend(name).build(settings, base, data_dir)


def labels_of(scorer: ModerationScorer) -> tuple[str, ...]:
    """The labels a scorer reports (fixed by its plugin, or read from the built scorer)."""
    return _backend(scorer.name).labels or tuple(getattr(scorer, "labels", ()))


def _backend(name: str) -> ScorerBackend:
    backend: ScorerBackend = plugins.load(plugins.SCORERS, name)
    return backend


def _check_thresholds(scorer: ModerationScorer, settings: ModerationSettings) -> None:
    known = labels_of(scorer)
    thresholds = {str(k): v for k, v in settings.thresholds.items()}
    for label in thresholds.get(scorer.name, {}):
        if label not in known:
            raise ConfigError(
                f"moderation.thresholds.{scorer.name}.{label}: {scorer.name} has no such label; "
                f"its labels: {', '.join(known)}"
            )
