"""Mastodon through Mastodon.py; the only module that imports it.

The client is built with ``ratelimit_method="throw"`` (the default sleeps and retries for
minutes) and an explicit ``request_timeout``. Every status carries an ``Idempotency-Key``
derived from the publication's key, so a server that already created the status answers with
it instead of posting again. Parts split on ``---`` become a reply chain.

Images: ``media_post`` (``POST /api/v2/media``, description = alt text) answers at once, often
before the server has processed the file (202, ``url: null``); :meth:`MastodonPublisher.upload_media`
polls ``GET /api/v1/media/:id`` until it has a URL, so the status never meets "not finished
processing". The client is told the server's version (4.0.0: every endpoint used here) so
``media_post`` does not probe ``/api/v1/instance`` first (a failing probe recurses).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from bot.adapters.platforms._http import sent_nothing
from bot.adapters.platforms._media import check_alts, file_name, read_media, upload_failure
from bot.adapters.platforms._paging import Listed, Page, parse_when, walk
from bot.adapters.platforms._text import html_to_text, same_text, split_parts
from bot.adapters.platforms.mastodon_platform import MastodonAccount, limit
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import (
    ConfigError,
    PublishAuthError,
    PublishError,
    PublishPartial,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
)
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.platforms import Attempt, CredentialSource, ErrorRule, ErrorTable

#: How long an upload may take to be processed before the attempt is given up (and retried).
PROCESSING_WAIT = 60.0
#: Mastodon's limits on images: 4 per status, 1,500 characters of description.
MAX_IMAGES = 4
MAX_ALT = 1500


class MastodonPublisher:
    """Posts to one Mastodon account."""

    platform = "mastodon"
    #: Unattached uploads are removed by the server's daily clean-up: reuse them for 12 hours.
    media_reuse = timedelta(hours=12)

    def __init__(self, account: MastodonAccount, credentials: CredentialSource) -> None:
        if not account.base_url:
            raise ConfigError(f"accounts.{account.name}.base_url: the instance URL is required for Mastodon")
        self._account = account
        self._client = Mastodon(
            access_token=credentials.get("access_token"),
            api_base_url=account.base_url,
            ratelimit_method="throw",
            request_timeout=account.timeout.total_seconds(),
            mastodon_version="4.0.0",
            version_check_mode="created",
        )
        self._me: dict[str, Any] | None = None

    @property
    def account(self) -> str:
        return self._account.name

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.session.close()

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """Upload each image with its alt text and wait until the server has processed it."""
        check_alts(post.media, "Mastodon", MAX_ALT, MAX_IMAGES)
        ids: list[str] = []
        for number, item in enumerate(post.media, 1):
            data = read_media(item, "Mastodon")
            doing = f"upload image {number} ({file_name(item)})"
            try:
                attachment = self._client.media_post(
                    data, mime_type=item.mime, description=item.alt, file_name=file_name(item)
                )
                ids.append(self._processed(dict(attachment), doing))
            except MastodonError as exc:
                raise upload_failure(ERRORS, exc, doing) from exc
        return tuple(ids)

    def _processed(self, attachment: dict[str, Any], doing: str) -> str:
        """The attachment's id once the server has processed it (polled with backoff)."""
        deadline = time.monotonic() + PROCESSING_WAIT
        pause = 0.2
        while attachment.get("url") is None:
            if time.monotonic() > deadline:
                raise PublishRetryable(
                    f"Mastodon was still processing the upload ({doing}) after {PROCESSING_WAIT:.0f} s"
                )
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
            attachment = dict(self._client.media(attachment["id"]))
        return str(attachment["id"])

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        """Post the status (the images go with the first part of a thread)."""
        parts = split_parts(post.text)
        most = limit(self._account)
        for number, part in enumerate(parts, 1):
            if not most.fits(part):
                raise PublishRejected(
                    f"Mastodon: part {number} has {most.measure(part)} characters; "
                    f"the limit is {most.maximum}"
                )
        statuses: list[dict[str, Any]] = []
        for number, part in enumerate(parts):
            key = post.idempotency_key if number == 0 else f"{post.idempotency_key}-{number}"
            reply_to = statuses[-1]["id"] if statuses else None
            try:
                statuses.append(self._status(part, key, reply_to, media_ids if number == 0 else ()))
            except PublishError as exc:
                if not statuses:
                    raise
                first = statuses[0]
                raise PublishPartial(
                    f"Mastodon thread stopped after {len(statuses)} of {len(parts)} parts: {exc}",
                    str(first["id"]), first.get("url"), len(statuses), len(parts),
                ) from exc  # fmt: skip
        return PublishResult(remote_id=str(statuses[0]["id"]), url=statuses[0].get("url"))

    def _status(
        self, text: str, key: str, reply_to: str | None, media_ids: Sequence[str] = ()
    ) -> dict[str, Any]:
        try:
            status = self._client.status_post(
                text,
                in_reply_to_id=reply_to,
                visibility=self._account.visibility,
                idempotency_key=key if self._account.idempotency_key else None,
                media_ids=list(media_ids) or None,
            )
        except MastodonError as exc:
            self._translate(exc, "post the status", sending=True)
        if not isinstance(status, dict) or not status.get("id"):
            raise PublishUnknownOutcome(
                f"Mastodon answered the post without a status id: {str(status)[:200]}"
            )
        return dict(status)

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """Page back through the account's statuses (40 a page, ``max_id``) past the stamp."""
        first = split_parts(post.text)[0]

        def fetch(cursor: str | None) -> Page:
            me = self._account_info()
            try:
                statuses = self._client.account_statuses(me["id"], limit=40, max_id=cursor)
            except MastodonError as exc:
                self._translate(exc, "read the account's statuses")
            items = [
                Listed(
                    parse_when(status.get("created_at")),
                    "" if status.get("reblog") else html_to_text(str(status.get("content", ""))),
                    PublishResult(remote_id=str(status["id"]), url=status.get("url")),
                )
                for status in statuses
            ]
            return Page(items, str(statuses[-1]["id"]) if statuses else None)

        return walk(search, fetch, lambda item: same_text(first, item.text), platform="Mastodon")

    def check_credentials(self) -> dict[str, Any]:
        try:
            me = self._account_info()
        except PublishRejected as exc:
            if isinstance(exc.__cause__, MastodonNotFoundError):  # every instance has this endpoint
                raise ConfigError(self._not_an_instance("verify_credentials answers 404")) from None
            raise
        limits: dict[str, Any] = {
            "max_characters": self._account.max_chars,
            "daily_cap": self._account.daily_cap,
        }
        limits["instance_max_characters"] = self._instance_max_characters(limits)
        return {"platform": "mastodon", "user": me.get("acct"), "user_id": str(me["id"]), "limits": limits}

    def _instance_max_characters(self, limits: dict[str, Any]) -> Any:
        """The instance's own limit: /api/v2/instance, else v1. Not ``Mastodon.instance()``: when
        the instance endpoint fails, its version probe recurses until RecursionError."""
        try:
            try:
                instance = self._client.instance_v2()
            except MastodonNotFoundError:
                instance = self._client.instance_v1()
        except MastodonNotFoundError:
            raise ConfigError(self._not_an_instance("/api/v1/instance answers 404")) from None
        except MastodonError as exc:
            limits["instance_error"] = str(exc)
            return None
        statuses = (instance.get("configuration") or {}).get("statuses") or {}
        return statuses.get("max_characters")

    def _not_an_instance(self, why: str) -> str:
        name = self._account.name
        return (
            f"account {name!r}: base_url {self._account.base_url} does not look like a Mastodon "
            f"instance ({why}); check accounts.{name}.base_url"
        )

    def _account_info(self) -> dict[str, Any]:
        if self._me is None:
            try:
                self._me = dict(self._client.account_verify_credentials())
            except MastodonError as exc:
                self._translate(exc, "verify the credentials")
        return self._me

    def _translate(self, exc: MastodonError, doing: str, *, sending: bool = False) -> NoReturn:
        """Map a Mastodon.py error to the bot's error types (the one place for Mastodon)."""
        reset = self._client.ratelimit_reset
        ERRORS.reraise(exc, Attempt(doing, sending=sending, reset_at=float(reset) if reset else None))


