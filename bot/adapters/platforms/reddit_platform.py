"""Reddit, described (entry point ``bot.platforms: reddit``): account model, credentials, limit,
and the check of its title templates.

The publisher (:mod:`bot.adapters.platforms.reddit`, the only importer of praw) is imported
only when an account on Reddit is published to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from bot.adapters.platforms._text import first_line, split_parts
from bot.config.accounts import AccountBase
from bot.domain.platforms import PlatformDescription, PlatformLimit

CREDENTIALS = ("client_id", "client_secret", "username", "password")
#: Reddit's limits: a title, and a self-post's body.
TITLE_MAX = 300
BODY_MAX = 40_000
#: What a title template may name besides the campaign's ``variables`` (the publishing
#: service's ``template_variables`` and the adapter's ``first_line``).
TITLE_VARIABLES = frozenset(
    {"brand", "campaign", "link", "voice", "products", "product", "holiday", "kind", "language", "first_line"}
)


class RedditAccount(AccountBase):
    """Reddit through praw. Credentials: client_id, client_secret, username, password."""

    platform: Literal["reddit"]
    subreddit: str
    #: Subreddit per campaign name (default: ``subreddit``).
    subreddits: dict[str, str] = Field(default_factory=dict)
    #: Jinja2 template (sandboxed) with the campaign's variables and ``first_line``;
    #: default: the post's first line.
    title: str | None = None
    #: Title template per campaign name (default: ``title``).
    titles: dict[str, str] = Field(default_factory=dict)
    flair_id: str | None = None
    flair_text: str | None = None
    post_kind: Literal["self", "link"] = "self"
    user_agent: str = "bot/0.1 (social posting bot)"


def title_length(text: str) -> int:
    """The length of the title made from a post with no title template: its first line."""
    return len(first_line(" ".join(split_parts(text))))


def body_length(text: str) -> int:
    """The length of a self-post's body (a ``---`` thread's parts joined)."""
    return len("\n\n".join(split_parts(text)))


def limit(account: RedditAccount) -> PlatformLimit:
    """Without a title template the post's first line is the title (300 characters); with
    one, the post is the body (40,000)."""
    if account.title:
        return PlatformLimit("reddit", BODY_MAX, "chars", body_length)
    return PlatformLimit("reddit", TITLE_MAX, "title chars", title_length)


def check(account: RedditAccount, settings: Any) -> Sequence[str]:
    """Title templates that do not compile or name a variable their campaign does not have."""
    if not account.title and not account.titles:
        return []
    from jinja2 import TemplateError, meta
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False)
    campaigns = [c for c in settings.campaigns if account.name in c.accounts]
    templates = [(f"accounts.{account.name}.titles.{name}", text, [c for c in campaigns if c.name == name])
                 for name, text in account.titles.items()]  # fmt: skip
    if account.title:
        uses = [c for c in campaigns if c.name not in account.titles]
        templates.insert(0, (f"accounts.{account.name}.title", account.title, uses))
    problems = []
    for key, text, uses in templates:
        try:
            names = meta.find_undeclared_variables(env.parse(text))
            env.from_string(text)
        except TemplateError as exc:
            problems.append(f"{key} = {text!r}: template error: {exc}")
            continue
        for campaign in uses:
            unknown = sorted(names - TITLE_VARIABLES - set(campaign.variables))
            if unknown:
                known = ", ".join(sorted(TITLE_VARIABLES | set(campaign.variables)))
                problems.append(
                    f"{key} = {text!r}: unknown variable {', '.join(unknown)} for campaign "
                    f"{campaign.name!r} (known: {known})"
                )
    return problems


PLATFORM = PlatformDescription(
    name="reddit",
    account=RedditAccount,
    client="bot.adapters.platforms.reddit:client",
    credentials=CREDENTIALS,
    limit=limit,
    errors="bot.adapters.platforms.reddit:ERRORS",
    check=check,
    summary="Reddit through praw (script app); title 300 characters, body 40,000",
)
