"""Builds the generator named by ``[model] backend`` through its registered plugin.

The model's files are checked here (missing or unreadable: :class:`ModelError`), so the daemon
and the CLI fail at start with a clear message; the weights are loaded on first use.
"""

from __future__ import annotations

from bot import plugins
from bot.adapters.generation.progress import Reporter
from bot.config import Settings
from bot.domain.ports import Generator, GeneratorBackend


def build_generator(settings: Settings, reporter: Reporter | None = None) -> Generator:
    """The configured generator (not loaded yet), built by its registered backend."""
    backend: GeneratorBackend = plugins.load(plugins.GENERATORS, settings.model.backend)
    return backend.build(settings, reporter)
