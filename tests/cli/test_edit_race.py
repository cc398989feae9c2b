"""An edit in `$EDITOR` is of the text shown there: when someone else edits the draft while the
editor is open, saving is refused and their text stays (it was silently overwritten; hostile
user, 2026-12-07). The real CLI in subprocesses; the "editor" is a script that makes the other
edit first, then saves its own text."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import run_cli


def test_saving_over_an_edit_made_while_the_editor_was_open_is_refused(
    write_config: Any, tmp_path: Path
) -> None:
    config = write_config()
    for args in (("db", "upgrade"), ("campaigns", "sync")):
        assert run_cli(*args, config=config).returncode == 0
    fired = json.loads(run_cli("campaigns", "fire", "promo", "--json", config=config).stdout)
    draft = str(fired["drafts"][0])
    editor = tmp_path / "racing_editor.py"
    editor.write_text(
        textwrap.dedent(
            f"""
            import subprocess, sys
            from pathlib import Path
            other = [sys.executable, "-m", "bot", "--config", {str(config)!r}, "queue", "edit", {draft!r},
                     "--text", "Their text, saved first."]
            assert subprocess.run(other).returncode == 0
            Path(sys.argv[1]).write_text("My text, saved second.", encoding="utf-8")
            """
        ),
        encoding="utf-8",
    )
    mine = run_cli("queue", "edit", draft, config=config, env={"EDITOR": f"{sys.executable} {editor}"})
    assert mine.returncode == 1, mine.stdout + mine.stderr
    assert f"draft {draft} changed while you edited it (its text was edited); your edit was not saved" in (
        mine.stderr
    )
    shown = json.loads(run_cli("queue", "show", draft, "--json", config=config).stdout)
    assert shown["text"].startswith("Their text, saved first.")
