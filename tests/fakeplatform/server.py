"""A fake of the four platforms, speaking the endpoints tweepy, praw, Mastodon.py and atproto use.

One stdlib ``ThreadingHTTPServer`` serves all four. It checks each client's credentials against
the users registered on it and records every post it accepts. Admin endpoints:

- ``POST /_admin/faults`` queues one fault or a list: ``{"op", "status", "headers", "body"}``
  answers with that; ``"delay": S`` waits first; ``"drop": "before"`` closes the connection
  without recording, ``"drop": "after"`` records the post then closes; ``"slow": S`` records
  the post and answers S seconds later (the client times out on a post that went through);
  ``"after": N`` lets N matching requests through first (to break a thread in the middle).
- ``POST /_admin/clear-faults`` drops the faults not yet used.
- ``POST /_admin/latency {"seconds": S}`` slows every platform request.
- ``POST /_admin/users {"platform", "name", "creds"}`` adds a user.
- ``GET /_admin/posts`` and ``GET /_admin/requests``: what was accepted, and asked.

Operations a fault can target: ``x.tweet``, ``x.me``, ``x.timeline``, ``reddit.token``,
``reddit.submit``, ``reddit.me``, ``reddit.submitted``, ``mastodon.status``, ``mastodon.me``,
``mastodon.statuses``, ``bluesky.session``, ``bluesky.post``, ``bluesky.records``.
"""

from __future__ import annotations

import base64
import contextlib
import html
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Fault:
    """One queued misbehaviour for the next matching request."""

    op: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    drop: str | None = None  # "before" (nothing recorded) or "after" (post recorded)
    slow: float = 0.0  # record the post, then answer after this many seconds
    after: int = 0  # let this many matching requests through first


@dataclass
class User:
    platform: str
    name: str
    creds: dict[str, str]
    uid: str


class Reply(Exception):
    """Raised by a route to answer with this status and JSON body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class FakeState:
    """Everything the fake knows: users, tokens, posts, faults and a request log."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: list[User] = []
        self.tokens: dict[str, User] = {}
        self.posts: list[dict[str, Any]] = []
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
        #: Seconds every platform request waits before it is handled (a slow network).
        self.latency = 0.0
        self._ids = itertools.count(1000)

    def next_id(self) -> str:
        return str(next(self._ids))

    def add_user(self, platform: str, name: str, **creds: str) -> User:
        with self.lock:
            user = User(platform, name, dict(creds), uid=self.next_id())
            self.users = [u for u in self.users if not (u.platform == platform and u.name == name)]
            self.users.append(user)
            return user

    def find_user(self, platform: str, **creds: str) -> User | None:
        with self.lock:
            for user in self.users:
                if user.platform == platform and all(user.creds.get(k) == v for k, v in creds.items()):
                    return user
        return None

    def take_fault(self, op: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.op != op:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                self.faults.remove(fault)
                return fault
        return None

    def record(self, user: User, text: str, **extra: Any) -> dict[str, Any]:
        with self.lock:
            post = {
                "platform": user.platform,
                "user": user.name,
                "id": self.next_id(),
                "text": text,
                "at": time.time(),
                **extra,
            }
            self.posts.append(post)
            return post

    def posts_of(self, user: User) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["platform"] == user.platform and p["user"] == user.name]


