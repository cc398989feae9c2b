"""``bot publications``: what was sent where, and the hand tools of the never-twice protocol.

``check`` looks for a ``needs_check`` post on its account and marks it published or queues it
again (a failed one that was sent: marks it published when its post is there); ``retry`` queues
a failed one again, after looking for it when it was sent (with ``--force`` too: it never posts
what it can see is out); ``cancel`` stops one that has not gone out (a failed one that was
sent is looked for first, as by ``retry``, unless ``--even-if-posted``). The three
act as ``--as NAME`` (else the login name), which must be a listed reviewer when the config lists
``[[web.reviewers]]`` (any role, as on the web page); the event log records the name.
"""

from __future__ import annotations

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table
from bot.cli.params import ID, LIMIT, TEXT, reviewer_name, reviewer_option
from bot.domain import PublicationState
from bot.domain.text import for_display
from bot.services.queue import publication_json


@click.group("publications")
def command() -> None:
    """Publications: one approved draft going to one account."""


@command.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in PublicationState]),
    help="Only publications in this state (repeatable).",
)
@click.option("--account", default=None, help="Only this account's publications.")
@click.option("--draft", "draft_id", type=ID, default=None, help="Only this draft's publications.")
@click.option("--limit", type=LIMIT, default=None, help="At most this many.")
@json_option
@pass_ctx
def list_(
    ctx: Context,
    states: tuple[str, ...],
    account: str | None,
    draft_id: int | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List publications (all states unless --state is given)."""
    from bot.domain.errors import NotFound
    from bot.domain.text import did_you_mean
    from bot.services.queue import QueueView

    wanted = [PublicationState(s) for s in states]
    view = QueueView(ctx.reader)
    pubs = view.publications(wanted, account=account, draft_id=draft_id, limit=limit)
    if not pubs:  # a filter that names nothing (a typo) is an error, not an empty list
        if draft_id is not None and not view.has_draft(draft_id):
            raise NotFound(f"no draft {draft_id}")
        if account and all(a.name != account for a in ctx.settings.accounts):
            known = did_you_mean(account, [a.name for a in ctx.settings.accounts])
            raise NotFound(f"no account named {account!r} in {ctx.config_path}{known}")
    if as_json:
        print_json([publication_json(p) for p in pubs])
        return
    if not pubs:
        click.echo("no publications")
        return
    print_table(
        "Publications",
        ["id", "draft", "account", "state", "attempts", "not before (UTC)", "remote id / last error"],
        [
            [
                p.id,
                p.draft_id,
                p.account,
                p.state.value,
                p.attempts,
                p.not_before,
                p.remote_id or p.last_error,
            ]
            for p in pubs
        ],
    )


@command.command("show")
@click.argument("pub_id", type=ID, metavar="ID")
@json_option
@pass_ctx
def show(ctx: Context, pub_id: int, as_json: bool) -> None:
    """Show one publication and its history."""
    store = ctx.app.store
    data = publication_json(store.get_publication(pub_id))
    data["events"] = [
        {"at": e.at, "actor": e.actor, "from": e.from_state, "to": e.to_state, "reason": e.reason}
        for e in store.events(entity="publication", entity_id=pub_id)
    ]
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if key != "events" and value is not None:
            click.echo(for_display(f"{key:>16}: {value}"))
    click.echo("history:")
    for e in data["events"]:
        line = f"  {e['at']:%Y-%m-%d %H:%M:%S}  {e['from'] or '-'} -> {e['to']}  {e['actor']}  {e['reason']}"
        click.echo(for_display(line))


@command.command("check")
@click.argument("pub_id", type=ID, metavar="ID")
@reviewer_option
@json_option
@pass_ctx
def check(ctx: Context, pub_id: int, reviewer: str | None, as_json: bool) -> None:
    """Look for a needs_check post on its account: mark it published, or queue it again.

    A failed one that was sent is looked for too: found, it is marked published with the
    post's id (its send was reported failed after the post was stored); else nothing changes.

    With [[web.reviewers]] listed, --as must name one of them."""
    outcome = ctx.app.publishing.check(pub_id, reviewer_name(reviewer))
    if as_json:
        print_json(
            {"found": outcome.found, "message": outcome.message, **publication_json(outcome.publication)}
        )
        return
    click.echo(for_display(f"publication {pub_id}: {outcome.message}"))


@command.command("retry")
@click.argument("pub_id", type=ID, metavar="ID")
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Also a needs_check or partial one, if you have looked on the account yourself "
        "(it is still looked for first, and not queued when it is there); and a stale one "
        "(its draft expired), to send it late anyway."
    ),
)
@reviewer_option
@pass_ctx
def retry(ctx: Context, pub_id: int, force: bool, reviewer: str | None) -> None:
    """Queue a failed publication again (attempts start from zero).

    One that was sent is looked for on its account first (with --force too) and not queued
    when its post is there: `bot publications check ID` records that post as published.

    One whose draft has expired (stale: the daemon fails an approved post it would send after
    its draft's expiry, e.g. one that waited for a paused account) is queued only with --force,
    which sends it late, as it is; for a fresh post, `bot campaigns fire CAMPAIGN`.

    With [[web.reviewers]] listed, --as must name one of them."""
    pub = ctx.app.publishing.retry(pub_id, reviewer_name(reviewer), force=force)
    late = ctx.app.store.late_send_allowed(pub.id) if force else False
    note = " (its draft has expired: it goes out late, as you asked)" if late else ""
    click.echo(f"publication {pub.id}: queued again for {pub.account}{note}")


@command.command("cancel")
@click.argument("pub_id", type=ID, metavar="ID")
@click.option("--reason", type=TEXT, default="", help="Why (kept in the history).")
@click.option(
    "--even-if-posted",
    is_flag=True,
    help=(
        "Cancel a failed publication that was sent without looking for its post on the account "
        "(a post that is out stays out, recorded as cancelled)."
    ),
)
@reviewer_option
@pass_ctx
def cancel(ctx: Context, pub_id: int, reason: str, even_if_posted: bool, reviewer: str | None) -> None:
    """Cancel a publication that is queued, failed or waiting for a check.

    A failed one that was sent is looked for on its account first (as retry does): while its
    post is there, it is not cancelled (`bot publications check ID` records it as published),
    nor when the search cannot tell (the platform does not answer); --even-if-posted cancels
    it without looking.

    When it was the draft's last publication not cancelled, the draft goes back to the
    queue (pending_review, or flagged if it was approved by override): approve it again to
    post it, or reject it.

    With [[web.reviewers]] listed, --as must name one of them."""
    pub = ctx.app.publishing.cancel(pub_id, reviewer_name(reviewer), reason, even_if_posted=even_if_posted)
    click.echo(f"publication {pub.id}: cancelled")
    draft = ctx.app.store.get_draft(pub.draft_id)
    if draft.state.value != "approved":
        click.echo(
            f"draft {draft.id} has no other publication: it is back in the queue ({draft.state.value}); "
            f"`bot queue approve {draft.id}` posts it after all, `bot queue reject {draft.id}` drops it"
        )
