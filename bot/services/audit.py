"""A moderation audit record (``ModerationVerdict.to_dict()``) as lines a person reads: what
``bot queue show`` prints and the web page's draft shows."""

from __future__ import annotations

from typing import Any


def audit_lines(record: dict[str, Any]) -> list[str]:
    """Each scorer with its version, every label as ``score/threshold``, then the reasons."""
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
    lines += [f"held (never auto-approved): {hold}" for hold in record.get("holds", ())]
    return lines
