"""Builds the moderation scorers of ``[moderation]`` (the wiring puts them in the gate).

Every scorer is built (and its files read) here, so a bad word list or a missing or
malformed detoxify checkpoint is a :class:`ConfigError` when the gate is built, before any
draft is scored. Only the configured scorers are imported: torch is loaded only with
detoxify.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    for key in ("thresholds", "review_thresholds"):
        thresholds = {str(k): v for k, v in getattr(settings, key).items()}
        for label in thresholds.get(scorer.name, {}):
            if label not in known:
                raise ConfigError(
                    f"moderation.{key}.{scorer.name}.{label}: {scorer.name} has no such label; "
                    f"its labels: {', '.join(known)}"
                )


def in_force(
    settings: ModerationSettings, base: Path | None = None, data_dir: Path | None = None
) -> list[dict[str, Any]]:
    """What each configured scorer judges with, without building it (no checkpoint is loaded,
    torch is never imported): the word list files, the semantic model file and its hashes (as
    every audit record names them), detoxify's checkpoint, profanity's package. A model file
    that cannot be read is reported in ``error`` (building the gate refuses it)."""
    from importlib import metadata

    base = base or Path.cwd()
    shown: list[dict[str, Any]] = []
    for name in settings.scorers:
        row: dict[str, Any] = {"scorer": name}
        if name == "wordlist":
            from bot.adapters.moderation.wordlist import BUNDLED

            row["files"] = [f"bundled {f}" for f in BUNDLED] + [
                str(base / f) for f in settings.wordlist.files
            ]
        elif name == "semantic":
            row.update(_semantic(settings, base, data_dir))
        elif name == "detoxify":
            detox = settings.detoxify
            row["checkpoint"] = str(base / detox.checkpoint) if detox.checkpoint else None
            row["model_dir"] = str(base / detox.model_dir) if detox.model_dir else None
        elif name == "rules":
            from bot.adapters.moderation.rules import VERSION

            row["rules"] = f"bundled bot/adapters/moderation/rules.py ({VERSION})"
        elif name == "profanity":
            try:
                row["package"] = f"alt-profanity-check {metadata.version('alt-profanity-check')}"
            except metadata.PackageNotFoundError:
                row["error"] = "alt-profanity-check is not installed"
        else:
            row["plugin"] = True
        shown.append(row)
    return shown


def _semantic(settings: ModerationSettings, base: Path, data_dir: Path | None) -> dict[str, Any]:
    from bot.adapters.moderation.semantic import ACCEPTED, BUNDLED_MODEL, model_for
    from bot.domain.errors import BotError

    configured = settings.semantic.model
    if configured is not None and not configured.is_absolute():
        configured = base / configured
    if configured is not None:
        row: dict[str, Any] = {"model": str(configured), "from": "config ([moderation.semantic] model)"}
    elif data_dir is not None and (data_dir / ACCEPTED).is_file():
        row = {"model": str(data_dir / ACCEPTED), "from": "accepted (bot moderation train --accept)"}
    else:
        row = {"model": f"bundled bot/adapters/moderation/{BUNDLED_MODEL}", "from": "shipped in the package"}
    try:
        model, _ = model_for(configured, data_dir)
    except BotError as exc:
        row["error"] = str(exc)
    else:
        row.update(model_sha256=model.sha256, data_sha256=model.data_sha256)
    return row
