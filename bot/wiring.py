"""Wiring: builds the store, gate, generator and publishers from the settings, lazily.

Nothing heavy is imported until it is used: a CLI listing opens only the store, and the
model (torch, transformers) is loaded only by commands that generate.
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
from functools import cached_property
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.errors import ConfigError
from bot.domain.ports import Clock, Generator, Publisher, SystemClock

if TYPE_CHECKING:
    from bot.adapters.store.sql import SqlStore
    from bot.services.drafting.service import DraftingService
    from bot.services.moderation import ModerationGate
    from bot.services.publishing import PublishingService
    from bot.services.review import ReviewService


def worker_id() -> str:
    """host-pid-random: unique per process, readable in ``bot status`` and the event log."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class App:
    """Everything a command or the daemon needs, built on first use."""

    def __init__(self, settings: Settings, clock: Clock | None = None, *, check_schema: bool = True) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.worker = worker_id()
        self._check_schema = check_schema
        self._publishers: dict[str, Publisher] = {}

    @cached_property
    def store(self) -> SqlStore:
        from bot.adapters.store.sql import SqlStore

        return SqlStore.open(self.settings.database_url, check=self._check_schema)

    @cached_property
    def gate(self) -> ModerationGate:
        from bot.adapters.moderation.factory import build_gate

        base = self.settings.source.parent if self.settings.source else None
        return build_gate(self.settings.moderation, base)

    @cached_property
    def generator(self) -> Generator:
        from bot.adapters.generation.factory import build_generator

        return build_generator(self.settings)

    def publisher(self, account: str) -> Publisher:
        if account not in self._publishers:
            from bot.adapters.platforms import build_publisher

            try:
                config = self.settings.account(account)
            except KeyError:
                raise ConfigError(f"account {account!r} is not in the config any more") from None
            self._publishers[account] = build_publisher(config, self.settings.data_dir)
        return self._publishers[account]

    def forget_publisher(self, account: str) -> None:
        """Drop a cached publisher, so the next one re-reads its credentials (after a 401)."""
        publisher = self._publishers.pop(account, None)
        close = getattr(publisher, "close", None)
        if close is not None:
            close()

    @cached_property
    def review(self) -> ReviewService:
        from bot.services.review import ReviewService

        return ReviewService(self.settings, self.store, lambda: self.gate, self.clock)

    @cached_property
    def drafting(self) -> DraftingService:
        from bot.services.drafting.service import DraftingService

        return DraftingService(
            self.settings,
            self.store,
            lambda: self.generator,
            lambda: self.gate,
            self.clock,
            self.worker,
            on_approved=lambda draft_id, _c: self.review.auto_approve(draft_id),
        )

    @cached_property
    def publishing(self) -> PublishingService:
        from bot.services.publishing import PublishingService

        return PublishingService(
            self.settings, self.store, self.publisher, self.clock, self.worker, forget=self.forget_publisher
        )

    def close(self) -> None:
        for publisher in self._publishers.values():
            close = getattr(publisher, "close", None)
            if close is not None:
                close()
        self._publishers.clear()
        if "store" in self.__dict__:
            self.store.close()
