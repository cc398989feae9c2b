"""The bundled SmolLM2 model: loads through the GGUF path, caches, and writes a real post."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.generation.embedded import LOCAL_CANDIDATES
from bot.adapters.generation.factory import build_generator
from bot.config import load_settings
from bot.domain import DraftOrigin
from bot.domain.ports import FixedClock
from bot.services.drafting.service import DraftingService
from bot.wiring import build_gate
from tests.adapters.generation.gen_configs import write

SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


@pytest.mark.slow
def test_bundled_model_writes_checked_candidates(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, model='backend = "embedded"\nthreads = 1\nmax_new_tokens = 60'))
    generator = build_generator(settings)
    gate = build_gate(settings.moderation)
    service = DraftingService(settings, None, lambda: generator, lambda: gate, FixedClock(SLOT), "test")
    scored = service.candidates(settings.campaign("mid-autumn"), SLOT)
    model_made = [s.candidate for s in scored if s.candidate.origin is DraftOrigin.MODEL]
    assert len(model_made) == LOCAL_CANDIDATES == 16
    assert all(c.model_id == "SmolLM2-135M-Instruct" and c.settings["new_tokens"] > 0 for c in model_made)
    assert any("Mid-Autumn" in c.text for c in model_made)
    assert (tmp_path / "data" / "models").is_dir()  # the de-quantized copy is cached
