"""Pictures attached to posts: what a platform accepts, what a draft carries, what is sent.

Three records, from the config to the wire:

- :class:`MediaLimits`: what one platform accepts (formats, bytes, pixels, count, alt length),
  declared in its :class:`~bot.domain.platforms.PlatformDescription` beside its text limit;
- :class:`DraftMedia`: one picture a campaign chose for a draft (the user's file, its hash, the
  rendered alt text) and, per platform, the copy fitted to that platform's limits;
- :class:`MediaItem`: one file as it goes to one platform (the fitted copy), what
  :class:`~bot.domain.OutgoingPost` carries and a publisher uploads.

An approval is bound to the text's sha256 and to :func:`media_sha256` of the draft's pictures
(their source hashes and alt texts, in order): swapping, dropping, reordering a picture or
editing an alt text voids it. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The most pictures a campaign may attach to one post (the smallest count of the platforms).
MAX_MEDIA = 4


@dataclass(frozen=True)
class MediaLimits:
    """What one platform accepts as picture attachments."""

    #: Accepted mime types (``image/jpeg``, ``image/png``, ...).
    formats: frozenset[str]
    #: The most bytes one file may have.
    max_bytes: int
    #: The most pixels (width x height) one picture may have; None: no limit.
    max_pixels: int | None
    #: The longest side in pixels; None: no limit.
    max_side: int | None
    #: The most pictures on one post.
    max_count: int
    #: The longest alt text (characters; graphemes on Bluesky, counted as characters here,
    #: which never undercounts).
    max_alt: int

    def accepts(self, mime: str, size: int, width: int, height: int) -> bool:
        """Whether a file of this type, size and dimensions needs no fitting."""
        return not self.problems(mime, size, width, height)

    def problems(self, mime: str, size: int, width: int, height: int) -> list[str]:
        """What is over this platform's limits for such a file (empty: nothing)."""
        found = []
        if mime not in self.formats:
            found.append(f"format {mime} not in {', '.join(sorted(self.formats))}")
        if size > self.max_bytes:
            found.append(f"{size:,} bytes > {self.max_bytes:,}")
        if self.max_pixels is not None and width * height > self.max_pixels:
            found.append(f"{width}x{height} = {width * height:,} pixels > {self.max_pixels:,}")
        if self.max_side is not None and max(width, height) > self.max_side:
            found.append(f"side {max(width, height)} px > {self.max_side}")
        return found


@dataclass(frozen=True)
class MediaItem:
    """One picture as it goes to one platform: the fitted copy (or the user's file when it
    needed no fitting), its hash and what it is."""

    #: Absolute path of the file to upload.
    path: str
    alt: str
    #: sha256 of the file at ``path``.
    sha256: str
    mime: str
    width: int
    height: int
    #: Bytes.
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "alt": self.alt,
            "sha256": self.sha256,
            "mime": self.mime,
            "width": self.width,
            "height": self.height,
            "size": self.size,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MediaItem:
        return cls(
            path=str(data["path"]),
            alt=str(data.get("alt", "")),
            sha256=str(data["sha256"]),
            mime=str(data["mime"]),
            width=int(data["width"]),
            height=int(data["height"]),
            size=int(data["size"]),
        )


@dataclass(frozen=True)
class DraftMedia:
    """One picture chosen for a draft: the user's file and, per platform, its fitted copy."""

    #: Absolute path of the user's file (never changed by the bot).
    source: str
    #: sha256 of the user's file when it was chosen.
    source_sha256: str
    #: The alt text, rendered from the campaign's template.
    alt: str
    #: Platform name -> the copy that goes there (alt included). A platform missing here has
    #: not been fitted (its accounts were added later): fitted again before sending.
    fitted: Mapping[str, MediaItem] = field(default_factory=dict)
    #: The user's file as read when chosen (path = ``source``): sent as it is to a platform
    #: with no fitted copy (approval fits every target platform, so only a safety net).
    original: MediaItem | None = None

    def for_platform(self, platform: str) -> MediaItem | None:
        """The copy fitted for ``platform``, else the original (with this picture's current
        alt text); None if neither is known."""
        item = self.fitted.get(platform, self.original)
        if item is None:
            return None
        return item if item.alt == self.alt else _with_alt(item, self.alt)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_sha256": self.source_sha256,
            "alt": self.alt,
            "fitted": {name: item.to_dict() for name, item in sorted(self.fitted.items())},
            "original": self.original.to_dict() if self.original is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DraftMedia:
        fitted = data.get("fitted") or {}
        return cls(
            source=str(data["source"]),
            source_sha256=str(data["source_sha256"]),
            alt=str(data.get("alt", "")),
            fitted={name: MediaItem.from_dict(item) for name, item in fitted.items()},
            original=MediaItem.from_dict(data["original"]) if data.get("original") else None,
        )


def _with_alt(item: MediaItem, alt: str) -> MediaItem:
    return MediaItem(item.path, alt, item.sha256, item.mime, item.width, item.height, item.size)


def media_sha256(media: Iterable[DraftMedia]) -> str | None:
    """The digest an approval binds a draft's pictures by (source hashes and alt texts, in
    order); None for a draft without pictures."""
    parts = [[m.source_sha256, m.alt] for m in media]
    if not parts:
        return None
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def media_to_json(media: Iterable[DraftMedia]) -> list[dict[str, Any]] | None:
    """A draft's pictures as stored (None: none)."""
    data = [m.to_dict() for m in media]
    return data or None


def media_from_json(data: Any) -> tuple[DraftMedia, ...]:
    """A draft's pictures from what :func:`media_to_json` stored (None/empty: none)."""
    return tuple(DraftMedia.from_dict(d) for d in (data or ()))


def shown_size(size: int) -> str:
    """A file size for people, in decimal units as platforms state their limits ("95 KB")."""
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"
