"""The one place that builds everything: the store, the gate, the generator, the publishers and
the services on top of them. Only entry points (the CLI, the daemon, the web page, benches and
tests) use it; services receive their dependencies explicitly and never see it.

Every part is built on first use, so a CLI listing opens only the store and never imports the
model (torch, transformers) or a platform SDK. Tests replace parts through the constructor's
overrides (a fixed clock, a store, a generator, a gate) instead of patching attributes::

    wiring = Wiring(settings, clock=FixedClock(at), generator=CannedGenerator())
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.adapters.clock import clock_from_env
from bot.domain.errors import BotError, ConfigError
from bot.domain.ports import (
    Clock,
    Dispatcher,
    Generator,
    Progress,
    Publisher,
    Store,
    StoreReader,
    TextEmbedder,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from bot.adapters.metrics import Metrics
    from bot.adapters.websecrets import WebSecrets
    from bot.adapters.websessions import RevokedSessions
    from bot.config import Settings
    from bot.config.campaigns import CampaignSettings
    from bot.config.moderation import ModerationSettings
    from bot.services.drafting.service import DraftingService
    from bot.services.firing import FiringService
    from bot.services.media import MediaService
    from bot.services.moderation import ModerationGate
    from bot.services.notifying import NotifyingService
    from bot.services.publishing import PublishingService
    from bot.services.requests import RequestService
    from bot.services.review import ReviewService
    from bot.services.status import StatusService
    from bot.services.sync import SyncService


def reader_for(url: str) -> StoreReader:
    """The lean read-only store of the listing commands: the database driver alone, so they
    need neither the validated settings nor SQLAlchemy (only the URL)."""
    from bot.adapters.store.reader import open_reader

    return open_reader(url)


def build_gate(
    settings: ModerationSettings, base: Path | None = None, data_dir: Path | None = None
) -> ModerationGate:
    """The moderation gate of ``[moderation]``: its scorers built (files read, thresholds
    checked: ConfigError if bad); relative paths are resolved against ``base``; models accepted
    with ``bot moderation train --accept`` are read from ``data_dir``."""
    from bot.adapters.moderation.factory import build_scorers
    from bot.services.moderation import ModerationGate

    scorers = build_scorers(settings, base, data_dir)
    return ModerationGate(
        scorers,
        {str(k): v for k, v in settings.thresholds.items()},
        {str(k): v for k, v in settings.review_thresholds.items()},
    )


def worker_id() -> str:
    """host-pid-random: unique per process, readable in ``bot status`` and the event log."""
    import secrets
    import socket

    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def default_reviewer() -> str:
    """The login name, used when a command is not given ``--as NAME``."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def credentials_present(account: Any) -> dict[str, Any]:
    """Which of the account's platform credentials are set (never their values): name -> bool,
    or ``{"error": ...}`` when its platform cannot say."""
    from bot import plugins
    from bot.adapters.platforms.credentials import Credentials

    creds = Credentials(account)
    try:
        names = plugins.platform(account.platform).credentials
        return {name: creds.find(name) is not None for name in names}
    except ConfigError as exc:
        return {"error": str(exc)}


def missing_credentials(settings: Settings) -> list[str]:
    """One warning per account whose platform credentials are not all set, looked up as the
    publisher and `bot accounts check` look them up (environment, secrets file, secrets
    directory), naming what is missing and where to put it, never a value."""
    from bot import plugins
    from bot.adapters.platforms.credentials import Credentials

    lines = []
    for account in settings.accounts:
        try:
            Credentials(account).require(*plugins.platform(account.platform).credentials)
        except ConfigError as exc:
            lines.append(
                f"{exc}; its posts cannot be published until then (`bot accounts check {account.name}` "
                "tries them)"
            )
    return lines


def notify_secret_problems(settings: Settings) -> tuple[list[str], list[str]]:
    """(problems, warnings) of the ``[notify]`` channels' secrets, looked up and checked as the
    daemon does at its start (it refuses to start without them), naming the secret and where to
    put it, never a value. A warning only while the secrets_dir does not exist (systemd makes its
    credentials directory only while the service runs)."""
    from bot.adapters.notify import build_channels

    base = settings.source.parent if settings.source else None
    try:
        build_channels(settings.notify, base)
    except ConfigError as exc:
        folder = settings.notify.secrets_dir
        if folder is not None and not folder.is_dir():  # anchored to the config's folder
            return [], [f"{exc} (the daemon will not start without it)"]
        return [f"{exc} (the daemon will not start without it; `bot notify test` tries it)"], []
    return [], []


