"""``bot calendar``: the coming slots of every campaign, in local time and UTC."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_table

log = logging.getLogger(__name__)


@click.command("calendar")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="How far ahead.")
@click.option("--campaign", "campaigns", multiple=True, help="Only this campaign (repeatable).")
@click.option("--all", "show_all", is_flag=True, help="Include disabled campaigns.")
@json_option
@pass_ctx
def command(ctx: Context, days: int, campaigns: tuple[str, ...], show_all: bool, as_json: bool) -> None:
    """The coming slots of every campaign (from the config), soonest first.

    Each slot shows its local time in the campaign's zone, its UTC instant, and the state of
    any slot and drafts already made for it (from the database, when there is one). --json
    prints one compact JSON object: {"from", "until", "slots": [...]}.
    """
    settings = ctx.settings
    now = ctx.app.clock.now().replace(microsecond=0)
    until = now + timedelta(days=days)
    wanted = [
        c for c in settings.campaigns if (show_all or c.enabled) and (not campaigns or c.name in campaigns)
    ]
    unknown = set(campaigns) - {c.name for c in settings.campaigns}
    if unknown:
        raise click.ClickException(f"no campaign named {', '.join(sorted(unknown))} in {ctx.config_path}")
    stored = _stored(ctx, now, until)
    rows: list[dict[str, Any]] = []
    for campaign in wanted:
        zone = settings.zone_of(campaign)
        tz = ZoneInfo(zone)
        for instant in campaign.when.fire_times(now, until, zone):
            summary = stored.get((campaign.name, instant))
            rows.append(
                {
                    "campaign": campaign.name,
                    "local": instant.astimezone(tz).isoformat(),
                    "zone": zone,
                    "utc": instant.isoformat(),
                    "slot_id": summary.slot_id if summary else None,
                    "slot_state": summary.state if summary else None,
                    "drafts": dict(summary.drafts) if summary else {},
                }
            )
    rows.sort(key=lambda r: (r["utc"], r["campaign"]))
    if as_json:
        # Compact: a year of a thousand campaigns is tens of thousands of rows.
        click.echo(json.dumps({"from": now.isoformat(), "until": until.isoformat(), "slots": rows}))
        return
    print_table(
        f"Slots in the next {days} days",
        ["utc", "local", "zone", "campaign", "slot", "drafts"],
        [
            [
                r["utc"][:16].replace("T", " "),
                r["local"][:16].replace("T", " ") + " " + _abbrev(r["local"], r["zone"]),
                r["zone"],
                r["campaign"],
                r["slot_state"] or "-",
                ", ".join(f"{n} {s}" for s, n in sorted(r["drafts"].items())) or "-",
            ]
            for r in rows
        ],
    )


def _stored(ctx: Context, now: datetime, until: datetime) -> dict[tuple[str, datetime], Any]:
    """Slots already in the database; an empty map if there is no usable database yet."""
    from bot.domain.errors import BotError

    try:
        return ctx.app.store.slot_summaries(now, until)
    except BotError as exc:
        log.warning("not showing draft states: %s", exc)
        return {}


def _abbrev(local: str, zone: str) -> str:
    return datetime.fromisoformat(local).astimezone(ZoneInfo(zone)).strftime("%Z")
