"""``bot notify``: the notification channels of ``[notify]``."""

from __future__ import annotations

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json
from bot.domain.text import for_display


@click.group("notify")
def command() -> None:
    """Notifications the daemon sends (see [notify]): check the channels.

    The daemon sends a digest of the drafts waiting for review (at most one every
    notify_every), and alerts for publications that need a check or failed and for paused
    accounts; nothing in quiet_hours."""


@command.command("test")
@json_option
@pass_ctx
def test(ctx: Context, as_json: bool) -> None:
    """Send a test message through every configured channel and say what each did.

    Each channel gets its retries, as the daemon gives them. Exits 1 if one failed (the reason
    is printed; a webhook's URL and the SMTP password never are)."""
    from bot.adapters.clock import clock_from_env
    from bot.adapters.notify import build_channels
    from bot.adapters.notify.dispatch import deliver
    from bot.domain.errors import ConfigError
    from bot.services.notifying import test_message
    from bot.wiring import web_url

    settings = ctx.settings
    if not settings.notify.enabled:
        raise ConfigError(
            f"{settings.source}: no notification channel: add [notify.webhook] or [notify.email] "
            "(see config.example.toml)"
        )
    base = settings.source.parent if settings.source else None
    message = test_message(clock_from_env().now(), web_url(settings))
    results = [deliver(channel, message) for channel in build_channels(settings.notify, base)]
    if as_json:
        print_json(
            [
                {"channel": r.channel, "ok": r.ok, "attempts": r.attempts, "error": r.error or None}
                for r in results
            ]
        )
    else:
        for r in results:
            line = (
                f"{r.channel}: sent" if r.ok else f"{r.channel}: FAILED after {r.attempts} tries: {r.error}"
            )
            click.echo(for_display(line))
    if not all(r.ok for r in results):
        raise SystemExit(1)