def fake_jwt(sub: str, lifetime: float = 7200) -> str:
    """An unsigned JWT with ``exp`` (atproto decodes it to know when to refresh)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": sub, "scope": "com.atproto.access", "iat": int(time.time())}
    claims["exp"] = int(time.time() + lifetime)
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{part({'sig': secrets.token_hex(8)})}"


class Handler(BaseHTTPRequestHandler):
    """Routes a request to the platform's handler, applying a queued fault first."""

    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # -- plumbing ---------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        self.route_path = url.path.rstrip("/") or "/"
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        if self.route_path.startswith("/_admin"):
            self._answer(*self._admin(method))
            return
        op, handler = self._route(method)
        state = self.server.state
        with state.lock:
            state.requests.append({"method": method, "path": self.route_path, "op": op, "at": time.time()})
        fault = state.take_fault(op) if op else None
        if state.latency:
            time.sleep(state.latency)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.drop == "before":
            self._drop()
            return
        if fault and fault.status is not None:
            self._answer(fault.status, fault.body if fault.body is not None else {}, fault.headers)
            return
        try:
            status, body, headers = handler()
        except Reply as reply:
            status, body, headers = reply.status, reply.body, reply.headers
        if fault and fault.drop == "after":
            self._drop()
            return
        if fault and fault.slow:
            time.sleep(fault.slow)
        self._answer(status, body, headers)

    def _route(self, method: str) -> tuple[str | None, Any]:
        for pattern, route_method, op, name in ROUTES:
            match = re.fullmatch(pattern, self.route_path)
            if match and route_method == method:
                self.params = match.groupdict()
                return op, getattr(self, name)
        return None, lambda: (404, {"error": f"no route {method} {self.route_path}"}, {})

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response_only(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if self.close_connection:  # the client asked (prawcore's token request does): say so
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self) -> dict[str, Any]:
        return json.loads(self.raw or b"{}")

    def _form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.raw.decode()).items()}

    def _bearer(self) -> str:
        value = self.headers.get("Authorization", "")
        return value.split(" ", 1)[1] if value.lower().startswith("bearer ") else ""

    # -- admin ----------------------------------------------------------------------------

    def _admin(self, method: str) -> tuple[int, Any, dict[str, str]]:
        state = self.server.state
        what = self.route_path.removeprefix("/_admin/")
        if method == "GET" and what == "posts":
            with state.lock:
                return 200, list(state.posts), {}
        if method == "GET" and what == "requests":
            with state.lock:
                return 200, list(state.requests), {}
        if method == "POST" and what == "faults":
            data = self._json()
            for item in data if isinstance(data, list) else [data]:
                state.faults.append(Fault(**item))
            return 200, {"queued": len(state.faults)}, {}
        if method == "POST" and what == "clear-faults":
            with state.lock:
                state.faults.clear()
            return 200, {"queued": 0}, {}
        if method == "POST" and what == "latency":
            state.latency = float(self._json()["seconds"])
            return 200, {"latency": state.latency}, {}
        if method == "POST" and what == "users":
            data = self._json()
            user = state.add_user(data["platform"], data["name"], **data["creds"])
            return 200, {"uid": user.uid}, {}
        return 404, {"error": "unknown admin call"}, {}

    # -- X --------------------------------------------------------------------------------

    def _x_user(self) -> User:
        header = self.headers.get("Authorization", "")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        user = None
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
        if any(p["text"] == text for p in self.server.state.posts_of(user)):
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
        post = self.server.state.record(user, text, reply_to=reply_to)
        used = len(self.server.state.posts_of(user))
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
        user = self._x_user()
        if self.params["uid"] != user.uid:
            raise Reply(404, {"detail": "no such user"})
        limit = int(self.query.get("max_results", 10))
        posts = list(reversed(self.server.state.posts_of(user)))[:limit]
        data = [{"id": p["id"], "text": p["text"], "edit_history_tweet_ids": [p["id"]]} for p in posts]
        return 200, {"data": data, "meta": {"result_count": len(data)}}, {}

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
        user = self.server.state.tokens.get(self._bearer())
        if user is None or user.platform != "reddit":
            raise Reply(
                401,
                {"message": "Unauthorized", "error": 401},
                {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
            )
        return user

    def reddit_submit(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
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

    def reddit_me(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
        return 200, {"name": user.name, "id": user.uid, "link_karma": 1, "comment_karma": 1}, {}

    def reddit_submitted(self) -> tuple[int, Any, dict[str, str]]:
        user = self._reddit_user()
        posts = [] if self.params["name"] != user.name else list(reversed(self.server.state.posts_of(user)))
        children = [
            {
                "kind": "t3",
                "data": {
                    "id": p["id"],
                    "name": f"t3_{p['id']}",
                    "title": p["title"],
                    "subreddit": p["subreddit"],
                    "selftext": p["text"] if p["kind"] == "self" else "",
                    "url": p.get("url") or "",
                    "is_self": p["kind"] == "self",
                    "author": user.name,
                    "created_utc": p["at"],
                    "permalink": f"/r/{p['subreddit']}/comments/{p['id']}/",
                },
            }
            for p in posts[: int(self.query.get("limit", 25))]
        ]
        return 200, {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}, {}

    # -- Mastodon ---------------------------------------------------------------------------

    def _mastodon_user(self) -> User:
        user = self.server.state.find_user("mastodon", access_token=self._bearer() or "-")
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
            "in_reply_to_id": post.get("reply_to"),
            "account": self._account(user),
        }

    @staticmethod
    def _account(user: User) -> dict[str, Any]:
        return {"id": user.uid, "username": user.name, "acct": user.name, "display_name": user.name}

    def mastodon_status(self) -> tuple[int, Any, dict[str, str]]:
        user = self._mastodon_user()
        form = self._json() if "json" in self.headers.get("Content-Type", "") else self._form()
        text = str(form.get("status", ""))
        if len(text) > 500:
            raise Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        key = self.headers.get("Idempotency-Key")
        state = self.server.state
        with state.lock:
            if key and (user.name, key) in state.idempotency:
                return 200, self._status(user, state.idempotency[user.name, key]), {}
            post = state.record(
                user,
                text,
                visibility=form.get("visibility") or "public",
                reply_to=form.get("in_reply_to_id"),
                key=key,
            )
            if key:
                state.idempotency[user.name, key] = post
        return 200, self._status(user, post), {}

    def mastodon_me(self) -> tuple[int, Any, dict[str, str]]:
        return 200, self._account(self._mastodon_user()), {}

    def mastodon_statuses(self) -> tuple[int, Any, dict[str, str]]:
        user = self._mastodon_user()
        posts = [] if self.params["uid"] != user.uid else list(reversed(self.server.state.posts_of(user)))
        return 200, [self._status(user, p) for p in posts[: int(self.query.get("limit", 20))]], {}

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
        user = self.server.state.tokens.get(self._bearer())
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
        data = self._json()
        record = data.get("record") or {}
        text = record.get("text", "")
        if len(text) > 300:
            raise Reply(
                400,
                {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                    "than 300 graphemes",
                },
            )
        post = self.server.state.record(user, text, facets=record.get("facets"), record=record)
        uri = f"at://did:plc:{user.uid}/app.bsky.feed.post/{post['id']}"
        post["uri"] = uri
        return 200, {"uri": uri, "cid": f"bafy{post['id']}"}, {}

    def bluesky_records(self) -> tuple[int, Any, dict[str, str]]:
        user = self._bluesky_user()
        posts = list(reversed(self.server.state.posts_of(user)))[: int(self.query.get("limit", 50))]
        records = [{"uri": p["uri"], "cid": f"bafy{p['id']}", "value": p["record"]} for p in posts]
        return 200, {"records": records}, {}


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


class FakeServer(ThreadingHTTPServer):
    """The fake platform bound to 127.0.0.1; ``url`` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = FakeState()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="fakeplatform", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    # in-process helpers (the same as the admin endpoint)
    def add_user(self, platform: str, name: str, **creds: str) -> User:
        return self.state.add_user(platform, name, **creds)

    def fault(self, op: str, **kwargs: Any) -> None:
        self.state.faults.append(Fault(op=op, **kwargs))

    def posts(self, platform: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(p) for p in self.state.posts if platform is None or p["platform"] == platform]

    def requests_for(self, op: str) -> int:
        with self.state.lock:
            return sum(1 for r in self.state.requests if r["op"] == op)
