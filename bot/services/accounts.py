"""The configured accounts and their state (paused, caps, posts in the last day): what
``bot accounts list`` prints and the web page shows. It never contacts a platform. Resuming a
paused account is an admin's (when reviewers are listed), from the CLI as from the web page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.config.types import format_duration
from bot.domain.errors import BotError
from bot.services.reviewers import authorize

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.config.accounts import AccountSettings


class AccountsStore(Protocol):
    """What the listing reads (the whole store is one)."""

    def paused_accounts(self) -> dict[str, str]: ...

    def published_since(self, account: str, since: datetime) -> list[datetime]: ...


class ResumingStore(Protocol):
    """What resuming an account changes."""

    def resume_account(self, account: str, now: datetime, actor: str) -> bool: ...


#: Which of an account's credentials are set: account -> {name: set?} (never a value).
CredentialsPresent = Callable[["AccountSettings"], dict[str, Any]]


def account_rows(
    settings: Settings, store: AccountsStore, now: datetime, credentials: CredentialsPresent
) -> list[dict[str, Any]]:
    """Every configured account as ``{"name", "platform", "base_url", "timeout", "daily_cap",
    "min_interval", "credentials", "paused", "published_24h"}``."""
    paused = store.paused_accounts()
    return [
        {
            "name": account.name,
            "platform": account.platform,
            "base_url": account.base_url,
            "timeout": format_duration(account.timeout),
            "daily_cap": account.daily_cap,
            "min_interval": format_duration(account.min_interval) if account.min_interval else None,
            "credentials": credentials(account),
            "paused": paused.get(account.name),
            "published_24h": len(store.published_since(account.name, now - timedelta(days=1))),
        }
        for account in settings.accounts
    ]


def resume_account(settings: Settings, store: ResumingStore, name: str, now: datetime, actor: str) -> None:
    """Unpause ``name`` (paused after its credentials were rejected), as ``actor``, recorded in
    the event log under that name.

    Raises:
        NotConfigured: no account ``name`` in the config.
        NotAllowed: reviewers are listed and ``actor`` is not a listed admin.
        BotError: the account is not paused.
    """
    settings.account(name)
    authorize(settings.web, actor, admin_to="resume a paused account")
    if not store.resume_account(name, now, actor):
        raise BotError(f"account {name} is not paused")
