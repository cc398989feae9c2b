"""The root ``bot`` command: global options, error handling, and the nouns."""

from __future__ import annotations

import importlib
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

#: Each command's one-line help, so ``bot --help`` imports none of the command modules
#: (tests/cli/test_main.py checks they match the commands' own help).
SUMMARIES = {
    "init": "Write a starter config (the commented example) and create its data directory.",
    "config": "Validate and show the configuration.",
    "db": "Create or migrate the database (SQLite by default, Postgres in production).",
    "campaigns": "Sync, list and fire campaigns.",
    "queue": "The approval queue.",
    "moderation": "The toxicity gate: check texts, see the scorers and thresholds in force.",
    "history": "Show the event log: every state change, who made it, when and why.",
    "run": "Run the daemon: fire due campaigns, draft them, publish approved posts.",
    "holidays": "Public holidays (the `holidays` package) that `when = { holiday = ...",
    "calendar": "The coming slots of every campaign (from the config), soonest first.",
    "status": "Show the daemons (heartbeats), the next slots and the sizes of the queues.",
    "accounts": "Accounts posts go to (configured in [[accounts]]).",
    "publications": "Publications: one approved draft going to one account.",
    "drafts": "Preview the drafts of a campaign.",
    "model": "The language model that writes the drafts.",
    "plugins": "List the installed plugins: platforms, generator backends and moderation scorers.",
}


class BotGroup(click.Group):
    """Loads nouns lazily and turns BotError into a one-line message with exit status 1."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            summary = SUMMARIES.get(name)
            if summary is None:  # a command without a summary: import it for its help
                command = self.get_command(ctx, name)
                summary = command.get_short_help_str(1000) if command else ""
            rows.append((name, click.utils.make_default_short_help(summary, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
    import logging

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
