"""Reddit through praw; the only module that imports praw and prawcore.

praw's ``timeout`` never reaches prawcore, and prawcore retries a timed-out or 5xx request on
its own -- a slow submit that succeeded on the server would be posted twice. So prawcore gets
a :class:`~bot.adapters.platforms._http.GuardedSession`: it forces the account's timeout and turns a
submit's timeout, dropped connection or 5xx into an exception prawcore does not retry; here
it becomes ``PublishUnknownOutcome`` or ``PublishRetryable``. praw's own wait-and-retry on an
in-band ``RATELIMIT`` is off (``ratelimit_seconds=0``): pacing is ours.

The title is the account's ``title`` (or ``titles[campaign]``), a Jinja2 template rendered in a
sandbox with the campaign's variables and ``first_line``; without one, the post's first line.

Images, praw's own flow split in two so the upload happens before the send stamp:
:meth:`RedditPublisher.upload_media` leases an upload (``api/media/asset.json``) and posts the
file to the lease's S3 URL (praw's ``PostMedia._lease_and_post``); the id kept is
``"<asset id> <uploaded URL>"``. :meth:`RedditPublisher.publish` then makes one image an image
post (``api/submit`` ``kind=image``; praw's ``Subreddit._submit_media`` waits on the websocket
Reddit names for the post's URL: without it Reddit's answer holds no post id) and 2-4 images a
gallery (``api/submit_gallery_post.json``, alt texts as captions, which answers with the id).
Both are guarded submits. The praw internals used are pinned with praw (``==8.0.3``).
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn
from xml.etree.ElementTree import ParseError

import praw
import prawcore
from praw.exceptions import MediaPostFailed, PRAWException, RedditAPIException, WebSocketException
from praw.models import PostMedia

from bot import templating
from bot.adapters.platforms._http import GuardedSession, SubmitOutcomeUnknown, SubmitServerError
from bot.adapters.platforms._media import check_alts, file_name, read_media, upload_failure
from bot.adapters.platforms._paging import Listed, Page, parse_when, walk
from bot.adapters.platforms._text import first_line, first_url, same_text, split_parts
from bot.adapters.platforms.reddit_platform import CREDENTIALS, TITLE_MAX, RedditAccount, limit
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import (
    PublishAuthError,
    PublishDuplicate,
    PublishError,
    PublishRejected,
    PublishRetryable,
    PublishUnknownOutcome,
    TemplateError,
)
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.platforms import Attempt, CredentialSource, ErrorRule, ErrorTable

log = logging.getLogger(__name__)

DEFAULT_OAUTH = "https://oauth.reddit.com"
DEFAULT_WWW = "https://www.reddit.com"
_WAIT = re.compile(r"(\d+)\s+(millisecond|second|minute)", re.IGNORECASE)
#: Gallery captions (our alt texts) are at most 180 characters; 4 images per post here.
MAX_CAPTION = 180
MAX_IMAGES = 4
#: The least time the websocket of an image post is waited on (Reddit processes the image).
WEBSOCKET_WAIT = 10


class RedditPublisher:
    """Submits self or link posts for one Reddit account."""

    platform = "reddit"
    #: How long a leased upload stays usable is not documented: every attempt uploads again.
    media_reuse = timedelta(0)

    def __init__(self, account: RedditAccount, credentials: CredentialSource) -> None:
        self._account = account
        creds = credentials.require(*CREDENTIALS)
        self._username = creds["username"]
        self._session = GuardedSession(account.timeout.total_seconds(), plain_base=account.base_url)
        self._reddit = praw.Reddit(
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            username=creds["username"],
            password=creds["password"],
            user_agent=account.user_agent,
            oauth_url=account.base_url or DEFAULT_OAUTH,
            reddit_url=account.base_url or DEFAULT_WWW,
            check_for_updates=False,
            ratelimit_seconds=0,
            requestor_kwargs={"session": self._session},
        )

    @property
    def account(self) -> str:
        return self._account.name

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    def subreddit(self, post: OutgoingPost) -> str:
        return self._account.subreddits.get(post.campaign, self._account.subreddit)

    def title(self, post: OutgoingPost) -> str:
        """The rendered title (ValueError-free: a bad template is a PublishRejected)."""
        template = self._account.titles.get(post.campaign, self._account.title)
        text = " ".join(split_parts(post.text))
        if not template:
            title = first_line(text)
        else:
            variables = {**post.options, "first_line": first_line(text), "campaign": post.campaign}
            try:
                title = templating.render(f"accounts.{self.account}.title", template, variables)
            except TemplateError as exc:
                raise PublishRejected(f"template error: {exc}") from exc
        if not title or len(title) > TITLE_MAX:
            raise PublishRejected(f"Reddit title must be 1-{TITLE_MAX} characters, got {len(title)}")
        return title

    def _submission(self, post: OutgoingPost) -> dict[str, Any]:
        args: dict[str, Any] = {"title": self.title(post)}
        text = "\n\n".join(split_parts(post.text))
        if self._account.post_kind == "link" and not post.media:
            url = first_url(text) or post.options.get("link")
            if not url:
                raise PublishRejected("Reddit link post: no URL in the text and no campaign link")
            args["url"] = url
        else:
            args["selftext"] = text
        if self._account.flair_id:
            args["flair_id"] = self._account.flair_id
        if self._account.flair_text:
            args["flair_text"] = self._account.flair_text
        return args

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """Lease and upload each image as praw does; ids ``"<asset id> <uploaded URL>"``."""
        check_alts(post.media, "Reddit", MAX_CAPTION, MAX_IMAGES)
        ids: list[str] = []
        for number, item in enumerate(post.media, 1):
            data = read_media(item, "Reddit")
            name = f"image-{number}{mimetypes.guess_extension(item.mime) or Path(item.path).suffix}"
            try:
                lease, fields, upload_url = PostMedia(data, name=name)._lease_and_post(
                    PostMedia.LEASE_API_PATH, self._reddit
                )
                ids.append(f"{lease['asset']['asset_id']} {upload_url}/{fields['key']}")
            except Exception as exc:
                raise upload_failure(ERRORS, exc, f"upload image {number} ({file_name(item)})") from exc
        return tuple(ids)

    def _with_media(
        self, sub: str, args: dict[str, Any], post: OutgoingPost, media_ids: Sequence[str]
    ) -> str:
        """Submit an image post (one image) or a gallery; the new post's id."""
        if len(media_ids) != len(post.media):
            raise PublishRejected(f"Reddit: {len(media_ids)} uploads for {len(post.media)} images")
        data: dict[str, Any] = {
            "sr": sub, "title": args["title"], "nsfw": False, "sendreplies": True, "spoiler": False,
            "validate_on_submit": True, "text": args.get("selftext", ""),
        }  # fmt: skip
        data.update({k: args[k] for k in ("flair_id", "flair_text") if k in args})
        assets = [media_id.split(" ", 1) for media_id in media_ids]
        if len(assets) == 1:
            data.update(kind="image", url=assets[0][1], resubmit=True)
            wait = max(WEBSOCKET_WAIT, int(self._account.timeout.total_seconds()))
            made = self._reddit.subreddit(sub)._submit_media(
                data=data, timeout=wait, without_websockets=False
            )
            if made is None:
                raise PublishUnknownOutcome("Reddit accepted the image post but named no post")
            return str(made.id)
        data.update(api_type="json", show_error_list=True)
        data["items"] = [
            {"caption": item.alt, "media_id": asset, "outbound_url": ""}
            for item, (asset, _) in zip(post.media, assets, strict=True)
        ]
        answer = self._reddit.request(method="POST", path="api/submit_gallery_post.json", json=data)["json"]
        if answer.get("errors"):
            raise RedditAPIException(answer["errors"])
        return str(answer["data"]["id"]).removeprefix("t3_")

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        most = limit(self._account)
        if not most.fits(post.text):
            raise PublishRejected(
                f"Reddit: the post measures {most.measure(post.text)} {most.unit}; "
                f"the limit is {most.maximum}"
            )
        args = self._submission(post)
        try:
            sub = self.subreddit(post)
            if media_ids:
                remote_id = self._with_media(sub, args, post, media_ids)
            else:
                # only ``id`` is read: any other attribute would make praw fetch the post again
                remote_id = str(self._reddit.subreddit(sub).submit(**args).id)
            url = f"https://www.reddit.com/r/{sub}/comments/{remote_id}/"
        except RedditAPIException as exc:
            if any(item.error_type == "ALREADY_SUB" for item in exc.items):
                self._duplicate(exc)
            _translate(exc, "submit")
        except PublishError:
            raise
        except Exception as exc:
            _translate(exc, "submit")
        return PublishResult(remote_id=remote_id, url=url)

    @staticmethod
    def _duplicate(exc: RedditAPIException) -> NoReturn:
        """ALREADY_SUB: whether the submission on the account is this publication's is for the
        publishing service to find out (from the send stamp, and not another publication's)."""
        raise PublishDuplicate(f"Reddit: {_items(exc)}: Reddit does not take the same link twice") from exc

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """Page back through the account's submissions (100 a page, ``after``) past the stamp.

        Reddit serves about 1,000 items back: a listing that ends proves nothing."""
        try:
            args = self._submission(post)
        except PublishRejected as exc:
            return FindAnswer.unknown(f"Reddit: cannot build the post to look for: {exc}")
        wanted_sub = self.subreddit(post).casefold()
        wanted_body = args.get("url") or args.get("selftext", "")

        def fetch(cursor: str | None) -> Page:
            params: dict[str, Any] = {"limit": 100, "sort": "new", "raw_json": 1}
            if cursor:
                params["after"] = cursor
            try:  # the raw listing: praw's lazy objects would fetch missing fields one by one
                listing = self._reddit.request(
                    method="GET", path=f"user/{self._username}/submitted", params=params
                )
            except Exception as exc:
                _translate(exc, "read the account's submissions")
            data = (listing.get("data") or {}) if isinstance(listing, dict) else {}
            items = []
            for child in data.get("children") or []:
                item = child.get("data") or {}
                body = item.get("url") if "url" in args else item.get("selftext")
                link = (
                    f"https://www.reddit.com{item['permalink']}" if item.get("permalink") else item.get("url")
                )
                result = PublishResult(remote_id=str(item.get("id")), url=link)
                items.append(Listed(parse_when(item.get("created_utc")), str(body or ""), result, item))
            after = data.get("after")
            return Page(items, str(after) if after else None)

        def matches(item: Listed) -> bool:
            raw = item.raw
            return (
                str(raw.get("subreddit") or "").casefold() == wanted_sub
                and same_text(args["title"], str(raw.get("title") or ""))
                and same_text(wanted_body, item.text)
            )

        return walk(search, fetch, matches, platform="Reddit")

    def check_credentials(self) -> dict[str, Any]:
        try:
            me = self._reddit.user.me()
            name = str(me.name) if me is not None else self._username
        except Exception as exc:
            _translate(exc, "verify the credentials")
        limits: dict[str, Any] = {"max_title": TITLE_MAX, "daily_cap": self._account.daily_cap}
        limits.update(self._session.last_limits)
        return {"platform": "reddit", "user": name, "subreddit": self._account.subreddit, "limits": limits}


