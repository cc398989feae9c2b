"""Platform descriptions: the limit drafting applies is the one each publisher enforces, error
tables pick the most specific class and keep the cause, config checks come from the platform."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import urllib3

from bot import plugins
from bot.adapters.platforms import build_publisher
from bot.adapters.platforms._http import sent_nothing
from bot.adapters.platforms.credentials import Credentials
from bot.config import load_settings
from bot.domain import OutgoingPost
from bot.domain.errors import (
    ConfigError,
    PublishAuthError,
    PublishError,
    PublishRejected,
    PublishRetryable,
)
from bot.domain.platforms import Attempt, ErrorRule, ErrorTable
from bot.services.templates import template_problems
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import ACCOUNTS, credential_env

FAMILY = "👨‍👩‍👧"  # one grapheme, five code points, 18 UTF-8 bytes
ACUTE = "e\u0301"  # one grapheme, two code points

#: platform -> (extra account settings, a text at the limit, the same text one unit longer).
CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "x": ({}, "茶" * 140, "茶" * 141),
    "x-ascii": ({}, "a" * 280, "a" * 281),
    "bluesky": ({"handle": "lotus.bsky.test"}, ACUTE * 300, ACUTE * 300 + "a"),
    "bluesky-bytes": ({"handle": "lotus.bsky.test"}, FAMILY * 166, FAMILY * 167),
    "mastodon": ({}, "a" * 500, "a" * 501),
    "mastodon-configured": ({"max_chars": 400}, "b" * 400, "b" * 401),
    "reddit": ({"subreddit": "tea"}, "t" * 300 + "\nbody", "t" * 301 + "\nbody"),
    "reddit-titled": ({"subreddit": "tea", "title": "News"}, "w" * 40_000, "w" * 40_001),
}


def _account(case: str, fake: FakeServer) -> Any:
    platform = case.split("-", maxsplit=1)[0]
    extra = CASES[case][0]
    described = plugins.platform(platform)
    return described.account(
        name=ACCOUNTS[platform][0], platform=platform, base_url=fake.url, timeout="5s", **extra
    )


def _post(text: str) -> OutgoingPost:
    return OutgoingPost(1, 1, "acct", text, "bot-1-limit", "promo")


@pytest.mark.parametrize("case", list(CASES))
def test_the_drafting_limit_is_what_the_publisher_enforces(case: str, fake: FakeServer) -> None:
    account = _account(case, fake)
    platform = account.platform
    drafting = plugins.limit_for(account)  # what the drafting checks use
    credentials = Credentials(account, environ=credential_env([platform]))
    publisher: Any = plugins.resolve(plugins.platform(platform).client)(account, credentials, Path("."))
    try:
        _, fits, too_long = CASES[case]
        assert drafting.fits(fits) and not drafting.fits(too_long)
        assert drafting.measure(too_long) > drafting.maximum  # type: ignore[operator]
        with pytest.raises(PublishRejected) as refused:
            publisher.publish(_post(too_long))
        assert str(drafting.maximum) in str(refused.value)
        assert publisher.publish(_post(fits)).remote_id
    finally:
        close = getattr(publisher, "close", None)
        if close:
            close()


def test_dry_run_has_no_limit(tmp_path: Path) -> None:
    described = plugins.platform("dryrun")
    account = described.account(name="out", platform="dryrun")
    assert plugins.limit_for(account).maximum is None
    publisher = build_publisher(account, tmp_path)
    assert publisher.publish(_post("z" * 100_000)).remote_id == "bot-1-limit"


class _Base(Exception):
    pass


class _Middle(_Base):
    def __init__(self, status: int) -> None:
        super().__init__(f"status {status}")
        self.status = status


class _Leaf(_Middle):
    pass


TABLE = ErrorTable(
    "Demo",
    [
        ErrorRule(_Base, PublishRejected, "{platform} refused to {doing}: {exc}"),
        ErrorRule(_Middle, PublishAuthError, "{platform}: {detail}", when=lambda e: e.status == 401),
        ErrorRule(_Middle, PublishRetryable, "{platform}: server {detail}", when=lambda e: e.status >= 500),
        ErrorRule(_Leaf, lambda e, at: PublishRetryable(f"leaf while {at.doing}", retry_after=3.0)),
    ],
    detail=lambda e: str(getattr(e, "status", "?")),
)


@pytest.mark.parametrize(
    ("exc", "kind", "message"),
    [
        (_Base("nope"), PublishRejected, "Demo refused to post: nope"),
        (_Middle(401), PublishAuthError, "Demo: 401"),
        (_Middle(503), PublishRetryable, "Demo: server 503"),
        (_Middle(404), PublishRejected, "Demo refused to post: status 404"),  # falls back to its base
        (_Leaf(401), PublishRetryable, "leaf while post"),  # the most specific class wins
    ],
)
def test_error_tables_pick_the_most_specific_rule_and_keep_the_cause(
    exc: Exception, kind: type[PublishError], message: str
) -> None:
    with pytest.raises(kind) as raised:
        TABLE.reraise(exc, Attempt("post"))
    assert str(raised.value) == message
    assert raised.value.__cause__ is exc


def test_an_unmapped_error_is_raised_as_it_is() -> None:
    error = KeyError("x")
    with pytest.raises(KeyError) as raised:
        TABLE.reraise(error, Attempt("post"))
    assert raised.value is error


@pytest.mark.parametrize("name", ["x", "reddit", "mastodon", "bluesky"])
def test_every_sdk_platform_has_an_error_table(name: str) -> None:
    described = plugins.platform(name)
    assert described.errors is not None
    table = plugins.resolve(described.errors)
    assert isinstance(table, ErrorTable)
    assert table.rules and all(issubclass(rule.catch, BaseException) for rule in table.rules)


def _wrapped(inner: BaseException, outer: Callable[[str], BaseException]) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer("wrapped") from exc
    except BaseException as wrapped:
        return wrapped


class Refused(ConnectionRefusedError):
    pass


class ConnectError(Exception):  # the same name as httpx's, but not httpx's
    pass


def test_sent_nothing_compares_classes_not_names() -> None:
    pool = urllib3.HTTPConnectionPool("127.0.0.1", 9)
    assert sent_nothing(
        _wrapped(urllib3.exceptions.NewConnectionError(pool, "refused"), requests.ConnectionError)
    )
    assert sent_nothing(_wrapped(Refused(), requests.ConnectionError))
    assert sent_nothing(_wrapped(httpx.ConnectError("refused"), RuntimeError))
    assert sent_nothing(requests.exceptions.ConnectTimeout())
    assert not sent_nothing(_wrapped(ConnectError("look-alike"), RuntimeError))
    assert not sent_nothing(_wrapped(TimeoutError(), requests.ReadTimeout))


REDDIT = """
[[accounts]]
name = "r"
platform = "reddit"
subreddit = "tea"
title = "{title}"

