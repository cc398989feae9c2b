"""Builds the generator named by ``[model] backend``."""

from __future__ import annotations

from bot.config import Settings
from bot.errors import ConfigError
from bot.ports import Generator


def build_generator(settings: Settings) -> Generator:
    model = settings.model
    if model.backend == "canned":
        from bot.generation.canned import CannedGenerator

        return CannedGenerator()
    from bot.generation.transformers import TransformersGenerator

    cache = settings.data_dir / "models"
    if model.backend == "embedded":
        from bot.generation.embedded import MODEL_ID, bundled_gguf

        return TransformersGenerator(
            bundled_gguf(), cache, model_id=MODEL_ID, dtype=model.dtype, threads=model.threads
        )
    if model.path is None:
        raise ConfigError("model.path: backend 'transformers' needs a local model directory or GGUF file")
    path = model.path if model.path.is_absolute() else (settings.data_dir.parent / model.path)
    return TransformersGenerator(path, cache, model_id=path.name, dtype=model.dtype, threads=model.threads)
