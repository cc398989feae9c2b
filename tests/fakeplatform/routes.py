"""The platform endpoints of the fake: what tweepy, praw, Mastodon.py and atproto call."""

from __future__ import annotations

import base64
import html
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

import regex

from tests.fakeplatform.media import MediaRoutes
from tests.fakeplatform.state import Reply, User, fake_jwt


class PlatformRoutes(MediaRoutes):
    """Handlers for the four platforms, mixed into the request handler (with
    :class:`~tests.fakeplatform.media.MediaRoutes`, whose checks the post routes call)."""

    server: Any
    raw: bytes
    headers: Any
    params: dict[str, str]
    query: dict[str, str]

    def _json(self) -> dict[str, Any]:
        raise NotImplementedError

    def _form(self) -> dict[str, str]:
        raise NotImplementedError

    def _bearer(self) -> str:
        raise NotImplementedError

    # -- X --------------------------------------------------------------------------------

    def _x_user(self) -> User:
        header = self.headers.get("Authorization", "")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        user: User | None = None
        if header.startswith("OAuth "):
            user = self.server.state.find_user(
                "x",
                api_key=unquote(fields.get("oauth_consumer_key", "")),
                access_token=unquote(fields.get("oauth_token", "")),
            )
        if user is None:
            raise Reply(
                401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
            )
        return user

    def x_tweet(self) -> tuple[int, Any, dict[str, str]]:
        user = self._x_user()
        self.server.state.noisy(user)
        data = self._json()
        text = data.get("text", "")
        if len(text) > 280:
            raise Reply(
                400,
                {
                    "errors": [{"message": "Tweet text is too long."}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters are invalid.",
                },
            )
        recent = time.time() - 86400  # X refuses the same text as a recent post of the account
        if any(p["text"] == text and p["at"] > recent for p in self.server.state.posts_of(user)):
            raise Reply(
                403,
                {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        reply_to = (data.get("reply") or {}).get("in_reply_to_tweet_id")
        media = [str(m) for m in (data.get("media") or {}).get("media_ids") or []]
        if len(media) > 4:
            raise Reply(400, {"errors": [{"message": "too many media ids"}], "title": "Invalid Request"})
        with self.server.state.lock:
            items = self._attach(user, media)
            post = self.server.state.record(user, text, reply_to=reply_to)
            self._bind(post, items)
        day_ago = time.time() - 86400
        used = sum(1 for p in self.server.state.posts_of(user) if p["at"] > day_ago)
        headers = _x_limits(100, used) | {
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": str(max(0, 17 - used)),
            "x-user-limit-24hour-reset": str(int(time.time()) + 86400),
        }
        return (
            201,
            {"data": {"id": post["id"], "text": text, "edit_history_tweet_ids": [post["id"]]}},
            headers,
        )

    def x_me(self) -> tuple[int, Any, dict[str, str]]:
        user = self._x_user()
        return 200, {"data": {"id": user.uid, "name": user.name, "username": user.name}}, _x_limits(75, 1)

    def x_timeline(self) -> tuple[int, Any, dict[str, str]]:
        """``GET /2/users/:id/tweets``: newest first, ``max_results`` 5-100, ``start_time`` /
        ``end_time`` on the platform's clock, ``pagination_token``; ``meta.next_token``."""
        user = self._x_user()
        if self.params["uid"] != user.uid:
            raise Reply(404, {"detail": "no such user"})
        state = self.server.state
        limit = int(self.query.get("max_results", 10))
        if not 5 <= limit <= 100:
            raise Reply(400, {"title": "Invalid Request", "detail": "max_results must be 5-100"})
        posts = state.listing(user)
        start = _epoch(self.query.get("start_time"))
        if start is not None:
            posts = [p for p in posts if state.shown_at(p) >= start]
        offset = int(self.query.get("pagination_token") or 0)
        page = posts[offset : offset + limit]
        data = [
            {
                "id": p["id"],
                "text": p["text"],
                "created_at": _iso(state.shown_at(p)),
                "edit_history_tweet_ids": [p["id"]],
            }
            for p in page
        ]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if offset + limit < len(posts):
            meta["next_token"] = str(offset + limit)
        return 200, ({"data": data, "meta": meta} if data else {"meta": meta}), {}

    # -- Reddit -----------------------------------------------------------------------------

    def reddit_token(self) -> tuple[int, Any, dict[str, str]]:
        header = self.headers.get("Authorization", "")
        client_id, _, client_secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        app = self.server.state.find_user("reddit", client_id=client_id, client_secret=client_secret)
        if app is None:
            raise Reply(401, {"message": "Unauthorized", "error": 401})
        form = self._form()
        user = self.server.state.find_user(
            "reddit",
            client_id=client_id,
            username=form.get("username", ""),
            password=form.get("password", ""),
        )
        if user is None:
            return 200, {"error": "invalid_grant"}, {}
        token = secrets.token_hex(8)
        self.server.state.tokens[token] = user
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600, "scope": "*"}, {}

    def _reddit_user(self) -> User:
        user: User | None = self.server.state.tokens.get(self._bearer())
        if user is None or user.platform != "reddit":
            raise Reply(
                401,
                {"message": "Unauthorized", "error": 401},
                {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        return user

    def reddit_submit(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
        self.server.state.noisy(user)
        form = self._form()
        title = form.get("title", "")
        if len(title) > 300:
            return 200, {"json": {"errors": [["TOO_LONG", "this is too long (max: 300)", "title"]]}}, {}
        if form.get("kind") == "link" and any(
            p.get("url") == form.get("url") and p["subreddit"] == form.get("sr")
            for p in self.server.state.posts_of(user)
        ):
            return (
                200,
                {"json": {"errors": [["ALREADY_SUB", "that link has already been submitted", "url"]]}},
                {},
            )
        if form.get("kind") == "image":
            return self._reddit_image(user, form)
        text = form.get("text", "") if form.get("kind") == "self" else form.get("url", "")
        post = self.server.state.record(
            user,
            text,
            title=title,
            subreddit=form.get("sr"),
            kind=form.get("kind"),
            url=form.get("url"),
            flair_id=form.get("flair_id"),
            flair_text=form.get("flair_text"),
        )
        link = f"https://www.reddit.com/r/{form.get('sr')}/comments/{post['id']}/"
        data = {"url": link, "id": post["id"], "name": f"t3_{post['id']}", "drafts_count": 0}
        return 200, {"json": {"errors": [], "data": data}}, {}

    def _reddit_image(self, user: User, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """``kind=image``: the answer names no post, only the websocket that will."""
        state = self.server.state
        with state.lock:
            items = self.reddit_image_media(user, form.get("url", ""))
            post = state.record(
                user, form.get("text", ""), title=form.get("title", ""), subreddit=form.get("sr"),
                kind="image", url=None, flair_id=form.get("flair_id"), flair_text=form.get("flair_text"),
            )  # fmt: skip
            self._bind(post, items)
        host = self.headers.get("Host", "127.0.0.1")
        data = {
            "user_submitted_page": f"https://www.reddit.com/user/{user.name}/submitted/",
            "websocket_url": f"ws://{host}/_ws/reddit/{items[0]['id']}",
        }
        return 200, {"json": {"errors": [], "data": data}}, {}

    def reddit_gallery(self) -> tuple[int, Any, dict[str, str]]:
        """``POST /api/submit_gallery_post.json`` (JSON): a gallery of leased uploads."""
        user = self._reddit_user()
        self.server.state.noisy(user)
        data = self._json()
        state = self.server.state
        with state.lock:
            items = self.reddit_gallery_media(user, list(data.get("items") or []))
            post = state.record(
                user, str(data.get("text") or ""), title=str(data.get("title", "")), subreddit=data.get("sr"),
                kind="gallery", url=None, flair_id=data.get("flair_id"), flair_text=data.get("flair_text"),
            )  # fmt: skip
            self._bind(post, items)
        link = f"https://www.reddit.com/gallery/{post['id']}"
        return 200, {"json": {"errors": [], "data": {"url": link, "id": f"t3_{post['id']}"}}}, {}

    def reddit_me(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
        return 200, {"name": user.name, "id": user.uid, "link_karma": 1, "comment_karma": 1}, {}

    def reddit_submitted(self) -> tuple[int, Any, dict[str, str]]:
        """``GET /user/:name/submitted``: newest first, ``limit`` up to 100, ``after`` a fullname;
        like Reddit, at most 1,000 items back."""
        user = self._reddit_user()
        state = self.server.state
        posts = [] if self.params["name"] != user.name else state.listing(user)[:1000]
        limit = min(100, int(self.query.get("limit", 25)))
        after = self.query.get("after")
        if after:
            names = [f"t3_{p['id']}" for p in posts]
            posts = posts[names.index(after) + 1 :] if after in names else []
        page = posts[:limit]
        children: list[dict[str, Any]] = [
            {
                "kind": "t3",
                "data": {
                    "id": p["id"],
                    "name": f"t3_{p['id']}",
                    "title": p["title"],
                    "subreddit": p["subreddit"],
                    "selftext": p["text"] if p["kind"] in ("self", "image", "gallery") else "",
                    "url": p.get("url") or "",
                    "is_self": p["kind"] == "self",
                    "author": user.name,
                    "created_utc": state.shown_at(p),
                    "permalink": f"/r/{p['subreddit']}/comments/{p['id']}/",
                },
            }
            for p in page
        ]
        next_after = children[-1]["data"]["name"] if children and len(posts) > limit else None
        listing = {"children": children, "after": next_after, "before": None, "dist": len(children)}
        return 200, {"kind": "Listing", "data": listing}, {}

    # -- Mastodon ---------------------------------------------------------------------------

    def _mastodon_user(self) -> User:
        user: User | None = self.server.state.find_user("mastodon", access_token=self._bearer() or "-")
        if user is None:
            raise Reply(401, {"error": "The access token is invalid"})
        return user

    def _status(self, user: User, post: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": post["id"],
            "uri": f"https://fake.social/users/{user.name}/statuses/{post['id']}",
            "url": f"https://fake.social/@{user.name}/{post['id']}",
            "content": "<p>" + html.escape(post["text"]).replace("\n", "<br />") + "</p>",
            "visibility": post.get("visibility", "public"),
            "created_at": _iso(self.server.state.shown_at(post)),
            "reblog": None,
            "in_reply_to_id": post.get("reply_to"),
            "account": self._account(user),
            "media_attachments": [
                self._attachment(self.server.state.media[m]) for m in post.get("media") or []
            ],
        }

    @staticmethod
    def _account(user: User) -> dict[str, Any]:
        return {"id": user.uid, "username": user.name, "acct": user.name, "display_name": user.name}

    def mastodon_status(self) -> tuple[int, Any, dict[str, str]]:
        user = self._mastodon_user()
        is_json = "json" in self.headers.get("Content-Type", "")
        form = self._json() if is_json else self._form()
        if is_json:
            media = [str(m) for m in form.get("media_ids") or []]
        else:
            media = parse_qs(self.raw.decode()).get("media_ids[]", [])
        text = str(form.get("status", ""))
        if len(text) > 500:
            raise Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        key = self.headers.get("Idempotency-Key")
        state = self.server.state
        state.noisy(user)
        with state.lock:
            if key and state.honour_idempotency and (user.name, key) in state.idempotency:
                return 200, self._status(user, state.idempotency[user.name, key]), {}
            items = self.mastodon_status_media(user, media)
            post = state.record(
                user,
                text,
                visibility=form.get("visibility") or "public",
                reply_to=form.get("in_reply_to_id"),
                key=key,
            )
            self._bind(post, items)
            if key:
                state.idempotency[user.name, key] = post
        return 200, self._status(user, post), {}

    def mastodon_me(self) -> tuple[int, Any, dict[str, str]]:
        return 200, self._account(self._mastodon_user()), {}

    def mastodon_statuses(self) -> tuple[int, Any, dict[str, str]]:
        """``GET /api/v1/accounts/:id/statuses``: newest first, ``limit`` up to 40, ``max_id``."""
        user = self._mastodon_user()
        posts = [] if self.params["uid"] != user.uid else self.server.state.listing(user)
        limit = min(40, int(self.query.get("limit", 20)))
        max_id = self.query.get("max_id")
        if max_id:
            posts = _older_than(posts, max_id)
        return 200, [self._status(user, p) for p in posts[:limit]], {}

    def mastodon_instance(self) -> tuple[int, Any, dict[str, str]]:
        return (
            200,
            {
                "uri": "fake.social",
                "domain": "fake.social",
                "title": "fake",
                "version": "4.2.0",
                "configuration": {"statuses": {"max_characters": 500, "max_media_attachments": 4}},
            },
            {},
        )

    # -- Bluesky ----------------------------------------------------------------------------

    def bluesky_session(self) -> tuple[int, Any, dict[str, str]]:
        data = self._json()
        user = self.server.state.find_user(
            "bluesky", handle=data.get("identifier", ""), app_password=data.get("password", "")
        )
        if user is None:
            raise Reply(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
        did = f"did:plc:{user.uid}"
        token = fake_jwt(did)
        self.server.state.tokens[token] = user
        return (
            200,
            {
                "did": did,
                "handle": user.creds["handle"],
                "accessJwt": token,
                "refreshJwt": fake_jwt(did, 86400),
                "active": True,
            },
            {},
        )

    def _bluesky_user(self) -> User:
        user: User | None = self.server.state.tokens.get(self._bearer())
        if user is None or user.platform != "bluesky":
            raise Reply(401, {"error": "InvalidToken", "message": "Token could not be verified"})
        return user

    def bluesky_profile(self) -> tuple[int, Any, dict[str, str]]:
        user = self._bluesky_user()
        return (
            200,
            {"did": f"did:plc:{user.uid}", "handle": user.creds["handle"], "displayName": user.name},
            {},
        )

    def bluesky_post(self) -> tuple[int, Any, dict[str, str]]:
        user = self._bluesky_user()
        self.server.state.noisy(user)
        data = self._json()
        record = data.get("record") or {}
        text = record.get("text", "")
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode("utf-8")) > 3000:
            raise Reply(
                400,
                {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                    "than 300 graphemes",
                },
            )
        with self.server.state.lock:
            items = self.bluesky_record_media(user, record)
            post = self.server.state.record(user, text, facets=record.get("facets"), record=record)
            self._bind(post, items)
        uri = f"at://did:plc:{user.uid}/app.bsky.feed.post/{post['id']}"
        post["uri"] = uri
        return 200, {"uri": uri, "cid": f"bafy{post['id']}"}, {}

    def bluesky_records(self) -> tuple[int, Any, dict[str, str]]:
        """``com.atproto.repo.listRecords``: newest first, ``limit`` up to 100, ``cursor``."""
        user = self._bluesky_user()
        posts = self.server.state.listing(user)
        limit = min(100, int(self.query.get("limit", 50)))
        cursor = self.query.get("cursor")
        if cursor:
            posts = _older_than(posts, cursor)
        page = posts[:limit]
        did = f"did:plc:{user.uid}"
        records = [
            {
                "uri": p.get("uri") or f"at://{did}/app.bsky.feed.post/{p['id']}",
                "cid": f"bafy{p['id']}",
                "value": p["record"],
            }
            for p in page
        ]
        body: dict[str, Any] = {"records": records}
        if page and len(posts) > limit:
            body["cursor"] = page[-1]["id"]
        return 200, body, {}


def _older_than(posts: list[dict[str, Any]], post_id: str) -> list[dict[str, Any]]:
    """The posts after ``post_id`` in a newest-first listing (ids follow time on the platform)."""
    ids = [p["id"] for p in posts]
    if post_id in ids:
        return posts[ids.index(post_id) + 1 :]
    return [p for p in posts if int(p["id"]) < int(post_id)]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _x_limits(limit: int, used: int) -> dict[str, str]:
    reset = str(int(time.time()) + 900)
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(limit - used),
        "x-rate-limit-reset": reset,
    }


ROUTES = [
    (r"/2/tweets", "POST", "x.tweet", "x_tweet"),
    (r"/2/users/me", "GET", "x.me", "x_me"),
    (r"/2/users/(?P<uid>\d+)/tweets", "GET", "x.timeline", "x_timeline"),
    (r"/api/v1/access_token", "POST", "reddit.token", "reddit_token"),
    (r"/api/submit", "POST", "reddit.submit", "reddit_submit"),
    (r"/api/submit_gallery_post.json", "POST", "reddit.gallery", "reddit_gallery"),
    (r"/api/v1/me", "GET", "reddit.me", "reddit_me"),
    (r"/user/(?P<name>[^/]+)/submitted", "GET", "reddit.submitted", "reddit_submitted"),
    (r"/api/v1/statuses", "POST", "mastodon.status", "mastodon_status"),
    (r"/api/v1/accounts/verify_credentials", "GET", "mastodon.me", "mastodon_me"),
    (r"/api/v1/accounts/(?P<uid>\d+)/statuses", "GET", "mastodon.statuses", "mastodon_statuses"),
    (r"/api/v[12]/instance", "GET", "mastodon.instance", "mastodon_instance"),
    (r"/xrpc/com.atproto.server.createSession", "POST", "bluesky.session", "bluesky_session"),
    (r"/xrpc/app.bsky.actor.getProfile", "GET", "bluesky.profile", "bluesky_profile"),
    (r"/xrpc/com.atproto.repo.createRecord", "POST", "bluesky.post", "bluesky_post"),
    (r"/xrpc/com.atproto.repo.listRecords", "GET", "bluesky.records", "bluesky_records"),
]
