"""Bluesky through atproto (app password); the only module that imports atproto.

The client gets the account's ``base_url`` (the PDS) and ``Request(timeout=...)``. Links and
hashtags become facets with UTF-8 byte offsets; the 300-grapheme limit is checked here because
only the server enforces it. Parts split on ``---`` become a reply chain.

Images: ``upload_blob`` for each, then the post's record carries an ``app.bsky.embed.images``
embed naming each blob with its alt text and aspect ratio. A blob must be referenced within
minutes or the PDS drops it, so a retry uploads again (``media_reuse`` is zero); the recorded
id is the blob reference as JSON.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.blob_ref import BlobRef
from atproto_client.request import Request

from bot.adapters.platforms._http import sent_nothing
from bot.adapters.platforms._media import check_alts, file_name, read_media, upload_failure
from bot.adapters.platforms._paging import Listed, Page, parse_when, walk
from bot.adapters.platforms._text import same_text, split_parts
from bot.adapters.platforms.bluesky_platform import BlueskyAccount, limit
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import (
    PublishAuthError,
    PublishError,
    PublishPartial,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
)
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.platforms import Attempt, CredentialSource, ErrorRule, ErrorTable

DEFAULT_BASE = "https://bsky.social"
_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?:^|(?<=\s))#([^\s#]+)")
_TRAILING = ".,;:!?)]}'\""
#: app.bsky.embed.images: 4 images; alt text has no documented limit (kept sane here).
MAX_IMAGES = 4
MAX_ALT = 2000


def _byte_slice(text: str, start: int, end: int) -> models.AppBskyRichtextFacet.ByteSlice:
    byte_start = len(text[:start].encode("utf-8"))
    return models.AppBskyRichtextFacet.ByteSlice(
        byte_start=byte_start, byte_end=byte_start + len(text[start:end].encode("utf-8"))
    )


def facets(text: str) -> list[models.AppBskyRichtextFacet.Main]:
    """Link and hashtag facets, with byte offsets into the UTF-8 text."""
    found: list[models.AppBskyRichtextFacet.Main] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        found.append(
            models.AppBskyRichtextFacet.Main(
                index=_byte_slice(text, match.start(), match.start() + len(url)),
                features=[models.AppBskyRichtextFacet.Link(uri=url)],
            )
        )
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip(_TRAILING)
        if not tag or tag.isdigit():
            continue
        start = match.start(1) - 1
        found.append(
            models.AppBskyRichtextFacet.Main(
                index=_byte_slice(text, start, start + 1 + len(tag)),
                features=[models.AppBskyRichtextFacet.Tag(tag=tag)],
            )
        )
    return found


class BlueskyPublisher:
    """Posts to one Bluesky account."""

    platform = "bluesky"
    #: Unreferenced blobs are dropped within minutes: every attempt uploads again.
    media_reuse = timedelta(0)

    def __init__(self, account: BlueskyAccount, credentials: CredentialSource) -> None:
        self._account = account
        self._password = credentials.get("app_password")
        self._client = Client(
            base_url=account.base_url or DEFAULT_BASE,
            request=Request(timeout=account.timeout.total_seconds()),
        )
        self._did: str | None = None
        self._lock = threading.Lock()

    @property
    def account(self) -> str:
        return self._account.name

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.request.close()

    def _login(self) -> str:
        with self._lock:
            if self._did is None:
                try:
                    self._client.login(self._account.handle, self._password)
                except (AtProtocolError, httpx.HTTPError) as exc:
                    _translate(exc, "log in", sending=False)
                self._did = str(self._client.me.did)
            return self._did

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """``upload_blob`` each image; the ids are the blob references (JSON), in order."""
        check_alts(post.media, "Bluesky", MAX_ALT, MAX_IMAGES)
        self._login()
        ids: list[str] = []
        for number, item in enumerate(post.media, 1):
            data = read_media(item, "Bluesky")
            try:
                blob = self._client.upload_blob(data).blob
            except (AtProtocolError, httpx.HTTPError) as exc:
                raise upload_failure(ERRORS, exc, f"upload image {number} ({file_name(item)})") from exc
            ids.append(json.dumps(blob.model_dump(mode="json", by_alias=True), sort_keys=True))
        return tuple(ids)

    @staticmethod
    def _images(post: OutgoingPost, media_ids: Sequence[str]) -> models.AppBskyEmbedImages.Main | None:
        """The images embed: each blob with its alt text and aspect ratio, in order."""
        if not media_ids:
            return None
        if len(media_ids) != len(post.media):
            raise PublishRejected(f"Bluesky: {len(media_ids)} uploads for {len(post.media)} images")
        images = [
            models.AppBskyEmbedImages.Image(
                alt=item.alt,
                image=BlobRef.model_validate(json.loads(blob)),
                aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=item.width, height=item.height)
                if item.width > 0 and item.height > 0
                else None,
            )
            for item, blob in zip(post.media, media_ids, strict=True)
        ]
        return models.AppBskyEmbedImages.Main(images=images)

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        """Post (the images go with the first part of a thread)."""
        parts = split_parts(post.text)
        most = limit(self._account)
        for number, part in enumerate(parts, 1):
            if not most.fits(part):
                raise PublishRejected(
                    f"Bluesky: part {number} has {most.measure(part)} graphemes; the limit is {most.maximum}"
                )
        embed = self._images(post, media_ids)
        self._login()
        refs: list[models.ComAtprotoRepoStrongRef.Main] = []
        for part in parts:
            reply = models.AppBskyFeedPost.ReplyRef(root=refs[0], parent=refs[-1]) if refs else None
            try:
                refs.append(self._post(part, reply, None if refs else embed))
            except PublishError as exc:
                if not refs:
                    raise
                raise PublishPartial(
                    f"Bluesky thread stopped after {len(refs)} of {len(parts)} parts: {exc}",
                    refs[0].uri, self._url(refs[0].uri), len(refs), len(parts),
                ) from exc  # fmt: skip
        return PublishResult(remote_id=refs[0].uri, url=self._url(refs[0].uri))

    def _post(
        self,
        text: str,
        reply: models.AppBskyFeedPost.ReplyRef | None,
        embed: models.AppBskyEmbedImages.Main | None = None,
    ) -> models.ComAtprotoRepoStrongRef.Main:
        try:
            response = self._client.send_post(
                text=text, reply_to=reply, facets=facets(text) or None, embed=embed
            )
        except (AtProtocolError, httpx.HTTPError) as exc:
            _translate(exc, "create the post")
        return models.create_strong_ref(response)

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """Page back through the account's post records (100 a page, ``cursor``) past the stamp."""
        first = split_parts(post.text)[0]

        def fetch(cursor: str | None) -> Page:
            did = self._login()
            try:
                listing = self._client.com.atproto.repo.list_records(
                    models.ComAtprotoRepoListRecords.Params(
                        repo=did, collection="app.bsky.feed.post", limit=100, cursor=cursor
                    )
                )
            except (AtProtocolError, httpx.HTTPError) as exc:
                _translate(exc, "list the account's posts", sending=False)
            items = []
            for record in listing.records:
                value = record.value
                text = value.get("text") if isinstance(value, dict) else getattr(value, "text", None)
                created = (
                    value.get("createdAt") if isinstance(value, dict) else getattr(value, "created_at", None)
                )
                result = PublishResult(remote_id=record.uri, url=self._url(record.uri))
                items.append(Listed(parse_when(created), str(text or ""), result))
            return Page(items, listing.cursor or None)

        return walk(search, fetch, lambda item: same_text(first, item.text), platform="Bluesky")

    def check_credentials(self) -> dict[str, Any]:
        did = self._login()
        return {
            "platform": "bluesky",
            "user": self._account.handle,
            "user_id": did,
            "limits": {"max_graphemes": self._account.max_graphemes, "daily_cap": self._account.daily_cap},
        }

    def _url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self._account.handle}/post/{uri.rsplit('/', 1)[-1]}"


