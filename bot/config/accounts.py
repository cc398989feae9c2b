"""``[[accounts]]``: where posts go. Credentials never live here (see README, Secrets).

Each account names its platform; the platform's options sit beside it. Credentials come from
environment variables ``BOT_<ACCOUNT>_<NAME>`` (account name upper-cased, ``-`` -> ``_``) or
from the file named by ``secrets_file`` (``NAME=value`` lines), or a directory ``secrets_dir``
holding one file per credential (systemd's ``$CREDENTIALS_DIRECTORY`` works as is).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from bot.config.types import Duration, Strict, TemplateSource, Timeout

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class AccountBase(Strict):
    """Options every account has."""

    name: str = Field(pattern=_NAME)
    secrets_file: Path | None = None
    secrets_dir: Path | None = None
    base_url: str | None = None
    #: Network timeout per request: more than zero, at most 10m.
    timeout: Timeout = timedelta(seconds=10)
    #: Most posts per rolling 24 hours (X's free tier allows few).
    daily_cap: int | None = Field(default=None, ge=1)
    #: Least time between two posts on this account.
    min_interval: Duration = timedelta(0)


class DryRunAccount(AccountBase):
    """Appends one JSON line per post to an outbox file (default: data_dir/outbox.jsonl)."""

    platform: Literal["dryrun"]
    outbox: Path | None = None


class XAccount(AccountBase):
    """X through tweepy, OAuth 1.0a user context.

    Credentials: api_key, api_secret, access_token, access_token_secret."""

    platform: Literal["x"]


class RedditAccount(AccountBase):
    """Reddit through praw. Credentials: client_id, client_secret, username, password."""

    platform: Literal["reddit"]
    subreddit: str
    #: Subreddit per campaign name (default: ``subreddit``).
    subreddits: dict[str, str] = Field(default_factory=dict)
    #: Jinja2 template (sandboxed) with the campaign's variables and ``first_line``;
    #: default: the post's first line.
    title: TemplateSource | None = None
    #: Title template per campaign name (default: ``title``).
    titles: dict[str, TemplateSource] = Field(default_factory=dict)
    flair_id: str | None = None
    flair_text: str | None = None
    post_kind: Literal["self", "link"] = "self"
    user_agent: str = "bot/0.1 (social posting bot)"


class MastodonAccount(AccountBase):
    """Mastodon through Mastodon.py. Credentials: access_token."""

    platform: Literal["mastodon"]
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    max_chars: int = Field(default=500, ge=1)


class BlueskyAccount(AccountBase):
    """Bluesky through atproto. Credentials: app_password."""

    platform: Literal["bluesky"]
    handle: str
    #: Most graphemes in one post (the server enforces 300; we check before sending).
    max_graphemes: int = Field(default=300, ge=1)


AccountSettings = Annotated[
    DryRunAccount | XAccount | RedditAccount | MastodonAccount | BlueskyAccount,
    Field(discriminator="platform"),
]
