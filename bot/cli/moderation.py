"""``bot moderation``: score texts with the configured gate, show the scorers in force."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json, short
from bot.cli.params import MAX_POST, POST_TEXT
from bot.config.moderation import ModerationSettings
from bot.domain import ModerationVerdict
from bot.domain.errors import BotError
from bot.services.audit import audit_lines


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
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_POST:
            raise BotError(f"{file}: text {number} is {len(line):,} characters; the most is {MAX_POST:,}")
    return lines


@command.command("check")
@click.argument("texts", nargs=-1, type=POST_TEXT)
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
    held = sum(v.held for v in verdicts)
    if len(items) > 1:
        click.echo(f"{len(items)} texts, {flagged} flagged" + (f", {held} held for review" if held else ""))


#: How each decision is marked: ``review`` passes for a person, never for auto approval.
MARKS = {"pass": "pass", "review": "REVIEW", "flag": "FLAG"}


def print_verdict(text: str, verdict: ModerationVerdict, indent: str = "") -> None:
    """One verdict for people: decision, every scorer with its version, every label's score
    against its threshold, and the reasons (``held:`` lines say why approval = "auto" would
    leave it to a person)."""
    mark = MARKS[verdict.decision.value]
    click.echo(f"{indent}[{mark}] {short(text, 100)}")
    for line in audit_lines(verdict.to_dict()):
        click.echo(f"{indent}  {line}")


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
            "review_thresholds": {
                label: limit
                for label in labels_of(s)
                if (limit := gate.review_threshold(s.name, label)) is not None
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
        if row["review_thresholds"]:
            held = ", ".join(f"{k} >= {v:.2f}" for k, v in row["review_thresholds"].items())
            click.echo(f"  held for review (not auto-approved) at: {held}")


@command.command("export")
@click.option("--out", "-o", "out", default="-", metavar="FILE", help="Where to write the CSV ('-': stdout).")
@pass_ctx
def export(ctx: Context, out: str) -> None:
    """Write the reviewed drafts as labeled CSV (text,label,decision,category,draft_id).

    Approved drafts are benign; drafts rejected --because toxic are toxic (labeled with the
    kind the semantic scorer saw); off-brand and wrong-facts rejections are benign for the
    gate. Correct the labels if needed, then: bot moderation train --add FILE.
    """
    import csv
    import io

    from bot.services.reviewed import ReviewedTexts

    rows, skipped = ReviewedTexts(ctx.app.store, ctx.app.store).collect()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["text", "label", "decision", "category", "draft_id"])
    writer.writeheader()
    writer.writerows(r.to_dict() for r in rows)
    if out == "-":
        click.echo(buffer.getvalue(), nl=False)
    else:
        try:
            Path(out).write_text(buffer.getvalue(), "utf-8")
        except OSError as exc:
            raise BotError(f"{out}: cannot write: {exc.strerror}") from None
    toxic = sum(r.label != "benign" for r in rows)
    click.echo(
        f"{len(rows)} reviewed texts ({toxic} toxic); {skipped} rejections without a category left out",
        err=True,
    )


@command.command("train")
@click.option(
    "--add", "added", multiple=True, metavar="FILE", help="Labeled CSV to learn from too (repeatable)."
)
@click.option(
    "--accept", is_flag=True, help="Make the candidate the model in force (after training, if --add)."
)
@click.option("--out", "out", default=None, metavar="FILE", help="Also write the trained model here.")
@json_option
@pass_ctx
def train(ctx: Context, added: tuple[str, ...], accept: bool, out: str | None, as_json: bool) -> None:
    """Retrain the semantic scorer and show its figures on the dev split beside the model in
    force. The new model waits as a candidate until `bot moderation train --accept`; a running
    daemon picks up an accepted model at its next draft.

    Each training starts from the shipped labeled set plus the files given with --add: to keep
    what earlier files taught, give them all again (keep your exported CSVs)."""
    from bot.adapters.moderation import labeled, semantic, training
    from bot.adapters.moderation.semantic_model import load
    from bot.services.moderation import DEFAULT_THRESHOLDS

    settings = ctx.settings
    data_dir = settings.data_dir
    threshold = settings.moderation.thresholds.get("semantic", {}).get(
        semantic.TOXIC, DEFAULT_THRESHOLDS["semantic"][semantic.TOXIC]
    )
    candidate = training.candidate_path(data_dir)
    report: dict[str, Any] = {"threshold": threshold}
    if added or not accept:
        rows = []
        for file in added:
            read = labeled.read(Path(file))
            if not read:
                raise BotError(f"{file}: no labeled rows in it (columns text,label; one row per text)")
            rows += read
        model = training.fit(rows)
        model.save(candidate)
        if out:
            model.save(Path(out))
        report["added_rows"] = len(rows)
        report["candidate"] = {
            "path": str(candidate),
            "model": model.sha256[:12],
            "data": model.data_sha256[:12],
        }
    elif not candidate.is_file():
        raise BotError(f"no candidate model at {candidate}: run `bot moderation train` first")
    dev = training.dev_rows()
    current, source = semantic.model_for(None, data_dir)
    report["dev"] = {
        "in_force": [f.to_dict() for f in training.evaluate(current, dev, threshold)],
        "candidate": [f.to_dict() for f in training.evaluate(load(candidate), dev, threshold)],
    }
    report["in_force"] = source
    if accept:
        report["accepted"] = str(training.accept(data_dir))
    if as_json:
        print_json(report)
        return
    _print_training(report)


def _print_training(report: dict[str, Any]) -> None:
    if "candidate" in report:
        c = report["candidate"]
        click.echo(
            f"trained candidate {c['model']} (data {c['data']}) with {report['added_rows']} added rows"
        )
    click.echo(f"dev split, flagged at toxic >= {report['threshold']:.2f}:")
    for name in ("in_force", "candidate"):
        shown = "  ".join(
            f"{f['language']}: recall {f['recall']:.3f} fpr {f['fpr']:.3f} ({f['rows']} rows)"
            for f in report["dev"][name]
        )
        click.echo(f"  {name.replace('_', ' ')}: {shown}")
    if "accepted" in report:
        click.echo(f"accepted: the semantic scorer now uses {report['accepted']}")
    else:
        click.echo("accept it with: bot moderation train --accept")
