"""Test images made on the spot (no Pillow needed): PNGs of a given size, noisy or flat."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from pathlib import Path

from bot.domain.media import MediaItem


def png(width: int, height: int, *, seed: int = 0, noisy: bool = True, stored: bool = False) -> bytes:
    """An RGB PNG; ``noisy`` pixels barely compress (a file of about ``3 * width * height``);
    ``stored``: smooth stripes written without compression (as large, but quick to fit)."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        if noisy and not stored:
            row = rng.randbytes(width * 3)
        else:
            row = bytes([(seed + y // 8) % 256, 120, 60]) * width
        rows.append(b"\x00" + row)
    raw = zlib.compress(b"".join(rows), 0 if stored else 1 if noisy else 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def image(directory: Path, name: str, alt: str, *, width: int = 40, height: int = 30, seed: int = 0,
          noisy: bool = False) -> MediaItem:  # fmt: skip
    """Write a PNG into ``directory`` and describe it as the media item a post carries."""
    directory.mkdir(parents=True, exist_ok=True)
    data = png(width, height, seed=seed, noisy=noisy)
    path = directory / name
    path.write_bytes(data)
    return MediaItem(str(path), alt, hashlib.sha256(data).hexdigest(), "image/png", width, height, len(data))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
