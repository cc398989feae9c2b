"""The dry-run platform: one JSON line per post in a local outbox file (no limit, no credentials).

Its description :data:`PLATFORM` is registered like every other platform (entry point
``bot.platforms: dryrun``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.config.accounts import AccountBase
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import PublishRejected, PublishUnknownOutcome
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.media import MediaLimits
from bot.domain.platforms import CredentialSource, PlatformDescription
from bot.domain.ports import Publisher

#: The dry run takes what any platform would: the common formats, generous sizes.
MEDIA = MediaLimits(
    formats=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    max_bytes=50 * 1024 * 1024,
    max_pixels=None,
    max_side=None,
    max_count=4,
    max_alt=5000,
)


class DryRunAccount(AccountBase):
    """Appends one JSON line per post to an outbox file (default: data_dir/outbox.jsonl)."""

    platform: Literal["dryrun"]
    outbox: Path | None = None


class DryRunPublisher:
    """Appends posts to ``outbox``; ``find`` looks them up by idempotency key or publication id.
    An error after the line was handed to the file (a short write, fsync, close: ENOSPC, EIO,
    a pipe) is an unknown outcome, checked like any platform's, never a failure. Pictures are
    "uploaded" as their hashes, and each line lists the files it would have attached."""

    #: Nothing is uploaded anywhere: an earlier attempt's ids are always good.
    media_reuse = timedelta(days=365)

    def __init__(self, account: str, outbox: Path) -> None:
        self._account = account
        self.outbox = outbox

    @property
    def account(self) -> str:
        return self._account

    def upload_media(self, post: OutgoingPost) -> tuple[str, ...]:
        """Check each file is there and still what was approved; its id is its hash."""
        ids = []
        for item in post.media:
            try:
                data = Path(item.path).read_bytes()
            except OSError as exc:
                raise PublishRejected(f"cannot read image {item.path}: {exc.strerror}") from exc
            if hashlib.sha256(data).hexdigest() != item.sha256:
                raise PublishRejected(f"image {item.path} changed since it was fitted (sha256 differs)")
            ids.append(f"sha256:{item.sha256}")
        return tuple(ids)

    def publish(self, post: OutgoingPost, media_ids: Sequence[str] = ()) -> PublishResult:
        line: dict[str, Any] = {
            "account": self._account,
            "publication_id": post.publication_id,
            "draft_id": post.draft_id,
            "campaign": post.campaign,
            "idempotency_key": post.idempotency_key,
            "text": post.text,
            "posted_at": datetime.now(UTC).isoformat(),
        }
        if media_ids:
            line["media"] = [
                {"path": i.path, "sha256": i.sha256, "alt": i.alt, "mime": i.mime,
                 "width": i.width, "height": i.height, "size": i.size, "id": media_id}
                for i, media_id in zip(post.media, media_ids, strict=True)
            ]  # fmt: skip
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.outbox, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:  # nothing was handed to the file: a definite failure
            raise PublishRejected(f"cannot open outbox {self.outbox}: {exc.strerror}") from exc
        handed = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            handed = True  # from here on, any error may come after (part of) the line is in
            _write_all(fd, data)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            if not handed:
                raise PublishRejected(f"cannot lock outbox {self.outbox}: {exc.strerror}") from exc
            raise PublishUnknownOutcome(
                f"writing outbox {self.outbox} failed after the line was handed to it "
                f"({exc.strerror}): it may be in the file"
            ) from exc
        try:
            os.close(fd)
        except OSError as exc:
            raise PublishUnknownOutcome(
                f"closing outbox {self.outbox} failed after the line was written ({exc.strerror}): "
                "it may be in the file"
            ) from exc
        return PublishResult(remote_id=post.idempotency_key, url=f"file://{self.outbox}")

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        """The outbox holds every post: not in it is proven absent."""
        try:
            lines = self.lines()
        except (OSError, ValueError) as exc:
            return FindAnswer.unknown(f"cannot read outbox {self.outbox}: {exc}")
        for line in lines:
            if _same_post(line, post):
                return FindAnswer.found(
                    PublishResult(remote_id=post.idempotency_key, url=f"file://{self.outbox}")
                )
        return FindAnswer.absent(f"not in the outbox {self.outbox}")

    def check_credentials(self) -> dict[str, Any]:
        return {
            "outbox": str(self.outbox),
            "writable": os.access(self.outbox.parent, os.W_OK) or not self.outbox.parent.exists(),
        }

    def lines(self) -> list[dict[str, Any]]:
        """Every post in the outbox (read under a shared lock: no half-written last line)."""
        try:
            with self.outbox.open(encoding="utf-8") as src:
                fcntl.flock(src, fcntl.LOCK_SH)
                text = src.read()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (a pipe or a full disk may take a part at a time)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _same_post(line: dict[str, Any], post: OutgoingPost) -> bool:
    """A line is this post when it carries its idempotency key, or its publication id with
    the same draft and text (a line written by an attempt whose outcome was lost)."""
    if line.get("idempotency_key") == post.idempotency_key:
        return True
    return (
        line.get("publication_id") == post.publication_id
        and line.get("draft_id") == post.draft_id
        and line.get("text") == post.text
    )


def _client(account: DryRunAccount, credentials: CredentialSource, data_dir: Path) -> Publisher:
    return DryRunPublisher(account.name, account.outbox or data_dir / "outbox.jsonl")


PLATFORM = PlatformDescription(
    name="dryrun",
    account=DryRunAccount,
    client=_client,
    media=MEDIA,
    summary="appends posts to a local JSON-lines outbox; no limit, no credentials",
)
