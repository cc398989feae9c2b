"""An edit whose post runs over an account's limit once the link and hashtags are added says
how long the text may be there (the hostile pass's finding 10). The edit is stored (rc 0) and
the approval refused, both naming the room. Real CLI in a subprocess, real SQLite."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run_cli

X_CAMPAIGN = """
[[accounts]]
name = "teahouse-x"
platform = "x"

[[campaigns]]
name = "weekly"
kind = "promo"
when = { cron = "0 10 * * FRI" }
accounts = ["teahouse-x"]
brief = "Write a promo for {{ brand }}."
hashtags = ["#TeaTime", "#Oolong"]
"""


def test_an_edit_too_long_for_x_says_how_long_the_text_may_be(write_config: Any) -> None:
    config = write_config(X_CAMPAIGN)
    for args in (("db", "upgrade"), ("campaigns", "sync"), ("campaigns", "fire", "weekly")):
        done = run_cli(*args, config=config)
        assert done.returncode == 0, done.stderr
    draft_id = str(json.loads(run_cli("queue", "--json", config=config).stdout)[0]["id"])
    text = "Lotus Leaf Tea House pours a second pot of oolong at half price this Friday. " * 3
    text += "Come early."  # 242 characters: 242 + 49 = 291, over 280
    edited = run_cli("queue", "edit", draft_id, "--text", text, "--as", "ann", config=config)
    assert edited.returncode == 0, edited.stderr
    # "\n\n" + the link (30: X counts a .example address as text) + " #TeaTime #Oolong"
    tail = 2 + 30 + 1 + 8 + 1 + 7
    room = 280 - tail
    assert (
        f"limit:teahouse-x: {len(text) + tail}/280 weighted (x): the text may have at most {room} characters "
        f"on teahouse-x (the link and hashtags added after it take {tail}); it has {len(text)}\n"
    ) in edited.stdout, edited.stdout
    refused = run_cli("queue", "approve", draft_id, "--as", "ann", config=config)
    assert refused.returncode == 1
    assert f"the text may have at most {room} characters on teahouse-x" in refused.stderr, refused.stderr
