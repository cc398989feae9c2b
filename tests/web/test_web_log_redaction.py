"""uvicorn's loggers do not propagate to the root logger, whose handlers mask secrets
(bot.adapters.redaction): `bot web` gives uvicorn a logging set-up with the same filter on its
own handlers. The real uvicorn configuration applied, a record written through each logger."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import uvicorn

from bot.adapters.redaction import forget_secrets, remember_secret
from bot.web.server import log_config

SECRET = "web-session-Xq7pL2vR9tK4"
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def uvicorn_logging() -> Iterator[None]:
    """uvicorn's loggers as they were before the test configured them."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = {logger.name: (logger.handlers[:], logger.propagate) for logger in loggers}
    yield
    forget_secrets()
    for name, (handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def test_uvicorn_records_are_masked(uvicorn_logging: None, capfd: pytest.CaptureFixture[str]) -> None:
    async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover
        raise AssertionError("not served")

    # What uvicorn.run does with the log_config that bot.web.server.serve gives it.
    uvicorn.Config(app, log_config=log_config(), log_level="info")
    remember_secret(SECRET, "web_session_secret")
    logging.getLogger("uvicorn.error").error("lifespan failed with key %s", SECRET)
    try:
        raise RuntimeError(f"bad key {SECRET}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/?k={SECRET}", "1.1", 200
    )
    out, err = capfd.readouterr()
    text = out + err
    assert SECRET not in text, text
    assert "lifespan failed with key ***" in text and "RuntimeError: bad key ***" in text, text
    assert '"GET /?k=*** HTTP/1.1" 200' in text and "Logging error" not in text, text


def test_without_the_filter_uvicorn_would_print_it(
    uvicorn_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    """The test above is not vacuous: uvicorn's own set-up prints the secret."""

    async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover
        raise AssertionError("not served")

    uvicorn.Config(app, log_level="info")
    remember_secret(SECRET, "web_session_secret")
    logging.getLogger("uvicorn.error").error("lifespan failed with key %s", SECRET)
    assert SECRET in capfd.readouterr().err
