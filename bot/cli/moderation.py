"""``bot moderation``: score texts with the configured gate, show the scorers in force."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, short
from bot.config.moderation import ModerationSettings
from bot.domain import ModerationVerdict
from bot.domain.errors import BotError


@click.group("moderation")
def command() -> None:
    """The toxicity gate: check texts, see the scorers and thresholds in force."""


def _gate(ctx: Context) -> Any:
    """The configured gate; the defaults when there is no config file at all."""
    from bot.wiring import build_gate

    if not ctx.config_path.exists():
        click.echo(f"note: no config at {ctx.config_path}; using the default scorers", err=True)
        return build_gate(ModerationSettings())
    return ctx.app.gate


def read_texts(texts: tuple[str, ...], file: str | None) -> list[str]:
    """TEXT arguments, or one text per non-empty line of FILE (``-`` is stdin)."""
    if texts and file:
        raise click.UsageError("give TEXT arguments or --file, not both")
    if not file:
        if not texts:
            raise click.UsageError("nothing to check: give TEXT or --file FILE")
        return list(texts)
    try:
        raw = sys.stdin.read() if file == "-" else Path(file).read_text("utf-8")
    except OSError as exc:
        raise BotError(f"{file}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BotError(f"{file}: not UTF-8 text") from None
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if not lines:
        raise BotError(f"{file}: no texts in it (one text per line)")
    return lines


@command.command("check")
@click.argument("texts", nargs=-1)
@click.option("--file", "-f", "file", default=None, metavar="FILE", help="One text per line ('-': stdin).")
@json_option
@pass_ctx
def check(ctx: Context, texts: tuple[str, ...], file: str | None, as_json: bool) -> None:
    """Score TEXT(s) with every configured scorer and print the scores and the decision.

    Exit status is 0 whether or not a text is flagged; read the decision ("decision" in
    --json) to act on it.
    """
    items = read_texts(texts, file)
    gate = _gate(ctx)
    verdicts: list[ModerationVerdict] = gate.check(items)
    if as_json:
        print_json([{"text": t, **v.to_dict()} for t, v in zip(items, verdicts, strict=True)])
        return
    for text, verdict in zip(items, verdicts, strict=True):
        print_verdict(text, verdict)
    flagged = sum(v.flagged for v in verdicts)
    if len(items) > 1:
        click.echo(f"{len(items)} texts, {flagged} flagged")


def print_verdict(text: str, verdict: ModerationVerdict, indent: str = "") -> None:
    """One verdict for people: decision, every scorer with its version, every label's score
    against its threshold, and the reasons."""
    mark = "FLAG" if verdict.flagged else "pass"
    click.echo(f"{indent}[{mark}] {short(text, 100)}")
    for line in audit_lines(verdict.to_dict()):
        click.echo(f"{indent}  {line}")


def audit_lines(record: dict[str, Any]) -> list[str]:
    """An audit record (``ModerationVerdict.to_dict()``) as lines: each scorer with its
    version, every label as ``score/threshold``, then the reasons."""
    lines = []
    for scorer, version in record["scorers"].items():
        labels = record["scores"].get(scorer, {})
        limits = record["thresholds"].get(scorer, {})
        shown = ", ".join(
            f"{label} {value:.2f}" + (f"/{limits[label]:.2f}" if label in limits else "")
            for label, value in labels.items()
        )
        lines.append(f"{scorer} ({version}): {shown or 'no scores'}")
    lines += [f"reason: {reason}" for reason in record["reasons"]]
    return lines


@command.command("scorers")
@json_option
@pass_ctx
def scorers(ctx: Context, as_json: bool) -> None:
    """List the configured scorers with their versions and the thresholds in force."""
    from bot.adapters.moderation.factory import labels_of

    gate = _gate(ctx)
    rows = [
        {
            "scorer": s.name,
            "version": s.version,
            "thresholds": {
                label: limit for label in labels_of(s) if (limit := gate.threshold(s.name, label)) is not None
            },
        }
        for s in gate.scorers
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        limits = ", ".join(f"{k} >= {v:.2f}" for k, v in row["thresholds"].items())
        click.echo(f"{row['scorer']}  {row['version']}\n  flags at: {limits}")
