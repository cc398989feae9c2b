"""Fitting pictures to a platform's limits with Pillow: real files in a temporary folder."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import pytest
from PIL import Image

from bot.adapters.media import PillowMedia
from bot.adapters.platforms.bluesky_platform import MEDIA as BLUESKY
from bot.adapters.platforms.x_platform import MEDIA as X
from bot.domain.errors import MediaError
from bot.domain.media import MediaLimits

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def noisy(width: int, height: int, seed: int = 1) -> Image.Image:
    """A picture that compresses badly (random noise over a gradient), so sizes are real."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            (x * 255 // width, rng.randrange(256), y * 255 // height)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


def with_gps(image: Image.Image, path: Path, fmt: str = "JPEG", **options: object) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x013B] = "Ann Owner"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (22.0, 17.0, 3.0), 3: "E", 4: (114.0, 10.0, 0.0)})
    image.save(path, fmt, exif=exif.tobytes(), **options)
    return path


def sha(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_picture_3x_over_the_byte_limit_is_fitted_within_every_limit(tmp_path: Path) -> None:
    source = with_gps(noisy(2400, 1800), tmp_path / "big.jpg", quality=95)
    size = source.stat().st_size
    assert size >= 3 * BLUESKY.max_bytes, size
    before = sha(source)
    fitted = PillowMedia(tmp_path / "data").fit(str(source), BLUESKY)
    assert fitted.size <= BLUESKY.max_bytes
    assert max(fitted.width, fitted.height) <= 2000
    assert not BLUESKY.problems(fitted.mime, fitted.size, fitted.width, fitted.height)
    assert Path(fitted.path).parent == tmp_path / "data" / "media"
    assert Path(fitted.path).name == f"{fitted.sha256}.jpg" and sha(fitted.path) == fitted.sha256
    assert sha(source) == before  # the user's file is untouched


def test_exif_and_gps_are_gone_even_when_nothing_else_changes(tmp_path: Path) -> None:
    source = with_gps(noisy(64, 48), tmp_path / "small.jpg")
    with Image.open(source) as original:
        assert original.getexif().get_ifd(GPS_IFD)
    fitted = PillowMedia(tmp_path / "data").fit(str(source), X)
    data = Path(fitted.path).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert image.size == (64, 48)
    assert b"Ann Owner" not in data and b"CameraMaker" not in data
    # not re-encoded: the image data is the source's, byte for byte
    assert Path(source).read_bytes().endswith(data[-1000:])


def test_a_png_with_text_chunks_is_re_encoded_without_them(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "22.28N 114.16E")
    source = tmp_path / "note.png"
    noisy(40, 30).save(source, "PNG", pnginfo=info)
    fitted = PillowMedia(tmp_path / "data").fit(str(source), X)
    assert b"22.28N" not in Path(fitted.path).read_bytes()
    assert fitted.mime == "image/png"


def test_a_rotated_photo_stays_upright(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # shown rotated 90 degrees clockwise
    source = tmp_path / "phone.jpg"
    noisy(60, 40).save(source, "JPEG", exif=exif.tobytes())
    fitted = PillowMedia(tmp_path / "data").fit(str(source), X)
    assert (fitted.width, fitted.height) == (40, 60)


def test_fitting_is_deterministic(tmp_path: Path) -> None:
    source = with_gps(noisy(2400, 1800, seed=3), tmp_path / "big.jpg", quality=95)
    first = PillowMedia(tmp_path / "a").fit(str(source), BLUESKY)
    second = PillowMedia(tmp_path / "b").fit(str(source), BLUESKY)
    assert first.sha256 == second.sha256 and first.size == second.size
    again = PillowMedia(tmp_path / "a").fit(str(source), BLUESKY)
    assert again.path == first.path


def test_a_format_the_platform_does_not_take_is_converted(tmp_path: Path) -> None:
    source = tmp_path / "scan.tiff"
    noisy(50, 50).save(source, "TIFF")
    limits = MediaLimits(frozenset({"image/jpeg"}), 10_000_000, None, None, 4, 100)
    fitted = PillowMedia(tmp_path / "data").fit(str(source), limits)
    assert fitted.mime == "image/jpeg" and Path(fitted.path).suffix == ".jpg"


def test_pixels_over_the_limit_are_scaled_down(tmp_path: Path) -> None:
    source = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1000), (200, 30, 30)).save(source)
    limits = MediaLimits(frozenset({"image/png"}), 10_000_000, 1_000_000, None, 4, 100)
    fitted = PillowMedia(tmp_path / "data").fit(str(source), limits)
    assert fitted.width * fitted.height <= 1_000_000 and fitted.width > fitted.height


def test_probe_names_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    media = PillowMedia(tmp_path)
    with pytest.raises(MediaError, match=r"nothere\.jpg: no such file"):
        media.probe(str(tmp_path / "nothere.jpg"))
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a picture")
    with pytest.raises(MediaError, match=r"notes\.jpg: not a picture \(not a format Pillow can read\)$"):
        media.probe(str(bad))
    good = tmp_path / "ok.png"
    Image.new("RGB", (10, 20)).save(good)
    item = media.probe(str(good))
    assert (item.mime, item.width, item.height, item.sha256) == ("image/png", 10, 20, sha(good))
