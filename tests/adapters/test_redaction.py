"""Secrets never reach the logs, even at -vv (the hostile pass's finding 5: oauthlib under
tweepy logged the X API key and access token at DEBUG). The real X client against the fake X
server, with the logging the CLI sets up; and the real CLI in a subprocess."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.adapters.redaction import RedactingFilter, forget_secrets, remember_secret, setup_logging
from bot.domain import OutgoingPost
from tests.conftest import run_cli
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
#: Every credential the fake knows but the ones that name rather than authenticate.
SECRETS = [
    value for _, _, creds, _ in ACCOUNTS.values() for name, value in creds.items() if name not in {"username"}
]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger as `bot -vv` sets it up, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    quiet = {name: logging.getLogger(name).level for name in ("oauthlib", "requests_oauthlib")}
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.NOTSET)  # as a fresh process has them
    root.setLevel(logging.DEBUG)  # what -vv sets in a process without handlers
    setup_logging(logging.DEBUG)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    forget_secrets()


def test_the_x_client_at_debug_logs_neither_the_key_nor_the_token(
    world_factory: Any, captured: io.StringIO
) -> None:
    world = world_factory(["x"])
    publisher = world.app.publisher("tea-x")
    assert publisher.check_credentials()["user"] == "lotus_x"
    post = OutgoingPost(1, 1, "tea-x", "Tea time at Lotus Leaf.", idempotency_key="k-1", campaign="promo")
    publisher.publish(post)
    logging.getLogger("bot.test").debug("a careless line: key %s, token %s", "ck-1", "at-x")
    text = captured.getvalue()
    assert "DEBUG urllib3" in text or "DEBUG tweepy" in text, text  # debug logging was on
    for secret in ACCOUNTS["x"][2].values():
        assert secret not in text, (secret, text)
    assert "oauth_consumer_key" not in text and "Signing request" not in text
    assert "a careless line: key ***, token ***" in text


def test_a_traceback_in_a_record_is_masked_too(captured: io.StringIO) -> None:
    remember_secret("tok-traceback-1")
    try:
        raise RuntimeError("refused tok-traceback-1")
    except RuntimeError:
        logging.getLogger("bot.test").exception("it failed")
    assert "refused ***" in captured.getvalue() and "tok-traceback-1" not in captured.getvalue()


def test_short_values_and_identifiers_are_not_masked() -> None:
    record = logging.LogRecord(
        "bot.test", logging.INFO, __file__, 1, "as %s with %s", ("lotus_user", "ab"), None
    )
    remember_secret("lotus_user", "username")
    remember_secret("ab")
    RedactingFilter().filter(record)
    assert record.getMessage() == "as lotus_user with ab"
    forget_secrets()


@pytest.mark.parametrize("wrong", [False, True])
def test_bot_vv_accounts_check_prints_no_credential(
    world_factory: Any, fake: FakeServer, wrong: bool
) -> None:
    """As the hostile pass ran it: `bot -vv accounts check`, every platform on the fake (and
    with a wrong X key, which X refuses)."""
    world = world_factory(PLATFORMS)
    env = dict(world.env)
    if wrong:
        env["BOT_TEA_X_API_KEY"] = "XK-WRONGKEY-SECRET"
    done = run_cli("-vv", "accounts", "check", config=world.settings.source, env=env)
    output = done.stdout + done.stderr
    assert "DEBUG" in done.stderr and "tea-x (x)" in done.stdout, output
    for secret in [*SECRETS, "XK-WRONGKEY-SECRET"]:
        assert secret not in output, (secret, output)
