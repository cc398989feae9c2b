"""The web page never loads the model: a whole review session in a fresh interpreter (log in,
the queue, a draft, edit, approve, regenerate) leaves torch and transformers unimported; and a
regeneration asked for on the page is served by the daemon's pass and shown done."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from starlette.testclient import TestClient

from bot.daemon.runner import serve_requests
from bot.domain import DraftState
from bot.wiring import Wiring
from tests.conftest import ROOT, subprocess_env
from tests.web.conftest import make_draft, post

Web = Callable[..., TestClient]

SESSION = """
import sys, tempfile, pathlib, textwrap
from tests.conftest import BASE_CONFIG
from tests.web.conftest import WEB, NOW, PASSWORDS, make_draft, login, post
from bot.adapters.store import engine as engines
from bot.config import load_settings
from bot.domain import CampaignSpec
from bot.domain.ports import FixedClock
from bot.wiring import Wiring
from bot.web.app import create_app
from starlette.testclient import TestClient

folder = pathlib.Path(tempfile.mkdtemp())
(folder / "bot.toml").write_text(textwrap.dedent(BASE_CONFIG).format() + WEB)
settings = load_settings(folder / "bot.toml")
engines.upgrade(settings.database_url)
world = Wiring(settings, clock=FixedClock(NOW))
specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json")) for c in settings.campaigns]
world.store.sync_campaigns(specs, NOW, "t")
world.web_secrets.set_password("alice", PASSWORDS["alice"])
first, second, third = make_draft(world), make_draft(world, 1), make_draft(world, 2)
with TestClient(create_app(settings, wiring=world, login_delay=0), base_url="http://127.0.0.1") as client:
    assert login(client, "alice").status_code == 303
    assert client.get("/").status_code == 200
    page = f"/drafts/{first}"
    text = "Lotus Leaf Tea House: mooncake gift box this week. https://lotusleaf.example/shop"
    sha = world.store.get_draft(first).sha256
    assert post(client, page + "/edit", {"sha256": sha, "text": text}, page=page).status_code == 303
    sha, page = world.store.get_draft(third).sha256, f"/drafts/{third}"
    assert post(client, page + "/approve", {"sha256": sha}, page=page).status_code == 303
    assert post(client, f"/drafts/{second}/regenerate", page=f"/drafts/{second}").status_code == 303
    for path in ("/publications", "/calendar", "/accounts"):
        assert client.get(path).status_code == 200
print(sorted(m for m in ("torch", "transformers", "bot.adapters.generation.embedded") if m in sys.modules))
"""


def test_a_review_session_never_imports_the_model() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SESSION],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_regeneration_asked_for_on_the_page_is_served_by_the_daemon_and_shown(
    web: Web, world: Wiring
) -> None:
    draft_id = make_draft(world)
    client = web("alice")
    assert post(client, f"/drafts/{draft_id}/regenerate", page=f"/drafts/{draft_id}").status_code == 303

    [served] = serve_requests(world)  # the daemon's next pass

    new_ids = served.result["drafts"]
    assert world.store.get_draft(draft_id).state is DraftState.REJECTED
    page = client.get(f"/drafts/{draft_id}").text
    assert 'id="request-pending"' not in page
    assert "Regeneration asked for by alice: done" in page
    for new_id in new_ids:
        assert f'href="/drafts/{new_id}"' in page
        assert f'id="draft-{new_id}"' in client.get("/").text
