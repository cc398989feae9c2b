"""``bot run``: the daemon (or one pass of it with --once)."""

from __future__ import annotations

import logging

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json


@click.command("run")
@click.option("--once", is_flag=True, help="Process whatever is due now, then exit.")
@json_option
@pass_ctx
def command(ctx: Context, once: bool, as_json: bool) -> None:
    """Run the daemon: fire due campaigns, draft them, publish approved posts."""
    from bot.daemon import Daemon, run_pass

    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    app = ctx.app
    app.gate  # noqa: B018  build the moderation gate now: a bad checkpoint is an error at start
    if not once:
        Daemon(app).run()
        return
    report = run_pass(app)
    data = {
        "slots": report.slots,
        "drafts": report.drafts,
        "expired": report.expired,
        "failed_slots": report.failed_slots,
        "published": report.publishing.published,
        "retrying": report.publishing.retrying,
        "failed": report.publishing.failed,
        "needs_check": report.publishing.needs_check,
        "deferred": report.publishing.deferred,
    }
    if as_json:
        print_json(data)
        return
    click.echo(
        f"slots {len(report.slots)}, drafts {len(report.drafts)}, expired {len(report.expired)}, "
        f"published {len(report.publishing.published)}, retrying {len(report.publishing.retrying)}, "
        f"failed {len(report.publishing.failed)}, needs check {len(report.publishing.needs_check)}"
    )
    for failure in report.failed_slots:
        click.echo(f"slot failed: {failure}", err=True)
