"""The committed quality set (bench/data/quality): briefs as campaigns, and their candidates.

Shared by ``bench/quality_generate.py`` (writes the candidates once with the real model) and
``bench/quality.py`` (checks them; no model needed); ``bench/reading.py`` takes its settings,
drafting service and :func:`share`.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "quality"
#: The slot every brief is drafted for (a fixed time makes the set reproducible).
SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
_NOT_CAMPAIGN = ("brand", "split")


def load_briefs(path: Path = DATA / "briefs.toml") -> list[dict[str, Any]]:
    """Every brief, with its brand table in place of the brand key."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    briefs = data["brief"]
    for brief in briefs:
        brief["brand_settings"] = data["brands"][brief["brand"]]
    return list(briefs)


def load_candidates(path: Path = DATA / "candidates.jsonl") -> list[dict[str, Any]]:
    """Every labeled candidate (one JSON object a line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` rounded to three places; None for 0 of 0 (it has no value, not 0.0)."""
    return round(part / whole, 3) if whole else None


def settings_for(brief: dict[str, Any], data_dir: Path, model: dict[str, Any] | None = None) -> Any:
    """A Settings object holding one brief as its only campaign (posting to X and Bluesky)."""
    from bot.config.settings import Settings

    campaign = {k: v for k, v in brief.items() if k not in (*_NOT_CAMPAIGN, "brand_settings")}
    campaign["accounts"] = ["x", "bsky"]
    return Settings.model_validate(
        {
            "bot": {"data_dir": str(data_dir)},
            "brand": brief["brand_settings"],
            "model": model or {"backend": "canned"},
            "moderation": {"scorers": ["profanity"]},
            "accounts": [
                {"name": "x", "platform": "x"},
                {"name": "bsky", "platform": "bluesky", "handle": "shop.example"},
            ],
            "campaigns": [campaign],
        }
    )


def service_for(settings: Any) -> Any:
    """A drafting service with no store and no model (the set's texts are already written),
    ranking by meaning as a configured bot does (``[model] ranking``)."""
    from bot.adapters.embedding import shared
    from bot.adapters.generation.canned import CannedGenerator
    from bot.domain.ports import FixedClock
    from bot.services.drafting.service import DraftingService
    from bot.wiring import build_gate

    return DraftingService(
        settings,
        None,
        CannedGenerator,
        lambda: build_gate(settings.moderation),
        FixedClock(SLOT),
        "quality",
        embedder=shared,
    )