def _items(exc: RedditAPIException) -> str:
    return "; ".join(f"{i.error_type}: {i.message}" for i in exc.items)


def _rate_wait(exc: RedditAPIException) -> float | None:
    for item in exc.items:
        match = _WAIT.search(item.message or "")
        if item.error_type == "RATELIMIT" and match:
            unit = match.group(2).lower()
            scale = 60.0 if unit == "minute" else 1.0 if unit == "second" else 0.001
            return int(match.group(1)) * scale
    return None


def _api_error(exc: RedditAPIException, at: Attempt) -> PublishError:
    if any(item.error_type == "RATELIMIT" for item in exc.items):
        return PublishRetryable(f"Reddit rate limit: {_items(exc)}", retry_after=_rate_wait(exc))
    return PublishRejected(f"Reddit refused to {at.doing}: {_items(exc)}")


def _rate_limited(exc: prawcore.TooManyRequests, at: Attempt) -> PublishError:
    wait = _float(exc.retry_after)
    wait = wait if wait is not None else _float(exc.response.headers.get("x-ratelimit-reset"))
    return PublishRetryable(f"Reddit rate limit while trying to {at.doing}", retry_after=wait)


def _transport(exc: prawcore.RequestException, at: Attempt) -> PublishError:
    original = exc.original_exception
    if isinstance(original, SubmitServerError):  # the submit may have been stored before it
        return PublishUnknownOutcome(f"Reddit server error {original.status} after the submit")
    if isinstance(original, SubmitOutcomeUnknown):
        return PublishUnknownOutcome(f"Reddit did not answer the submit: {original}")
    if at.sending:
        # not the guarded submit itself (e.g. the token request): nothing was posted
        return PublishRetryable(f"Reddit unreachable: {type(original).__name__}")
    return PublishUnknownOutcome(f"Reddit did not answer while trying to {at.doing}")