def _message(exc: RequestErrorBase) -> str:
    response = exc.response
    if response is None:
        return type(exc).__name__
    content = response.content
    message = getattr(content, "message", None) or getattr(content, "error", None)
    return f"{response.status_code} {message or ''}".strip()


def _rate_limited(exc: RateLimitExceededError, at: Attempt) -> PublishError:
    wait = exc.retry_after
    if wait is None and exc.reset_at is not None:
        wait = max(0.0, (exc.reset_at - datetime.now(UTC)).total_seconds())
    return PublishRetryable(f"Bluesky rate limit while trying to {at.doing}", retry_after=wait)


def _answered(exc: RequestErrorBase, at: Attempt) -> PublishError:
    if exc.response is not None and exc.response.status_code == 413:  # refused whole: nothing stored
        return PublishRetryable(f"Bluesky: the request to {at.doing} was too large for the server (413)")
    if exc.response is not None and exc.response.status_code >= 500:
        if at.sending:  # the record may be stored already
            return PublishUnknownOutcome(f"Bluesky server error after the post: {_message(exc)}")
        return PublishRetryable(f"Bluesky server error: {_message(exc)}")
    return PublishRejected(f"Bluesky refused to {at.doing}: {_message(exc)}")


def _unreachable(exc: Exception, at: Attempt) -> PublishError:
    if not at.sending or sent_nothing(exc):
        return PublishRetryable(f"Bluesky unreachable while trying to {at.doing}")
    return PublishUnknownOutcome(f"Bluesky did not answer ({_cause(exc)}) while trying to {at.doing}")


def _client_error(exc: AtProtocolError, at: Attempt) -> PublishError:
    if at.sending:  # e.g. an answer the client could not parse: the post may be out
        return PublishUnknownOutcome(f"Bluesky client error while trying to {at.doing}: {exc!r}")
    return PublishRejected(f"Bluesky client error: {exc}")


#: atproto and httpx errors -> ours (the most specific class wins).
ERRORS = ErrorTable(
    "Bluesky",
    [
        ErrorRule(RateLimitExceededError, _rate_limited),
        ErrorRule(UnauthorizedError, PublishAuthError, "Bluesky rejected the credentials: {detail}"),
        ErrorRule(BadRequestError, PublishRejected, "Bluesky refused to {doing}: {detail}"),
        ErrorRule(RequestErrorBase, _answered, when=lambda e: e.response is not None),
        ErrorRule(NetworkError, _answered, when=lambda e: e.response is not None),  # 409, 413, 502
        ErrorRule(NetworkError, _unreachable),
        ErrorRule(InvokeTimeoutError, _unreachable),
        ErrorRule(httpx.HTTPError, _unreachable),
        ErrorRule(AtProtocolError, _client_error),
    ],
    detail=_message,
)


def _translate(exc: Exception, doing: str, *, sending: bool = True) -> NoReturn:
    """Map an atproto / httpx error to the bot's error types (the one place for Bluesky)."""
    ERRORS.reraise(exc, Attempt(doing, sending=sending))


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause is not None else type(exc).__name__


def client(account: BlueskyAccount, credentials: CredentialSource, data_dir: Path) -> BlueskyPublisher:
    """The publisher for one account (the ``client`` of this platform's description)."""
    return BlueskyPublisher(account, credentials)
