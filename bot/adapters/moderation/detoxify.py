"""The detoxify scorer: the real ``detoxify.Detoxify`` class on a local checkpoint.

The only module that imports detoxify (and, through it, torch); it is imported only when
``"detoxify"`` is among the configured scorers.

detoxify cannot download anything here, so two local files are needed (see MODELS.md):

- ``checkpoint``: the ``.ckpt`` file, holding ``config`` and ``state_dict``. It is loaded
  with torch's safe loader (tensors and plain data only); a checkpoint that needs arbitrary
  pickled objects is refused unless ``allow_pickle = true`` says the file is trusted.
- ``model_dir``: the transformers config (``config.json`` with the right ``num_labels``) and
  the tokenizer of the checkpoint's architecture.

detoxify builds the model from ``config.arch.args.model_type``, which in a released
checkpoint names a hub model (``bert-base-uncased``); pointing it at ``model_dir`` is what
stops the hub lookup, so the scorer hands detoxify a copy of the checkpoint with that one
field changed. Every problem with the files is a :class:`ConfigError` naming the path, raised
when the gate is built, never at the first draft.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.domain.errors import ConfigError, ModerationError
from bot.domain.ports import ScorerBackend

log = logging.getLogger(__name__)

#: Texts per forward pass (bounds memory on long batches).
BATCH = 16
_KEY = "moderation.detoxify"
_OFFSET_POSITIONS = {"roberta", "xlm-roberta", "camembert"}


class DetoxifyScorer:
    """Every label the checkpoint produces (``toxicity``, ``insult``, ``threat``, ...)."""

    name = "detoxify"

    def __init__(self, checkpoint: Path, model_dir: Path, *, allow_pickle: bool = False) -> None:
        self.checkpoint = checkpoint
        self.model_dir = model_dir
        _check_files(checkpoint, model_dir)
        # the checked, redirected copy; the first load is freed before detoxify loads it
        buffer = _redirected(_load_checkpoint(checkpoint, allow_pickle), model_dir)
        self._model = _build(buffer, checkpoint, model_dir)
        self.labels: tuple[str, ...] = tuple(self._model.class_names)
        self.version = _version(checkpoint, self.labels)
        log.info("detoxify loaded from %s: labels %s", checkpoint, ", ".join(self.labels))

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Scores for every label, one mapping per text."""
        results: list[dict[str, float]] = []
        for start in range(0, len(texts), BATCH):
            results += self._batch(list(texts[start : start + BATCH]))
        return results

    def _batch(self, texts: list[str]) -> list[dict[str, float]]:
        try:
            raw = self._model.predict(texts)
        except Exception as exc:
            raise ModerationError(f"detoxify could not score the text: {exc}") from exc
        out: list[dict[str, float]] = [{} for _ in texts]
        for label, values in raw.items():
            column = values if isinstance(values, list) else [values]
            for i, value in enumerate(column):
                out[i][label] = float(value)
        return out


def _check_files(checkpoint: Path, model_dir: Path) -> None:
    if not checkpoint.is_file():
        raise ConfigError(f"{_KEY}.checkpoint: {checkpoint} does not exist or is not a file")
    if not model_dir.is_dir():
        raise ConfigError(f"{_KEY}.model_dir: {model_dir} does not exist or is not a directory")
    if not (model_dir / "config.json").is_file():
        raise ConfigError(f"{_KEY}.model_dir: {model_dir} has no config.json (the transformers config)")


def _load_checkpoint(checkpoint: Path, allow_pickle: bool) -> dict[str, Any]:
    import pickle

    import torch

    try:
        loaded = torch.load(checkpoint, map_location="cpu", weights_only=not allow_pickle)
    except pickle.UnpicklingError as exc:
        if not allow_pickle and "weights_only" in str(exc):
            raise ConfigError(
                f"{_KEY}.checkpoint: {checkpoint} holds pickled objects besides tensors; if you "
                "trust the file, set allow_pickle = true"
            ) from None
        raise ConfigError(f"{_KEY}.checkpoint: {checkpoint} is not a torch checkpoint: {exc}") from None
    except Exception as exc:
        raise ConfigError(f"{_KEY}.checkpoint: {checkpoint} cannot be read: {exc}") from None
    _check_layout(loaded, checkpoint)
    return dict(loaded)


