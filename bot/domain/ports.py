"""Every interface the core depends on. Adapters implement these; nothing here does I/O.

- :class:`Generator` writes candidate posts (transformers, embedded SmolLM2, canned).
- :class:`ModerationScorer` scores texts per label (profanity, wordlist, detoxify).
- :class:`Publisher` sends a post to one account of one platform.
- :class:`Clock` tells the time (UTC), so tests can control it.

The store's interface is the concrete :class:`bot.adapters.store.sql.SqlStore`, whose contract tests run
on SQLite and Postgres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from bot.domain import OutgoingPost, PublishResult


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a generator needs for one slot: the chat prompt and the sampling settings."""

    messages: tuple[ChatMessage, ...]
    n: int
    temperature: float
    top_p: float
    top_k: int
    max_new_tokens: int
    seed: int
    #: Free context for generators that do not use the prompt (the canned one).
    context: dict[str, Any] = field(default_factory=dict)
    #: Alternative chats (e.g. one per worked example); candidate ``i`` uses
    #: ``variants[i % len(variants)]``. Empty: every candidate uses ``messages``.
    variants: tuple[tuple[ChatMessage, ...], ...] = ()

    def chat_for(self, index: int) -> tuple[ChatMessage, ...]:
        """The chat candidate ``index`` is written from."""
        return self.variants[index % len(self.variants)] if self.variants else self.messages


@dataclass(frozen=True)
class GeneratedText:
    text: str
    new_tokens: int


@runtime_checkable
class Generator(Protocol):
    """Writes ``request.n`` candidate texts in one batched call."""

    @property
    def model_id(self) -> str:
        """A stable identifier of the model (recorded on every draft)."""
        ...

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        """Return exactly ``request.n`` texts.

        Raises:
            ModelError: the model cannot be loaded or run.
        """
        ...


@runtime_checkable
class ModerationScorer(Protocol):
    """Scores texts on one or more labels in [0, 1]; higher is more toxic."""

    @property
    def name(self) -> str:
        """Short scorer id used in thresholds and audit records (e.g. ``profanity``)."""
        ...

    @property
    def version(self) -> str:
        """Version of the scorer and its data, recorded in the audit record."""
        ...

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """One ``{label: score}`` mapping per text.

        Raises:
            ModerationError: the scorer failed; the gate then fails closed.
        """
        ...


@runtime_checkable
class Publisher(Protocol):
    """Sends posts to one account. Errors are translated to :mod:`bot.domain.errors` types."""

    @property
    def account(self) -> str:
        """The configured account name."""
        ...

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Send the post.

        Raises:
            PublishRetryable: come back after ``retry_after`` seconds.
            PublishAuthError: the account's credentials were rejected.
            PublishRejected: the platform refused this post for good.
            PublishUnknownOutcome: the send may have gone through.
        """
        ...

    def find(self, post: OutgoingPost) -> PublishResult | None:
        """Look for an earlier send of ``post`` on the account.

        Returns the post if found, None if it is certainly not there.

        Raises:
            PublishUnknownOutcome: the platform offers no way to tell.
        """
        ...

    def check_credentials(self) -> dict[str, Any]:
        """Verify the credentials; return what the platform says about the account and limits.

        Raises:
            PublishAuthError: the credentials were rejected.
        """
        ...


class Clock(Protocol):
    """Tells the time in UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests, ``--at`` previews)."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._at += timedelta(**delta)