def _rate_limited(exc: MastodonRatelimitError, at: Attempt) -> PublishError:
    wait = max(0.0, at.reset_at - time.time()) if at.reset_at else None
    return PublishRetryable(f"Mastodon rate limit while trying to {at.doing}", retry_after=wait)


def _server_error(exc: MastodonServerError, at: Attempt) -> PublishError:
    """A 5xx to a send may come after the status was stored: unknown; to a read, a retry."""
    if at.sending:
        return PublishUnknownOutcome(f"Mastodon server error after the post: {_reason(exc)}")
    return PublishRetryable(f"Mastodon server error: {_reason(exc)}")


def _unreadable(exc: MastodonAPIError, at: Attempt) -> PublishError:
    """An answer Mastodon.py could not parse (a 2xx whose body is not JSON: a proxy's page, a
    cut-off body) says nothing about a send: the status may be stored."""
    if at.sending:
        return PublishUnknownOutcome(
            f"Mastodon answered the attempt to {at.doing} unreadably: {_reason(exc)}"[:500]
        )
    return PublishRejected(f"Mastodon refused to {at.doing}: {_reason(exc)}")


def _unreachable(exc: MastodonNetworkError, at: Attempt) -> PublishError:
    if sent_nothing(exc):
        return PublishRetryable("Mastodon unreachable")
    return PublishUnknownOutcome(f"Mastodon did not answer while trying to {at.doing}")


def _status_code(exc: MastodonError) -> int | None:
    """The HTTP status Mastodon.py put in args (message, status, reason, error), if any."""
    return next((a for a in exc.args if isinstance(a, int)), None)


def _reason(exc: MastodonError) -> str:
    """Mastodon.py puts (url, status, reason, error message) in args."""
    args = [str(a) for a in exc.args]
    return ": ".join(args[-2:]) if len(args) >= 2 else (args[0] if args else type(exc).__name__)


#: Mastodon.py errors -> ours (the most specific class wins).
ERRORS = ErrorTable(
    "Mastodon",
    [
        ErrorRule(MastodonRatelimitError, _rate_limited),
        ErrorRule(
            MastodonUnauthorizedError, PublishAuthError, "Mastodon rejected the access token: {detail}"
        ),
        ErrorRule(MastodonServerError, _server_error),
        ErrorRule(MastodonNetworkError, _unreachable),
        ErrorRule(
            MastodonAPIError,
            PublishRetryable,
            "Mastodon: the request to {doing} was too large for the server (413); nothing was posted",
            when=lambda e: _status_code(e) == 413,
        ),
        # no HTTP status in it: Mastodon.py could not read the answer (not a refusal)
        ErrorRule(MastodonAPIError, _unreadable, when=lambda e: _status_code(e) is None),
        ErrorRule(MastodonAPIError, PublishRejected, "Mastodon refused to {doing}: {detail}"),
        ErrorRule(MastodonError, PublishRejected, "Mastodon client error: {exc}"),
    ],
    detail=_reason,
)


def client(account: MastodonAccount, credentials: CredentialSource, data_dir: Path) -> MastodonPublisher:
    """The publisher for one account (the ``client`` of this platform's description)."""
    return MastodonPublisher(account, credentials)
