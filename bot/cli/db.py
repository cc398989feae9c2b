"""``bot db``: create or migrate the database."""

from __future__ import annotations

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json


@click.group("db")
def command() -> None:
    """Create or migrate the database (SQLite by default, Postgres in production)."""


@command.command("upgrade")
@click.argument("revision", default="head")
@pass_ctx
def upgrade(ctx: Context, revision: str) -> None:
    """Migrate the database to REVISION (default: the newest). It never downgrades: a
    database already past REVISION is left as it is, and that is an error naming both."""
    from bot.adapters.store import engine
    from bot.domain.errors import BotError

    url = ctx.settings.database_url
    engine.upgrade(url, revision)
    eng = engine.make_engine(url)
    try:
        now_at = engine.current_revision(eng)
    finally:
        eng.dispose()  # its pooled connection closed now, not left to the garbage collector
    shown = eng.url.render_as_string()
    if revision not in ("head", now_at):
        raise BotError(
            f"the database is at revision {now_at}, not {revision}: `bot db upgrade` does not "
            f"downgrade ({shown})"
        )
    click.echo(f"database at {now_at}: {shown}")


@command.command("current")
@json_option
@pass_ctx
def current(ctx: Context, as_json: bool) -> None:
    """Show the database's schema revision and the one this version expects."""
    from bot.adapters.store import engine

    eng = engine.make_engine(ctx.settings.database_url)
    try:
        revision = engine.current_revision(eng)
    finally:
        eng.dispose()
    data = {"url": eng.url.render_as_string(), "revision": revision, "expected": engine.SCHEMA_REVISION}
    if as_json:
        print_json(data)
    else:
        click.echo(f"{data['url']}: revision {data['revision']} (this version expects {data['expected']})")
