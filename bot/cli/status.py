"""``bot status``: the daemons' heartbeats, the next slots and the queue sizes."""

from __future__ import annotations

from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table
from bot.domain.errors import StoreUnavailable
from bot.domain.text import for_display


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
    """Show the daemons (heartbeats), the next slots and the sizes of the queues.

    A daemon that cannot reach the database says so in its status file
    (`<data_dir>/daemons/<worker>.json`); those of this host are shown under "Reports", even
    when the database itself is down (then the command exits 1 after showing them).
    """
    service = ctx.app.status
    try:  # the database may be down: the daemons' own reports are still worth showing
        data = service.status(n_slots)
    except StoreUnavailable as exc:
        reports = service.reports()
        if as_json:
            print_json({"now": ctx.app.clock.now(), "database": str(exc), "reports": reports})
        else:
            _print_reports(reports)
        raise
    if as_json:
        print_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    daemons = data["daemons"]
    if daemons:
        print_table(
            "Daemons",
            ["worker", "state", "pid", "heartbeat", "age (s)", "note"],
            [
                [d["worker"], d["state"], d["pid"], d["heartbeat_at"], d["heartbeat_age_s"], d["note"]]
                for d in daemons
            ],
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
        click.echo(for_display(f"paused account {account}: {reason}"))
    for daemon in daemons:
        outage = daemon.get("last_outage")
        if outage:
            click.echo(
                f"daemon {daemon['worker']}: database unavailable from {outage['since']} to "
                f"{outage['until']} ({outage['seconds']} s, {outage['retries']} retries)"
            )
    _print_reports(data["reports"])


def _print_reports(reports: list[dict[str, Any]]) -> None:
    """What the daemons of this host say in their status files (an outage in progress)."""
    for report in reports:
        since = report.get("database_unavailable_since")
        if since:
            click.echo(
                f"daemon {report['worker']} (pid {report['pid']}) reports the database unavailable "
                f"since {since} ({report.get('retries', 0)} retries, "
                f"{report.get('kept_outcomes', 0)} outcome(s) kept to record): {report.get('database_error')}"
            )
