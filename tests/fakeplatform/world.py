"""A bot world wired to the fake platform: config, store, accounts with credentials, drafts.

Used by the publishing tests, the kill test and ``bench/publishing.py``. Credentials are
handed over as environment variables ``BOT_<ACCOUNT>_<NAME>``, as in production.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from bot.adapters.platforms.credentials import env_name
from bot.adapters.store import engine as engines
from bot.adapters.store.sql import SqlStore
from bot.config import Settings, load_settings
from bot.domain import CampaignSpec, Candidate, DraftOrigin, DraftState, ModerationDecision, ModerationVerdict
from bot.domain.media import DraftMedia, MediaItem
from bot.domain.ports import Clock
from bot.wiring import Wiring

#: platform -> (account name, fake user name, credentials, extra TOML for the account)
ACCOUNTS: dict[str, tuple[str, str, dict[str, str], str]] = {
    "x": (
        "tea-x",
        "lotus_x",
        {"api_key": "ck-1", "api_secret": "cs-1", "access_token": "at-x", "access_token_secret": "ats-x"},
        "",
    ),
    "reddit": (
        "tea-reddit",
        "lotus_reddit",
        {"client_id": "cid-1", "client_secret": "csec-1", "username": "lotus_reddit", "password": "pw-r"},
        'subreddit = "tea"\ntitle = "{{ brand }}: {{ first_line }}"\nflair_text = "Promo"\n',
    ),
    "mastodon": ("tea-masto", "lotus_masto", {"access_token": "tok-m"}, 'visibility = "unlisted"\n'),
    "bluesky": ("tea-bsky", "lotus_bsky", {"app_password": "app-pw-b"}, 'handle = "lotus.bsky.test"\n'),
}


def fake_creds(platform: str) -> dict[str, str]:
    """The credentials the fake knows for the platform's user (Bluesky also needs the handle)."""
    creds = dict(ACCOUNTS[platform][2])
    if platform == "bluesky":
        creds["handle"] = "lotus.bsky.test"
    return creds


def credential_env(platforms: list[str], wrong: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """``BOT_<ACCOUNT>_<NAME>`` variables for the accounts (``wrong``: bad secrets)."""
    env = {}
    for platform in platforms:
        account, _, creds, _ = ACCOUNTS[platform]
        for name, value in creds.items():
            bad = platform in wrong and name in {"api_secret", "access_token", "password", "app_password"}
            env[env_name(account, name)] = value + "-wrong" if bad else value
    return env


def register_users(base_url: str, platforms: list[str], history_posts: int = 3) -> None:
    """Create the fake's users through its admin endpoint, each with older posts."""
    for platform in platforms:
        body = {"platform": platform, "name": ACCOUNTS[platform][1], "creds": fake_creds(platform)}
        admin(base_url, "users", body)
        history = {"platform": platform, "name": ACCOUNTS[platform][1], "count": history_posts}
        admin(base_url, "history", history | {"oldest": 3 * 86400, "newest": 86400})


def admin(base_url: str, what: str, body: Any = None) -> Any:
    """Call the fake's admin endpoint (GET without a body, POST with one)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base_url}/_admin/{what}", data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())


def config_text(
    base_url: str,
    platforms: list[str],
    *,
    database_url: str | None = None,
    timeout: str = "0.5s",
    publishing: str = (
        'max_attempts = 3\nbackoff_base = "1s"\nbackoff_max = "10s"\nlease = "30s"\n'
        'settle = "0s"\ncheck_backoff = "1s"\n'
    ),
    bot: str = "",
    account_extra: str = "",
) -> str:
    lines = ["[bot]", 'timezone = "UTC"', 'data_dir = "data"', bot]
    if database_url:
        lines.append(f'database_url = "{database_url}"')
    lines += ["", "[brand]", 'name = "Lotus Leaf"', 'link = "https://lotusleaf.example/shop"', ""]
    lines += ["[model]", 'backend = "canned"', "", "[publishing]", publishing, ""]
    names = []
    for platform in platforms:
        account, _, _, extra = ACCOUNTS[platform]
        names.append(account)
        lines += ["[[accounts]]", f'name = "{account}"', f'platform = "{platform}"']
        lines += [f'base_url = "{base_url}"', f'timeout = "{timeout}"', extra + account_extra, ""]
    # Enabled (a disabled campaign's drafts cannot be approved), but it never fires by itself
    # in a test: its one firing is far in the future.
    lines += ["[[campaigns]]", 'name = "promo"', 'kind = "promo"']
    lines += ['when = { at = "2099-01-01 10:00" }', f"accounts = {json.dumps(names)}"]
    lines += ['brief = "Write a promo."', 'variables = { code = "TEA10" }', ""]
    return "\n".join(lines)


@dataclass
class World:
    """A config file, a migrated store and an App over them."""

    settings: Settings
    app: Wiring
    platforms: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> SqlStore:
        return cast(SqlStore, self.app.store)  # the wiring opened it from the URL: a SqlStore

    def approve(
        self,
        text: str,
        accounts: list[str] | None = None,
        media: Sequence[DraftMedia] = (),
        expires_at: datetime | None = None,
    ) -> list[int]:
        """Add a draft with ``text`` (and pictures, an expiry), approve it, return its
        publications' ids."""
        campaign = self.store.get_campaign("promo")
        now = self.app.clock.now()
        verdict = ModerationVerdict(ModerationDecision.PASS, {}, {}, {})
        candidate = Candidate(text=text, origin=DraftOrigin.HUMAN, model_id="test")
        draft_id = self.store.add_draft(
            campaign_id=campaign.id, slot_id=None, candidate=candidate, verdict=verdict,
            state=DraftState.PENDING_REVIEW, expires_at=expires_at, now=now, actor="test", media=media,
        )  # fmt: skip
        self.app.review.approve(draft_id, "tester")
        pubs = self.store.list_publications(draft_id=draft_id)
        return [p.id for p in pubs if accounts is None or p.account in accounts]


def draft_media(*items: MediaItem) -> tuple[DraftMedia, ...]:
    """Pictures for :meth:`World.approve`: each file as it is, as the fitted copy of every
    platform (small test images that fit everywhere)."""
    platforms = [*ACCOUNTS, "dryrun"]
    return tuple(
        DraftMedia(i.path, i.sha256, i.alt, fitted=dict.fromkeys(platforms, i), original=i) for i in items
    )


def make_world(
    directory: Path, base_url: str, platforms: list[str], *, clock: Clock | None = None, **config: Any
) -> World:
    """Write the config, migrate the store, sync the campaign and set the credentials."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bot.toml"
    path.write_text(config_text(base_url, platforms, **config), encoding="utf-8")
    settings = load_settings(path)
    engines.upgrade(settings.database_url)
    env = credential_env(platforms)
    os.environ.update(env)
    app = Wiring(settings, clock=clock)
    specs = [CampaignSpec(c.name, c.kind, c.model_dump(mode="json"), active=True) for c in settings.campaigns]
    app.store.sync_campaigns(specs, datetime.now(UTC), "test")
    return World(settings, app, platforms, env)
