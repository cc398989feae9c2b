"""A campaign picture from the config to the four platforms, through the CLI in subprocesses and
each platform's real client against the fake: one photo over 3x Bluesky's byte limit is
fitted per platform at drafting, and each platform receives its own fitted copy, with the alt
text, on exactly one post."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.adapters.test_media import noisy, with_gps
from tests.conftest import run_cli
from tests.fakeplatform import FakeServer
from tests.fakeplatform.media import LIMITS
from tests.fakeplatform.world import ACCOUNTS, config_text, credential_env
from tests.fixtures.clock import ClockFile

PLATFORMS = ["x", "reddit", "mastodon", "bluesky"]
ZONE = ZoneInfo("UTC")
ALT = "A red paper lantern over a cup of oolong"


def campaign(at: datetime) -> str:
    accounts = json.dumps([ACCOUNTS[p][0] for p in PLATFORMS])
    return f"""
[[campaigns]]
name = "lanterns"
kind = "announcement"
when = {{ at = "{at.astimezone(ZONE):%Y-%m-%d %H:%M:%S}" }}
accounts = {accounts}
brief = "Announce the lantern festival tea at {{{{ brand }}}}."
media = [{{ path = "pictures/lantern.jpg", alt = "{ALT}" }}]
"""


def ok(*args: str, config: Path, env: dict[str, str] | None = None) -> str:
    result = run_cli(*args, config=config, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_campaign_picture_reaches_every_platform_fitted(
    fake: FakeServer, tmp_path: Path, clock_file: ClockFile
) -> None:
    home = tmp_path / "bot"
    (home / "pictures").mkdir(parents=True)
    source = with_gps(noisy(2400, 1800), home / "pictures" / "lantern.jpg", quality=95)
    assert source.stat().st_size > 3 * LIMITS["bluesky"]
    config = home / "bot.toml"
    base = config_text(fake.url, PLATFORMS, timeout="5s", publishing='lease = "60s"\n')
    config.write_text(base, encoding="utf-8")
    ok("db", "upgrade", config=config)
    due = clock_file.now + timedelta(minutes=1)
    config.write_text(base + campaign(due), encoding="utf-8")
    ok("campaigns", "sync", config=config)
    clock_file.set(due + timedelta(seconds=1))
    ok("run", "--once", config=config)

    draft = json.loads(ok("queue", "--json", config=config))[0]
    [picture] = draft["media"]
    approve = ["queue", "approve", str(draft["id"]), "--as", "ann"]
    if not all(c["passed"] for c in draft["checks"]):
        approve += ["--override", "--reason", "the text checks are not what this test is about"]
    ok(*approve, config=config)
    ok("run", "--once", config=config, env=credential_env(PLATFORMS))

    shown = json.loads(ok("queue", "show", str(draft["id"]), "--json", config=config))
    assert {p["state"] for p in shown["publications"]} == {"published"}, shown["publications"]
    uploads = fake.media()
    for platform in PLATFORMS:
        [made] = fake.posts(platform)
        [upload] = [uploads[m] for m in made["media"]]
        fitted = picture["fitted"][platform]
        assert (upload["sha256"], upload["size"]) == (fitted["sha256"], fitted["size"])
        assert hashlib.sha256(Path(fitted["path"]).read_bytes()).hexdigest() == fitted["sha256"]
        assert upload["size"] <= LIMITS[platform]
        assert upload["alt"] == ("" if platform == "reddit" else ALT)  # a Reddit image post has no caption
    assert uploads_for(fake, "bluesky")[0]["size"] < source.stat().st_size / 3


def uploads_for(fake: FakeServer, platform: str) -> list[dict[str, Any]]:
    return [m for m in fake.media().values() if m["platform"] == platform]
