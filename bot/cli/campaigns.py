"""``bot campaigns``: sync the config's campaigns into the store, list them, fire one now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table, short
from bot.cli.params import INSTANT


@click.group("campaigns")
def command() -> None:
    """Sync, list and fire campaigns."""


@command.command("sync")
@json_option
@pass_ctx
def sync(ctx: Context, as_json: bool) -> None:
    """Make the store match the config. Idempotent; removed campaigns are deactivated.

    Each campaign's brief and template variables are scored by the moderation gate; a field
    that scores toxic is a warning naming the campaign (the sync still happens).
    """
    from bot.cli.config_cmd import check_templates

    check_templates(ctx)  # a template that does not render is not synced
    outcome = ctx.app.sync.sync("cli")
    report, warnings = outcome.report, outcome.warnings
    data: dict[str, Any] = {
        "added": list(report.added),
        "updated": list(report.updated),
        "deactivated": list(report.deactivated),
        "unchanged": list(report.unchanged),
    }
    for warning in warnings:
        click.echo(f"warning: {warning.message()}", err=True)
    if as_json:
        data["warnings"] = [
            {"campaign": w.campaign, "field": w.field, "text": w.text, "reasons": list(w.reasons)}
            for w in warnings
        ]
        print_json(data)
        return
    for key, names in data.items():
        if names:
            click.echo(f"{key}: {', '.join(names)}")
    if not any(data.values()):
        click.echo("no campaigns in the config")


@command.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include deactivated campaigns.")
@json_option
@pass_ctx
def list_(ctx: Context, show_all: bool, as_json: bool) -> None:
    """List the campaigns in the store with their trigger and next firing."""
    app = ctx.app
    records = app.store.list_campaigns(active_only=not show_all)
    rows = [_row(r.name, r.kind.value, r.active, r.spec) for r in records]
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
                short(str(r["when"]), 50),
                r["timezone"] or "-",
                ", ".join(r["accounts"]),
                r["approval"],
            ]
            for r in rows
        ],
    )


def _row(name: str, kind: str, active: bool, spec: dict) -> dict:  # type: ignore[type-arg]
    return {
        "name": name,
        "kind": kind,
        "active": active,
        "when": spec.get("when"),
        "timezone": spec.get("timezone"),
        "accounts": spec.get("accounts", []),
        "approval": spec.get("approval"),
        "language": spec.get("language"),
    }


@command.command("fire")
@click.argument("name")
@click.option("--at", "at", type=INSTANT, default=None, help="Slot instant in UTC (default: now).")
@json_option
@pass_ctx
def fire(ctx: Context, name: str, at: datetime | None, as_json: bool) -> None:
    """Fire campaign NAME now: create its slot and write its drafts (loads the model)."""
    app = ctx.app
    try:
        app.settings.campaign(name)
    except KeyError:
        raise click.ClickException(f"no campaign named {name!r} in {ctx.config_path}") from None
    record = app.store.get_campaign(name)
    instant = at.replace(tzinfo=UTC) if at else app.clock.now().replace(microsecond=0)
    slot = app.store.create_slot(record.id, instant, app.clock.now(), "cli")
    if slot is None:
        raise click.ClickException(f"campaign {name} already has a slot at {instant.isoformat()}")
    ids = app.drafting.draft_slot(slot)
    if as_json:
        print_json({"slot": slot.id, "drafts": ids})
    else:
        click.echo(f"slot {slot.id} at {instant:%Y-%m-%d %H:%M} UTC: drafts {', '.join(map(str, ids))}")
