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
@click.option(
    "--all", "show_all", is_flag=True, help="List every daemon, not only the last few stopped or lost."
)
@click.option(
    "--forget-lost",
    is_flag=True,
    help="Forget the lost daemons (crashed or killed) first; a stuck one comes back at its next heartbeat.",
)
@json_option
@pass_ctx
def command(ctx: Context, n_slots: int, show_all: bool, forget_lost: bool, as_json: bool) -> None:
    """Show the daemons (heartbeats), the next slots and the sizes of the queues.

    Every running daemon is listed, and the last few that stopped or were lost (crashed,
    killed: no heartbeat); a line counts the others (--all lists them, with --json too).
    Daemons stopped or lost for a week are forgotten when a daemon starts; --forget-lost
    forgets the lost ones now.

    A daemon that cannot reach the database says so in its status file
    (`<data_dir>/daemons/<worker>.json`); those of this host are shown under "Reports", even
    when the database itself is down (then the command exits 1 after showing them).
    """
    service = ctx.app.status
    if forget_lost:
        from bot.services.status import forget_lost as forget

        forgotten = forget(ctx.app.store, ctx.app.clock.now())
        if not as_json:
            click.echo(f"forgot {len(forgotten)} lost daemon(s)")
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
        print_json(data if show_all else {**data, "daemons": _bounded(data["daemons"])[0]})
        return
    _print(data, show_all)


#: How many stopped or lost daemons ``bot status`` lists (all running ones are listed).
SHOWN_DOWN = 5


def _bounded(daemons: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the daemons to list: every running one and the last few down, the others)."""
    down = [d for d in daemons if not d["alive"]]
    hidden = {id(d) for d in down[SHOWN_DOWN:]}
    return [d for d in daemons if id(d) not in hidden], [d for d in daemons if id(d) in hidden]


def _print(data: dict[str, Any], show_all: bool = False) -> None:
    daemons, hidden = (data["daemons"], []) if show_all else _bounded(data["daemons"])
    if daemons:
        print_table(
            "Daemons",
            ["worker", "state", "pid", "heartbeat", "age (s)", "note"],
            [
                [d["worker"], d["state"], d["pid"], d["heartbeat_at"], d["heartbeat_age_s"], d["note"]]
                for d in daemons
            ],
        )
        if hidden:
            states = sorted({d["state"] for d in hidden})
            counts = ", ".join(f"{sum(d['state'] == st for d in hidden)} {st}" for st in states)
            click.echo(
                f"... and {len(hidden)} older daemon(s) not listed ({counts}): `bot status --all` lists "
                "them, `bot status --forget-lost` forgets the lost ones"
            )
    else:
        click.echo("no daemon has run on this database")
    print_table(
        "Next slots",
        ["campaign", "utc", "zone"],
        [[s["campaign"], s["utc"], s["zone"]] for s in data["next_slots"]],
        empty="next slots: none (no enabled campaign has a coming slot)",
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
