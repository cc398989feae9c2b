"""The semantic scorer's classifier: softmax regression over sentence embeddings, blended with
a nearest-neighbour vote, trained from labeled texts; saved as one small ``.npz`` file.

The file holds the weights, the training rows' embeddings and texts (for the nearest labeled
examples shown when a draft is flagged) and the SHA-256 of the training data, which names
the model in every audit record.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bot.adapters.moderation.labeled import BENIGN, LABELS, TOXIC_LABELS, LabeledText, fingerprint
from bot.domain.errors import ConfigError

Matrix = NDArray[np.float32]
#: Neighbours in the vote, and the weight of the vote against the regression.
NEIGHBOURS = 5
KNN_WEIGHT = 0.3
_STEPS = 1500
_RATE = 5.0
_L2 = 1e-4
_FORMAT = 1


@dataclass(frozen=True)
class Neighbour:
    """A labeled example close to a scored text."""

    text: str
    label: str
    similarity: float


@dataclass(frozen=True)
class SemanticModel:
    """A trained classifier and the examples it was trained on."""

    weights: Matrix  # (512, labels)
    bias: Matrix  # (labels,)
    examples: Matrix  # (n, 512), L2-normalised
    example_labels: NDArray[np.int64]  # (n,)
    example_texts: tuple[str, ...]
    data_sha256: str

    @property
    def labels(self) -> tuple[str, ...]:
        """Class names, in column order (the toxic ones, then ``benign``)."""
        return LABELS

    @property
    def sha256(self) -> str:
        """SHA-256 of the weights: which model scored a text."""
        digest = hashlib.sha256(self.weights.tobytes())
        digest.update(self.bias.tobytes())
        return digest.hexdigest()

    def probabilities(self, vectors: Matrix) -> Matrix:
        """Per text, a probability per class (rows sum to 1)."""
        if len(vectors) == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        regression = _softmax(vectors @ self.weights + self.bias)
        return ((1 - KNN_WEIGHT) * regression + KNN_WEIGHT * self._vote(vectors)).astype(np.float32)

    def toxic_scores(self, vectors: Matrix) -> list[dict[str, float]]:
        """Per text, the probability of each toxic label."""
        probabilities = self.probabilities(vectors)
        return [{label: float(row[i]) for i, label in enumerate(TOXIC_LABELS)} for row in probabilities]

    def nearest(self, vector: Matrix, k: int = 3) -> list[Neighbour]:
        """The ``k`` training examples most like one text."""
        similarity = self.examples @ vector
        best = np.argsort(-similarity)[:k]
        return [
            Neighbour(self.example_texts[i], LABELS[self.example_labels[i]], float(similarity[i]))
            for i in best
        ]

    def _vote(self, vectors: Matrix) -> Matrix:
        """Similarity-weighted vote of the nearest training examples."""
        similarity = vectors @ self.examples.T
        k = min(NEIGHBOURS, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        votes = np.zeros((len(vectors), len(LABELS)), dtype=np.float32)
        for row, columns in enumerate(nearest):
            weights = np.clip(similarity[row, columns], 0.0, None)
            np.add.at(votes[row], self.example_labels[columns], weights)
        totals = votes.sum(axis=1, keepdims=True)
        votes[totals[:, 0] == 0, LABELS.index(BENIGN)] = 1.0
        normalised: Matrix = (votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-9)).astype(np.float32)
        return normalised

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (``.npz``), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(_FORMAT),
            weights=self.weights,
            bias=self.bias,
            examples=self.examples.astype(np.float16),
            example_labels=self.example_labels,
            example_texts=np.array(self.example_texts, dtype=np.str_),
            labels=np.array(LABELS, dtype=np.str_),
            data_sha256=np.array(self.data_sha256),
        )
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)


def load(path: Path | io.BytesIO, name: str = "") -> SemanticModel:
    """A model written by :meth:`SemanticModel.save`.

    Raises:
        ConfigError: the file is missing, unreadable or not such a model.
    """
    where = name or str(path)
    try:
        raw = io.BytesIO(path.read_bytes()) if isinstance(path, Path) else path  # no handle leaks
        with np.load(raw, allow_pickle=False) as data:
            if int(data["format"]) != _FORMAT or tuple(data["labels"]) != LABELS:
                raise ConfigError(f"{where}: a semantic model of another format or label set")
            return SemanticModel(
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
                examples=data["examples"].astype(np.float32),
                example_labels=data["example_labels"].astype(np.int64),
                example_texts=tuple(str(t) for t in data["example_texts"]),
                data_sha256=str(data["data_sha256"]),
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ConfigError(
            f"{where}: not a readable semantic model ({exc}); move it aside (the shipped model is "
            "used then) or train again with `bot moderation train --accept`"
        ) from None


def train(rows: Sequence[LabeledText], vectors: Matrix) -> SemanticModel:
    """Fit the classifier on ``rows`` (their embeddings in ``vectors``, same order), each
    class weighted by the inverse of its size so that small classes count."""
    if not rows:
        raise ConfigError("nothing to train on: no labeled rows")
    targets = np.array([LABELS.index(r.label) for r in rows], dtype=np.int64)
    counts = np.bincount(targets, minlength=len(LABELS)).astype(np.float32)
    class_weight = np.where(counts > 0, len(rows) / (len(LABELS) * np.maximum(counts, 1)), 0.0)
    sample_weight = class_weight[targets] / len(rows)
    onehot = np.eye(len(LABELS), dtype=np.float32)[targets]
    weights = np.zeros((vectors.shape[1], len(LABELS)), dtype=np.float32)
    bias = np.zeros(len(LABELS), dtype=np.float32)
    first: NDArray[np.float64] = np.zeros(weights.shape)
    second: NDArray[np.float64] = np.zeros(weights.shape)
    for step in range(1, _STEPS + 1):  # Adam on the weighted cross-entropy
        error = (_softmax(vectors @ weights + bias) - onehot) * sample_weight[:, None]
        gradient = vectors.T @ error + _L2 * weights
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        weights -= _RATE * 0.01 * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        bias -= _RATE * error.sum(axis=0)
    return SemanticModel(
        weights=weights,
        bias=bias,
        examples=vectors.astype(np.float32),
        example_labels=targets,
        example_texts=tuple(r.text for r in rows),
        data_sha256=fingerprint(rows),
    )


def _softmax(logits: Matrix) -> Matrix:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
