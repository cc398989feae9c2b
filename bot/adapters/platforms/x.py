"""X through tweepy (OAuth 1.0a user context); the only module that imports tweepy.

tweepy hard-codes ``https://api.twitter.com`` and passes no timeout, so a
:class:`~bot.adapters.platforms._http.RedirectAdapter` is mounted on its session for the X hosts: it
sends to the account's ``base_url`` with the account's timeout. ``wait_on_rate_limit`` stays
off (with a 429 lacking its reset header it retries with no sleep); 429s are ours to handle.

A draft with several parts (split on a line holding only ``---``) is posted as a reply chain.

Images: tweepy 4.17 has no v2 media upload (and X retired v1.1's), so
:meth:`XPublisher.upload_media` calls X's v2 ``POST /2/media/upload`` (multipart) and
``POST /2/media/metadata`` (alt text) itself, signed with the client's OAuth 1.0a user context
on the client's own session: the same host rewrite and timeout as every other call. The post
then names them in ``media.media_ids``. X keeps an unattached upload for 24 hours.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import requests
import tweepy

from bot.adapters.platforms._http import RedirectAdapter, seconds_until, sent_nothing
from bot.adapters.platforms._media import check_alts, file_name, read_media, upload_failure
from bot.adapters.platforms._paging import Listed, Page, parse_when, walk
from bot.adapters.platforms._text import same_text, split_parts
from bot.adapters.platforms.limits import parse_tweet
from bot.adapters.platforms.x_platform import CREDENTIALS, XAccount, limit
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import (
    PublishAuthError,
    PublishDuplicate,
    PublishError,
    PublishPartial,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
)
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.platforms import Attempt, CredentialSource, ErrorRule, ErrorTable

log = logging.getLogger(__name__)


DEFAULT_BASE = "https://api.twitter.com"
_HOSTS = ("https://api.twitter.com", "https://api.x.com")
_DUPLICATE = "duplicate content"
#: X's v2 media endpoints (sent to the account's base through the redirect adapter).
MEDIA_UPLOAD = "https://api.x.com/2/media/upload"
MEDIA_METADATA = "https://api.x.com/2/media/metadata"
MAX_ALT = 1000


class XPublisher:
    """Posts to one X account."""

    platform = "x"
    #: An upload expires 24 hours after it was made: reuse it for 12.
    media_reuse = timedelta(hours=12)

    def __init__(self, account: XAccount, credentials: CredentialSource) -> None:
        self._account = account
        creds = credentials.require(*CREDENTIALS)
        self._client = tweepy.Client(
            consumer_key=creds["api_key"],
            consumer_secret=creds["api_secret"],
            access_token=creds["access_token"],
            access_token_secret=creds["access_token_secret"],
            wait_on_rate_limit=False,
        )
        base = account.base_url or DEFAULT_BASE
        self._adapters = [RedirectAdapter(host, base, account.timeout.total_seconds()) for host in _HOSTS]
        for adapter in self._adapters:
            self._client.session.mount(adapter.origin, adapter)
        self._user_id: str | None = None
        self._username: str | None = None

    @property
    def account(self) -> str:
        return self._account.name

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.session.close()

    def validate(self, post: OutgoingPost) -> None:
        """Refuse parts X would refuse (weighted length: URLs 23, CJK and emoji 2)."""
        most = limit(self._account)
        for number, part in enumerate(split_parts(post.text), 1):
            if not most.fits(part) or not parse_tweet(part).valid:
                raise PublishRejected(
                    f"X: part {number} is not a valid post "
                    f"(weighted length {most.measure(part)} of {most.maximum})"
                )

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """Upload each image (``/2/media/upload``), then set its alt text (``/2/media/metadata``)."""
        check_alts(post.media, "X", MAX_ALT)
        ids: list[str] = []
        for number, item in enumerate(post.media, 1):
            data = read_media(item, "X")
            doing = f"upload image {number} ({file_name(item)})"
            try:
                answer = self._signed(
                    MEDIA_UPLOAD,
                    files={"media": (file_name(item), data, item.mime)},
                    data={"media_category": "tweet_image", "media_type": item.mime},
                )
                media_id = str(answer["data"]["id"])
                self._signed(
                    MEDIA_METADATA, json={"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
                )
            except PublishError:
                raise
            except Exception as exc:
                raise upload_failure(ERRORS, exc, doing) from exc
            ids.append(media_id)
        return tuple(ids)

    def _signed(self, url: str, **kwargs: Any) -> Any:
        """POST to an X endpoint tweepy does not wrap, signed like tweepy signs (OAuth 1.0a user
        context), on tweepy's session; a failure raises the exception tweepy would."""
        client = self._client
        auth = tweepy.OAuth1UserHandler(
            client.consumer_key, client.consumer_secret, client.access_token, client.access_token_secret
        ).apply_auth()
        response = client.session.post(url, auth=auth, **kwargs)
        status = response.status_code
        if not 200 <= status < 300:
            raised = _HTTP_ERRORS.get(status) or (
                tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException
            )
            raise raised(response)
        return response.json()

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        """Post (the images go with the first part of a thread)."""
        self.validate(post)
        parts = split_parts(post.text)
        ids: list[str] = []
        for part in parts:
            try:
                ids.append(self._tweet(part, ids[-1] if ids else None, () if ids else media_ids))
            except PublishRejected as exc:
                if _DUPLICATE in str(exc) and not ids:
                    self._duplicate(exc)
                self._partial(ids, parts, exc)
            except PublishError as exc:
                self._partial(ids, parts, exc)
        return PublishResult(remote_id=ids[0], url=self._url(ids[0]))

    def _tweet(self, text: str, reply_to: str | None, media_ids: Sequence[str] = ()) -> str:
        try:
            response = self._client.create_tweet(
                text=text, in_reply_to_tweet_id=reply_to, media_ids=list(media_ids) or None, user_auth=True
            )
        except Exception as exc:
            _translate(exc, "create the post")
        return str(response.data["id"])

    @staticmethod
    def _duplicate(exc: PublishRejected) -> NoReturn:
        """X says duplicate content: whether the post on the account is this publication's is
        for the publishing service to find out (from the send stamp, and not another
        publication's), never assumed here."""
        raise PublishDuplicate(f"{exc}: X does not take the same text twice") from exc

    def _partial(self, ids: list[str], parts: list[str], exc: PublishError) -> NoReturn:
        if not ids:
            raise exc
        raise PublishPartial(
            f"X thread stopped after {len(ids)} of {len(parts)} parts (posted {', '.join(ids)}): {exc}",
            ids[0], self._url(ids[0]), len(ids), len(parts),
        ) from exc  # fmt: skip

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """Page through the account's posts since the boundary (``start_time``, 100 a page,
        ``pagination_token``): X bounds the listing by time, so its end proves absence."""
        first = split_parts(post.text)[0]

        def fetch(cursor: str | None) -> Page:
            try:
                user_id = self._me()["id"]
                response = self._client.get_users_tweets(
                    user_id,
                    max_results=100,
                    start_time=search.boundary,
                    pagination_token=cursor,
                    tweet_fields=["created_at"],
                    user_auth=True,
                )
            except PublishError:
                raise
            except Exception as exc:
                _translate(exc, "read the account's posts", sending=False)
            items = [
                Listed(parse_when(t.created_at), str(t.text), PublishResult(str(t.id), self._url(str(t.id))))
                for t in response.data or []
            ]
            return Page(items, (response.meta or {}).get("next_token"))

        return walk(
            search, fetch, lambda item: same_text(first, item.text), platform="X", exhaustion_proves=True
        )

    def check_credentials(self) -> dict[str, Any]:
        me = self._me()
        limits: dict[str, Any] = {
            "max_weighted_length": limit(self._account).maximum,
            "daily_cap": self._account.daily_cap,
        }
        for adapter in self._adapters:
            limits.update(adapter.last_limits)
        return {"platform": "x", "user": me["username"], "user_id": me["id"], "limits": limits}

    def _me(self) -> dict[str, str]:
        if self._user_id is None:
            try:
                response = self._client.get_me(user_auth=True)
            except Exception as exc:
                _translate(exc, "verify the credentials", sending=False)
            self._user_id, self._username = str(response.data.id), str(response.data.username)
        return {"id": self._user_id, "username": self._username or ""}

    def _url(self, tweet_id: str) -> str:
        return f"https://x.com/{self._username or 'i/web'}/status/{tweet_id}"