def _check_layout(loaded: Any, checkpoint: Path) -> None:
    """The fields detoxify reads, checked here so a bad file gets a clear message."""
    where = f"{_KEY}.checkpoint: {checkpoint}"
    if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
        raise ConfigError(f"{where} is not a detoxify checkpoint (needs 'config' and 'state_dict')")
    try:
        args = loaded["config"]["arch"]["args"]
        classes = loaded["config"]["dataset"]["args"]["classes"]
    except (KeyError, TypeError):
        raise ConfigError(f"{where}: config lacks arch.args or dataset.args.classes") from None
    missing = {"model_type", "model_name", "tokenizer_name", "num_classes"} - set(args)
    if missing:
        raise ConfigError(f"{where}: config.arch.args lacks {', '.join(sorted(missing))}")
    if not classes or len(classes) != args["num_classes"]:
        raise ConfigError(f"{where}: {len(classes)} classes for num_classes={args['num_classes']}")


def _redirected(loaded: dict[str, Any], model_dir: Path) -> io.BytesIO:
    """The checkpoint with ``arch.args.model_type`` pointing at ``model_dir`` (no hub)."""
    import torch

    config = dict(loaded["config"])
    config["arch"] = {**config["arch"], "args": {**config["arch"]["args"], "model_type": str(model_dir)}}
    buffer = io.BytesIO()
    torch.save({**loaded, "config": config}, buffer)
    buffer.seek(0)
    return buffer


def _build(buffer: io.BytesIO, checkpoint: Path, model_dir: Path) -> Any:
    from detoxify import Detoxify
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no bar in CLI output
    try:
        model = Detoxify(checkpoint=buffer, huggingface_config_path=str(model_dir))
    except Exception as exc:
        raise ConfigError(
            f"{_KEY}: cannot build the model from {checkpoint} and {model_dir}: {exc}"
        ) from None
    _check_model(model, checkpoint, model_dir)
    return model


def _check_model(model: Any, checkpoint: Path, model_dir: Path) -> None:
    num_labels = model.model.config.num_labels
    if num_labels != len(model.class_names):
        raise ConfigError(
            f"{_KEY}.model_dir: {model_dir}/config.json has num_labels={num_labels} but "
            f"{checkpoint} names {len(model.class_names)} classes"
        )
    # Without a model_max_length the tokenizer does not truncate and a long text crashes.
    limit = getattr(model.model.config, "max_position_embeddings", None)
    if limit and getattr(model.model.config, "model_type", "") in _OFFSET_POSITIONS:
        limit -= 2  # RoBERTa-style models keep two positions for padding
    if limit and (model.tokenizer.model_max_length or 0) > limit:
        model.tokenizer.model_max_length = limit


def _version(checkpoint: Path, labels: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    with checkpoint.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return (
        f"detoxify {metadata.version('detoxify')} {checkpoint.name} "
        f"sha256:{digest.hexdigest()[:12]} ({len(labels)} labels)"
    )


def _scorer(settings: Any, base: Path, data_dir: Path | None = None) -> DetoxifyScorer:
    detox = settings.detoxify
    if detox.checkpoint is None or detox.model_dir is None:
        raise ConfigError("moderation.detoxify: checkpoint and model_dir are both needed")
    return DetoxifyScorer(base / detox.checkpoint, base / detox.model_dir, allow_pickle=detox.allow_pickle)


#: The ``detoxify`` scorer on a local checkpoint (labels read from the checkpoint).
SCORER = ScorerBackend("detoxify", build=_scorer)
