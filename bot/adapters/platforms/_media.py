"""What the adapters share for images: reading a fitted file, and what a failed upload means.

An upload happens before the send stamp: whatever goes wrong, no post exists yet. So an
unknown outcome or an unexpected error during an upload is a retry, never a ``needs_check``;
only rejected credentials (pause the account) and a refusal for good (fail) stay what the
platform's error table says.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain.errors import PublishAuthError, PublishError, PublishRejected, PublishRetryable
from bot.domain.media import MediaItem
from bot.domain.platforms import Attempt, ErrorTable


def read_media(item: MediaItem, platform: str) -> bytes:
    """The bytes of a fitted image (a missing or unreadable file is refused for good)."""
    try:
        return Path(item.path).read_bytes()
    except OSError as exc:
        raise PublishRejected(f"{platform}: cannot read image {item.path}: {exc.strerror}") from exc


def file_name(item: MediaItem) -> str:
    """The file's name (what an upload is called on the platform)."""
    return Path(item.path).name


def upload_failure(errors: ErrorTable, exc: BaseException, doing: str) -> PublishError:
    """Our error for an SDK error raised while uploading (to raise ``from exc``)."""
    mapped = errors.translate(exc, Attempt(doing, sending=False))
    if isinstance(mapped, PublishAuthError | PublishRetryable | PublishRejected):
        return mapped
    reason = str(mapped) if mapped is not None else f"{type(exc).__name__}: {exc}"
    return PublishRetryable(f"{errors.platform}: could not {doing} (nothing was posted): {reason}"[:500])


def check_alts(post_media: tuple[MediaItem, ...], platform: str, most: int, count: int = 4) -> None:
    """Refuse what the platform would refuse anyway: too many images, alt text missing or too long."""
    if len(post_media) > count:
        raise PublishRejected(f"{platform}: {len(post_media)} images; at most {count} per post")
    for n, item in enumerate(post_media, 1):
        if not item.alt.strip():
            raise PublishRejected(f"{platform}: image {n} ({file_name(item)}) has no alt text")
        if len(item.alt) > most:
            raise PublishRejected(
                f"{platform}: the alt text of image {n} has {len(item.alt)} characters; the limit is {most}"
            )
