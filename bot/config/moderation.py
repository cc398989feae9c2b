"""``[moderation]``: which scorers judge each draft, and the thresholds in force."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from bot.config.types import Strict

Threshold = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]


def _installed(name: str) -> str:
    from bot import plugins

    installed = plugins.names(plugins.SCORERS)
    if name not in installed:
        raise ValueError(f"no moderation scorer {name!r} is installed (installed: {', '.join(installed)})")
    return name


#: A registered scorer (``bot plugins``): "profanity", "wordlist", "detoxify", ...
ScorerName = Annotated[str, AfterValidator(_installed)]


class DetoxifySettings(Strict):
    """A local detoxify checkpoint and its model/tokenizer directory (relative paths are
    relative to the config file). Nothing is downloaded."""

    #: The ``.ckpt`` file (holds ``config`` and ``state_dict``).
    checkpoint: Path | None = None
    #: The transformers ``config.json`` (right ``num_labels``) and tokenizer files.
    model_dir: Path | None = None
    #: Load a checkpoint that holds arbitrary pickled objects (only for files you trust).
    allow_pickle: bool = False


class WordlistSettings(Strict):
    """Extra word lists (one term per line, same format as the bundled lists) on top of the
    bundled English and Chinese ones; relative paths are relative to the config file."""

    files: tuple[Path, ...] = ()


class SemanticSettings(Strict):
    """The semantic scorer's model: by default the one accepted with ``bot moderation train
    --accept``, else the one shipped in the package."""

    #: A model file written by ``bot moderation train --out`` (relative to the config file).
    model: Path | None = None


def _toml(names: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{name}"' for name in names) + "]"


#: The scorers of a config that does not list them.
DEFAULT_SCORERS = ("wordlist", "rules", "semantic")


class ModerationSettings(Strict):
    """``[moderation]``: scorers combined by the gate; any label over its threshold flags."""

    scorers: tuple[ScorerName, ...] = Field(default=DEFAULT_SCORERS, min_length=1)
    #: Per scorer, per label: the score at or above which a text is flagged.
    thresholds: dict[ScorerName, dict[str, Threshold]] = Field(default_factory=dict)
    #: Per scorer, per label: the (lower) score at or above which a text that is not flagged
    #: is held for a person: ``approval = "auto"`` does not approve it. Unset labels keep the
    #: defaults (``bot moderation scorers`` shows them); 1.0 turns one off.
    review_thresholds: dict[ScorerName, dict[str, Threshold]] = Field(default_factory=dict)
    detoxify: DetoxifySettings = DetoxifySettings()
    wordlist: WordlistSettings = WordlistSettings()
    semantic: SemanticSettings = SemanticSettings()

    def warnings(self) -> list[str]:
        """What an explicit ``scorers`` list leaves out that the default has and nothing else
        does (``bot config check`` and ``bot run`` say it; the config is still valid)."""
        if "rules" in self.scorers:
            return []
        return [
            f'moderation.scorers = {_toml(self.scorers)} has no "rules" (the default list is '
            f"{_toml(DEFAULT_SCORERS)}): nothing then flags a group of people turned away "
            '("No immigrants.", "we don\'t serve X"), a demeaning generalisation ("Women can\'t bake '
            'anyway") or a threat without a rude word ("We know where you live"): word lists and '
            'classifiers miss them. Add "rules" to the list unless leaving it out is meant'
        ]

    @model_validator(mode="after")
    def _consistent(self) -> ModerationSettings:
        if len(set(self.scorers)) != len(self.scorers):
            raise ValueError(f"scorers: a scorer is named twice in {list(self.scorers)}")
        if "detoxify" in self.scorers:
            for key in ("checkpoint", "model_dir"):
                if getattr(self.detoxify, key) is None:
                    raise ValueError(
                        f"detoxify.{key}: needed when scorers include 'detoxify' "
                        "(detoxify cannot download its model here)"
                    )
        return self
