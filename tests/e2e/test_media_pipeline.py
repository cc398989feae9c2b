"""A campaign with a picture through the CLI in subprocesses, as a user runs it: the draft
carries the picture fitted per platform (shown by `queue show`, `--json` and `drafts preview`),
a change of picture or alt text voids the approval, and the dry-run outbox records the file
that went out with its hash and alt text. The user's file is never changed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

from tests.adapters.test_media import noisy, with_gps
from tests.conftest import run_cli
from tests.fixtures.clock import ClockFile

ZONE = ZoneInfo("Asia/Shanghai")
SKY = """
[[accounts]]
name = "sky"
platform = "bluesky"
handle = "lotus.example"
"""


def _campaign(at: datetime) -> str:
    local = at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")
    return f"""
[[campaigns]]
name = "lanterns"
kind = "announcement"
when = {{ at = "{local}" }}
accounts = ["outbox", "sky"]
brief = "Announce the new {{{{ product }}}} at {{{{ brand }}}}."
media = [{{ path = "pictures/lantern.jpg", alt = "A red paper lantern over a cup of {{{{ product }}}}" }}]
"""


def _ok(*args: str, config: Path) -> str:
    result = run_cli(*args, config=config)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _approval(draft: dict[str, Any]) -> list[str]:
    """``queue approve`` for the draft (an override when a text check failed: the text is not
    what these tests are about)."""
    args = ["queue", "approve", str(draft["id"]), "--as", "ann"]
    if not all(c["passed"] for c in draft["checks"]):
        args += ["--override", "--reason", "the text checks are not what this test is about"]
    return args


def _sha(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_post_with_a_picture_from_config_to_outbox(write_config: Any, clock_file: ClockFile) -> None:
    config = write_config(SKY)
    pictures = config.parent / "pictures"
    pictures.mkdir()
    source = with_gps(noisy(2400, 1800), pictures / "lantern.jpg", quality=95)
    assert source.stat().st_size > 3 * 1_000_000  # over 3x Bluesky's limit
    before = _sha(source)
    _ok("db", "upgrade", config=config)
    due = clock_file.now + timedelta(minutes=1)
    config = write_config(SKY + _campaign(due))
    _ok("config", "check", config=config)
    _ok("campaigns", "sync", config=config)

    preview = json.loads(_ok("drafts", "preview", "lanterns", "--json", config=config))
    assert [m["alt"] for m in preview["media"]] == ["A red paper lantern over a cup of mooncake gift box"]
    assert {c["name"] for c in preview["media_checks"]} == {"media:dryrun", "media:bluesky"}

    clock_file.set(due + timedelta(seconds=1))
    _ok("run", "--once", config=config)
    draft = json.loads(_ok("queue", "--json", config=config))[0]
    draft_id = str(draft["id"])
    [picture] = draft["media"]
    assert picture["source"] == str(source) and picture["source_sha256"] == before
    sky = picture["fitted"]["bluesky"]
    assert sky["size"] <= 1_000_000 and max(sky["width"], sky["height"]) <= 2000
    checks = {c["name"]: c for c in draft["checks"]}
    assert checks["media:bluesky"]["passed"] and checks["media:dryrun"]["passed"], checks

    shown = _ok("queue", "show", draft_id, config=config)
    assert "pictures (1):" in shown and "lantern.jpg" in shown and "alt (" in shown
    assert "bluesky: " in shown and "dryrun: " in shown and "media:bluesky: ok" in shown

    approve = _approval(draft)
    _ok(*approve, config=config)
    _ok("queue", "edit", draft_id, "--alt", "1", "A red lantern and a teapot", "--as", "bob", config=config)
    edited = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert edited["state"] == "pending_review"
    assert [a["decision"] for a in edited["approvals"]][-1] == "invalidated"
    assert edited["approvals"][0]["void"] is True
    assert {p["state"] for p in edited["publications"]} == {"cancelled"}
    assert edited["media"][0]["alt"] == "A red lantern and a teapot"
    _ok(*approve, config=config)

    run_cli("run", "--once", config=config)  # the outbox gets it; Bluesky has no credentials here
    [line] = [json.loads(x) for x in (config.parent / "data" / "outbox.jsonl").read_text().splitlines()]
    [sent] = line["media"]
    assert sent["alt"] == "A red lantern and a teapot"
    assert sent["sha256"] == _sha(sent["path"]) == edited["media"][0]["fitted"]["dryrun"]["sha256"]
    with Image.open(sent["path"]) as image:
        assert not image.getexif()  # no GPS, no camera, no owner
    assert _sha(source) == before


def test_dropping_the_picture_voids_the_approval(write_config: Any, clock_file: ClockFile) -> None:
    config = write_config(SKY)
    (config.parent / "pictures").mkdir()
    Image.new("RGB", (64, 48), (180, 20, 20)).save(config.parent / "pictures" / "lantern.jpg")
    _ok("db", "upgrade", config=config)
    due = clock_file.now + timedelta(minutes=1)
    config = write_config(SKY + _campaign(due))
    _ok("campaigns", "sync", config=config)
    clock_file.set(due + timedelta(seconds=1))
    _ok("run", "--once", config=config)
    draft = json.loads(_ok("queue", "--json", config=config))[0]
    draft_id = str(draft["id"])
    _ok(*_approval(draft), config=config)
    bad = run_cli("queue", "edit", draft_id, "--drop-media", "2", config=config)
    assert bad.returncode == 1 and "there is no picture 2" in bad.stderr and "Traceback" not in bad.stderr
    seen = draft["media_sha256"]
    _ok("queue", "edit", draft_id, "--drop-media", "1", config=config)
    stale = run_cli("queue", "approve", draft_id, "--media-sha256", seen, config=config)
    assert stale.returncode == 1 and "pictures or alt texts changed" in stale.stderr, stale.stderr
    shown = json.loads(_ok("queue", "show", draft_id, "--json", config=config))
    assert shown["media"] == [] and shown["state"] == "pending_review"
    assert not any(c["name"].startswith("media:") for c in shown["checks"])
    assert [a["decision"] for a in shown["approvals"]][-1] == "invalidated"
