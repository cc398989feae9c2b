"""The fake platform server for tests (see :mod:`tests.fakeplatform.server`)."""

from tests.fakeplatform.server import FakeServer
from tests.fakeplatform.state import FakeState, Fault, fake_jwt

__all__ = ["FakeServer", "FakeState", "Fault", "fake_jwt"]
