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
    """Print the settings as JSON, defaults filled in (secrets are never in them)."""
    print_json(ctx.settings.model_dump(mode="json"))
