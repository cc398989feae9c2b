"""``bot init``: write a starter config and data directory."""

from __future__ import annotations

from importlib import resources

import click

from bot.cli.context import Context, pass_ctx


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_ctx
def command(ctx: Context, force: bool) -> None:
    """Write a starter config (the commented example) and create its data directory."""
    target = ctx.config_path
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists (use --force to overwrite)")
    example = resources.files("bot").joinpath("data/config.example.toml").read_text("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example, encoding="utf-8")
    settings = ctx.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"wrote {target}")
    click.echo(f"data directory: {settings.data_dir}")
    click.echo("next: `bot db upgrade`, then `bot campaigns sync`")