#: What tweepy raises for a status (as ``tweepy.Client.request`` does).
_HTTP_ERRORS: dict[int, type[tweepy.HTTPException]] = {
    400: tweepy.BadRequest,
    401: tweepy.Unauthorized,
    403: tweepy.Forbidden,
    404: tweepy.NotFound,
    429: tweepy.TooManyRequests,
}


def _detail(exc: tweepy.HTTPException) -> str:
    messages = list(getattr(exc, "api_messages", []) or [])
    try:
        body = exc.response.json()
        if isinstance(body, dict) and body.get("detail") and body["detail"] not in messages:
            messages.append(str(body["detail"]))
    except ValueError:
        pass
    return "; ".join(messages) or f"{exc.response.status_code} {exc.response.reason}"


def _rate_limited(exc: tweepy.TooManyRequests, at: Attempt) -> PublishError:
    headers = exc.response.headers
    wait = seconds_until(headers.get("x-rate-limit-reset"))
    if headers.get("x-user-limit-24hour-remaining") == "0":
        wait = seconds_until(headers.get("x-user-limit-24hour-reset")) or wait
    return PublishRetryable(f"X rate limit while trying to {at.doing}", retry_after=wait)


def _server_error(exc: tweepy.TwitterServerError, at: Attempt) -> PublishError:
    """A 5xx to a send may come after the post was stored: unknown; to a read, a retry."""
    detail = f"{exc.response.status_code}: {_detail(exc)}"
    if at.sending:
        return PublishUnknownOutcome(f"X server error {detail} after the post")
    return PublishRetryable(f"X server error {detail}")


