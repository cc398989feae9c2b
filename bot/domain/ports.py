"""Every interface the core depends on. Adapters implement these; nothing here does I/O.

- :class:`Generator` writes candidate posts (transformers, embedded SmolLM2, canned).
- :class:`ModerationScorer` scores texts per label (profanity, wordlist, detoxify).
- :class:`TextEmbedder` turns texts into sentence vectors (drafts ranked by meaning).
- :class:`Publisher` sends a post to one account of one platform; one that takes images is
  also a :class:`MediaUploader` (uploads first, then ``publish(post, media_ids)``).
- :class:`Clock` tells the time (UTC), so tests can control it.
- The store, split by entity: :class:`CampaignStore`, :class:`SlotStore`, :class:`DraftStore`,
  :class:`ReviewStore`, :class:`PublicationStore`, :class:`AccountStore`, :class:`DaemonStore`
  and :class:`EventLog`; :class:`Store` is all of them. Services ask for the parts they use.
  Every state change is a compare-and-set committed together with its event-log row; a lost
  compare-and-set raises :class:`~bot.domain.errors.StateConflict`, a missing row
  :class:`~bot.domain.errors.NotFound`, a database that cannot be reached
  :class:`~bot.domain.errors.StoreUnavailable`. The contract tests
  (``tests/adapters/store``) run these protocols on SQLite and Postgres.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.domain import (
    Approval,
    CampaignHistory,
    CampaignRecord,
    CampaignSpec,
    Candidate,
    CheckResult,
    DaemonInfo,
    Decision,
    Draft,
    DraftState,
    Event,
    ModerationRecord,
    ModerationVerdict,
    OutgoingPost,
    Publication,
    PublicationState,
    PublishResult,
    RejectionCategory,
    Slot,
    SlotState,
    SlotSummary,
    SyncReport,
    Target,
)
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.media import DraftMedia, MediaItem, MediaLimits
from bot.domain.notify import Message, Outcome, StoreMetrics
from bot.domain.requests import DraftRequest, RequestKind, RequestState

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


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
    #: Above 1.0, a token the answer has already written is less likely again (the CTRL paper's
    #: penalty: a positive logit divided by it, a negative one multiplied). The prompt's tokens
    #: are never penalized: a draft must copy the brand, facts, prices and codes from it.
    repetition_penalty: float = 1.0
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
    #: The text stopped at the token limit (a served model's ``finish_reason: "length"``), not
    #: where the model ended it: its last sentence may be unfinished though it ends in a period.
    cut: bool = False


@runtime_checkable
class Generator(Protocol):
    """Writes ``request.n`` candidate texts in one batched call."""

    @property
    def model_id(self) -> str:
        """A stable identifier of the model (recorded on every draft)."""
        ...

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        """Return ``request.n`` texts (a served model may return fewer, never none, when some
        of its requests failed).

        Raises:
            ModelError: the model cannot be loaded or run.
        """
        ...


class Progress(Protocol):
    """Shows a person how a long task goes, one stage at a time (the CLI's bar on a terminal,
    :mod:`bot.adapters.generation.progress`; nothing in the daemon, pipes or --json)."""

    def start(self, label: str, total: int | None = None) -> None:
        """Begin a stage (ending the one before); ``total`` None: no count, a spinner."""
        ...

    def advance(self, steps: int = 1) -> None:
        """The current stage made ``steps`` steps."""
        ...

    def finish(self) -> None:
        """The current stage is done (idempotent)."""
        ...


class NoProgress:
    """Shows nothing."""

    def start(self, label: str, total: int | None = None) -> None:
        """Ignored."""

    def advance(self, steps: int = 1) -> None:
        """Ignored."""

    def finish(self) -> None:
        """Ignored."""


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
class TextEmbedder(Protocol):
    """Sentence vectors: texts that mean the same get vectors close together, whatever their
    words (and across languages)."""

    @property
    def version(self) -> str:
        """The encoder and its version."""
        ...

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit-length row per text, shape ``(len(texts), dimensions)``: the dot product
        of two rows is their cosine similarity. Deterministic for the same texts.

        Raises:
            ConfigError: the encoder is not installed.
        """
        ...


@dataclass(frozen=True)
class GeneratorBackend:
    """A generator backend as its plugin describes it (entry point group ``bot.generators``)."""

    #: The name ``[model] backend`` selects it by.
    name: str
    #: ``build(settings, reporter)`` -> the generator for the whole ``Settings`` (its model
    #: files checked, nothing heavy loaded yet); ``reporter`` shows loading progress or is None.
    build: Callable[..., Generator]
    #: Languages it writes when ``[model] languages`` does not say.
    languages: tuple[str, ...] = ("en", "zh")
    #: Candidates per slot when ``[model] candidates`` does not say.
    candidates: int = 4


