"""``[moderation]``: which scorers judge each draft, and the thresholds in force."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from bot.config.types import Strict

ScorerName = Literal["profanity", "wordlist", "detoxify"]


class DetoxifySettings(Strict):
    """A local detoxify checkpoint (trusted pickle) and its model/tokenizer directory."""

    checkpoint: Path | None = None
    model_dir: Path | None = None


class WordlistSettings(Strict):
    """Extra word lists (one term per line) on top of the bundled English and Chinese ones."""

    files: tuple[Path, ...] = ()


class ModerationSettings(Strict):
    """``[moderation]``: scorers combined by the gate; any label over its threshold flags."""

    scorers: tuple[ScorerName, ...] = ("profanity", "wordlist")
    #: Per scorer, per label: the score at or above which a text is flagged.
    thresholds: dict[str, dict[str, float]] = Field(default_factory=dict)
    detoxify: DetoxifySettings = DetoxifySettings()
    wordlist: WordlistSettings = WordlistSettings()