class Publishers:
    """One publisher per account, built on first use and kept (they hold HTTP sessions)."""

    def __init__(self, settings: Settings, given: Mapping[str, Publisher] | None = None) -> None:
        self._settings = settings
        self._built: dict[str, Publisher] = dict(given or {})

    def get(self, account: str) -> Publisher:
        """The account's publisher.

        Raises:
            NotConfigured: the account is not in the config (any more).
            ConfigError: its credentials are missing.
        """
        if account not in self._built:
            from bot.adapters.platforms import build_publisher

            config = self._settings.account(account)
            self._built[account] = build_publisher(config, self._settings.data_dir)
        return self._built[account]

    def forget(self, account: str) -> None:
        """Drop a publisher, so the next one re-reads its credentials (after a 401)."""
        _close(self._built.pop(account, None))

    def close(self) -> None:
        """Close every publisher's connections."""
        for publisher in self._built.values():
            _close(publisher)
        self._built.clear()


class Wiring:
    """Builds the parts and services for one config, each on first use.

    Args:
        settings: the validated config.
        clock: the clock every service reads (default: the system clock, or the test clock that
            ``BOT_FAKE_NOW`` / ``BOT_CLOCK_FILE`` ask for, see :mod:`bot.adapters.clock`).
        store: an open store to use instead of opening ``settings.database_url``.
        generator: a generator to use instead of the configured backend.
        gate: a moderation gate to use instead of the configured scorers.
        publishers: publishers to use for these accounts instead of building them.
        worker: this process's worker id (default: host-pid-random).
        check_schema: refuse to open a database that is not at this version's schema.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        store: Store | None = None,
        generator: Generator | None = None,
        gate: ModerationGate | None = None,
        publishers: Mapping[str, Publisher] | None = None,
        worker: str | None = None,
        check_schema: bool = True,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or clock_from_env()
        self.worker = worker or worker_id()
        self.publishers = Publishers(settings, publishers)
        self._check_schema = check_schema
        self._store = store
        self._owns_store = store is None
        self._generator = generator
        self._gate = gate
        self._readers: list[StoreReader] = []
        self._metrics: Metrics | None = None
        #: Where drafting shows its stages and the generator its loading and writing (the CLI
        #: sets a terminal's bar before it drafts; None: nothing shown, as in the daemon).
        self.progress: Progress | None = None

    def reconfigured(self, settings: Settings) -> Wiring:
        """A wiring for a new config (a reload) that keeps this one's clock, worker and store,
        and its loaded generator when the model settings did not change."""
        generator = self._generator if settings.model == self.settings.model else None
        fresh = Wiring(settings, clock=self.clock, store=self.store, generator=generator, worker=self.worker)
        fresh._owns_store, self._owns_store = self._owns_store, False
        fresh._metrics = self._metrics  # the registry (and its port) outlive a reload
        return fresh

    def abandon(self, previous: Wiring) -> None:
        """A wiring from :meth:`reconfigured` not taken into use (a refused reload): the store
        goes back to ``previous``, and what this one built is closed."""
        previous._owns_store, self._owns_store = self._owns_store, False
        self.close(notify_wait=0)

    # -- parts ----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store named by ``database_url`` (SQLite in the data dir by default)."""
        if self._store is None:
            from bot.adapters.store.sql import SqlStore

            self._store = SqlStore.open(self.settings.database_url, check=self._check_schema)
        return self._store

    @cached_property
    def reader(self) -> StoreReader:
        """The store's reads: the store when it is open or handed in, else the lean reader."""
        if self._store is not None:
            return self._store
        reader = reader_for(self.settings.database_url)
        self._readers.append(reader)
        return reader

    @property
    def gate(self) -> ModerationGate:
        """The moderation gate of ``[moderation]`` (scorers built and their files read)."""
        if self._gate is None:
            base = self.settings.source.parent if self.settings.source else None
            self._gate = build_gate(self.settings.moderation, base, self.settings.data_dir)
        return self._gate

    @property
    def generator(self) -> Generator:
        """The generator of ``[model]`` (its files checked; weights load on first use)."""
        if self._generator is None:
            from bot.adapters.generation.factory import build_generator

            self._generator = build_generator(self.settings, self.progress)
        return self._generator

    @property
    def embedder(self) -> TextEmbedder:
        """The process's sentence encoder (the drafts' ranking; weights read on first use)."""
        from bot.adapters.embedding import shared

        return shared()

    @cached_property
    def web_secrets(self) -> WebSecrets:
        """The web page's password hashes and session key (``[web] secrets_file/dir``)."""
        from bot.adapters.websecrets import WebSecrets

        base = self.settings.source.parent if self.settings.source else None
        return WebSecrets(self.settings.web, base, self.settings.data_dir)

    @cached_property
    def revoked_sessions(self) -> RevokedSessions:
        """The web sessions logged out before their time (a file in the data directory)."""
        from bot.adapters.websessions import RevokedSessions

        return RevokedSessions(self.settings.data_dir)

    def publisher(self, account: str) -> Publisher:
        """The publisher of one configured account."""
        return self.publishers.get(account)

    def previewer(self, reporter: Any = None) -> DraftingService:
        """A drafting service for ``bot drafts preview``: it saves nothing, shows the model's
        loading progress on ``reporter``, and works without a database (the near-duplicate
        check then has no history)."""
        from bot.services.drafting.service import DraftingService

        if self._generator is None:
            from bot.adapters.generation.factory import build_generator

            self._generator = build_generator(self.settings, reporter)
        return DraftingService(
            self.settings,
            self._usable_store(),
            lambda: self.generator,
            lambda: self.gate,
            self.clock,
            "preview",
            media=self.media,
            embedder=lambda: self.embedder,
            progress=reporter,
        )

    def campaign_context(self, campaign: CampaignSettings, at: datetime) -> dict[str, Any]:
        """A campaign's template variables at ``at`` (no store, no model)."""
        from bot.services.drafting.service import DraftingService

        drafting = DraftingService(
            self.settings, None, lambda: self.generator, lambda: self.gate, self.clock, "check"
        )
        return drafting.context(campaign, at)

    def _usable_store(self) -> Store | None:
        try:
            store = self.store
            store.list_drafts(limit=1)
        except BotError:  # no database yet, or one at another schema
            return None
        return store

    # -- services -------------------------------------------------------------------------

    @cached_property
    def review(self) -> ReviewService:
        from bot.services.review import ReviewService

        return ReviewService(
            self.settings,
            self.store,
            lambda: self.gate,
            self.clock,
            recheck=self.drafting.recheck,
            media=self.media,
        )

    @cached_property
    def media(self) -> MediaService:
        """Chooses, fits (Pillow, copies under ``data_dir/media``) and checks pictures."""
        from bot.adapters.media import PillowMedia
        from bot.services.media import MediaService

        return MediaService(self.settings, PillowMedia(self.settings.data_dir))

    @cached_property
    def requests(self) -> RequestService:
        from bot.services.requests import RequestService

        return RequestService(self.settings, self.store, self.clock)

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
            media=self.media,
            embedder=lambda: self.embedder,
            progress=self.progress,
        )

    @cached_property
    def publishing(self) -> PublishingService:
        from bot.services.publishing import PublishingService

        return PublishingService(
            self.settings,
            self.store,
            self.publishers.get,
            self.clock,
            self.worker,
            forget=self.publishers.forget,
            media=lambda: self.media,
        )

    @cached_property
    def firing(self) -> FiringService:
        from bot.services.firing import FiringService

        return FiringService(self.settings, self.store, self.drafting.draft_slot, self.clock)

    @cached_property
    def status(self) -> StatusService:
        from bot.daemon import statusfile
        from bot.services.status import StatusService

        return StatusService(
            lambda: self.settings,
            lambda: self.reader,
            self.clock,
            lambda: statusfile.read_live(self.settings.data_dir),
        )

    @cached_property
    def notifying(self) -> NotifyingService:
        """The notifier of ``[notify]``: its channels (and their secrets) are built when it first
        sends; :meth:`NotifyingService.dispatcher` builds them now (ConfigError if one is bad)."""
        from bot.services.notifying import NotifyingService

        return NotifyingService(
            self.settings, self.store, self._dispatcher, self.clock.now, self.worker, web_url(self.settings)
        )

    def stop_notifying(self, wait: float, *, drain: bool = False) -> None:
        """Stop the notifier if it was built: wait at most ``wait`` s for the message in hand
        (``drain``: for every queued one, retries included) and record what became of each
        message (a database that is away only loses the record)."""
        if "notifying" in self.__dict__:
            try:
                self.notifying.close(wait, drain=drain)
            except BotError as exc:
                log.warning("could not record the notifications' outcomes: %s", exc)

    def _dispatcher(self) -> Dispatcher:
        from bot.adapters.notify import build_channels
        from bot.adapters.notify.dispatch import BackgroundDispatcher

        base = self.settings.source.parent if self.settings.source else None
        return BackgroundDispatcher(build_channels(self.settings.notify, base))

    @property
    def metrics(self) -> Metrics:
        """The Prometheus registry: the store's counts at scrape time, and the drafting time of
        each slot this process drafts."""
        if self._metrics is None:
            from bot.adapters.metrics import Metrics

            # late-bound: the store opens at the first scrape, not when the registry is made
            self._metrics = Metrics(lambda: self.store.store_metrics(), self.clock)  # noqa: PLW0108
        return self._metrics

    @cached_property
    def sync(self) -> SyncService:
        from bot.services.sync import SyncService

        return SyncService(self.settings, self.store, lambda: self.gate, self.clock)

    def close(self, notify_wait: float = 5.0) -> None:
        """Stop the notifier (waiting at most ``notify_wait`` s for a message in hand), close the
        publishers, the readers and, unless it was handed in, the store."""
        self.stop_notifying(notify_wait)
        self.publishers.close()
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        if self._owns_store and self._store is not None:
            self._store.close()
            self._store = None


