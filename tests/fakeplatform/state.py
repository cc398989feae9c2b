"""The fake platform's state: users, tokens, accepted posts, queued faults, a request log.

It can be made hostile (``POST /_admin/hostile``): listings show a stored post only after a
lag, its clock is skewed, Mastodon's Idempotency-Key may be ignored, random faults hit a
share of the requests (seeded), and posts made by someone else ("noise") appear between ours.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


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
    stored: bool = False  # with ``status``: record the post first, then answer with the status
    kind: str = ""  # a name for the counts of injected faults
    reset_in: float = 0.0  # with status 429: the platform's reset headers, this many seconds ahead


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
        #: Seconds after which a stored post shows in listings; seconds the platform's clock
        #: is ahead of ours (negative: behind); whether Mastodon honours Idempotency-Key.
        self.lag = 0.0
        self.skew = 0.0
        #: Off by default: a fake that forgives hides the bugs users meet (a server or proxy
        #: that drops the header, a key expired from the server's cache).
        self.honour_idempotency = False
        #: op -> [(probability, fault)]: drawn for a request that has no queued fault.
        self.chaos: dict[str, list[tuple[float, Fault]]] = {}
        #: Probability that a post request is preceded by a post of someone else.
        self.noise = 0.0
        self.rng = random.Random(0)
        #: What random faults did: fault kind -> count.
        self.injected: dict[str, int] = {}
        #: Uploads (:mod:`tests.fakeplatform.media`): id -> what was received; Reddit's leases.
        self.media: dict[str, dict[str, Any]] = {}
        self.leases: dict[str, dict[str, Any]] = {}
        #: Polls of a Mastodon upload answered 206 before it is processed; seconds a Bluesky
        #: blob waits to be referenced before it is gone.
        self.media_polls = 1
        self.blob_ttl = 300.0

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
            for probability, chaos in self.chaos.get(op, []):
                if self.rng.random() < probability:
                    kind = chaos_kind(chaos)
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                    return chaos
        return None

    def noisy(self, user: User) -> None:
        """Maybe someone else posts from the account (the web app, another tool)."""
        with self.lock:
            if self.noise and self.rng.random() < self.noise:
                self.record(user, f"noise {self.next_id()}: a post made by hand", noise=True)

    def add_history(self, user: User, count: int, oldest: float, newest: float, text: str = "") -> None:
        """``count`` posts made between ``oldest`` and ``newest`` seconds ago, oldest first."""
        with self.lock:
            now = time.time()
            for i in range(count):
                age = oldest - (oldest - newest) * i / max(1, count - 1)
                body = text or f"history {i}: an older post of the account"
                self.record(user, body, history=True, at=now - age)
            self.posts.sort(key=lambda p: p["at"])

    def listing(self, user: User) -> list[dict[str, Any]]:
        """The user's posts as listings show them: newest first, only those past the lag."""
        now = time.time()
        with self.lock:
            shown = [p for p in self.posts_of(user) if p["at"] + self.lag <= now]
        return sorted(shown, key=lambda p: (p["at"], int(p["id"])), reverse=True)

    def shown_at(self, post: dict[str, Any]) -> float:
        """When the platform says the post was made (its clock, skewed)."""
        return float(post["at"]) + self.skew

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
            if user.platform == "bluesky" and "record" not in post:
                created = datetime.fromtimestamp(post["at"], UTC).isoformat().replace("+00:00", "Z")
                post["record"] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created}
            if user.platform == "reddit":
                post.setdefault("title", text[:80])
                post.setdefault("subreddit", "elsewhere")
                post.setdefault("kind", "self")
            self.posts.append(post)
            return post

    def posts_of(self, user: User) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["platform"] == user.platform and p["user"] == user.name]


def rate_limit_headers(op: str, seconds: float) -> dict[str, str]:
    """The reset headers each platform sends with a 429, ``seconds`` from now."""
    reset = time.time() + seconds
    platform = op.split(".", 1)[0]
    if platform == "x":
        return {"x-rate-limit-reset": str(int(reset + 1)), "x-rate-limit-remaining": "0"}
    if platform == "reddit":
        return {"retry-after": str(max(1, round(seconds))), "x-ratelimit-reset": str(max(1, round(seconds)))}
    if platform == "mastodon":
        stamp = datetime.fromtimestamp(reset, UTC).isoformat()
        return {"X-RateLimit-Reset": stamp, "X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "300"}
    return {"ratelimit-reset": str(int(reset + 1)), "ratelimit-remaining": "0", "ratelimit-limit": "3000"}


def chaos_kind(fault: Fault) -> str:
    """A short name for a fault, for the counts of what was injected."""
    if fault.kind:
        return fault.kind
    if fault.drop:
        return f"drop-{fault.drop}"
    if fault.slow:
        return "stored-then-timeout" if fault.slow > 0.5 else "slow-success"
    if fault.status is not None:
        return f"{'stored-then-' if fault.stored else ''}{fault.status}"
    return "delay"


def fake_jwt(sub: str, lifetime: float = 7200) -> str:
    """An unsigned JWT with ``exp`` (atproto decodes it to know when to refresh)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": sub, "scope": "com.atproto.access", "iat": int(time.time())}
    claims["exp"] = int(time.time() + lifetime)
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{part({'sig': secrets.token_hex(8)})}"
