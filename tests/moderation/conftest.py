"""Fixtures for the moderation tests: a tiny real detoxify checkpoint, and scorers that
misbehave on purpose (test doubles of the ModerationScorer port, to drive the fail-closed
paths of the real gate)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny_detoxify


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(checkpoint, model_dir) of a tiny random BERT detoxify model, built once per session."""
    return tiny_detoxify.build(tmp_path_factory.mktemp("detoxify"))


class BrokenScorer:
    """A scorer that raises, like a model that cannot run."""

    name = "broken"
    version = "broken 1"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        raise RuntimeError("model crashed")


class FixedScorer:
    """A scorer that answers whatever it is told to (including nonsense)."""

    version = "fixed 1"

    def __init__(self, name: str, answer: object) -> None:
        self.name = name
        self.answer = answer

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if callable(self.answer):
            return self.answer(texts)  # type: ignore[no-any-return]
        return [self.answer for _ in texts]  # type: ignore[misc]
