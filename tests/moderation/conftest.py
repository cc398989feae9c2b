"""Fixtures for the moderation tests: a tiny real detoxify checkpoint built once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny_detoxify


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(checkpoint, model_dir) of a tiny random BERT detoxify model, built once per session."""
    return tiny_detoxify.build(tmp_path_factory.mktemp("detoxify"))
