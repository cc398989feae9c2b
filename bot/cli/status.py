"""``bot status``: the daemons' heartbeats, the next slots and the queue sizes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table
from bot.domain.errors import StoreUnavailable
from bot.domain.text import for_display

#: A daemon counts as alive while its heartbeat is younger than this many poll intervals.
ALIVE_FACTOR = 3


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
    (``<data_dir>/daemons/<worker>.json``); those of this host are shown under "Reports", even
    when the database itself is down (then the command exits 1 after showing them).
    """
    from bot.daemon import statusfile

    app = ctx.app
    now = app.clock.now()
    reports = statusfile.read_live(ctx.settings.data_dir)
    try:
        data = {
            "now": now,
            "daemons": [_daemon(d, now) for d in app.store.list_daemons()],
            "next_slots": _next_slots(ctx, now, n_slots),
            "queues": app.store.queue_sizes(),
            "paused_accounts": app.store.paused_accounts(),
            "reports": reports,
        }
    except StoreUnavailable as exc:
        if as_json:
            print_json({"now": now, "database": str(exc), "reports": reports})
        else:
            _print_reports(reports)
        raise
    if as_json:
        print_json(data)
        return
    _print(data)


def _daemon(info: Any, now: datetime) -> dict[str, Any]:
    poll = float(info.details.get("poll_interval_s") or 10.0)
    age = (now - info.heartbeat_at).total_seconds()
    alive = info.state != "stopped" and age <= ALIVE_FACTOR * max(poll, 5.0) + 5.0
    return {
        "worker": info.worker_id,
        "host": info.host,
        "pid": info.pid,
        "state": info.state if alive or info.state == "stopped" else "lost",
        "alive": alive,
        "started_at": info.started_at,
        "heartbeat_at": info.heartbeat_at,
        "heartbeat_age_s": round(age, 1),
        "config": info.details.get("config"),
        "last_outage": info.details.get("last_outage"),
    }


def _next_slots(ctx: Context, now: datetime, limit: int) -> list[dict[str, Any]]:
    upcoming: list[dict[str, Any]] = []
    for campaign in ctx.settings.campaigns:
        if not campaign.enabled:
            continue
        zone = ctx.settings.zone_of(campaign)
        at = campaign.when.next_after(now, zone)
        if at is not None:
            upcoming.append({"campaign": campaign.name, "utc": at, "zone": zone})
    upcoming.sort(key=lambda item: item["utc"])
    return upcoming[:limit]


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
