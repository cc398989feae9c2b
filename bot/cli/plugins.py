"""``bot plugins``: the platforms, generator backends and moderation scorers installed."""

from __future__ import annotations

import click

from bot.cli.output import json_option, print_json, print_table


@click.command("plugins")
@json_option
def command(as_json: bool) -> None:
    """List the installed plugins: platforms, generator backends and moderation scorers.

    Built-ins and third-party packages register the same way, through the entry point
    groups bot.platforms, bot.generators and bot.scorers.
    """
    from bot import plugins

    rows = [
        {"group": group, "kind": kind, "name": info.name, "package": info.package,
         "version": info.version, "target": info.target}
        for group, kind in plugins.GROUPS.items()
        for info in plugins.available(group).values()
    ]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    print_table(
        "Plugins",
        ["kind", "name", "package", "version", "target"],
        [[r["kind"], r["name"], r["package"], r["version"], r["target"]] for r in rows],
    )
