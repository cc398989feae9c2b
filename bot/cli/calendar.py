"""``bot calendar``: the coming slots of every campaign, in local time and UTC."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_table
from bot.services.calendar import zone_abbreviation

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
    from bot.domain.errors import BotError
    from bot.services.calendar import coming_slots

    now = ctx.app.clock.now().replace(microsecond=0)
    until = now + timedelta(days=days)
    try:
        store = ctx.app.store
    except BotError as exc:
        log.warning("not showing draft states: %s", exc)
        store = None
    rows = coming_slots(ctx.settings, store, now, days, campaigns=campaigns, every_campaign=show_all)
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
                r["local"][:16].replace("T", " ") + " " + zone_abbreviation(r["local"], r["zone"]),
                r["zone"],
                r["campaign"],
                r["slot_state"] or "-",
                ", ".join(f"{n} {s}" for s, n in sorted(r["drafts"].items())) or "-",
            ]
            for r in rows
        ],
        empty=f"no slots in the next {days} days"
        + (
            ""
            if any(c.enabled for c in ctx.settings.campaigns)
            else f" (no enabled campaign in {ctx.config_path})"
        ),
    )
