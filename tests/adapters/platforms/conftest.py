"""Every publisher a test of this directory builds with test_adapter_details' builders is
closed after the test. The fixture lived in test_adapter_details, so test_media_upload, which
imports those builders, never closed its publishers: their keep-alive connections kept one
handler thread of the fake platform each (53 in a full run, counted by a daemon test that
shared the pytest worker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.platforms.test_adapter_details import close_opened


@pytest.fixture(autouse=True)
def _close_publishers() -> Iterator[None]:
    yield
    close_opened()
