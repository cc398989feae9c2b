"""Every error the bot raises on purpose. The type says what to do next.

::

    BotError                       base; the CLI prints str(err) and exits 1
    ├── ConfigError                bad config: names the file, the key and the value
    │   └── NotConfigured          a campaign or account the store knows is not in the config
    ├── TemplateError              a campaign brief that does not render
    ├── MediaError                 a picture that cannot be read or fitted (names the file)
    ├── StoreError                 the database said no
    │   ├── NotFound               no such campaign / draft / publication
    │   ├── StateConflict          a compare-and-set lost: someone else changed it first
    │   │   └── DraftExpired       the draft is past its expiry: not approved, edited, regenerated
    │   ├── SchemaOutdated         the database needs `bot db upgrade`
    │   └── StoreUnavailable       transient: the database is down, restarting or busy; retry
    ├── ModelError                 the language model is missing or unreadable
    │   └── ModelUnavailable       a model server did not answer usably: the slot falls back
    ├── ModerationError            a scorer failed (the gate fails closed on it)
    └── PublishError               a publisher could not complete a send
        ├── PublishRetryable       try again after ``retry_after`` seconds (429, 5xx)
        ├── PublishAuthError       credentials rejected: pause the account until fixed
        ├── PublishRejected        the platform refused the post for good (with its reason)
        │   └── PublishDuplicate   ... as the same text as a post already on the account
        └── PublishUnknownOutcome  it may or may not be posted: never retried blindly

Adapters translate the errors of the libraries below them into these, in one place each,
with ``raise Mapped(msg) from exc``.
"""

from __future__ import annotations

from datetime import datetime


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """The configuration is invalid; the message names the file, key and value."""


class NotConfigured(ConfigError, KeyError):
    """A campaign or account named by stored work (a draft, a slot) is not in the config.

    Raised by ``Settings.campaign()`` and ``Settings.account()``; also a ``KeyError`` so that
    callers written against the old behaviour keep working.
    """

    def __str__(self) -> str:
        return Exception.__str__(self)


class TemplateError(BotError):
    """A campaign's prompt template failed to parse or render."""


class MediaError(BotError):
    """A picture that cannot be read, or cannot be fitted to a platform's limits; names the file."""


class StoreError(BotError):
    """The store refused an operation."""


class NotFound(StoreError):
    """The thing asked for does not exist."""


class StateConflict(StoreError):
    """A compare-and-set lost: the row is no longer in the expected state."""


class DraftExpired(StateConflict):
    """A draft whose ``expires_at`` is at or before now (its slot is long past): it is not
    approved, edited or regenerated, since whatever it became would go out late. An open draft
    is ``expired`` by the refusal, as the daemon's next pass would make it; an approved one
    stays approved as it is (``approved``: an edit would void an approval it cannot get again).
    The message names the draft, when it expired and what to do instead."""

    def __init__(
        self, draft_id: int, expires_at: datetime, campaign: str, *, action: str, approved: bool = False
    ) -> None:
        self.draft_id, self.expires_at, self.campaign = draft_id, expires_at, campaign
        head = (
            f"draft {draft_id} expired at {expires_at:%Y-%m-%d %H:%M} UTC (its slot's time plus the "
            f"draft expiry) and cannot be {action}"
        )
        if approved:
            message = (
                f"{head}: an edit needs a new approval, which an expired draft cannot get. It stays "
                f"approved as it is; to stop its post, withdraw it with `bot queue reject {draft_id} "
                "--withdraw --reason TEXT`"
            )
        else:
            message = (
                f"{head}: its slot is past and a post for it would go out late, so it is expired now. "
                f"For campaign {campaign!r}, wait for its next slot (`bot calendar`), or fire a new one "
                f"with `bot campaigns fire {campaign}` (regenerating writes drafts for the same past "
                "slot, which are expired too)"
            )
        super().__init__(message)


class SchemaOutdated(StoreError):
    """The database schema is older than this version of the bot."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (down, restarting, locked): try again later.

    The daemon backs off and resumes on it; a CLI command reports it and exits 1.
    """


class ModelError(BotError):
    """The language model could not be found or loaded."""


class ModelUnavailable(ModelError):
    """A model server could not be reached or did not answer usably (down, timed out, still
    refusing after retries). Drafting falls back to curated texts and records why."""


class ModerationError(BotError):
    """A moderation scorer could not score a text."""


class PublishError(BotError):
    """A publisher could not complete a send."""


class PublishRetryable(PublishError):
    """The platform asked us to come back later (rate limit, server error)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PublishAuthError(PublishError):
    """The account's credentials were rejected; other accounts are unaffected."""


class PublishRejected(PublishError):
    """The platform refused the post permanently; the message carries its reason."""


class PublishDuplicate(PublishRejected):
    """The platform refused the post as a duplicate of one on the account (X's "duplicate
    content", Reddit's ALREADY_SUB). The post on the account counts as this publication's only
    when a search from its send stamp finds it and no other publication has it
    (:meth:`~bot.services.publishing.PublishingService.send` looks); else it failed."""


class PublishPartial(PublishError):
    """A thread stopped part-way: ``posted`` of ``total`` parts are on the platform (the first
    is ``remote_id``), the rest are not or may not be. Sending it again would post the first
    parts twice, so it is never retried: a person finishes or removes it."""

    def __init__(self, message: str, remote_id: str, url: str | None, posted: int, total: int) -> None:
        super().__init__(message)
        self.remote_id = remote_id
        self.url = url
        self.posted = posted
        self.total = total


class PublishUnknownOutcome(PublishError):
    """The send may have reached the platform: it needs a check before any retry."""
