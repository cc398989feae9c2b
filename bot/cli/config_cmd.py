"""``bot config``: validate and show the configuration."""

from __future__ import annotations

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import print_json


@click.group("config")
def command() -> None:
    """Validate and show the configuration."""


@command.command("check")
@pass_ctx
def check(ctx: Context) -> None:
    """Validate the config file; exit 0 if it is good, 1 with the problems if not.

    Every template (briefs, curated templates, Reddit titles) is also rendered once with sample
    variables under the template bounds.
    """
    settings = ctx.settings
    check_templates(ctx)
    click.echo(
        f"{ctx.config_path}: ok ({len(settings.campaigns)} campaigns, {len(settings.accounts)} accounts)"
    )


def check_templates(ctx: Context) -> None:
    from datetime import UTC, datetime

    from bot.domain.errors import ConfigError
    from bot.services.templates import template_problems

    problems = template_problems(ctx.settings, datetime.now(UTC))
    if problems:
        raise ConfigError(f"{ctx.config_path}: templates that do not render:\n  " + "\n  ".join(problems))


@command.command("show")
@pass_ctx
def show(ctx: Context) -> None:
    """Print the settings as JSON, defaults filled in (secrets are never in them).

    ``bot.database_url`` is the database in effect (password masked) and
    ``bot.database_url_from`` says where it comes from: $BOT_DATABASE_URL, the config, or the
    default SQLite file in the data directory."""
    import os

    from bot.adapters.store.engine import redact_url

    settings = ctx.settings
    shown = settings.model_dump(mode="json")
    if os.environ.get("BOT_DATABASE_URL"):
        source = "environment ($BOT_DATABASE_URL)"
    elif settings.bot.database_url:
        source = "config"
    else:
        source = "default (SQLite in data_dir)"
    shown["bot"]["database_url"] = redact_url(settings.database_url)
    shown["bot"]["database_url_from"] = source
    print_json(shown)