def _bad_json(exc: prawcore.BadJSON, at: Attempt) -> PublishError:
    """An answer prawcore could not parse (a proxy's page on a 200): to a submit, the post may
    be stored."""
    if at.sending:
        return PublishUnknownOutcome(
            f"Reddit answered the submit unreadably ({_status(exc)}): it may be posted"
        )
    return PublishRejected(f"Reddit refused to {at.doing} ({_status(exc)})")


def _status(exc: prawcore.ResponseException) -> int:
    return int(exc.response.status_code)


#: praw and prawcore errors -> ours (the most specific class wins; same class: first match).
ERRORS = ErrorTable(
    "Reddit",
    [
        ErrorRule(RedditAPIException, _api_error),
        # the image post was made; only its websocket (which names it) failed or said "failed"
        ErrorRule(WebSocketException, PublishUnknownOutcome, "Reddit: image post sent, no answer: {exc}"),
        ErrorRule(MediaPostFailed, PublishUnknownOutcome, "Reddit: image post sent, then failed: {exc}"),
        # an upload answered with something that is not S3's XML (a proxy's 413, a 5xx page)
        ErrorRule(ParseError, PublishRetryable, "Reddit: the media upload failed (unreadable answer)"),
        ErrorRule(prawcore.TooLarge, PublishRetryable, "Reddit: the request to {doing} was too large (413)"),
        ErrorRule(prawcore.RequestException, _transport),
        ErrorRule(prawcore.TooManyRequests, _rate_limited),
        ErrorRule(prawcore.BadJSON, _bad_json),
        ErrorRule(prawcore.ServerError, PublishRetryable, "Reddit server error {detail}"),
        ErrorRule(prawcore.OAuthException, PublishAuthError, "Reddit rejected the credentials: {exc}"),
        ErrorRule(prawcore.InvalidToken, PublishAuthError, "Reddit rejected the credentials: {exc}"),
        ErrorRule(
            prawcore.ResponseException,
            PublishAuthError,
            "Reddit rejected the app credentials ({detail})",
            when=lambda e: _status(e) == 401,
        ),
        ErrorRule(
            prawcore.ResponseException,
            PublishRetryable,
            "Reddit server error {detail}",
            when=lambda e: _status(e) >= 500,
        ),
        ErrorRule(prawcore.ResponseException, PublishRejected, "Reddit refused to {doing} ({detail})"),
        ErrorRule(PRAWException, PublishRejected, "Reddit client error: {exc}"),
        ErrorRule(prawcore.PrawcoreException, PublishRejected, "Reddit client error: {exc}"),
    ],
    detail=lambda exc: str(_status(exc)) if isinstance(exc, prawcore.ResponseException) else str(exc),
)


def _translate(exc: Exception, doing: str) -> NoReturn:
    """Map a praw / prawcore error to the bot's error types (the one place for Reddit)."""
    ERRORS.reraise(exc, Attempt(doing, sending=doing == "submit"))


def _float(value: Any) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def client(account: RedditAccount, credentials: CredentialSource, data_dir: Path) -> RedditPublisher:
    """The publisher for one account (the ``client`` of this platform's description)."""
    return RedditPublisher(account, credentials)
