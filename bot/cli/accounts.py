"""``bot accounts``: the configured accounts, their credentials and limits, and pauses.

``list`` never contacts a platform (and never shows a secret, only whether it is set);
``check`` logs in to each platform and reports what it says about the account and its limits.
"""

from __future__ import annotations

from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, plain, print_json, print_table
from bot.cli.params import reviewer_name, reviewer_option
from bot.domain.errors import ConfigError, NotFound, PublishAuthError, PublishError
from bot.domain.text import for_display


@click.group("accounts")
def command() -> None:
    """Accounts posts go to (configured in [[accounts]])."""


@command.command("list")
@json_option
@pass_ctx
def list_(ctx: Context, as_json: bool) -> None:
    """List accounts: platform, limits, whether credentials are set, pauses."""
    from bot.services.accounts import account_rows
    from bot.wiring import credentials_present

    rows = account_rows(ctx.settings, ctx.app.store, ctx.app.clock.now(), credentials_present)
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("no accounts configured")
        return
    print_table(
        "Accounts",
        ["name", "platform", "credentials", "daily cap", "24h", "paused"],
        [
            [
                r["name"],
                r["platform"],
                _creds(r["credentials"]),
                r["daily_cap"],
                r["published_24h"],
                r["paused"],
            ]
            for r in rows
        ],
    )


def _creds(present: dict[str, Any]) -> str:
    if not present:
        return "none needed"
    if "error" in present:  # a credential that cannot be used (trailing whitespace, ...): say why
        return f"unusable: {present['error']}"
    missing = [name for name, ok in present.items() if ok is not True]
    return "set" if not missing else "missing: " + ", ".join(missing)


def check_account(ctx: Context, name: str) -> dict[str, Any]:
    """Log in to the account's platform; never raises for the account's own problems."""
    account = ctx.settings.account(name)
    result: dict[str, Any] = {"name": name, "platform": account.platform, "ok": False}
    try:
        info = ctx.app.publisher(name).check_credentials()
    except ConfigError as exc:
        result.update(status="misconfigured", error=str(exc))
    except PublishAuthError as exc:
        result.update(status="rejected", error=str(exc))
    except PublishError as exc:
        result.update(status="unreachable", error=str(exc))
    else:
        result.update(ok=True, status="ok", **info)
    return result


def _detail(result: dict[str, Any]) -> str:
    """What a check found, in words: the user and the limits the platform reported, or the error."""
    if not result["ok"]:
        return str(result.get("error", ""))
    parts = [f"as {result['user']}"] if result.get("user") else []
    limits = plain(result.get("limits") or {})
    if limits != "-":
        parts.append(f"limits: {limits}")
    return "; ".join(parts)


@command.command("check")
@click.argument("name", required=False)
@json_option
@pass_ctx
def check(ctx: Context, name: str | None, as_json: bool) -> None:
    """Verify credentials against each platform (or only NAME); exit 1 if any fails."""
    names = [name] if name else [a.name for a in ctx.settings.accounts]
    if name and name not in {a.name for a in ctx.settings.accounts}:
        raise NotFound(f"no account named {name!r} in {ctx.config_path}")
    results = [check_account(ctx, n) for n in names]
    if as_json:
        print_json(results)
    elif not results:
        click.echo(f"no accounts configured in {ctx.config_path}: nothing to check")
    else:
        for r in results:
            click.echo(for_display(f"{r['name']} ({r['platform']}): {r['status']} {_detail(r)}".rstrip()))
    if not all(r["ok"] for r in results):
        click.get_current_context().exit(1)


@command.command("resume")
@click.argument("name")
@reviewer_option
@pass_ctx
def resume(ctx: Context, name: str, reviewer: str | None) -> None:
    """Unpause an account paused after its credentials were rejected (fix them first).

    When the config lists reviewers ([[web.reviewers]]), only an admin may, named with --as
    (as on the web page). The event log records who resumed it (`bot history`)."""
    from bot.services.accounts import resume_account

    if name not in {a.name for a in ctx.settings.accounts}:
        raise NotFound(f"no account named {name!r} in {ctx.config_path}")
    resume_account(ctx.settings, ctx.app.store, name, ctx.app.clock.now(), reviewer_name(reviewer))
    click.echo(f"account {name}: resumed")
