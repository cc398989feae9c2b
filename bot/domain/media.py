"""Media attached to a post (provisional: the media issue owns this module; see
/work/team/notes/media-api.md). Pure records, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaItem:
    """One image as it is sent to one platform (already fitted to its limits)."""

    path: str
    alt: str
    sha256: str
    mime: str
    width: int
    height: int
    size: int


@dataclass(frozen=True)
class MediaLimits:
    """What one platform accepts."""

    formats: tuple[str, ...]
    max_bytes: int
    max_pixels: int | None = None
    max_side: int | None = None
    max_count: int = 4
    max_alt: int = 1000
