"""``bot drafts``: look at what the model would write for a campaign, without queueing it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json
from bot.cli.params import INSTANT, SEED
from bot.domain.text import for_display

if TYPE_CHECKING:
    from bot.services.drafting.ranking import ScoredCandidate


@click.group("drafts")
def command() -> None:
    """Preview the drafts of a campaign."""


@command.command("preview")
@click.argument("campaign")
@click.option(
    "--at",
    "at",
    type=INSTANT,
    default=None,
    metavar="DATETIME",
    help="Slot instant in UTC, e.g. '2026-09-24 01:00' (default: now).",
)
@click.option("--seed", type=SEED, default=None, help="Sampling seed (default: from campaign and slot).")
@json_option
@pass_ctx
def preview(ctx: Context, campaign: str, at: datetime | None, seed: int | None, as_json: bool) -> None:
    """Generate CAMPAIGN's candidates now and show each with its checks (nothing is saved).

    They are what `bot campaigns fire CAMPAIGN --at` the same instant would draft from: the
    same seed (from the campaign and the slot's instant), prompt, settings and history of the
    campaign's drafts of other slots; fire keeps the best of them. Give both the same --at:
    without it each takes its own "now", another instant and so another seed. A slot already
    fired previews the same candidates again (its own drafts are not compared with themselves).

    On a terminal, stderr shows how it goes (loading the model, writing the candidates, checking,
    moderating and ranking them); nothing with --json or when stderr is not a terminal.
    """
    from bot.adapters.generation.progress import for_terminal
    from bot.services.firing import off_season

    spec = ctx.settings.named_campaign(campaign)
    if seed is not None:
        spec = spec.model_copy(update={"sampling": spec.sampling.model_copy(update={"seed": seed})})
    app = ctx.app
    service = app.previewer(for_terminal(None if not as_json else False))
    instant = at.replace(tzinfo=UTC) if at else app.clock.now().replace(microsecond=0)
    season = off_season(ctx.settings, campaign, instant)
    if season and not as_json:
        when = f"--at {instant:%Y-%m-%d %H:%M}" if at else "now"
        click.echo(f"warning: {season.message(when, verb='previewing')}", err=True)
    scored = service.candidates(spec, instant)
    rows = [_row(i, s) for i, s in enumerate(scored, 1)]
    media = service.slot_media(spec, instant)
    pictures = {
        "media": [m.to_dict() for m in media],
        "media_checks": [c.to_dict() for c in service.media_checks(spec, media)],
    }
    from bot.services.drafting.service import too_long

    notes = too_long(scored)  # nothing passes because the facts do not fit a platform
    if as_json:
        print_json({"campaign": campaign, "slot_at": instant, "candidates": rows, "notes": notes, **pictures})
        return
    _print(campaign, instant, rows)
    _print_media(pictures)
    if notes:
        click.echo("")
    for note in notes:
        click.echo(for_display(note))


def _row(rank: int, item: ScoredCandidate) -> dict[str, Any]:
    cand = item.candidate
    return {
        "rank": rank,
        "text": cand.text,
        "origin": cand.origin.value,
        "model_id": cand.model_id,
        "passed": cand.passed,
        "score": cand.score,
        "relevance": item.relevance,
        "flagged": item.verdict.flagged,
        "held": item.verdict.held,
        "checks": [c.to_dict() for c in cand.checks],
        "settings": cand.settings,
        "moderation": item.verdict.to_dict(),
    }


def _print(campaign: str, instant: datetime, rows: list[dict[str, Any]]) -> None:
    from bot.services.drafting.service import UNAVAILABLE

    click.echo(f"Candidates for {campaign} at {instant:%Y-%m-%d %H:%M} UTC (not saved)")
    unavailable = next((r["settings"][UNAVAILABLE] for r in rows if UNAVAILABLE in r["settings"]), None)
    if unavailable:
        click.echo(for_display(f"model unavailable, drafted from curated texts: {unavailable}"))
    for row in rows:
        verdict = "PASS" if row["passed"] else "FAIL"
        flag = "  FLAGGED by moderation" if row["flagged"] else ""
        if row["held"]:
            flag = "  HELD for review by moderation (never auto-approved)"
        click.echo("")
        rank = f"score={row['score']:.2f} relevance={row['relevance']:.2f}"
        click.echo(f"#{row['rank']} [{verdict}] origin={row['origin']} {rank}{flag}")
        click.echo(for_display(row["text"]))
        failed = [c for c in row["checks"] if not c["passed"]]
        if failed:
            click.echo(for_display("failed: " + "; ".join(f"{c['name']} ({c['detail']})" for c in failed)))
        else:
            click.echo(f"checks: all {len(row['checks'])} passed")
        moderation = row["moderation"]
        for why in (*moderation["reasons"], *moderation["holds"]):
            click.echo(for_display(f"moderation: {why}"))


def _print_media(pictures: dict[str, Any]) -> None:
    """The slot's pictures (every candidate gets the same) and their checks per platform."""
    from bot.cli.media import media_lines

    if not pictures["media"]:
        return
    click.echo("")
    for line in media_lines(pictures["media"]):
        click.echo(for_display(line))
    for c in pictures["media_checks"]:
        click.echo(for_display(f"{c['name']} {'ok' if c['passed'] else 'FAIL'}: {c['detail']}"))