@dataclass(frozen=True)
class ScorerBackend:
    """A moderation scorer as its plugin describes it (entry point group ``bot.scorers``)."""

    #: The name ``[moderation] scorers`` and the thresholds select it by.
    name: str
    #: ``build(moderation_settings, base_dir, data_dir)`` -> the scorer, its files read (ConfigError
    #: if bad); relative paths are relative to ``base_dir``, what it learned lives in ``data_dir``.
    build: Callable[..., ModerationScorer]
    #: Its labels when they are fixed; empty when the built scorer reports them (``.labels``).
    labels: tuple[str, ...] = ()


@runtime_checkable
class Publisher(Protocol):
    """Sends posts to one account. Errors are translated to :mod:`bot.domain.errors` types."""

    @property
    def account(self) -> str:
        """The configured account name."""
        ...

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Send the post. A post with media is sent as ``publish(post, media_ids)`` (the ids
        :meth:`MediaUploader.upload_media` returned, in order), only to a :class:`MediaUploader`;
        a publisher without media support keeps this one-argument form.

        Raises:
            PublishRetryable: come back after ``retry_after`` seconds.
            PublishAuthError: the account's credentials were rejected.
            PublishRejected: the platform refused this post for good.
            PublishDuplicate: the platform refused it as the same text as a post on the
                account (the service then looks for it: never adopted by the adapter).
            PublishUnknownOutcome: the send may have gone through.
        """
        ...

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """Look for an earlier send of ``post`` on the account, paging back past
        ``search.since`` within the search's bounds, honouring rate limits.

        Returns found (with the remote post), absent (only when the listing provably covered
        everything since ``search.boundary``) or unknown (with the reason). Never raises for
        a platform error: that is an unknown answer.
        """
        ...

    def check_credentials(self) -> dict[str, Any]:
        """Verify the credentials; return what the platform says about the account and limits.

        Raises:
            PublishAuthError: the credentials were rejected.
        """
        ...


class MediaFitter(Protocol):
    """Pictures on disk: what a file is, and a copy fitted to one platform's limits."""

    def probe(self, path: str) -> MediaItem:
        """The picture at ``path`` as it is (alt empty).

        Raises:
            MediaError: no such file, or not a picture that can be read (names the file).
        """
        ...

    def fit(self, path: str, limits: MediaLimits) -> MediaItem:
        """A copy of the picture within ``limits`` (format, bytes, pixels), written to the data
        directory under its hash, metadata stripped, the user's file untouched; alt empty.
        The same file and limits give the same copy.

        Raises:
            MediaError: the file cannot be read, or cannot be made to fit.
        """
        ...


@runtime_checkable
class MediaUploader(Protocol):
    """A publisher that attaches images: uploads happen before the send stamp, so a failed
    upload is retried like any failure before the send (no post exists yet)."""

    #: How long an upload may wait to be attached: ids recorded within it are reused on the
    #: next attempt (Mastodon, X); ``timedelta(0)``: upload again every time (Bluesky blobs
    #: are dropped if not referenced within minutes, Reddit's leases are not documented).
    media_reuse: timedelta

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """Upload ``post.media`` in order, with their alt texts; the platform's ids, in order.

        Raises:
            PublishRetryable: try again later (timeouts, dropped connections, 5xx, 413, rate
                limits: nothing was posted).
            PublishAuthError: the account's credentials were rejected.
            PublishRejected: the platform will never take these files.
        """
        ...

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        """Send the post with the uploads ``media_ids`` attached (as :meth:`Publisher.publish`)."""
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


# -- the store, split by entity -----------------------------------------------------------------


class CampaignStore(Protocol):
    """Campaigns as synced from the config (never deleted: removed ones are deactivated)."""

    def sync_campaigns(self, specs: Sequence[CampaignSpec], now: datetime, actor: str) -> SyncReport:
        """Make the stored campaigns match ``specs``; campaigns not in it are deactivated and
        their open drafts expire with the reason "campaign removed" (same transaction)."""
        ...

    def list_campaigns(self, *, active_only: bool = False) -> list[CampaignRecord]:
        """Campaigns by name."""
        ...

    def get_campaign(self, name: str) -> CampaignRecord:
        """One campaign. Raises NotFound."""
        ...

    def campaign_histories(self) -> dict[int, CampaignHistory]:
        """Campaign id -> when it was created and its latest slot."""
        ...


