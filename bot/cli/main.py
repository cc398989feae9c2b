"""The root ``bot`` command: global options, error handling, and the nouns."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

#: Exit status of an unexpected error (EX_SOFTWARE): a bug to report, not a user mistake.
EXIT_INTERNAL = 70
#: Exit status after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: Exit status when the reader of our output went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141

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
    ("notify", "notify"),
    ("web", "web"),
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
    "notify": "Notifications the daemon sends (see [notify]): check the channels.",
    "web": "The review page: a small web server for approving drafts from a phone.",
}


class BotGroup(click.Group):
    """Loads nouns lazily and turns BotError into a one-line message with exit status 1."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows: list[tuple[str, str]] = []
        for name in names:
            summary = SUMMARIES.get(name)
            if summary is None:  # a command without a summary: import it for its help
                found = self.get_command(ctx, name)
                summary = found.get_short_help_str(1000) if found else ""
            rows.append((name, _shorten(summary, limit)))
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
        # imported here, not at the top: `bot --help` never gets this far and stays light
        from bot.domain.errors import BotError
        from bot.domain.text import for_display

        try:
            return super().invoke(ctx)
        except BotError as exc:
            raise click.ClickException(for_display(str(exc))) from None
        except KeyboardInterrupt:
            raise SystemExit(_interrupted()) from None
        except click.Abort as exc:
            # click turns Ctrl-C at a prompt into Abort ("Aborted!", exit 1); EOF stays so
            if isinstance(exc.__context__, KeyboardInterrupt):
                raise SystemExit(_interrupted()) from None
            raise
        except (click.exceptions.Exit, click.ClickException):
            raise
        except BrokenPipeError:
            raise SystemExit(_closed_pipe()) from None
        except Exception as exc:
            if _debug(ctx):
                raise
            raise SystemExit(_last_resort(exc)) from None


def _shorten(text: str, limit: int) -> str:
    """Click's way: whole words, and "..." when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _interrupted() -> int:
    """Ctrl-C: one word on its own line (the terminal's ^C left the cursor mid-line), exit
    130 (128 + SIGINT, as a shell reports it). Whatever was committed stays; nothing half-done
    does (every change is one transaction)."""
    click.echo("\ninterrupted", err=True)
    return EXIT_INTERRUPTED


def _closed_pipe() -> int:
    """The reader went away (``bot history | head``): stop quietly, as ``cat`` would."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's last flush does not complain
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_BROKEN_PIPE


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get("BOT_DEBUG", "") not in ("", "0")


def _last_resort(exc: Exception) -> int:
    """A bug, not a user mistake: one line on stderr, the traceback in a log file. Exit 70."""
    from bot.domain.text import for_display

    where = crash_log(exc)
    detail = for_display(f"{type(exc).__name__}: {exc}", keep_newlines=False)[:300]
    hint = f"details in {where}" if where else "run again with --debug for details"
    click.echo(f"Error: unexpected error ({detail}); {hint}. Please report it.", err=True)
    return EXIT_INTERNAL


def crash_log(exc: BaseException) -> str | None:
    """Append the traceback to ``$BOT_CRASH_LOG`` (default: ``bot-crash.log`` in the user's
    state directory) and return its path; None if it cannot be written."""
    import traceback
    from pathlib import Path

    default = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "bot"
    path = Path(os.environ.get("BOT_CRASH_LOG") or default / "bot-crash.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"--- bot {' '.join(sys.argv[1:])[:500]!r}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return str(path)


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
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors (or set BOT_DEBUG=1).")
@click.version_option(package_name="bot")
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int, debug: bool) -> None:
    """A social-media posting bot that writes its own posts.

    Campaigns live in a TOML config file; drafts written by a local language model wait in
    an approval queue; approved posts are published to X, Reddit, Mastodon, Bluesky or a
    dry-run outbox.
    """
    import logging

    from bot.adapters.redaction import setup_logging
    from bot.cli.context import Context

    if config == "" and ctx.get_parameter_source("config") is click.core.ParameterSource.COMMANDLINE:
        # `-c "$UNSET_VARIABLE"`: not ./bot.toml behind the user's back
        raise click.BadParameter("is empty: give the config file's path", param_hint="'--config'")

    # Secrets are masked in every record and the loggers that write credentials at DEBUG
    # (oauthlib under tweepy) stay at WARNING, even with -vv (see bot.adapters.redaction).
    setup_logging(max(logging.WARNING - 10 * verbose, logging.DEBUG))
    ctx.obj = Context(config)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    try:
        cli.main(prog_name="bot")
    except KeyboardInterrupt:
        sys.exit(_interrupted())
    except BrokenPipeError:
        sys.exit(_closed_pipe())
    except SystemExit as exc:  # click's own EPIPE handling (``bot --help | head``) exits 1
        if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            sys.exit(EXIT_BROKEN_PIPE)
        raise
    except Exception as exc:  # outside a command (parsing, closing): still no traceback
        if os.environ.get("BOT_DEBUG", "") not in ("", "0"):
            raise
        sys.exit(_last_resort(exc))
