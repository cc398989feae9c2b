"""How well the drafting stage reads what a brief asks the post to tell (no model needed).

``bench/data/reading/cases.toml`` holds 240 owners' briefs, each with what a careful human
reader takes from it: ``tells`` (what the post must tell its readers beyond the listed facts)
and ``ignore`` (the brief's instructions, asides and tone requests, which must not appear in the
post). They were written without reading the drafting code; ``final`` cases are not used to
tune the reader.

For each case the real drafting service drafts a slot with no model draft (so the top draft
is the composed one, or a curated template), as a bot does when the model writes nothing
usable. A case is read right when the top draft passes the checks, carries every ``tells``
item (three quarters of its content words, numbers included) and no ``ignore`` phrase.

The baseline, measured in the same run, is the brief and the facts posted as written (what a
bot that does not read the brief would publish).

    .venv/bin/python bench/reading.py [--split dev|final|all] [--verbose]

Ends with one JSON line: ``read_right`` (share of cases read right), ``tells_carried``,
``echoed`` (share of cases whose top draft holds an ``ignore`` phrase), ``top_passes``,
the baseline's ``read_right`` and ``ratio`` (ours / baseline), per split.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.qualityset import ROOT, SLOT, share

CASES = ROOT / "bench" / "data" / "reading" / "cases.toml"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "as",
        "is",
        "are",
        "be",
        "our",
        "your",
        "we",
        "you",
        "us",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "will",
        "can",
        "so",
        "if",
        "all",
        "just",
        "also",
        "please",
        "our",
        "we're",
        "we'll",
        "you're",
        "it's",
        "there",
        "their",
        "they",
        "them",
        "out",
        "up",
    ]
)


def _stems(text: str) -> set[str]:
    """Content words, cut to five letters ("closing" and "closed" meet at "closi"/"close")."""
    words = _WORD.findall(text.casefold().replace("’", "'"))
    return {w[:5] for w in words if w not in _STOP}


def carried(tell: str, text: str) -> bool:
    """Whether ``text`` carries three quarters of ``tell``'s content words."""
    wanted = _stems(tell)
    if not wanted:
        return True
    return len(wanted & _stems(text)) * 4 >= len(wanted) * 3


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold().replace("’", "'")))


def echoed(phrases: list[str], text: str) -> list[str]:
    """The ``ignore`` phrases found in ``text`` (word for word, case and punctuation aside)."""
    body = f" {_squash(text)} "
    return [p for p in phrases if _squash(p) and f" {_squash(p)} " in body]


def _render(text: str, case: dict[str, Any]) -> str:
    return text.replace("{{ brand }}", case["brand"]).replace("{{ product }}", case.get("product", ""))


@dataclass
class Tally:
    cases: int = 0
    right: int = 0
    tells: int = 0
    tells_carried: int = 0
    echoed: int = 0
    passes: int = 0
    baseline_right: int = 0

    def figures(self) -> dict[str, float | None]:
        ours, base = share(self.right, self.cases), share(self.baseline_right, self.cases)
        return {
            "read_right": ours,
            "tells_carried": share(self.tells_carried, self.tells),
            "echoed": share(self.echoed, self.cases),
            "top_passes": share(self.passes, self.cases),
            "baseline_read_right": base,
            "ratio": round(ours / base, 2) if ours is not None and base else None,
            "cases": self.cases,
        }


def _settings(case: dict[str, Any], data_dir: Path) -> Any:
    from bench.qualityset import settings_for

    campaign: dict[str, Any] = {
        "name": case["id"],
        "kind": case["kind"],
        "when": {"cron": "0 10 * * MON"},
        "brief": case["brief"],
        "brand": "b",
        "split": case["split"],
        "brand_settings": {"name": case["brand"]},
    }
    if case.get("facts"):
        campaign["facts"] = case["facts"]
    if case.get("product"):
        campaign["products"] = [case["product"]]
    return settings_for(campaign, data_dir)


def top_draft(case: dict[str, Any], data_dir: Path) -> tuple[str, bool]:
    """The top draft of a slot of this case with no model draft, and whether it passes."""
    from bench.qualityset import service_for
    from bot.domain.errors import BotError
    from bot.services.drafting.ranking import choose

    settings = _settings(case, data_dir)
    service = service_for(settings)
    plan = service.plan(settings.campaigns[0], SLOT)
    try:
        top = choose(service.finish(plan, []), 1)[0].candidate
    except BotError:  # nothing to state and no template fits: the slot gets no draft
        return "", False
    return top.text.split("\n\n")[0], top.passed


def judge(case: dict[str, Any], text: str, passes: bool) -> tuple[bool, list[str], list[str]]:
    """(read right, tells missing, ignore phrases echoed)."""
    missing = [t for t in case["tells"] if not carried(t, text)]
    found = echoed(case["ignore"], text)
    return passes and not missing and not found, missing, found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("dev", "final", "all"), default="all")
    parser.add_argument("--verbose", action="store_true", help="print every case read wrong")
    args = parser.parse_args()

    cases = tomllib.loads(CASES.read_text(encoding="utf-8"))["case"]
    splits = ("dev", "final") if args.split == "all" else (args.split,)
    tallies = {s: Tally() for s in splits}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            if case["split"] not in tallies:
                continue
            tally = tallies[case["split"]]
            text, passes = top_draft(case, Path(tmp))
            right, missing, found = judge(case, text, passes)
            naive = " ".join((_render(case["brief"], case), *case.get("facts", [])))
            tally.baseline_right += judge(case, naive, True)[0]
            tally.cases += 1
            tally.right += right
            tally.tells += len(case["tells"])
            tally.tells_carried += len(case["tells"]) - len(missing)
            tally.echoed += bool(found)
            tally.passes += passes
            if args.verbose and not right and case["split"] == "dev":
                print(f"[{case['id']}] {_render(case['brief'], case)!r} facts={case.get('facts', [])}")
                print(f"    top ({'passes' if passes else 'FAILS'}): {text!r}")
                for tell in missing:
                    print(f"    missing: {tell!r}")
                for phrase in found:
                    print(f"    echoes: {phrase!r}")
    result = {s: t.figures() for s, t in tallies.items()}
    for split, figures in result.items():
        print(
            f"{split}: ours {figures['read_right']} vs baseline {figures['baseline_read_right']} "
            f"(x{figures['ratio']}), tells carried {figures['tells_carried']}, echoed {figures['echoed']}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
