"""``bot queue``: the human-approval queue (list, show, approve, reject, edit, regenerate)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, print_table, safe_json, short
from bot.cli.params import ID, LIMIT, POST_TEXT, REASON, SHA256, TEXT, reviewer_name, reviewer_option
from bot.domain import Draft, DraftState, RejectionCategory
from bot.domain.text import for_display

if TYPE_CHECKING:
    from bot.services.queue import QueueView

_reviewer = reviewer_name


@click.group("queue", invoke_without_command=True)
@json_option
@click.pass_context
def command(click_ctx: click.Context, as_json: bool) -> None:
    """The approval queue. Without a subcommand: list drafts waiting for review."""
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(list_, as_json=as_json)


@command.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([s.value for s in DraftState]),
    help="Only drafts in this state (repeatable). Default: pending_review and flagged.",
)
@click.option("--all", "show_all", is_flag=True, help="Drafts in every state.")
@click.option("--campaign", default=None, help="Only this campaign's drafts.")
@click.option("--limit", type=LIMIT, default=None, help="At most this many drafts.")
@json_option
@pass_ctx
def list_(
    ctx: Context,
    states: tuple[str, ...] = (),
    show_all: bool = False,
    campaign: str | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> None:
    """List drafts (by default those waiting for a reviewer).

    Drafts of one slot are alternatives: a slot posts once per account, so once one of them is
    approved the others are not sent. The "alternatives" column names the slot's other drafts
    still pending, flagged or approved; --json gives slot_id and slot_drafts (the ids of the
    slot's drafts in those states, this one included)."""
    from bot.services.queue import QueueView, alternatives_of, drafts_json

    view, wanted = QueueView(ctx.reader), [DraftState(s) for s in states]
    if as_json and not sys.stdout.isatty():  # a pipe: compact JSON, written by the database
        raw = view.drafts_json(wanted, every_state=show_all, campaign=campaign, limit=limit)
        if raw is not None:
            if raw == "[]":
                _check_campaign(ctx, view, campaign)
            click.echo(safe_json(raw))
            return
    drafts = view.drafts(wanted, every_state=show_all, campaign=campaign, limit=limit)
    if not drafts:
        _check_campaign(ctx, view, campaign)
    slots = view.slot_drafts(drafts)
    if as_json:
        print_json(drafts_json(drafts, slots))
        return
    if not drafts:
        click.echo("the queue is empty")
        return
    rows = [_row(d, alternatives_of(d, slots)) for d in drafts]
    print_table(
        "Drafts", ["id", "campaign", "state", "checks", "origin", "slot (UTC)", "text", "alternatives"], rows
    )
    if any(row[-1] for row in rows):
        click.echo(
            "Drafts with alternatives share a slot, which posts once per account: approve one of "
            "them and the others are not sent."
        )


def _row(d: Draft, others: str) -> list[Any]:
    """A draft's row; its last cell names the slot's other drafts still in the running
    (``13, 14 (approved)``), "" when none."""
    return [d.id, d.campaign_name, _state(d), _checks(d), d.origin.value, d.slot_at, short(d.text), others]


def _state(draft: Draft) -> str:
    return "FLAGGED" if draft.state is DraftState.FLAGGED else draft.state.value


def _checks(draft: Draft) -> str:
    """``ok``, or ``FAILED: name, ...`` (approving it needs --override --reason, or an edit)."""
    failed = _failed(draft.checks)
    return f"FAILED: {', '.join(failed)}" if failed else "ok"


def _failed(checks: Any) -> list[str]:
    return [str(c.get("name", "?")) for c in checks if not c.get("passed", True)]


@command.command("show")
@click.argument("draft_id", type=ID)
@json_option
@pass_ctx
def show(ctx: Context, draft_id: int, as_json: bool) -> None:
    """Show one draft: text, checks, moderation audit records, approvals and publications."""
    from bot.services.queue import draft_detail

    data = draft_detail(ctx.app.store, draft_id)
    if as_json:
        print_json(data)
        return
    _print_draft(data)


def _print_draft(data: dict[str, Any]) -> None:
    flag = "  ** FLAGGED by moderation **" if data["state"] == "flagged" else ""
    if failed := _failed(data["checks"]):
        flag += f"  ** CHECKS FAILED: {', '.join(failed)} **"
    _say(f"Draft {data['id']}  [{data['state']}]{flag}")
    _say(f"campaign: {data['campaign']}   origin: {data['origin']}   model: {data['model_id']}")
    _say(f"slot: {data['slot_at']}   expires: {data['expires_at']}")
    if data.get("slot_note"):
        _say(data["slot_note"])
    _say("")
    _say(data["text"])
    _say("")
    _say(f"sha256: {data['sha256']}")
    from bot.cli.media import media_lines

    for line in media_lines(data.get("media") or []):
        _say(line)
    if data.get("media_sha256"):
        _say(f"pictures sha256: {data['media_sha256']}")
    if data["checks"]:
        _say("checks:")
        for c in data["checks"]:
            _say(
                f"  {c['name']}: {'ok' if c['passed'] else 'FAIL'}"
                + (f" · {c['detail']}" if c.get("detail") else "")
            )
    _print_moderation(data["moderation"])
    for a in data["approvals"]:
        note = f": {a['note']}" if a["note"] else ""
        void = " (void: text or pictures edited, or withdrawn since)" if a["void"] else ""
        _say(f"{a['decision']} by {a['reviewer']} at {a['created_at']:%Y-%m-%d %H:%M}{void}{note}")
    for p in data["publications"]:
        extra = p["url"] or p["last_error"] or ""
        _say(f"publication {p['id']} -> {p['account']}: {p['state']} {extra}")


def _print_moderation(records: list[dict[str, Any]]) -> None:
    """Every audit record, newest last: the one for the current text and those for earlier
    texts (an edit is re-scored; the old record stays). Scores are shown as score/threshold."""
    from bot.services.audit import audit_lines

    for m in records:
        which = "current text" if m["current"] else "earlier text"
        _say(
            f"moderation #{m['id']} ({which}, sha256 {m['text_sha256'][:12]}, "
            f"{m['created_at']:%Y-%m-%d %H:%M} UTC): {m['decision'].upper()}"
        )
        for line in audit_lines(m):
            _say(f"  {line}")


def _say(line: str) -> None:
    """One line of output for a person: stored text never reaches the terminal raw."""
    click.echo(for_display(line))


@command.command("approve")
@click.argument("draft_id", type=ID)
@reviewer_option
@click.option(
    "--override", is_flag=True, help="Approve a draft flagged by moderation or one that failed its checks."
)
@click.option("--reason", type=TEXT, default="", help="Why (required with --override).")
@click.option("--sha256", type=SHA256, default=None, help="Approve only if the text still has this digest.")
@click.option(
    "--media-sha256",
    type=SHA256,
    default=None,
    help="Approve only if the pictures and alt texts still have this digest (`queue show`: pictures sha256).",
)
@pass_ctx
def approve(
    ctx: Context,
    draft_id: int,
    reviewer: str | None,
    override: bool,
    reason: str,
    sha256: str | None,
    media_sha256: str | None,
) -> None:
    """Approve DRAFT_ID: its exact text and pictures are queued for every account of its campaign."""
    from bot.services.review import CURRENT_MEDIA, goes_out, paused_warnings

    draft = ctx.app.review.approve(
        draft_id,
        _reviewer(reviewer),
        sha256=sha256,
        override=override,
        reason=reason,
        media_sha256=media_sha256 or CURRENT_MEDIA,
    )
    pubs = ctx.app.store.list_publications(draft_id=draft.id)
    when = goes_out(pubs, ctx.app.clock.now())
    where = " (bot publications list shows when)" if when else ""
    click.echo(f"draft {draft.id} approved; queued for {', '.join(p.account for p in pubs)}{when}{where}")
    for line in paused_warnings(pubs, ctx.app.store.paused_accounts(), draft.expires_at):
        click.echo(for_display(f"warning: {line}"), err=True)


@command.command("reject")
@click.argument("draft_id", type=ID)
@click.option("--reason", type=REASON, required=True, help="Why the draft is rejected.")
@click.option("--withdraw", is_flag=True, help="Also take back an approval (if not yet published).")
@click.option(
    "--because",
    type=click.Choice([c.value for c in RejectionCategory]),
    default=None,
    help="The kind of problem; 'toxic' rejections teach the moderation gate (bot moderation export).",
)
@reviewer_option
@pass_ctx
def reject(
    ctx: Context, draft_id: int, reason: str, withdraw: bool, because: str | None, reviewer: str | None
) -> None:
    """Reject DRAFT_ID (a pending or flagged draft; an approved one with --withdraw)."""
    category = RejectionCategory(because) if because else None
    ctx.app.review.reject(draft_id, _reviewer(reviewer), reason, withdraw=withdraw, category=category)
    click.echo(f"draft {draft_id} rejected")


@command.command("edit")
@click.argument("draft_id", type=ID)
@click.option(
    "--text",
    type=POST_TEXT,
    default=None,
    help=(
        "The new text (default: open $EDITOR). The campaign's link is added if it lacks it, and its "
        "hashtags if it has none of them (unless --bare)."
    ),
)
@click.option(
    "--bare",
    is_flag=True,
    help="The text is the post exactly as written: no link or hashtags added (this one goes without them).",
)
@click.option(
    "--alt",
    "alts",
    type=(click.IntRange(1, 4), TEXT),
    multiple=True,
    metavar="N TEXT",
    help="New alt text for picture N (numbers as `bot queue show` lists them).",
)
@click.option(
    "--swap-media",
    "swaps",
    type=(click.IntRange(1, 4), click.Path(dir_okay=False), TEXT),
    multiple=True,
    metavar="N FILE ALT",
    help="Replace picture N with FILE, described by ALT.",
)
@click.option(
    "--drop-media", "drops", type=click.IntRange(1, 4), multiple=True, metavar="N", help="Remove picture N."
)
@click.option(
    "--add-media",
    "adds",
    type=(click.Path(dir_okay=False), TEXT),
    multiple=True,
    metavar="FILE ALT",
    help="Attach FILE (after the others), described by ALT.",
)
@reviewer_option
@pass_ctx
def edit(
    ctx: Context,
    draft_id: int,
    text: str | None,
    alts: tuple[tuple[int, str], ...],
    swaps: tuple[tuple[int, str, str], ...],
    drops: tuple[int, ...],
    adds: tuple[tuple[str, str], ...],
    reviewer: str | None,
    bare: bool = False,
) -> None:
    """Edit DRAFT_ID's text or pictures. It is re-checked, re-scored and needs a (new) approval.

    Without options, opens $EDITOR on the text. The campaign's link is added at the end of a
    text that lacks it, and its hashtags to a text that has none of them (a new body), as when
    drafting; a hashtag deleted from a text that keeps others stays out. With --bare the text is
    the post exactly as written: nothing is added (this post goes out without the link and
    hashtags you removed). The resulting post is shown.

    Picture options can be repeated and combined; numbers count from 1 as `bot queue show`
    lists them (alt texts and swaps first, then drops, then additions at the end). New files
    are fitted to each platform of the campaign (copies in the data directory; your file is
    never changed)."""
    if alts or swaps or drops or adds:
        if text is not None:
            _show_edited(ctx.app.review.edit(draft_id, _reviewer(reviewer), text, bare=bare))
        draft = ctx.app.review.edit_media(
            draft_id,
            _reviewer(reviewer),
            add=adds,
            drop=drops,
            alts=_numbered(alts, "--alt"),
            swap=_numbered([(n, (path, alt)) for n, path, alt in swaps], "--swap-media"),
        )
        click.echo(f"draft {draft.id} is now {draft.state.value} with {len(draft.media)} pictures")
        return
    seen = None
    if text is None:
        seen = ctx.app.store.get_draft(draft_id)
        from bot.cli.editor import edit_text

        text = edit_text(seen.text)
        if text is None:
            click.echo("no change")
            return
    # an edit in $EDITOR is of the text shown there: a change made meanwhile is not overwritten
    _show_edited(ctx.app.review.edit(draft_id, _reviewer(reviewer), text, bare=bare, seen=seen))


def _show_edited(draft: Draft) -> None:
    """The post as it now stands (the campaign's link and hashtags as the edit left them) and
    its checks."""
    click.echo(f"draft {draft.id} is now {draft.state.value}; the post reads:\n")
    _say(draft.text)
    click.echo("")
    if failed := _failed(draft.checks):
        click.echo(f"checks FAILED: {', '.join(failed)} (see `bot queue show {draft.id}`)")
        for check in draft.checks:  # too long: how long the text may be on that account
            if str(check.get("name", "")).startswith("limit:") and not check.get("passed", True):
                _say(f"{check['name']}: {check.get('detail', '')}")
    else:
        click.echo("checks: ok")
    if draft.state is DraftState.FLAGGED:
        click.echo(f"moderation: FLAG (see `bot queue show {draft.id}` for the reasons)")


def _numbered(pairs: Any, option: str) -> dict[int, Any]:
    """``[(n, value), ...]`` -> ``{n: value}``; a number given twice is a usage error."""
    out: dict[int, Any] = {}
    for number, value in pairs:
        if number in out:
            raise click.UsageError(f"{option} {number} is given twice")
        out[number] = value
    return out


@command.command("regenerate")
@click.argument("draft_id", type=ID)
@reviewer_option
@json_option
@pass_ctx
def regenerate(ctx: Context, draft_id: int, reviewer: str | None, as_json: bool) -> None:
    """Reject DRAFT_ID and write new candidates for its slot (loads the model).

    Only a draft waiting for review can be regenerated; for another (rejected, expired ...)
    the error names its slot's draft that is waiting or approved, or, when nothing of the slot
    is left, says to fire the campaign again (`bot campaigns fire NAME`).

    On a terminal, stderr shows how it goes (loading the model, writing the candidates, checking,
    moderating and ranking them); nothing with --json or when stderr is not a terminal."""
    from bot.adapters.generation.progress import for_terminal
    from bot.domain.errors import NotConfigured, StateConflict
    from bot.services.drafting.service import regenerate as regen
    from bot.services.queue import not_regenerable
    from bot.services.review import gone_campaign

    app = ctx.app
    draft = app.store.get_draft(draft_id)
    if not_regenerable(app.store, draft) and draft.campaign_name not in {
        c.name for c in app.settings.campaigns
    }:
        raise NotConfigured(gone_campaign(app.settings, draft))  # named first: that is the way on
    app.settings.campaign(draft.campaign_name)
    why = not_regenerable(app.store, draft)
    if why:
        raise StateConflict(why)
    app.progress = for_terminal(None if not as_json else False)  # a bar on a terminal's stderr
    ids = regen(app.drafting, draft_id, _reviewer(reviewer))
    if as_json:
        print_json({"rejected": draft_id, "drafts": ids})
    else:
        click.echo(f"draft {draft_id} rejected; new drafts: {', '.join(map(str, ids))}")


@command.command("review")
@reviewer_option
@pass_ctx
def review(ctx: Context, reviewer: str | None) -> None:
    """Walk through the pending drafts: [a]pprove, [e]dit, [b]are edit, [r]eject, [s]kip, [q]uit.

    [e]dit opens $EDITOR on the text and adds the campaign's link and hashtags where the edit
    left them out (as `bot queue edit`); [b]are edit posts the text exactly as you save it,
    nothing added (as `bot queue edit --bare`)."""
    from bot.cli.media import media_lines
    from bot.domain.errors import BotError
    from bot.services.queue import QueueView, slot_note
    from bot.services.reviewers import authorize

    name = _reviewer(reviewer)
    authorize(ctx.app.settings.web, name)  # refused before the walk, not at every draft
    view = QueueView(ctx.app.reader)
    drafts = view.drafts()
    if not drafts:
        click.echo("the queue is empty")
        return
    for index, draft in enumerate(drafts, 1):
        click.echo(f"\n--- {index}/{len(drafts)} " + "-" * 40)
        head = f"Draft {draft.id} [{_state(draft)}] {draft.campaign_name}  checks: {_checks(draft)}"
        _say(f"{head}\n\n{draft.text}\n")
        # read at each draft: an approval earlier in this walk changes what the next one may do
        if note := slot_note(draft, view.slot_drafts([draft]).get(draft.slot_id or 0, [])):
            _say(note)
        for line in media_lines([m.to_dict() for m in draft.media]):
            _say(line)
        choice = click.prompt(
            "[a]pprove [e]dit [b]are edit [r]eject [s]kip [q]uit",
            type=click.Choice(list("aebrsq")),
            show_choices=False,
        )
        try:
            if not _act(ctx, draft, choice, name):
                return
        except BotError as exc:
            click.echo(f"error: {exc}", err=True)


def _act(ctx: Context, draft: Draft, choice: str, reviewer: str) -> bool:
    review = ctx.app.review
    if choice == "q":
        return False
    if choice == "a":
        from bot.services.review import failed_check_names

        failed = failed_check_names(draft)
        override = draft.state is DraftState.FLAGGED or bool(failed)
        why = "flagged" if draft.state is DraftState.FLAGGED else f"checks failed ({', '.join(failed)})"
        if override:  # a reviewer who may not override is told before typing a reason
            from bot.services.reviewers import authorize

            authorize(ctx.app.settings.web, reviewer, override=True)
        reason = click.prompt(f"{why}: reason for the override", type=REASON) if override else ""
        review.approve(
            draft.id,
            reviewer,
            sha256=draft.sha256,
            override=override,
            reason=reason,
            media_sha256=draft.media_sha256,  # the pictures shown, not whatever is there now
        )
        click.echo("approved")
    elif choice == "r":
        review.reject(draft.id, reviewer, click.prompt("reason", default="not good enough", type=REASON))
        click.echo("rejected")
    elif choice in ("e", "b"):  # b: bare, the text exactly as saved (no link or hashtags added)
        from bot.cli.editor import edit_text

        text = edit_text(draft.text)
        if text is not None:
            _show_edited(review.edit(draft.id, reviewer, text, bare=choice == "b", seen=draft))
    return True


def _check_campaign(ctx: Context, view: QueueView, campaign: str | None) -> None:
    """A --campaign that names no campaign (a typo) is an error, not an empty queue."""
    from bot.domain.errors import NotFound

    if not campaign or view.stored_campaign(campaign):
        return
    if all(c.name != campaign for c in ctx.settings.campaigns):  # the config: only now
        raise NotFound(ctx.settings.no_campaign([campaign]))
