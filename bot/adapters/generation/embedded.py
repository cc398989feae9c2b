"""The ``embedded`` generator backend: the bundled model (:mod:`.bundled`) through
transformers."""

from __future__ import annotations

from typing import Any

from bot.adapters.generation.transformers import LOCAL_CANDIDATES, local_model
from bot.domain.ports import Generator, GeneratorBackend


def _build(settings: Any, reporter: Any = None) -> Generator:
    return local_model(settings, reporter)


#: The ``embedded`` backend (the default): the bundled model through transformers. Its
#: Chinese is unusable, so it writes English only unless ``[model] languages`` says otherwise.
#: 16 candidates per slot: with the prompt processed once, a batch of 16 takes about the time
#: 4 took before (bench/generation.py), and more candidates give the checks more to choose from.
BACKEND = GeneratorBackend("embedded", build=_build, languages=("en",), candidates=LOCAL_CANDIDATES)
