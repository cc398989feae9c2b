"""The fake platform's state: users, tokens, accepted posts, queued faults, a request log."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
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
