"""``bot config``: validate and show the configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json

if TYPE_CHECKING:
    from bot.config.settings import Settings


@click.group("config")
def command() -> None:
    """Validate and show the configuration."""


@command.command("check")
@json_option
@pass_ctx
def check(ctx: Context, as_json: bool) -> None:
    """Validate the config file; exit 0 if it is good, 1 with the problems if not.

    Every template (briefs, curated templates, Reddit titles, alt texts) is also rendered once
    with sample variables under the template bounds; one that prints a variable which is empty
    for its campaign ({{ product }} with no products, {{ holiday }} in a campaign that
    is not a holiday's) is an error too. Every campaign's pictures are read: a
    missing file, a picture that cannot be read or a missing alt text names the campaign and
    the file. A one-off campaign whose time is already past is an error unless the database
    shows it fired (or will still be caught up): it would never fire. What every campaign feeds
    into its posts (brief, variables, products, hashtags, alt texts) is scored by the moderation
    gate: a field that scores toxic is a warning (as at sync), not an error. So is a secrets
    file (a secrets_file, or a file in a secrets_dir) that its group or others can read.
    A secrets_file that does not exist, is a directory or has a line that is not NAME=value is
    an error naming it by its path (relative paths are relative to the config file); a missing
    secrets_dir is a warning (systemd makes its credentials directory only while the service
    runs). An account whose credentials are not all set (in the environment, its secrets_file
    or secrets_dir, as `bot accounts check` looks them up) is a warning naming what is missing
    and where it may go, never a value. A [notify] channel whose secret is not set is an
    error (the daemon would not start), a warning while its secrets_dir does not exist. The
    database URL in effect is checked too, and printed with where it comes from: a relative
    SQLite file is relative to the config file, wherever the command runs.

    With --json: one object, {"config", "ok", "problems", "warnings", "campaigns",
    "accounts", "database", "database_from"}, also when the file cannot be loaded (exit 1 then
    too, and the database keys are null).
    """
    from bot.domain.errors import ConfigError

    try:
        problems, warnings = _problems(ctx)
    except ConfigError as exc:  # the file does not load: that is the one problem
        if not as_json:
            raise
        problems, warnings = [("", [str(exc)])], []
    loaded = "settings" in ctx.__dict__
    if as_json:
        print_json(
            {
                "config": str(ctx.config_path),
                "ok": not problems,
                "problems": [f"{h}: {line}" if h else line for h, lines in problems for line in lines],
                "warnings": warnings,
                "campaigns": len(ctx.settings.campaigns) if loaded else None,
                "accounts": len(ctx.settings.accounts) if loaded else None,
                **_database_keys(ctx, loaded),
            }
        )
        if problems:
            raise SystemExit(1)
        return
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    if problems:
        sections = (f"{ctx.config_path}: {h}:\n  " + "\n  ".join(lines) for h, lines in problems)
        raise ConfigError("\n".join(sections))
    settings = ctx.settings
    click.echo(
        f"{ctx.config_path}: ok ({len(settings.campaigns)} campaigns, {len(settings.accounts)} accounts)"
    )
    database = _database_keys(ctx, True)
    click.echo(f"database: {database['database']} (from: {database['database_from']})")


def _database_keys(ctx: Context, loaded: bool) -> dict[str, str | None]:
    """The database in effect (password hidden; a SQLite file as its absolute path) and where
    its URL comes from; None for both when the config did not load or its URL is bad."""
    from bot.adapters.store.engine import redact_url
    from bot.domain.errors import ConfigError

    try:
        url = ctx.settings.database_url if loaded else None
    except ConfigError:
        url = None
    if url is None:
        return {"database": None, "database_from": None}
    return {"database": redact_url(url), "database_from": database_source(ctx.settings)}


def database_source(settings: Settings) -> str:
    """Where the database URL in effect comes from: the environment, the config or the default."""
    import os

    if os.environ.get("BOT_DATABASE_URL"):
        return "environment ($BOT_DATABASE_URL)"
    if settings.bot.database_url:
        return "config"
    return "default (SQLite in data_dir)"


def _problems(ctx: Context) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(problems as (heading, lines), warnings) of the whole config. ConfigError if it does not
    load (TOML, schema, the database URL)."""
    from bot.services.briefs import score_campaigns
    from bot.wiring import (
        loose_secret_files,
        missing_credentials,
        notify_secret_problems,
        secret_file_problems,
    )

    settings = ctx.settings
    settings.database_url  # noqa: B018 (a bad URL or a missing folder of its file: ConfigError)
    problems = [*template_sections(ctx), ("campaigns that would never fire", _never_firing(ctx))]
    problems.append(("data directory", _data_dir_problems(settings)))
    model_path = settings.model.path
    if model_path is not None and not model_path.exists():
        problems.append(("model", [f"model.path = {str(model_path)!r}: no such file or directory"]))
    secrets, warnings = secret_file_problems(settings)
    problems.append(("secrets files that cannot be read", secrets))
    warnings += [warning.message() for warning in score_campaigns(ctx.app.gate, settings.campaigns)]
    warnings += loose_secret_files(settings) + loose_secret_files(settings, web=True)
    if not secrets:  # a secrets file that cannot be read is a problem already
        warnings += missing_credentials(settings)
        notify, later = notify_secret_problems(settings)
        problems.append(("notifications that cannot be sent", notify))
        warnings += later
    warnings += settings.moderation.warnings()
    warnings += _zone_warnings(settings)
    return [(heading, lines) for heading, lines in problems if lines], warnings


def _data_dir_problems(settings: Settings) -> list[str]:
    """The data directory must be writable, or creatable where it is missing: tried with a
    temporary folder in it (or in its nearest existing parent), removed at once."""
    import tempfile

    path = settings.data_dir
    nearest = next((p for p in (path, *path.parents) if p.exists()), path)
    try:
        tempfile.TemporaryDirectory(dir=nearest, prefix=".bot-check-").cleanup()
    except OSError as exc:
        why = exc.strerror or exc
        return [f"bot.data_dir = {str(settings.bot.data_dir)!r}: cannot write in {nearest}: {why}"]
    return []


def _zone_warnings(settings: Settings) -> list[str]:
    """A warning for each zone that keeps one offset all year where its places change their
    clocks (``EST`` is UTC-5 in July too)."""
    from bot.config.zones import fixed_offset_warning

    zones = [("bot.timezone", settings.bot.timezone), ("notify.timezone", settings.notify.timezone)]
    zones += [(f"campaigns[{i}] ({c.name}).timezone", c.timezone) for i, c in enumerate(settings.campaigns)]
    found = ((where, zone, fixed_offset_warning(zone)) for where, zone in zones if zone)
    return [f"{where} = {zone!r}: {warning}" for where, zone, warning in found if warning]


def check_templates(ctx: Context) -> None:
    """Templates that do not render, then pictures that cannot be used: a ConfigError listing them."""
    from bot.services.templates import refuse_sections

    refuse_sections(ctx.config_path, template_sections(ctx))


def template_sections(ctx: Context) -> list[tuple[str, list[str]]]:
    """(heading, problems) of the templates, then of the pictures (empty lists when fine)."""
    from datetime import UTC, datetime

    from bot.services import templates

    now = datetime.now(UTC)

    def pictures() -> list[str]:
        from bot.services.media import media_problems

        app = ctx.app
        return media_problems(ctx.settings, app.media.fitter, now, app.campaign_context)

    return templates.template_sections(ctx.settings, now, pictures)


def refuse_never_firing(ctx: Context, problems: list[str]) -> None:
    """Exit 1 naming the one-off campaigns that are past and would never fire."""
    from bot.domain.errors import ConfigError

    if problems:
        raise ConfigError(f"{ctx.config_path}: campaigns that would never fire:\n  " + "\n  ".join(problems))


def _never_firing(ctx: Context) -> list[str]:
    """:func:`~bot.services.sync.never_firing` against the database when it exists (a check
    creates no database file), else as if nothing was ever synced."""
    from bot.config.triggers import DateTrigger
    from bot.domain.errors import BotError
    from bot.services.sync import never_firing

    settings, now = ctx.settings, ctx.app.clock.now()
    if not any(isinstance(c.when, DateTrigger) for c in settings.campaigns):
        return []
    if never_firing(settings, None, now) and _database_exists(settings.database_url):
        try:
            return ctx.app.sync.never_firing()
        except BotError:
            pass  # unreadable: said by every command that needs it; judged as never synced here
    return never_firing(settings, None, now)


def _database_exists(url: str) -> bool:
    from pathlib import Path
    from urllib.parse import unquote

    if not url.startswith("sqlite:"):
        return True
    path = unquote(url.removeprefix("sqlite:///").split("?")[0])
    return bool(path) and path != ":memory:" and Path(path).is_file()


@command.command("show")
@json_option
@pass_ctx
def show(ctx: Context, as_json: bool) -> None:
    """Print the settings as JSON, defaults filled in (secrets are never in them). The output
    is always JSON; --json is accepted, as on every listing and show.

    bot.database_url is the database in effect (password masked) and
    bot.database_url_from says where it comes from: $BOT_DATABASE_URL, the config, or the
    default SQLite file in the data directory. moderation.in_force names what each scorer
    judges with: the word lists, the semantic model file (the config's, the one accepted with
    `bot moderation train --accept`, or the shipped one) with its model and training-data
    sha256 (audit records name their first 12 digits), detoxify's checkpoint."""
    from bot.adapters.moderation.factory import in_force
    from bot.adapters.store.engine import redact_url

    settings = ctx.settings
    shown = settings.model_dump(mode="json")
    shown["bot"]["database_url"] = redact_url(settings.database_url)
    shown["bot"]["database_url_from"] = database_source(settings)
    base = settings.source.parent if settings.source else None
    shown["moderation"]["in_force"] = in_force(settings.moderation, base, settings.data_dir)
    print_json(shown)
