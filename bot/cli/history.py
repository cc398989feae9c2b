"""``bot history``: the append-only event log."""

from __future__ import annotations

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table
from bot.cli.params import ID, LIMIT


@click.command("history")
@click.option("--draft", "draft_id", type=ID, default=None, help="Only this draft's events.")
@click.option(
    "--publication", "publication_id", type=ID, default=None, help="Only this publication's events."
)
@click.option(
    "--entity", type=click.Choice(["campaign", "slot", "draft", "publication", "account"]), default=None
)
@click.option("--limit", type=LIMIT, default=50, show_default=True)
@json_option
@pass_ctx
def command(
    ctx: Context,
    draft_id: int | None,
    publication_id: int | None,
    entity: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show the event log: every state change, who made it, when and why.

    --draft N of a draft that does not exist exits 1 ("no draft N"), as `bot queue show` does:
    every draft has an event from the moment it is written; so does --publication N."""
    from bot.domain.errors import NotFound
    from bot.services.queue import QueueView, event_json

    events = QueueView(ctx.reader).history(
        draft_id=draft_id, publication_id=publication_id, entity=entity, limit=limit
    )
    if draft_id is not None and not events:
        raise NotFound(f"no draft {draft_id}")
    if publication_id is not None and not events:
        raise NotFound(f"no publication {publication_id}")
    if as_json:
        print_json([event_json(e) for e in events])
        return
    print_table(
        "History",
        ["at (UTC)", "entity", "id", "from", "to", "actor", "reason"],
        [
            [
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                e.entity,
                e.entity_id,
                e.from_state,
                e.to_state,
                e.actor,
                e.reason,
            ]
            for e in events
        ],
        empty="no events",
    )
