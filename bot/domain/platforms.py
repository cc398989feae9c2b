"""What the core knows about a platform: one :class:`PlatformDescription` per platform.

A platform plugin (entry point group ``bot.platforms``, see :mod:`bot.plugins`) exports one
description. Everything else is derived from it: the config's ``[[accounts]]`` union (each
account is validated by its platform's ``account`` model), the credentials ``bot accounts list``
looks for, the length limit the drafting checks apply (:class:`PlatformLimit`, the same object the
publisher enforces) and the publisher itself (``client``).

Errors are translated at the adapter boundary by an :class:`ErrorTable`: a list of
:class:`ErrorRule` (exception class -> our error), where the most specific class matching the
raised exception wins and our error keeps the original as ``__cause__``.

Pure: no I/O, no SDK imports. ``account`` is a pydantic model class (the domain does not name
pydantic; :mod:`bot.config.accounts` holds the common base).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from bot.domain.errors import PublishError
from bot.domain.media import MediaLimits

if TYPE_CHECKING:
    from bot.domain.ports import Publisher


@dataclass(frozen=True)
class PlatformLimit:
    """How long a post may be on one platform, and how its length is counted there."""

    #: The platform's name (shown in check details).
    platform: str
    #: The most a post (one part of a thread) may measure; None: no limit.
    maximum: int | None
    #: The unit, for messages: ``weighted`` (X), ``graphemes`` (Bluesky), ``chars``.
    unit: str
    #: Counts a text in ``unit``.
    counter: Callable[[str], int] = field(default=len, compare=False, repr=False)

    def measure(self, text: str) -> int:
        """The length of ``text`` in this limit's unit."""
        return self.counter(text)

    def fits(self, text: str) -> bool:
        """Whether ``text`` is within the limit (always true without a limit)."""
        return self.maximum is None or self.measure(text) <= self.maximum


class CredentialSource(Protocol):
    """One account's credentials (environment or secret files; never the TOML)."""

    def get(self, name: str) -> str:
        """The value. Raises ConfigError naming where it was looked for."""
        ...

    def find(self, name: str) -> str | None:
        """The value, or None."""
        ...

    def require(self, *names: str) -> dict[str, str]:
        """All of ``names``. Raises one ConfigError listing every missing one."""
        ...


@dataclass(frozen=True)
class Attempt:
    """What an adapter was doing when its SDK raised, for the error table."""

    #: For messages: "create the post", "log in".
    doing: str
    #: Whether the call could have created something on the platform (a send, not a read):
    #: a lost answer to a send is an unknown outcome, to a read just a retry.
    sending: bool = True
    #: When the client last heard the platform's limits reset (Unix time), if it keeps that
    #: outside the exception (Mastodon.py does).
    reset_at: float | None = None


@dataclass(frozen=True)
class ErrorRule:
    """One line of an error table: an SDK exception class and what it becomes.

    ``to`` is either one of our error classes (built with ``message``, where ``{platform}``,
    ``{doing}``, ``{exc}`` and the table's ``{detail}`` are filled in) or a function
    ``(exc, attempt) -> our error`` for mappings that read the exception (a rate limit's reset
    header). ``when`` narrows the rule
    to some instances (a status code); a rule whose ``when`` says no is skipped.
    """

    catch: type[BaseException]
    to: Callable[[Any, Attempt], PublishError] | type[PublishError]
    message: str = "{platform}: {exc}"
    when: Callable[[Any], bool] | None = None


class ErrorTable:
    """An adapter's error translations (httpx ``map_exceptions`` style).

    Among the rules whose class the exception is an instance of, the most specific class (the
    first in the exception's MRO) wins; rules for the same class are tried in table order.
    Our error keeps the SDK's as ``__cause__``. Classes are compared, never their names.
    """

    def __init__(self, platform: str, rules: Iterable[ErrorRule], detail: Callable[[Any], str] = str) -> None:
        self.platform = platform
        self.rules: tuple[ErrorRule, ...] = tuple(rules)
        #: What a message's ``{detail}`` says about an exception (the platform's own words).
        self.detail = detail

    def translate(self, exc: BaseException, attempt: Attempt) -> PublishError | None:
        """Our error for ``exc`` (not raised), or None when no rule matches."""
        for cls in type(exc).__mro__:
            for rule in self.rules:
                if rule.catch is cls and (rule.when is None or rule.when(exc)):
                    return self._build(rule, exc, attempt)
        return None

    def reraise(self, exc: BaseException, attempt: Attempt) -> NoReturn:
        """Raise our error for ``exc`` with ``exc`` as its cause; ``exc`` itself if none matches."""
        mapped = self.translate(exc, attempt)
        if mapped is None:
            raise exc
        raise mapped from exc

    def _build(self, rule: ErrorRule, exc: BaseException, attempt: Attempt) -> PublishError:
        to = rule.to
        if isinstance(to, type):
            text = rule.message.format(
                platform=self.platform, doing=attempt.doing, exc=exc, detail=self.detail(exc)
            )
            built: PublishError = to(text)
            return built
        mapped: PublishError = to(exc, attempt)
        return mapped


@dataclass(frozen=True)
class PlatformDescription:
    """A platform as its plugin describes it (entry point group ``bot.platforms``)."""

    #: The name ``[[accounts]] platform = ...`` selects it by.
    name: str
    #: The pydantic model of one account on this platform (a subclass of
    #: ``bot.config.accounts.AccountBase`` with ``platform: Literal[name]``).
    account: type[Any]
    #: ``client(account, credentials, data_dir)`` -> the account's publisher, or the
    #: ``"module:name"`` of that factory, imported on first use (:func:`bot.plugins.resolve`):
    #: descriptions are loaded by every command that reads the config, SDKs only to publish.
    client: Callable[[Any, CredentialSource, Path], Publisher] | str
    #: The credentials an account needs (``bot accounts list`` shows whether they are set).
    credentials: tuple[str, ...] = ()
    #: ``limit(account)`` -> the length limit of one post; drafting and sending both use it.
    limit: Callable[[Any], PlatformLimit] | None = None
    #: The adapter's error table, or its ``"module:name"`` (it names the SDK's classes).
    errors: ErrorTable | str | None = None
    #: ``templates(account, campaign)`` -> the templates the account renders for a campaign's
    #: posts, as (key under ``accounts.NAME``, source) pairs (Reddit's title). ``bot config
    #: check`` and sync trial-render them with the campaign's variables and ``first_line``.
    templates: Callable[[Any, str], Sequence[tuple[str, str]]] | None = None
    #: The pictures a post may carry (formats, bytes, pixels, count, alt length); drafting
    #: fits each picture to them and checks the alt text. None: the platform takes no pictures.
    media: MediaLimits | None = None
    #: One line for ``bot plugins``.
    summary: str = ""

    def limit_for(self, account: Any) -> PlatformLimit:
        """The account's length limit (no limit when the platform declares none)."""
        if self.limit is None:
            return PlatformLimit(self.name, None, "chars")
        return self.limit(account)

    def templates_for(self, account: Any, campaign: str) -> list[tuple[str, str]]:
        """The (key, source) of each template ``account`` renders for ``campaign``."""
        return list(self.templates(account, campaign)) if self.templates is not None else []
