"""``bot campaigns``: sync the config's campaigns into the store, list them, fire one now."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, plain, print_json, print_table, short
from bot.cli.params import INSTANT
from bot.domain.errors import BotError, ConfigError
from bot.domain.text import for_display


@click.group("campaigns")
def command() -> None:
    """Sync, list and fire campaigns."""


@command.command("sync")
@click.option(
    "--force",
    is_flag=True,
    help="Sync even though a running daemon uses another config file (it undoes this sync "
    "when it reloads its own).",
)
@click.option(
    "--accept-removal",
    is_flag=True,
    help="Sync even though a removed campaign looks renamed: its waiting drafts expire and its "
    "approved posts are cancelled.",
)
@json_option
@pass_ctx
def sync(ctx: Context, force: bool, accept_removal: bool, as_json: bool) -> None:
    """Make the store match the config. Idempotent; removed campaigns are deactivated.

    Nothing is deleted: a removed campaign's open drafts expire ("campaign removed") and the
    queued publications to a removed account fail ("account removed").

    The approved posts of a campaign removed or disabled (`enabled = false`) are stopped: their
    queued publications are cancelled, and a draft with nothing else out goes back to review
    (a disabled campaign's can be approved again once it is enabled). Each is printed with how
    to undo it; publications being sent or waiting for a check are named, not stopped.

    Each campaign's brief and template variables are scored by the moderation gate; a field
    that scores toxic is a warning naming the campaign (the sync still happens).

    A one-off campaign (`when = { at = ... }`) whose time is already past and that never
    fired is refused: it would never fire. So is a template that does not render, or that
    prints a variable empty for its campaign (`{{ product }}` with no products).

    A running daemon reloads its own config file after a sync: when it runs with another file
    than this one, the sync is refused (it would be undone), naming both files; `--force`
    syncs anyway, with a warning.

    A campaign gone from the config while a new one of the same kind has its brief (or a
    similar one, or its schedule and accounts) looks renamed: when the old one has drafts
    waiting or approved posts queued, the sync is refused (exit 1) naming both and what
    would be lost; give it its old name back, or sync with `--accept-removal`.
    """
    from bot.cli.config_cmd import check_templates, refuse_never_firing
    from bot.services.sync import held_lines

    check_templates(ctx)  # a template that does not render is not synced
    refuse_never_firing(ctx, ctx.app.sync.never_firing())
    elsewhere = ctx.app.sync.other_configs()
    if elsewhere and not force:
        raise BotError(
            "not synced: "
            + "; ".join(elsewhere)
            + f". Sync that file instead (bot --config PATH campaigns sync), or restart the daemon with "
            f"{ctx.config_path}; --force syncs anyway"
        )
    for line in elsewhere:
        click.echo(f"warning: {line}", err=True)
    renames = ctx.app.sync.likely_renames()
    if renames and not accept_removal:
        raise BotError("not synced: " + "; ".join(r.message() for r in renames))
    outcome = ctx.app.sync.sync("cli")
    report, warnings = outcome.report, outcome.warnings
    data: dict[str, Any] = {
        "added": list(report.added),
        "updated": list(report.updated),
        "deactivated": list(report.deactivated),
        "unchanged": list(report.unchanged),
    }
    removed: dict[str, list[Any]] = {
        "expired_drafts": list(report.expired_drafts),
        "failed_publications": list(outcome.failed_publications),
        "held_publications": [asdict(h) for h in report.held],
        "in_flight_publications": [asdict(h) for h in report.in_flight],
    }
    for warning in warnings:
        click.echo(f"warning: {warning.message()}", err=True)
    if as_json:
        data["warnings"] = [
            {"campaign": w.campaign, "field": w.field, "text": w.text, "reasons": list(w.reasons)}
            for w in warnings
        ]
        print_json({**data, **removed, "other_configs": elsewhere})
        return
    for key, names in data.items():
        if names:
            click.echo(f"{key}: {', '.join(names)}")
    if removed["expired_drafts"]:
        click.echo(f"drafts expired (campaign removed): {', '.join(map(str, removed['expired_drafts']))}")
    if removed["failed_publications"]:
        ids = ", ".join(map(str, removed["failed_publications"]))
        click.echo(f"publications failed (account removed): {ids}")
    for line in held_lines(report):
        click.echo(for_display(line))
    if not any(data.values()):
        click.echo("no campaigns in the config")


@command.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include deactivated campaigns.")
@json_option
@pass_ctx
def list_(ctx: Context, show_all: bool, as_json: bool) -> None:
    """List the campaigns in the store: trigger, time zone, accounts, approval.

    The coming slots of each campaign: `bot calendar`."""
    from bot.services.queue import QueueView, campaign_json

    rows = [campaign_json(r) for r in QueueView(ctx.reader).campaigns(every_campaign=show_all)]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Campaigns",
        ["name", "kind", "active", "when", "timezone", "accounts", "approval"],
        [
            [
                r["name"],
                r["kind"],
                r["active"],
                short(plain(r["when"]), 50),
                r["timezone"] or f"{ctx.settings.bot.timezone} ([bot])",
                ", ".join(r["accounts"]),
                r["approval"],
            ]
            for r in rows
        ],
        empty="no campaigns in the database"
        + ("" if show_all else " (active ones; --all shows deactivated ones too)")
        + ": add [[campaigns]] to the config and run `bot campaigns sync`",
    )


@command.command("fire")
@click.argument("name")
@click.option("--at", "at", type=INSTANT, default=None, help="Slot instant in UTC (default: now).")
@json_option
@pass_ctx
def fire(ctx: Context, name: str, at: datetime | None, as_json: bool) -> None:
    """Fire campaign NAME now: create its slot and write its drafts (loads the model).

    On a terminal, stderr shows how it goes (loading the model, writing the candidates, checking,
    moderating and ranking them); nothing with --json or when stderr is not a terminal.

    A slot --at a time so far back that its drafts' expiry (the campaign's expiry, else
    [bot] draft_expiry, after the slot) is past says so (--json: "expired": true): they are
    drafted, cannot be approved, and the daemon's next pass expires them. To see what a past
    slot would draft, `bot drafts preview NAME --at` saves nothing.

    A holiday campaign fired on a day that is neither its slot's nor its holiday's (a New
    Year greeting in December) is drafted all the same, with a warning naming the holiday and
    its next slot (--json: "out_of_season", the warning, else null). A disabled campaign
    (enabled = false) is not fired: its drafts could not be approved."""
    from bot.adapters.generation.progress import for_terminal
    from bot.services.firing import off_season

    spec = ctx.settings.named_campaign(name)
    if not spec.enabled:  # its drafts could not be approved: no model run for nothing
        raise ConfigError(
            f"campaign {name!r} is disabled (enabled = false in {ctx.config_path}): its drafts could "
            "not be approved. Enable it and run `bot campaigns sync` first; `bot drafts preview "
            f"{name}` shows what it would draft without saving anything"
        )
    app = ctx.app
    app.progress = for_terminal(None if not as_json else False)  # a bar on a terminal's stderr
    fired = app.firing.fire(name, at.replace(tzinfo=UTC) if at else None, "cli")
    note = app.store.get_slot(fired.slot.id).error  # such as why the model did not write
    expires = fired.slot.slot_at + (spec.expiry or ctx.settings.bot.draft_expiry)
    expired = bool(fired.drafts) and expires <= app.clock.now()
    season = off_season(ctx.settings, name, fired.slot.slot_at)
    when = f"--at {fired.slot.slot_at:%Y-%m-%d %H:%M}" if at else "now"
    if as_json:
        print_json(
            {
                "slot": fired.slot.id,
                "drafts": list(fired.drafts),
                "note": note,
                "expired": expired,
                "out_of_season": season.message(when) if season else None,
            }
        )
        return
    if season:
        click.echo(f"warning: {season.message(when)}", err=True)
    if expired:
        click.echo(
            f"warning: these drafts are already past their expiry ({expires:%Y-%m-%d %H:%M} UTC, the "
            "slot's time plus the draft expiry): they cannot be approved, and the daemon expires them "
            "at its next pass",
            err=True,
        )
    click.echo(
        f"slot {fired.slot.id} at {fired.slot.slot_at:%Y-%m-%d %H:%M} UTC: "
        f"draft ids: {', '.join(map(str, fired.drafts)) or 'none'}"
    )
    if note:
        click.echo(for_display(note))
