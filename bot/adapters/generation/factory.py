"""Builds the generator named by ``[model] backend`` through its registered plugin.

The model's files are checked here (missing or unreadable: :class:`ModelError`), so the daemon
and the CLI fail at start with a clear message; the weights are loaded on first use.
"""

from __future__ import annotations

from pathlib import Path

from bot import plugins
from bot.adapters.generation.progress import Reporter
from bot.config import Settings
from bot.domain.errors import ConfigError
from bot.domain.ports import Generator, GeneratorBackend


def build_generator(settings: Settings, reporter: Reporter | None = None) -> Generator:
    """The configured generator (not loaded yet), built by its registered backend."""
    backend: GeneratorBackend = plugins.load(plugins.GENERATORS, settings.model.backend)
    return backend.build(settings, reporter)


def local_model(settings: Settings, reporter: Reporter | None = None) -> Generator:
    """A transformers generator on the model file or directory the settings name (not loaded)."""
    from bot.adapters.generation.transformers import TransformersGenerator

    model = settings.model
    source, model_id = model_source(settings)
    return TransformersGenerator(
        source,
        settings.data_dir / "models",
        model_id=model_id,
        dtype=model.dtype,
        threads=model.threads,
        reporter=reporter,
    )


def model_source(settings: Settings) -> tuple[Path, str]:
    """The model file or directory and its id. ModelError if the bundled model is missing."""
    model = settings.model
    if model.backend == "embedded":
        from bot.adapters.generation.embedded import MODEL_ID, bundled_gguf

        return bundled_gguf(), MODEL_ID
    if model.path is None:
        raise ConfigError("model.path: backend 'transformers' needs a local model directory or GGUF file")
    base = settings.source.parent if settings.source else Path.cwd()
    path = model.path.expanduser()
    path = path if path.is_absolute() else (base / path)
    return path, path.stem if path.suffix == ".gguf" else path.name
