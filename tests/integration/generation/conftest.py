"""Fixtures for the generation tests: a tiny random GGUF model, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.generation.testing import write_tiny_gguf


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random llama with a byte-level tokenizer, written as GGUF."""
    return write_tiny_gguf(tmp_path_factory.mktemp("tiny-model") / "tiny-llama.gguf")


@pytest.fixture(scope="session")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache shared by the tests of a session (the first load fills it)."""
    return tmp_path_factory.mktemp("model-cache")
