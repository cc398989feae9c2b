"""``bot run``: the daemon (or one pass of it with --once)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json

if TYPE_CHECKING:
    from bot.daemon.runner import SingleDaemonLock


@click.command("run")
@click.option("--once", is_flag=True, help="Process whatever is due now, then exit.")
@json_option
@pass_ctx
def command(ctx: Context, once: bool, as_json: bool) -> None:
    """Run the daemon: fire due campaigns, draft them, publish approved posts.

    --once starts as the daemon does (refusing a likely campaign rename, then syncing the
    config's campaigns), makes one pass and exits; a brief that does not render fails its own
    slot and the pass goes on.

    Without --once it runs until SIGTERM/SIGINT (the send in flight finishes, unsent claims are
    released); SIGHUP reloads the config (a bad one, including one `bot campaigns sync`
    refuses, is logged and the old one kept). Under
    systemd (Type=notify) it reports READY, WATCHDOG and STOPPING. On SQLite only one daemon
    may run per database; on Postgres several may share it.
    """
    from bot.daemon.runner import Daemon, daemon_app, prepare_one_pass, run_pass
    from bot.wiring import loose_secret_files, missing_credentials

    root = logging.getLogger()
    configured = logging.getLevelName(ctx.settings.bot.log_level.upper())
    level = configured if isinstance(configured, int) else logging.INFO
    root.setLevel(min(root.level, level))
    warnings = loose_secret_files(ctx.settings) + ctx.settings.moderation.warnings()
    for line in warnings + missing_credentials(ctx.settings):
        click.echo(f"warning: {line}", err=True)
    # The daemon's own wiring outlives a database outage (see bot.daemon.runner.daemon_app).
    app = ctx.app if once else daemon_app(ctx.settings)
    daemon: Daemon | None = None
    try:
        # Build the gate and the generator now: a bad checkpoint or a missing model is an error
        # at start, not at the first slot. The model itself loads on first use and stays resident.
        app.gate  # noqa: B018
        app.generator  # noqa: B018
        if app.settings.notify.enabled:
            app.notifying.dispatcher  # noqa: B018 (a missing webhook or SMTP secret: an error now)
        if not once:
            daemon = Daemon(app)
            daemon.run()
            return
    finally:
        if not once:
            # A reload replaced the first wiring (and closed it): close the one in force now,
            # with its platform clients, then the store they shared.
            current = daemon.app if daemon is not None else app
            current.close()
            current.store.close()
    lock = _one_pass_lock(app.settings.database_url)
    try:
        prepare_one_pass(app)  # as a daemon's start: refuse a likely rename, then sync
        report = run_pass(app)
    finally:
        if lock is not None:
            lock.release()
    # One pass and out: the notifications it queued get their full retries before the exit.
    app.stop_notifying(app.settings.notify.longest_send + 1.0, drain=True)
    data = {
        "slots": report.slots,
        "drafts": report.drafts,
        "expired": report.expired,
        "failed_slots": report.failed_slots,
        "published": report.publishing.published,
        "retrying": report.publishing.retrying,
        "failed": report.publishing.failed,
        "stale": report.publishing.stale,
        "needs_check": report.publishing.needs_check,
        "deferred": report.publishing.deferred,
        "notified": report.notified,
    }
    if as_json:
        print_json(data)
        return
    click.echo(
        f"slots {len(report.slots)}, drafts {len(report.drafts)}, expired {len(report.expired)}, "
        f"published {len(report.publishing.published)}, retrying {len(report.publishing.retrying)}, "
        f"failed {len(report.publishing.failed)}, needs check {len(report.publishing.needs_check)}"
        + (f", stale (not sent late) {len(report.publishing.stale)}" if report.publishing.stale else "")
    )
    # Each failed slot is already on stderr: the pass logs it as an error ("slot N of NAME
    # failed: ..."); echoing it again showed it twice on a terminal.


def _one_pass_lock(database_url: str) -> SingleDaemonLock | None:
    """On SQLite, one pass takes the daemon's lock: a running daemon already does this work,
    and a second worker on one SQLite file is what the lock is there to prevent."""
    from bot.daemon.runner import SingleDaemonLock, sqlite_path

    path = sqlite_path(database_url)
    if path is None:
        return None
    lock = SingleDaemonLock(path)
    lock.acquire(one_pass=True)
    return lock
