"""The ``semantic`` scorer: what a text means, in English and Chinese, not which words it uses.

Texts are embedded by the multilingual sentence encoder (:mod:`bot.adapters.embedding`) and classified
by a small model trained from labeled texts (:mod:`.semantic_model`). Labels: ``toxic`` (one
minus the probability of ``benign``: what the default threshold acts on) and one probability
per kind: ``threat``, ``identity_attack``, ``insult``, ``self_harm``, ``sexual``. A flagged
text is explained by its nearest labeled examples.

Which model: ``[moderation.semantic] model`` when set; else the model accepted with
``bot moderation train --accept`` (``<data_dir>/moderation/semantic.npz``); else the model
trained from the labeled set shipped in the package (rebuilt, deterministically, with
``scripts/build_semantic_model.py`` whenever ``data/labeled.csv`` changes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any

from bot.adapters.embedding import Embedder, shared
from bot.adapters.moderation.labeled import TOXIC_LABELS
from bot.adapters.moderation.semantic_model import SemanticModel, load
from bot.domain.ports import ScorerBackend

TOXIC = "toxic"
LABELS = (TOXIC, *TOXIC_LABELS)
BUNDLED_MODEL = "data/semantic.npz"
#: Where ``bot moderation train`` keeps its models, under the data directory.
CANDIDATE = Path("moderation") / "semantic-candidate.npz"
ACCEPTED = Path("moderation") / "semantic.npz"
#: A run of four or more capitals ("FRIDAYTEA", "IDIOT"): the encoder reads such runs as rare
#: tokens and a promo code came out "most like self_harm", so they are read in lower case.
_SHOUTED = re.compile(r"\b[A-Z][A-Z0-9]{3,}\b")


def for_encoder(text: str) -> str:
    """The text as the encoder sees it, in scoring and in training alike."""
    return _SHOUTED.sub(lambda m: m.group(0).lower(), text)


class SemanticScorer:
    """Scores texts with one trained model; the model's hash and its training data's hash
    are its version, so every audit record names the model that scored the draft."""

    name = "semantic"
    labels = LABELS

    def __init__(
        self,
        model: SemanticModel,
        source: str,
        embedder: Embedder | None = None,
        accepted: Path | None = None,
    ) -> None:
        self.model = model
        self.source = source
        self._embedder = embedder or shared()
        #: The file `bot moderation train --accept` writes: a running daemon picks up a newly
        #: accepted model at its next draft (a damaged one fails closed: the scorer errors).
        self._accepted = accepted
        self._accepted_mtime = _mtime(accepted) if accepted is not None else None
        #: Vectors and kind scores of the last scored batch, and the explanations given for it:
        #: explaining a flagged text does not embed or score it again.
        self._last: dict[str, tuple[Any, dict[str, float]]] = {}
        self._explained: dict[str, list[str]] = {}

    @property
    def version(self) -> str:
        """Encoder, model hash and training-data hash."""
        return f"{self._embedder.version}; model {self.model.sha256[:12]}; data {self.model.data_sha256[:12]}"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text: ``toxic`` and each kind's probability."""
        self._follow_accepted()
        vectors = self._embedder.encode([for_encoder(t) for t in texts])
        scored = self.model.toxic_scores(vectors)
        self._last = {t: (v, k) for t, v, k in zip(texts, vectors, scored, strict=True)}
        self._explained = {}
        return [{TOXIC: min(1.0, sum(kinds.values())), **kinds} for kinds in scored]

    def explain(self, text: str) -> list[str]:
        """The kind the text is most like and its nearest labeled examples (worked out once
        per text of the last batch, however many of its labels are over their thresholds)."""
        if text in self._explained:
            return self._explained[text]
        known = self._last.get(text)
        if known is None:
            vector = self._embedder.encode([for_encoder(text)])[0]
            kinds = self.model.toxic_scores(vector[None, :])[0]
        else:
            vector, kinds = known
        top = max(kinds, key=lambda k: kinds[k])
        near = self.model.nearest(vector, k=2)
        found = [f"most like {top}"]
        found += [f'near "{_short(n.text)}" ({n.label}, {n.similarity:.2f})' for n in near]
        self._explained[text] = found
        return found

    def _follow_accepted(self) -> None:
        if self._accepted is None:
            return
        mtime = _mtime(self._accepted)
        if mtime is None or mtime == self._accepted_mtime:
            return
        self.model, self.source = load(self._accepted), str(self._accepted)
        self._accepted_mtime = mtime


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def bundled_model() -> SemanticModel:
    """The model trained from the package's labeled set."""
    raw = resources.files("bot.adapters.moderation").joinpath(BUNDLED_MODEL).read_bytes()
    return load(BytesIO(raw), f"bot/adapters/moderation/{BUNDLED_MODEL}")


def model_for(configured: Path | None, data_dir: Path | None) -> tuple[SemanticModel, str]:
    """The model in force and where it came from (see the module docstring)."""
    if configured is not None:
        return load(configured), str(configured)
    if data_dir is not None and (data_dir / ACCEPTED).is_file():
        return load(data_dir / ACCEPTED), str(data_dir / ACCEPTED)
    return bundled_model(), "bundled"


def _build(settings: Any, base: Path, data_dir: Path | None = None) -> SemanticScorer:
    configured = settings.semantic.model
    if configured is not None and not configured.is_absolute():
        configured = base / configured
    model, source = model_for(configured, data_dir)
    accepted = data_dir / ACCEPTED if configured is None and data_dir is not None else None
    return SemanticScorer(model, source, accepted=accepted)


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


#: The ``semantic`` scorer: multilingual embeddings and a trained classifier.
SCORER = ScorerBackend("semantic", build=_build, labels=LABELS)