class SlotStore(Protocol):
    """Slots: one firing of a campaign at one instant, unique per (campaign, instant)."""

    def create_slot(self, campaign_id: int, slot_at: datetime, now: datetime, actor: str) -> Slot | None:
        """Create a pending slot; None if it exists already (someone else fired it)."""
        ...

    def finish_slot(
        self, slot_id: int, state: SlotState, now: datetime, actor: str, error: str | None = None
    ) -> None:
        """Close a pending slot. Raises StateConflict if it is not pending."""
        ...

    def get_slot(self, slot_id: int) -> Slot:
        """One slot. Raises NotFound."""
        ...

    def list_slots(self, *, since: datetime | None = None, until: datetime | None = None) -> list[Slot]:
        """Slots by instant, in ``[since, until)``."""
        ...

    def take_stale_slots(
        self, created_before: datetime, now: datetime, worker: str, dead: Collection[str] = ()
    ) -> list[Slot]:
        """Take over (compare-and-set) pending slots made before ``created_before``, or made
        by one of the ``dead`` workers (proven dead: no need to wait)."""
        ...

    def pending_slot_makers(self) -> set[str]:
        """The workers that made the slots still pending."""
        ...

    def slot_keys(self, since: datetime, until: datetime) -> set[tuple[int, datetime]]:
        """(campaign id, instant) of every slot in ``[since, until]``."""
        ...

    def slot_summaries(self, since: datetime, until: datetime) -> dict[tuple[str, datetime], SlotSummary]:
        """(campaign name, instant) -> the slot's state and its drafts' states."""
        ...


class DraftStore(Protocol):
    """Drafts and their moderation audit records."""

    def add_draft(
        self,
        *,
        campaign_id: int,
        slot_id: int | None,
        candidate: Candidate,
        verdict: ModerationVerdict,
        state: DraftState,
        expires_at: datetime | None,
        now: datetime,
        actor: str,
        media: Sequence[DraftMedia] = (),
    ) -> int:
        """Save a candidate with its moderation record and the pictures chosen for it (fitted
        per platform); return the draft id."""
        ...

    def get_draft(self, draft_id: int) -> Draft:
        """One draft. Raises NotFound."""
        ...

    def list_drafts(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        slot_id: int | Sequence[int] | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Draft]:
        """Drafts by id (only those with an id above ``after``: the next page of a listing;
        ``slot_id``: of one slot, or of any of a sequence of slots)."""
        ...

    def moderation_records(self, draft_id: int) -> list[ModerationRecord]:
        """Every audit record of a draft, oldest first (one per text it ever had)."""
        ...

    def expire_drafts(self, now: datetime, actor: str) -> list[int]:
        """Open drafts past their expiry become ``expired``; return their ids."""
        ...

    def expire_draft(self, draft_id: int, *, now: datetime, actor: str, reason: str) -> bool:
        """One open draft past its expiry at ``now`` becomes ``expired`` (a person tried to act
        on it; the event says who and ``reason``); False if it is not open or not past it."""
        ...


class ReviewStore(DraftStore, Protocol):
    """What reviewers do to drafts: each call is one transaction with its approval record."""

    def approve_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        sha256: str,
        reviewer: str,
        note: str,
        decision: Decision,
        targets: Iterable[Target],
        not_before: datetime,
        now: datetime,
        media_sha256: str | None = None,
    ) -> Draft:
        """Approve the exact text (by sha256) with the exact pictures and alt texts the
        reviewer saw (``media_sha256``, :attr:`Draft.media_sha256`; None: the draft had none)
        and queue one publication per target.

        Raises:
            DraftExpired: the draft is past its expiry at ``now`` (an open one is made
                ``expired`` in the same call, as the daemon's pass would).
            StateConflict: the draft is not in an ``expected`` state, or its text or its
                pictures changed.
        """
        ...

    def reject_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        reviewer: str,
        reason: str,
        now: datetime,
        category: RejectionCategory | None = None,
    ) -> Draft:
        """Reject the draft and record the rejection (with its category in the event's
        details); an approved draft's queued publications are cancelled (refused if one may
        already be out)."""
        ...

    def edit_draft(
        self,
        draft_id: int,
        *,
        expected: Iterable[DraftState],
        expected_sha256: str,
        text: str,
        new_state: DraftState,
        verdict: ModerationVerdict,
        checks: Sequence[CheckResult] | None,
        reviewer: str,
        now: datetime,
        media: Sequence[DraftMedia] | None = None,
        expected_media_sha256: str | None = None,
    ) -> Draft:
        """Replace the text the reviewer saw (by sha256) with ``text``, scored by ``verdict``
        and checked by ``checks``; given ``media``, replace the pictures too (only if they are
        still those of ``expected_media_sha256``). An approval of the old content is
        invalidated and its queued publications cancelled, all in one transaction.

        Raises:
            DraftExpired: the draft is past its expiry at ``now`` (an open one is made
                ``expired``; an approved one stays approved).
        """
        ...

    def approvals(self, draft_id: int) -> list[Approval]:
        """Every decision on the draft, oldest first."""
        ...


