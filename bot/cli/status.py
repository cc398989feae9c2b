"""``bot status``: the daemons' heartbeats, the next slots and the queue sizes."""

from __future__ import annotations

from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table


@click.command("status")
@click.option(
    "--slots",
    "n_slots",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="How many upcoming slots to show.",
)
@json_option
@pass_ctx
def command(ctx: Context, n_slots: int, as_json: bool) -> None:
    """Show the daemons (heartbeats), the next slots and the sizes of the queues."""
    data = ctx.app.status.status(n_slots)
    if as_json:
        print_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    daemons = data["daemons"]
    if daemons:
        print_table(
            "Daemons",
            ["worker", "state", "pid", "heartbeat", "age (s)"],
            [[d["worker"], d["state"], d["pid"], d["heartbeat_at"], d["heartbeat_age_s"]] for d in daemons],
        )
    else:
        click.echo("no daemon has run on this database")
    print_table(
        "Next slots",
        ["campaign", "utc", "zone"],
        [[s["campaign"], s["utc"], s["zone"]] for s in data["next_slots"]],
    )
    for queue, counts in data["queues"].items():
        click.echo(f"{queue}: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    for account, reason in sorted(data["paused_accounts"].items()):
        click.echo(f"paused account {account}: {reason}")
