"""The ``embedded`` generator backend: the bundled model (:mod:`.bundled`) through
transformers."""

from __future__ import annotations

from typing import Any

from bot.domain.ports import Generator, GeneratorBackend


def _build(settings: Any, reporter: Any = None) -> Generator:
    from bot.adapters.generation.transformers import local_model

    return local_model(settings, reporter)


#: The ``embedded`` backend (the default): the bundled model through transformers. Its
#: Chinese is unusable, so it writes English only unless ``[model] languages`` says otherwise.
BACKEND = GeneratorBackend("embedded", build=_build, languages=("en",))