class PublicationStore(Protocol):
    """Publications and the leased claims publishers work from (DESIGN.md, contract 1-2)."""

    def claim_publications(
        self,
        worker: str,
        now: datetime,
        lease: timedelta,
        limit: int = 1,
        accounts: Iterable[str] | None = None,
    ) -> list[Publication]:
        """Claim up to ``limit`` due publications with a lease (skip locked rows)."""
        ...

    def mark_sending(self, pub_id: int, worker: str, now: datetime, lease: timedelta | None = None) -> None:
        """Stamp the claim right before the network call. Raises StateConflict if lost, or if
        its campaign is no longer active in the store (a sync removed or disabled it)."""
        ...

    def renew_claim(self, pub_id: int, worker: str, now: datetime, lease: timedelta) -> None:
        """Extend ``worker``'s claim to ``now + lease``. Raises StateConflict if lost."""
        ...

    def pulled(self, pub_id: int) -> str:
        """Why the publication's campaign must not post now, as the store says: a sync
        deactivated it ("campaign removed from the config ..."); "" when it may post."""
        ...

    def finish_publication(
        self,
        pub_id: int,
        worker: str,
        new: PublicationState,
        *,
        now: datetime,
        reason: str = "",
        remote_id: str | None = None,
        url: str | None = None,
        not_before: datetime | None = None,
        check_at: datetime | None = None,
    ) -> None:
        """Record a claimed publication's outcome. Raises StateConflict if the claim was lost.

        A ``needs_check`` outcome is checked automatically from ``check_at`` on."""
        ...

    def claim_checks(
        self, worker: str, now: datetime, lease: timedelta, limit: int = 1, pub_id: int | None = None
    ) -> list[Publication]:
        """Lease up to ``limit`` ``needs_check`` publications for a check: those due
        (``check_at <= now``), or exactly ``pub_id`` whatever its ``check_at``; never one
        another worker holds a live check lease on."""
        ...

    def finish_check(
        self,
        pub_id: int,
        worker: str,
        new: PublicationState,
        *,
        now: datetime,
        reason: str,
        remote_id: str | None = None,
        url: str | None = None,
        check_at: datetime | None = None,
        tried: bool = True,
    ) -> Publication:
        """Record a check this worker leased: ``published`` (found), ``queued`` or ``failed``
        (proven absent; ``failed`` once the sends are used up), or still ``needs_check``
        (``tried`` counts one more try; the next is due at ``check_at``, None: a person decides).
        Raises StateConflict if the lease was lost."""
        ...

    def release_claims(self, worker: str, now: datetime, reason: str = "released at shutdown") -> int:
        """Give back this worker's claims that were never sent; return how many."""
        ...

    def recover_expired_claims(self, now: datetime, actor: str) -> tuple[list[int], list[int]]:
        """Expired claims: unsent ones re-queued, sent ones to ``needs_check``; (requeued, to_check)."""
        ...

    def take_over_claim(
        self, pub_id: int, owner: str, now: datetime, actor: str, reason: str
    ) -> Publication | None:
        """The claim of ``owner`` (a worker proven dead) before its lease ends, as recovery
        would take it after: unsent re-queued, sent ``needs_check``. None: no longer its claim."""
        ...

    def move_publication(
        self,
        pub_id: int,
        expected: Iterable[PublicationState],
        new: PublicationState,
        *,
        now: datetime,
        actor: str,
        reason: str = "",
        remote_id: str | None = None,
        url: str | None = None,
        send_late: bool = False,
    ) -> Publication:
        """Compare-and-set a publication nobody holds (check, retry, cancel). ``send_late``
        (a forced retry past its draft's expiry) is recorded in the event's details: the
        daemon then sends it although it is stale (:meth:`late_send_allowed`)."""
        ...

    def get_publication(self, pub_id: int) -> Publication:
        """One publication. Raises NotFound."""
        ...

    def late_send_allowed(self, pub_id: int) -> bool:
        """Whether a person asked to send the publication although its draft has expired (a
        ``retry --force`` of a stale one, recorded by :meth:`move_publication`)."""
        ...

    def list_publications(
        self,
        *,
        states: Iterable[PublicationState] | None = None,
        draft_id: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[Publication]:
        """Publications by id."""
        ...

    def published_since(self, account: str, since: datetime) -> list[datetime]:
        """When ``account`` published since ``since`` (pacing, daily caps)."""
        ...

    def fail_unconfigured(self, accounts: Collection[str], now: datetime, actor: str) -> list[int]:
        """Queued publications to an account not in ``accounts`` become ``failed`` with the
        reason "account removed"; return their ids (nothing is deleted)."""
        ...

    def record_media_ids(self, pub_id: int, ids: Sequence[str], now: datetime, actor: str) -> None:
        """Record the platform's ids of the pictures uploaded for a publication that ``actor``
        holds claimed (compare-and-set on the claim), before its send stamp; read back as
        :attr:`Publication.media_ids`.

        Raises:
            StateConflict: the publication is no longer claimed by ``actor``.
        """
        ...

    def outgoing(self, pub: Publication) -> OutgoingPost:
        """The post to send for a publication (the draft's approved text and its pictures,
        fitted for the publication's platform)."""
        ...

    def outgoing_posts(self, pubs: Sequence[Publication]) -> dict[int, OutgoingPost]:
        """The posts for several publications, by publication id, in one query."""
        ...


class AccountStore(Protocol):
    """Per-account state: paused after its credentials were rejected."""

    def pause_account(self, account: str, reason: str, now: datetime, actor: str) -> None:
        """Pause the account (its publications wait) with the reason."""
        ...

    def resume_account(self, account: str, now: datetime, actor: str) -> bool:
        """Resume a paused account; False if it was not paused."""
        ...

    def paused_accounts(self) -> dict[str, str]:
        """Paused account -> reason."""
        ...

    def account_marks(self) -> dict[str, str]:
        """Account -> a mark that changes whenever it is paused or resumed (accounts never
        paused are absent): a daemon that sees an account's mark change drops the client it
        built for it, so a resume after fixed credentials is sent with them."""
        ...


class RequestStore(Protocol):
    """Work a person asks of the daemon for a draft (``regenerate`` from the web page, which
    never loads the model): a request row the daemon claims with a lease and finishes."""

    def request_draft_work(
        self, draft_id: int, kind: RequestKind, *, requester: str, now: datetime
    ) -> DraftRequest:
        """Record a pending request for an open draft, with its event; one open request per
        draft (StateConflict names the one waiting, or the draft's state)."""
        ...

    def draft_requests(
        self, *, draft_id: int | None = None, states: Iterable[RequestState] | None = None, limit: int = 100
    ) -> list[DraftRequest]:
        """Requests, newest first."""
        ...

    def claim_draft_request(self, worker: str, *, now: datetime, until: datetime) -> DraftRequest | None:
        """Claim the oldest pending request (or one whose lease ran out); None if there is none."""
        ...

    def finish_draft_request(
        self,
        request_id: int,
        worker: str,
        *,
        ok: bool,
        now: datetime,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> DraftRequest:
        """Mark a claimed request done or failed, with its event."""
        ...


class DaemonStore(Protocol):
    """Daemons' heartbeats and the queue sizes ``bot status`` shows."""

    def register_daemon(
        self, worker: str, host: str, pid: int, now: datetime, details: dict[str, Any]
    ) -> None:
        """Record a starting daemon."""
        ...

    def heartbeat(
        self, worker: str, now: datetime, state: str, details: dict[str, Any] | None = None
    ) -> bool:
        """Stamp the daemon's heartbeat; False if its row is gone."""
        ...

    def list_daemons(self) -> list[DaemonInfo]:
        """Every daemon that registered, latest heartbeat first."""
        ...

    def forget_daemons(self, before: datetime, workers: Collection[str] | None = None) -> int:
        """Delete daemons (of ``workers`` only, if given) last seen before ``before``, in any
        state (a crashed one would stay ``lost`` forever otherwise); return how many."""
        ...

    def queue_sizes(self) -> dict[str, dict[str, int]]:
        """Drafts, publications and slots counted by state."""
        ...

    def store_metrics(self, *, slots: int = 1000) -> StoreMetrics:
        """The counts ``/metrics`` shows (drafts, publications, flags, heartbeats, notification
        failures) and the drafting time of the latest ``slots`` drafted slots."""
        ...


class EventLog(Protocol):
    """The append-only log of every state change (who, when, from, to, why)."""

    def events(
        self, *, entity: str | None = None, entity_id: int | None = None, limit: int = 100
    ) -> list[Event]:
        """The latest ``limit`` events, oldest first."""
        ...

    def events_after(
        self,
        after_id: int,
        *,
        entities: Collection[str],
        to_states: Collection[str] | None = None,
        limit: int = 100,
    ) -> list[Event]:
        """Events with an id above ``after_id`` of these entities (and target states), oldest
        first, at most ``limit``."""
        ...

    def append_event(
        self,
        now: datetime,
        actor: str,
        entity: str,
        entity_id: int | None,
        from_state: str | None,
        to_state: str | None,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append an event that changes no row (what the notifier sent); return its id.
        ``entity_id=None``: the event starts an entity of its own, numbered by the event's id."""
        ...


class NotificationChannel(Protocol):
    """One way of telling people (a webhook, email)."""

    @property
    def name(self) -> str:
        """The channel's name in the config and in events (``webhook``, ``email``)."""
        ...

    def send(self, message: Message) -> None:
        """Deliver one message once (no retries: the dispatcher retries).

        Raises:
            NotificationFailed: not delivered; the message says why (never a secret).
        """
        ...


class Dispatcher(Protocol):
    """Sends messages off the caller's thread and reports what became of them."""

    def submit(self, message_id: int, message: Message) -> None:
        """Queue a message; never blocks on the network."""
        ...

    def outcomes(self) -> list[Outcome]:
        """The outcomes finished since the last call."""
        ...

    def close(self, wait: float, *, drain: bool = False) -> list[Outcome]:
        """Stop: wait at most ``wait`` seconds for the message in hand (``drain``: for every
        queued message, with its retries), report those never tried as dropped, and return
        every outcome not yet collected."""
        ...


class Store(
    CampaignStore,
    SlotStore,
    ReviewStore,
    PublicationStore,
    AccountStore,
    DaemonStore,
    EventLog,
    RequestStore,
    Protocol,
):
    """The whole store (SQLite or Postgres); :class:`ReviewStore` includes :class:`DraftStore`."""

    def close(self) -> None:
        """Release the database connections."""
        ...


class StoreReader(Protocol):
    """What the read-only commands need (``queue``, ``history``, ``status``, ``campaigns list``,
    ``publications list``): the same reads as :class:`Store`, which is one. The lean reader in
    :mod:`bot.adapters.store.reader` is another: it opens the database with its driver alone,
    so those commands start fast. Contract tests run both on SQLite and Postgres."""

    def list_campaigns(self, *, active_only: bool = False) -> list[CampaignRecord]:
        """Campaigns by name."""
        ...

    def list_drafts(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        slot_id: int | Sequence[int] | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Draft]:
        """Drafts by id (only those with an id above ``after``: the next page of a listing;
        ``slot_id``: of one slot, or of any of a sequence of slots)."""
        ...

    def list_publications(
        self,
        *,
        states: Iterable[PublicationState] | None = None,
        draft_id: int | None = None,
        account: str | None = None,
        limit: int | None = None,
    ) -> list[Publication]:
        """Publications by id."""
        ...

    def events(
        self, *, entity: str | None = None, entity_id: int | None = None, limit: int = 100
    ) -> list[Event]:
        """The latest ``limit`` events, oldest first."""
        ...

    def list_daemons(self) -> list[DaemonInfo]:
        """Every daemon that registered, latest heartbeat first."""
        ...

    def queue_sizes(self) -> dict[str, dict[str, int]]:
        """Drafts, publications and slots counted by state."""
        ...

    def paused_accounts(self) -> dict[str, str]:
        """Paused account -> reason."""
        ...

    def close(self) -> None:
        """Release the database connection."""
        ...


@runtime_checkable
class DraftsJson(Protocol):
    """A reader that writes the queue's JSON itself (the lean reader does, in SQL)."""

    def drafts_json(
        self,
        *,
        states: Iterable[DraftState] | None = None,
        campaign: str | None = None,
        limit: int | None = None,
    ) -> str:
        """What ``[draft_json(d) for d in list_drafts(...)]`` would print, as one JSON array."""
        ...
