"""A campaign's pictures in the config: each kind of mistake is a config error at `bot config
check` and `bot campaigns sync` naming the campaign and the file; good ones pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from bot.cli.main import cli

GREETING = """
[[campaigns]]
name = "mid-autumn"
kind = "greeting"
when = {{ holiday = "Mid-Autumn Festival", country = "CN", at = "09:00" }}
accounts = ["outbox"]
brief = "Greet our customers for {{{{ holiday }}}}."
media = {media}
"""


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=True)


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    Image.new("RGB", (40, 30), (200, 120, 20)).save(folder / "mid-autumn.jpg")
    Image.new("RGB", (30, 30), (20, 120, 200)).save(folder / "lantern.png")
    (folder / "notes.jpg").write_text("this is not a picture")
    return folder


def config_with(write_config: Any, media: str) -> Path:
    return write_config(GREETING.format(media=media))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (
            '[{ path = "media/gone.jpg", alt = "A lantern" }]',
            (
                "media[0]: ",
                "gone.jpg: no such file",
            ),
        ),
        (
            '[{ path = "media/notes.jpg", alt = "A lantern" }]',
            (
                "media[0]: ",
                "notes.jpg: not a picture",
            ),
        ),
        ('[{ path = "media/lantern.png" }]', ("media[0] lantern.png: alt text missing",)),
        ('[{ path = "media/lantern.png", alt = "   " }]', ("media[0] lantern.png: alt text missing",)),
        (
            """[{ path = "media/lantern.png", alt = "{{ '' }}" }]""",
            ("lantern.png: the alt text renders to nothing",),
        ),
        (
            '[{ path = "media/lantern.png", alt = "{{ promo_code }}" }]',
            ("media[0].alt uses {{ promo_code }} but the campaign sets no variables.promo_code",),
        ),
        (
            '{ folder = "media/none" }',
            (
                "media.folder",
                "no such folder",
            ),
        ),
        (
            '{ folder = "media", alt = "A picture" }',
            (
                "media: ",
                "notes.jpg: not a picture",
            ),
        ),
        ('{ folder = "media", pick = "rotate" }', ("alt text missing",)),
    ],
    ids=[
        "missing",
        "unreadable",
        "no-alt",
        "blank-alt",
        "empty-alt",
        "empty-variable-alt",
        "no-folder",
        "bad-in-folder",
        "folder-no-alt",
    ],
)
def test_each_kind_of_picture_mistake_is_a_config_error(
    write_config: Any, pictures: Path, media: str, expected: tuple[str, ...]
) -> None:
    config = config_with(write_config, media)
    for args in (["config", "check"], ["campaigns", "sync"]):
        result = run(config, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert "campaign 'mid-autumn'" in result.output, result.output
        for part in expected:
            assert part in result.output, result.output


def test_more_than_four_pictures_is_refused(write_config: Any, pictures: Path) -> None:
    five = "[" + ", ".join(['{ path = "media/lantern.png", alt = "A lantern" }'] * 5) + "]"
    result = run(config_with(write_config, five), "config", "check")
    assert result.exit_code == 1 and "at most 4" in result.output, result.output


def test_good_pictures_pass(write_config: Any, pictures: Path) -> None:
    (pictures / "notes.jpg").unlink()
    for media in (
        '[{ path = "media/mid-autumn.jpg", alt = "A mooncake for {{ holiday }}" }]',
        '{ folder = "media", pick = "by-holiday", alt = "A {{ picture }} picture" }',
        '{ folder = "media", pick = "random", count = 2, alt = "A {{ picture }} picture" }',
    ):
        result = run(config_with(write_config, media), "config", "check")
        assert result.exit_code == 0, (media, result.output)


def test_by_holiday_needs_a_picture_named_after_the_holiday(write_config: Any, pictures: Path) -> None:
    (pictures / "notes.jpg").unlink()
    (pictures / "mid-autumn.jpg").rename(pictures / "spring.jpg")
    config = config_with(write_config, '{ folder = "media", pick = "by-holiday", alt = "A picture" }')
    result = run(config, "config", "check")
    assert result.exit_code == 1 and "no picture named after the holiday" in result.output, result.output
