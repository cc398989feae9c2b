"""The root ``bot`` command: global options, error handling, and the nouns."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from bot.domain.errors import BotError

#: (module, command) pairs; each module under bot.cli defines one click command or group.
COMMANDS = [
    ("init", "init"),
    ("config_cmd", "config"),
    ("db", "db"),
    ("campaigns", "campaigns"),
    ("queue", "queue"),
    ("moderation", "moderation"),
    ("history", "history"),
    ("run", "run"),
    ("holidays", "holidays"),
    ("calendar", "calendar"),
    ("status", "status"),
    ("accounts", "accounts"),
    ("publications", "publications"),
    ("drafts", "drafts"),
    ("model", "model"),
    ("plugins", "plugins"),
]


class BotGroup(click.Group):
    """Loads nouns lazily and turns BotError into a one-line message with exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for _, name in COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, name in COMMANDS:
            if name == cmd_name:
                command = importlib.import_module(f"bot.cli.{module}").command
                assert isinstance(command, click.Command)
                return command
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BotError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=BotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-c",
    "config",
    type=click.Path(dir_okay=False),
    envvar="BOT_CONFIG",
    help="Config file. Default: $BOT_CONFIG, else ./bot.toml.",
)
@click.option("--verbose", "-v", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="bot")
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int) -> None:
    """A social-media posting bot that writes its own posts.

    Campaigns live in a TOML config file; drafts written by a local language model wait in
    an approval queue; approved posts are published to X, Reddit, Mastodon, Bluesky or a
    dry-run outbox.
    """
    from bot.cli.context import Context

    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Context(config)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    try:
        cli.main(prog_name="bot")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
