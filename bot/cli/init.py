"""``bot init``: write a starter config and data directory, all or nothing."""

from __future__ import annotations

import contextlib
import os
import tempfile
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
    beside the config unless a file of that name is there already. Nothing is left behind when
    it fails (a data directory that cannot be made, a folder that cannot be written): the
    config is written last, in one step, so with --force the old one is kept until then."""
    import tomllib

    from bot.config import parse_settings

    target = ctx.config_path
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists (use --force to overwrite)")
    example = resources.files("bot").joinpath("data/config.example.toml").read_text("utf-8")
    settings = parse_settings(tomllib.loads(example), target)  # a data_dir in the way: nothing written
    made: list[Path] = []
    try:
        _make_dirs(target.parent, made)
        _make_dirs(settings.data_dir, made)
        _copy_pictures(target.parent / "media", made)
        _write_whole(target, example)
    except OSError as exc:
        _remove(made)
        why = f"{exc.filename or target}: {exc.strerror or exc}"
        raise click.ClickException(f"cannot write the starter config: {why}") from None
    click.echo(f"wrote {target}")
    click.echo(f"data directory: {settings.data_dir}")
    click.echo("next: `bot db upgrade`, then `bot campaigns sync`")


def _make_dirs(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, noting each one made (for undoing)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _copy_pictures(folder: Path, made: list[Path]) -> None:
    """The pictures the example config names, never over a user's file of the same name."""
    for picture in resources.files("bot").joinpath("data/media").iterdir():
        if not picture.name.endswith(".png"):
            continue
        out = folder / picture.name
        if not out.exists():
            _make_dirs(folder, made)
            out.write_bytes(picture.read_bytes())
            made.append(out)


def _write_whole(target: Path, text: str) -> None:
    """``text`` into ``target`` in one step (a temporary file beside it, then renamed)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove(made: list[Path]) -> None:
    """Undo what this command made, newest first (a folder only if it is empty again)."""
    for path in reversed(made):
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() else path.unlink()