def loose_secret_files(settings: Settings, *, web: bool = False) -> list[str]:
    """One line per secrets file that its group or others can read: the accounts', ``[notify]``'s
    and ``[model]``'s (what ``bot run`` reads), or with ``web`` the review page's; each
    ``secrets_file`` and every file of each ``secrets_dir``. A file named here is not named
    again when it is read."""
    from bot.adapters.platforms.credentials import loose_files

    places = _secret_places(settings, web=True) if web else _secret_places(settings)
    if web:
        places.append((settings.data_dir / "web-secrets", "web secrets"))
    return loose_files(places)


def secret_file_problems(settings: Settings) -> tuple[list[str], list[str]]:
    """(errors, warnings) about each ``secrets_file`` and ``secrets_dir`` the config names, by
    its config key and its path resolved against the config file's directory.
    A ``secrets_file`` of the accounts, of ``[model]`` (backend "openai") or of ``[notify]``
    (when a channel is set) that does not exist, is a directory, cannot be read or has a line
    that is not ``NAME=value`` is an error: reading a credential from it fails. ``[web]
    secrets_file`` is written by the first ``bot web passwd``, so only a broken one is an error,
    not a missing one. A missing directory is a warning: a systemd credentials directory exists
    only while its service runs."""
    from bot.adapters.platforms.credentials import secrets_file_problem

    errors: list[str] = []
    warnings: list[str] = []
    for path, key in _secret_places(settings, in_use=True) + _secret_places(settings, web=True):
        if key.endswith("secrets_dir"):
            if not path.exists():
                warnings.append(
                    f"{key}: {path} does not exist (a systemd credentials directory exists only "
                    "while its service runs); a credential not in the environment cannot be read"
                )
        elif (key != "web.secrets_file" or path.exists()) and (problem := secrets_file_problem(path, key)):
            errors.append(problem)
    return errors, warnings


def _secret_places(settings: Settings, *, web: bool = False, in_use: bool = False) -> list[tuple[Path, str]]:
    """The configured ``secrets_file`` and ``secrets_dir`` paths (relative ones anchored at
    the config file when it was loaded) with their config keys: the accounts', ``[notify]``'s
    and ``[model]``'s (with ``in_use``, only when a channel is set and for backend "openai"),
    or with ``web`` the review page's."""
    holders: list[tuple[Any, str]]
    if web:
        holders = [(settings.web, "web")]
    else:
        holders = [(a, f"accounts.{a.name}") for a in settings.accounts]
        if settings.notify.enabled or not in_use:
            holders.append((settings.notify, "notify"))
        if settings.model.backend == "openai" or not in_use:
            holders.append((settings.model, "model"))
    return [
        (path, f"{section}.{key}")
        for holder, section in holders
        for key in ("secrets_file", "secrets_dir")
        if (path := getattr(holder, key)) is not None
    ]


def web_url(settings: Settings) -> str | None:
    """``[web] url``, the review page's address (None when not set)."""
    return settings.web.url or None


def _close(publisher: Publisher | None) -> None:
    close = getattr(publisher, "close", None)
    if close is not None:
        close()
