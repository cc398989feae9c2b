"""``[[accounts]]``: where posts go. Credentials never live here (see README, Secrets).

Each account names its platform; the platform's options sit beside it. Which options a
platform has is its plugin's business: every account is validated by the ``account`` model of
the platform it names (:class:`~bot.domain.platforms.PlatformDescription`, found through the
``bot.platforms`` entry points), so this module knows no platform by name.

Credentials come from environment variables ``BOT_<ACCOUNT>_<NAME>`` (account name
upper-cased, ``-`` -> ``_``) or from the file named by ``secrets_file`` (``NAME=value``
lines), or a directory ``secrets_dir`` holding one file per credential (systemd's
``$CREDENTIALS_DIRECTORY`` works as is).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError

from bot.config.types import Duration, Strict, Timeout, WebUrl
from bot.domain.errors import ConfigError

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class AccountBase(Strict):
    """Options every account has; a platform's model adds its own (``platform: Literal[...]``)."""

    name: str = Field(pattern=_NAME)
    platform: str
    secrets_file: Path | None = None
    secrets_dir: Path | None = None
    base_url: WebUrl | None = None
    #: Network timeout per request: more than zero, at most 10m.
    timeout: Timeout = timedelta(seconds=10)
    #: Most posts per rolling 24 hours (X's free tier allows few).
    daily_cap: int | None = Field(default=None, ge=1)
    #: Least time between two posts on this account.
    min_interval: Duration = timedelta(0)


def _by_platform(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate one ``[[accounts]]`` table with the model of the platform it names."""
    if isinstance(value, AccountBase) or not isinstance(value, dict):
        return handler(value)
    name = value.get("platform")
    if not isinstance(name, str):
        return handler(value)  # "platform: Field required" and friends
    from bot import plugins

    try:
        described = plugins.platform(name)
    except ConfigError as exc:
        error = InitErrorDetails(
            type=PydanticCustomError("platform", str(exc)), loc=("platform",), input=name
        )
        raise ValidationError.from_exception_data("account", [error]) from None
    return described.account.model_validate(value)


#: One account, validated by its platform's model.
AccountSettings = Annotated[AccountBase, WrapValidator(_by_platform)]