def _unreachable(exc: requests.RequestException, at: Attempt) -> PublishError:
    if sent_nothing(exc):
        return PublishRetryable(f"X unreachable: {type(exc).__name__}")
    return PublishUnknownOutcome(f"X did not answer ({type(exc).__name__}) while trying to {at.doing}")


#: tweepy and requests errors -> ours (the most specific class wins).
ERRORS = ErrorTable(
    "X",
    [
        ErrorRule(tweepy.TooManyRequests, _rate_limited),
        ErrorRule(tweepy.TwitterServerError, _server_error),
        ErrorRule(tweepy.Unauthorized, PublishAuthError, "X rejected the credentials: {detail}"),
        ErrorRule(
            tweepy.HTTPException,
            PublishRetryable,
            "X: the request to {doing} was too large for the server (413); nothing was posted",
            when=lambda e: e.response.status_code == 413,
        ),
        ErrorRule(tweepy.HTTPException, PublishRejected, "X refused to {doing} ({detail})"),
        ErrorRule(requests.RequestException, _unreachable),
        ErrorRule(tweepy.TweepyException, PublishRejected, "X client error: {exc}"),
    ],
    detail=lambda exc: f"{exc.response.status_code}: {_detail(exc)}",
)


def _translate(exc: Exception, doing: str, *, sending: bool = True) -> NoReturn:
    """Map a tweepy or requests error to the bot's error types (the one place for X)."""
    ERRORS.reraise(exc, Attempt(doing, sending=sending))


def client(account: XAccount, credentials: CredentialSource, data_dir: Path) -> XPublisher:
    """The publisher for one account (the ``client`` of this platform's description)."""
    return XPublisher(account, credentials)
