"""Retraining the semantic scorer: from the shipped labeled set plus reviewers' exports.

``bot moderation train --add FILE`` fits a candidate on the shipped ``train`` split and the
added rows, shows its figures on the shipped ``dev`` split beside the model in force, and
saves it as the candidate; ``--accept`` makes the candidate the model in force. The
``final`` split is never used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.adapters.embedding import Embedder, shared
from bot.adapters.moderation import semantic_model
from bot.adapters.moderation.labeled import LabeledText, bundled, split_of
from bot.adapters.moderation.semantic import ACCEPTED, CANDIDATE, bundled_model, for_encoder
from bot.adapters.moderation.semantic_model import Matrix, SemanticModel
from bot.domain.errors import BotError, ConfigError


@dataclass(frozen=True)
class Figures:
    """How a model does on labeled rows of one language at one threshold."""

    language: str
    rows: int
    recall: float
    fpr: float

    def to_dict(self) -> dict[str, object]:
        """Stable keys for ``--json``."""
        return {"language": self.language, "rows": self.rows, "recall": self.recall, "fpr": self.fpr}


def evaluate(
    model: SemanticModel, rows: Sequence[LabeledText], threshold: float, embedder: Embedder | None = None
) -> list[Figures]:
    """Recall (toxic rows flagged) and false-positive rate (benign rows flagged) per language."""
    vectors = embed(rows, embedder) if rows else np.zeros((0, 512), dtype=np.float32)
    toxic = [min(1.0, sum(k.values())) >= threshold for k in model.toxic_scores(vectors)]
    figures = []
    for language in sorted({r.language for r in rows}):
        pairs = [(r, f) for r, f in zip(rows, toxic, strict=True) if r.language == language]
        bad = [f for r, f in pairs if r.toxic]
        good = [f for r, f in pairs if not r.toxic]
        figures.append(
            Figures(
                language or "?",
                len(pairs),
                round(sum(bad) / len(bad), 3) if bad else 1.0,
                round(sum(good) / len(good), 3) if good else 0.0,
            )
        )
    return figures


def fit(added: Sequence[LabeledText], embedder: Embedder | None = None) -> SemanticModel:
    """A model trained on the shipped ``train`` split plus ``added`` rows (all as training).

    The shipped rows' vectors are read from the shipped model (it keeps them for its
    nearest-example explanations), so only the added rows are embedded here.
    """
    rows = [*split_of(bundled(), "train"), *(LabeledText(r.text, r.label, r.language) for r in added)]
    return semantic_model.train(rows, embed(rows, embedder))


def embed(rows: Sequence[LabeledText], embedder: Embedder | None = None) -> Matrix:
    """The rows' vectors: the shipped model's where it has them, the encoder's for the rest."""
    try:
        shipped = bundled_model()
        known = dict(zip(shipped.example_texts, shipped.examples, strict=True))
    except ConfigError:  # no shipped model (being rebuilt): embed everything
        known = {}
    missing = [r.text for r in rows if r.text not in known]
    known.update(zip(missing, (embedder or shared()).encode([for_encoder(t) for t in missing]), strict=True))
    return np.stack([known[r.text] for r in rows]).astype(np.float32)


def dev_rows() -> list[LabeledText]:
    """The shipped ``dev`` split: what a candidate is judged on before it is accepted."""
    return split_of(bundled(), "dev")


def candidate_path(data_dir: Path) -> Path:
    """Where the last trained candidate waits for ``--accept``."""
    return data_dir / CANDIDATE


def accept(data_dir: Path) -> Path:
    """Make the waiting candidate the model in force; returns its new path.

    Raises:
        BotError: there is no candidate (run ``bot moderation train`` first).
    """
    candidate = candidate_path(data_dir)
    if not candidate.is_file():
        raise BotError(f"no candidate model at {candidate}: run `bot moderation train` first")
    target = data_dir / ACCEPTED
    candidate.replace(target)
    return target
