"""Pictures on disk, through Pillow (the only importer of PIL): read what a file is, and fit a
copy of it to one platform's :class:`~bot.domain.media.MediaLimits`.

The user's file is never changed. Every copy goes to ``DATA_DIR/media/<sha256>.<ext>``
(content-addressed: the same picture fitted to the same limits is the same file, written once),
and carries no metadata but its colour profile: EXIF (GPS, camera, owner), XMP and comments are
gone. A JPEG that needs no other change has its metadata segments cut out byte for byte (no
re-encoding, no quality lost); anything else is re-encoded with fixed settings, so the result
and its hash are the same on every run of the same Pillow.

Fitting, in order: apply the EXIF orientation (the picture stays upright without it); convert
to a format the platform takes (JPEG, or PNG for a picture with transparency where PNG is
taken); scale down to ``max_side`` and ``max_pixels``; then, while the file is over
``max_bytes``, lower the JPEG quality, and scale down by a quarter when that is not enough.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.domain.errors import MediaError
from bot.domain.media import MediaItem, MediaLimits

#: Pillow's format names -> mime types (the ones platforms take).
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
#: JPEG qualities tried, best first, before scaling down.
_QUALITIES = (90, 80, 70, 60)
#: Each scale-down step keeps this share of each side.
_STEP = 0.75
#: Pictures larger than this (pixels) are refused outright: decompression bombs.
MAX_SOURCE_PIXELS = 200_000_000
#: JPEG segments cut out with the metadata: APP1 (EXIF, XMP), APP3-APP13 (IPTC and the like),
#: APP15 and comments; JFIF (APP0), ICC (APP2) and Adobe's colour transform (APP14) stay.
_EXIF_MARKERS = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}


class PillowMedia:
    """:class:`~bot.domain.ports.MediaFitter` on Pillow, writing copies under ``data_dir/media``."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "media"

    def probe(self, path: str) -> MediaItem:
        """What the file at ``path`` is (alt left empty). Raises MediaError naming it."""
        data = _read(path)
        with _open(data, path) as image:
            mime = _MIME.get(image.format or "", f"image/{(image.format or 'unknown').lower()}")
            return MediaItem(str(path), "", _sha(data), mime, image.width, image.height, len(data))

    def fit(self, path: str, limits: MediaLimits) -> MediaItem:
        """A copy of the picture within ``limits``, without metadata (alt left empty)."""
        data = _read(path)
        with _open(data, path) as image:
            fitted, mime = _fit(data, image, limits, path)
        out = self._store(fitted, mime)
        with Image.open(io.BytesIO(fitted)) as check:
            width, height = check.size
        return MediaItem(str(out), "", _sha(fitted), mime, width, height, len(fitted))

    def _store(self, data: bytes, mime: str) -> Path:
        """Write ``data`` once under its hash (atomically: a reader never sees half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        out = self.folder / f"{_sha(data)}.{_EXT[mime]}"
        if out.is_file() and out.stat().st_size == len(data):
            return out
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".fit-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            Path(tmp).replace(out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return out


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except OSError as exc:
        raise MediaError(f"{path}: cannot read it: {exc.strerror or exc}") from None


def _open(data: bytes, path: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise MediaError(f"{path}: {image.width}x{image.height} pixels is too large a picture")
        image.load()
    except UnidentifiedImageError:
        raise MediaError(f"{path}: not a picture (not a format Pillow can read)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError(f"{path}: not a picture Pillow can read ({exc})") from None
    return image


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fit(data: bytes, image: Image.Image, limits: MediaLimits, path: str) -> tuple[bytes, str]:
    mime = _MIME.get(image.format or "")
    upright = _orientation(image) in (None, 1)
    if mime in limits.formats and upright and not limits.problems(mime, len(data), *image.size):
        if mime == "image/jpeg":
            return _strip_jpeg(data), mime
        if not _has_metadata(image):
            return data, mime
    picture = ImageOps.exif_transpose(image) or image
    picture.load()
    target = _target(picture, mime, limits)
    picture = _convert(picture, target)
    picture = _scale_to(picture, limits)
    for _ in range(20):
        for quality in _QUALITIES if target == "image/jpeg" else (None,):
            encoded = _encode(picture, target, quality, image.info.get("icc_profile"))
            if len(encoded) <= limits.max_bytes:
                return encoded, target
        width, height = picture.size
        if min(width, height) <= 16:
            break
        smaller = (max(1, int(width * _STEP)), max(1, int(height * _STEP)))
        picture = picture.resize(smaller, Image.Resampling.LANCZOS)
    raise MediaError(f"{path}: cannot be made smaller than {limits.max_bytes:,} bytes")


def _orientation(image: Image.Image) -> int | None:
    value = image.getexif().get(0x0112)
    return int(value) if value is not None else None


def _has_metadata(image: Image.Image) -> bool:
    """EXIF, XMP, comments or PNG text chunks (what a re-encode leaves out)."""
    if len(image.getexif()):
        return True
    keys = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"}
    return bool(keys & set(image.info)) or bool(getattr(image, "text", None))


def _target(image: Image.Image, mime: str | None, limits: MediaLimits) -> str:
    """The format of the copy: the source's if taken (GIFs become still pictures only when
    they must change anyway), else PNG for transparency where taken, else JPEG."""
    if mime in limits.formats and mime != "image/gif":
        return mime
    if _has_alpha(image) and "image/png" in limits.formats:
        return "image/png"
    if "image/jpeg" in limits.formats:
        return "image/jpeg"
    return sorted(limits.formats)[0]


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _convert(image: Image.Image, mime: str) -> Image.Image:
    if mime == "image/jpeg":
        if _has_alpha(image):  # JPEG has no transparency: flatten on white
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return image.convert("RGB") if image.mode not in ("RGB", "L") else image
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        return image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image


def _scale_to(image: Image.Image, limits: MediaLimits) -> Image.Image:
    width, height = image.size
    scale = 1.0
    if limits.max_side is not None and max(width, height) > limits.max_side:
        scale = min(scale, limits.max_side / max(width, height))
    if limits.max_pixels is not None and width * height > limits.max_pixels:
        scale = min(scale, (limits.max_pixels / (width * height)) ** 0.5)
    if scale >= 1.0:
        return image
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, mime: str, quality: int | None, icc: Any) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if mime == "image/jpeg":
        image.save(out, "JPEG", quality=quality or 90, optimize=True, **options)
    elif mime == "image/png":
        image.save(out, "PNG", optimize=True, **options)
    elif mime == "image/webp":
        image.save(out, "WEBP", quality=quality or 90, method=4, **options)
    else:
        image.save(out, mime.split("/")[1].upper())
    return out.getvalue()


def _strip_jpeg(data: bytes) -> bytes:
    """The JPEG without its EXIF/XMP (APP1), other APPn segments but JFIF and ICC, and comments,
    byte for byte otherwise (no re-encoding)."""
    out = bytearray(data[:2])
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker not in _EXIF_MARKERS:
            out += data[i : i + 2 + length]
        i += 2 + length
    return bytes(out + data[i:])
