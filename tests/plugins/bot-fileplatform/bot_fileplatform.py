"""A platform plugin that appends posts to a local file, one JSON line each.

Everything a platform needs is here: its account model, the credential it reads, its length
limit, its error table, the publisher and the description that ties them together. It is
registered in its own ``pyproject.toml`` (entry point group ``bot.platforms``) and nothing in
``bot/`` names it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from bot.config.accounts import AccountBase
from bot.domain import OutgoingPost, PublishResult
from bot.domain.errors import PublishRejected
from bot.domain.finding import FindAnswer, PostSearch
from bot.domain.platforms import (
    Attempt,
    CredentialSource,
    ErrorRule,
    ErrorTable,
    PlatformDescription,
    PlatformLimit,
)


class FileAccount(AccountBase):
    """``platform = "file"``: posts are appended to ``path``. Credential: token."""

    platform: Literal["file"]
    path: Path
    max_chars: int = 200


ERRORS = ErrorTable("File", [ErrorRule(OSError, PublishRejected, "File: cannot {doing}: {exc}")])


def limit(account: FileAccount) -> PlatformLimit:
    return PlatformLimit("file", account.max_chars, "chars")


class FilePublisher:
    """Appends posts to the account's file; the token is written beside each post."""

    def __init__(self, account: FileAccount, credentials: CredentialSource) -> None:
        self._account = account
        self._token = credentials.get("token")

    @property
    def account(self) -> str:
        return self._account.name

    def publish(self, post: OutgoingPost) -> PublishResult:
        if not limit(self._account).fits(post.text):
            raise PublishRejected(f"File: longer than {self._account.max_chars} characters")
        line = {"key": post.idempotency_key, "text": post.text, "signed": self._token[:2]}
        try:
            with self._account.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
        except OSError as exc:
            ERRORS.reraise(exc, Attempt("append the post"))
        return PublishResult(remote_id=post.idempotency_key, url=self._account.path.as_uri())

    #: Appending again would post twice: an unknown outcome is checked in the file first.

    def find(self, post: OutgoingPost, search: PostSearch) -> FindAnswer:
        try:
            lines = self._account.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return FindAnswer.absent("no file yet")
        for text in lines:
            if json.loads(text)["key"] == post.idempotency_key:
                return FindAnswer.found(PublishResult(post.idempotency_key, self._account.path.as_uri()))
        return FindAnswer.absent("not in the file")

    def check_credentials(self) -> dict[str, Any]:
        return {"platform": "file", "user": self._account.name, "path": str(self._account.path)}


def _client(account: FileAccount, credentials: CredentialSource, data_dir: Path) -> FilePublisher:
    return FilePublisher(account, credentials)


PLATFORM = PlatformDescription(
    name="file",
    account=FileAccount,
    client=_client,
    credentials=("token",),
    limit=limit,
    errors=ERRORS,
    summary="appends posts to a local file (test plugin)",
)
