"""Benchmark: does "passed" mean publishable? Over the committed, hand-labeled quality set.

Reads only committed files (no model, no network): ``bench/data/quality/briefs.toml`` (90
briefs of twenty-one businesses: greetings, promos, announcements), ``candidates.jsonl`` (10 texts
per brief written once by the bundled model, each labeled publishable or not, and why, by a
careful reader before the checks were tuned) and ``fallbacks.jsonl`` (labels of the composed
and curated drafts the pipeline falls back to). Every candidate goes through the real drafting
stage (cleaning, shortening, checks); then the slot's fallbacks and ranking run as in
production. Reported apart for the ``dev`` briefs (used to tune the checks) and the frozen
``final`` briefs (never tuned on):

- ``pass_precision``: of the model's candidates that pass every check, the share publishable
  (null when none passes: 0 of 0 has no value);
- ``pass_recall``: of the publishable candidates, the share that pass;
- ``candidate_pass_rate``: the share of candidates that pass;
- ``briefs_top_publishable``: the share of briefs whose top-ranked draft (model, composed or
  template) passes and is publishable;
- ``briefs_with_publishable_pass``: the share of briefs with a passing, publishable model text;
- ``coverage``: the share of briefs with any passing draft.

Quotes passing and rejected drafts with the check that rejected them; ends with one JSON line
(the ``final`` figures, with ``dev`` nested).

    .venv/bin/python bench/quality.py [--split final|dev|all] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.qualityset import DATA, SLOT, load_briefs, load_candidates, service_for, settings_for, share


@dataclass
class Tally:
    """Counts for one split."""

    briefs: int = 0
    total: int = 0
    passed: int = 0
    publishable: int = 0
    passed_publishable: int = 0
    top_publishable: int = 0
    with_publishable_pass: int = 0
    covered: int = 0
    unlabeled_top: list[tuple[str, str]] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, float | None]:
        return {
            "pass_precision": share(self.passed_publishable, self.passed),
            "pass_recall": share(self.passed_publishable, self.publishable),
            "briefs_top_publishable": share(self.top_publishable, self.briefs),
            "candidate_pass_rate": share(self.passed, self.total),
            "briefs_with_publishable_pass": share(self.with_publishable_pass, self.briefs),
            "coverage": share(self.covered, self.briefs),
            "passed": self.passed,
            "briefs": self.briefs,
            "candidates": self.total,
            "labeled_publishable": self.publishable,
        }


def load_fallback_labels(path: Path = DATA / "fallbacks.jsonl") -> dict[tuple[str, str], bool]:
    """Labels of composed and template drafts, by (brief, text)."""
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["brief"], r["text"]): bool(r["publishable"]) for r in rows if r.get("publishable") is not None}


def run_brief(
    brief: dict[str, Any],
    mine: list[dict[str, Any]],
    tmp: Path,
    tally: Tally,
    fallback_labels: dict[tuple[str, str], bool],
    quotes: dict[str, list[str]],
    verbose: bool,
) -> None:
    """Check one brief's candidates, run its fallbacks and ranking, and count the results."""
    from bot.domain import DraftOrigin
    from bot.services.drafting.ranking import choose

    settings = settings_for(brief, tmp)
    service = service_for(settings)
    plan = service.plan(settings.campaigns[0], SLOT)
    tally.briefs += 1
    found, labels = [], {}
    for row in mine:
        candidate = service.from_model(plan, row["raw"], "bundled", {"raw": row["raw"], "id": row["id"]})
        found.append(candidate)
        labels[candidate.text] = bool(row["publishable"])
        good = bool(row["publishable"])
        tally.total += 1
        tally.passed += candidate.passed
        tally.publishable += good
        tally.passed_publishable += candidate.passed and good
        failed = [c for c in candidate.checks if not c.passed]
        tally.failures.update(c.name.split(":")[0] for c in failed)
        body = candidate.text.split("\n\n")[0]
        if candidate.passed and len(quotes["pass"]) < 40:
            quotes["pass"].append(f"[{row['id']}] {'publishable' if good else 'NOT publishable'}: {body}")
        if not candidate.passed and failed and len(quotes["reject"]) < 40:
            why = f"{failed[0].name}: {failed[0].detail}"
            quotes["reject"].append(f"[{row['id']}] rejected by {why}\n    {body}")
        if verbose:
            mark = "PASS" if candidate.passed else "fail"
            print(f"{row['id']:28} {mark} label={'Y' if good else 'N'} {body!r}")
            for c in failed:
                print(f"{'':33}{c.name}: {c.detail}")
    tally.with_publishable_pass += any(c.passed and labels[c.text] for c in found)
    scored = service.finish(plan, found)
    top = choose(scored, 1)[0].candidate
    tally.covered += top.passed
    if top.origin is DraftOrigin.MODEL:
        good_top = labels.get(top.text, False)
    else:
        key = (brief["name"], top.text)
        if key not in fallback_labels:
            tally.unlabeled_top.append(key)
        good_top = fallback_labels.get(key, False)
    tally.top_publishable += top.passed and good_top
    print(
        f"[{brief['split']:5}] {brief['name']:26} {sum(c.passed for c in found)}/{len(found)} pass, "
        f"{sum(labels.values())} publishable; top ({top.origin.value}, "
        f"{'passes' if top.passed else 'FAILS'}, {'publishable' if good_top else 'not publishable'}): "
        f"{top.text.split(chr(10))[0][:110]}",
        flush=True,
    )
    for c in top.checks:
        if not c.passed:
            print(f"{'':33}top fails {c.name}: {c.detail}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="print every candidate with its verdicts")
    args = parser.parse_args()

    briefs = load_briefs()
    rows = load_candidates()
    fallback_labels = load_fallback_labels()
    tallies = {"dev": Tally(), "final": Tally()}
    quotes: dict[str, list[str]] = {"pass": [], "reject": []}
    with tempfile.TemporaryDirectory() as tmp:
        for brief in briefs:
            mine = [r for r in rows if r["brief"] == brief["name"]]
            run_brief(brief, mine, Path(tmp), tallies[brief["split"]], fallback_labels, quotes, args.verbose)

    print("\nPassing model drafts (first five):")
    print("\n".join(f"  {q}" for q in quotes["pass"][:5]))
    print("Rejected model drafts (five, with the check that rejected them):")
    print("\n".join(f"  {q}" for q in quotes["reject"][::8][:5]))
    for name, tally in tallies.items():
        print(f"\n{name}: {json.dumps(tally.figures())}")
        print("  failed checks:", ", ".join(f"{k} {v}" for k, v in tally.failures.most_common()))
        for brief_name, text in tally.unlabeled_top:
            print(f"  UNLABELED top draft of {brief_name} (counted as not publishable): {text!r}")
    result: dict[str, Any] = {
        k: v
        for k, v in tallies["final"].figures().items()
        if k not in ("briefs", "candidates", "labeled_publishable")
    }
    result["dev"] = {
        k: v
        for k, v in tallies["dev"].figures().items()
        if k not in ("briefs", "candidates", "labeled_publishable")
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
