"""``bot init``: write a starter config and data directory."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from bot.cli.context import Context, pass_ctx


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_ctx
def command(ctx: Context, force: bool) -> None:
    """Write a starter config (the commented example) and create its data directory.

    The example's picture (media/mid-autumn-lantern.png, made by the project, CC0) is put
    beside the config unless a file of that name is there already."""
    target = ctx.config_path
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists (use --force to overwrite)")
    example = resources.files("bot").joinpath("data/config.example.toml").read_text("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example, encoding="utf-8")
    _copy_pictures(target.parent / "media")
    settings = ctx.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    click.echo(f"wrote {target}")
    click.echo(f"data directory: {settings.data_dir}")
    click.echo("next: `bot db upgrade`, then `bot campaigns sync`")


def _copy_pictures(folder: Path) -> None:
    """The pictures the example config names, never over a user's file of the same name."""
    for picture in resources.files("bot").joinpath("data/media").iterdir():
        if not picture.name.endswith(".png"):
            continue
        out = folder / picture.name
        if not out.exists():
            folder.mkdir(parents=True, exist_ok=True)
            out.write_bytes(picture.read_bytes())