[[campaigns]]
name = "weekly"
kind = "promo"
when = {{ cron = "0 10 * * FRI" }}
accounts = ["r"]
brief = "Write a promo."
variables = {{ code = "TEA10" }}
"""


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("{{ broken", "accounts.r.title (weekly)"),
        ("{{ missing }} now", "'missing' is undefined"),
        ("{{ code }}: {{ first_line }}", None),
    ],
)
def test_a_platform_template_is_trial_rendered_by_config_check(
    write_config: Any, title: str, problem: str | None
) -> None:
    settings = load_settings(write_config(REDDIT.format(title=title)))
    problems = template_problems(settings, datetime.now(UTC))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0], problems


def test_a_platform_credential_in_the_toml_is_refused(write_config: Any) -> None:
    path = write_config(
        '\n[[accounts]]\nname = "b"\nplatform = "bluesky"\nhandle = "a"\napp_password = "p"\n'
    )
    with pytest.raises(ConfigError, match="credentials do not belong in the config"):
        load_settings(path)


def test_an_unknown_platform_names_what_is_installed(write_config: Any) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write_config('\n[[accounts]]\nname = "m"\nplatform = "myspace"\n'))
    assert "accounts[1] (m).platform = 'myspace': no platform named 'myspace' is installed" in str(err.value)
    assert "bluesky, dryrun, mastodon, reddit, x" in str(err.value)


def test_no_code_compares_exception_class_names() -> None:
    """Errors are matched by class (isinstance, error tables), never by ``__name__`` strings."""
    import ast

    offenders = []
    for path in sorted((Path(__file__).parents[3] / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "__name__" for s in sides):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
