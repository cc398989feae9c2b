"""Test doubles of the ModerationScorer port that misbehave on purpose, to drive the
fail-closed paths of the real gate."""

from __future__ import annotations

from collections.abc import Sequence


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
