"""Benchmark: does a repetition penalty stop the bundled model's loops without costing drafts?

Drafts real slots with the bundled model (backend "embedded", resident, loaded once before
timing) through the real drafting stage: the briefs of the quality set's ``dev`` split
(``bench/data/quality/briefs.toml``; the ``final`` split is never tuned on), each drafted for
the set's fixed slot with ``--candidates`` candidates at every ``--penalties`` setting, the
settings interleaved brief by brief so that a change in the machine's load hits them alike.
Each slot gets its composed and curated fallbacks and its ranking by meaning, as in production.

Per setting:

- ``loop``: the share of model candidates failing the ``loop`` check (a sentence or phrase
  repeated, "Hi there, Hi there", the same emoji three times in a row...);
- ``passed``: the share of model candidates passing every check;
- ``brand_or_facts``: the share failing ``brand`` or ``facts`` (a penalty that kept the model
  from copying the brand name, a price or a code from the prompt would show here);
- ``top_model``: the share of slots whose top draft is a model draft that passes (not a
  composed or curated one);
- ``tokens_per_s``: new tokens written per second of generation.

Ends with one JSON line (``settings``: the figures of each penalty).

    .venv/bin/python bench/penalty.py [--penalties 1.0,1.15,1.3] [--briefs 20] [--candidates 8]
        [--threads 1] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.qualityset import SLOT, load_briefs, settings_for


@dataclass
class Setting:
    """The counts of one penalty over the briefs."""

    penalty: float
    candidates: int = 0
    passed: int = 0
    slots: int = 0
    top_model: int = 0
    seconds: float = 0.0
    tokens: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        def share(count: int) -> float | None:
            return round(count / self.candidates, 3) if self.candidates else None

        return {
            "loop": share(self.failures["loop"]),
            "passed": share(self.passed),
            "brand_or_facts": share(self.failures["brand_or_facts"]),
            "top_model": round(self.top_model / self.slots, 3) if self.slots else None,
            "tokens_per_s": round(self.tokens / self.seconds, 1) if self.seconds else None,
            "candidates": self.candidates,
            "slots": self.slots,
        }


class Timed:
    """The resident generator, timing its calls and counting the tokens it writes."""

    def __init__(self, generator: Any) -> None:
        self.generator = generator
        self.seconds = 0.0
        self.tokens = 0

    @property
    def model_id(self) -> str:
        return str(self.generator.model_id)

    def generate(self, request: Any) -> Any:
        started = time.perf_counter()
        texts = self.generator.generate(request)
        self.seconds += time.perf_counter() - started
        self.tokens += sum(t.new_tokens for t in texts)
        return texts


def pick(briefs: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` dev briefs spread evenly over the set (every business kind, every brand)."""
    dev = [b for b in briefs if b["split"] == "dev"]
    step = max(1, len(dev) // count)
    return dev[::step][:count]


def draft(brief: dict[str, Any], data_dir: Path, model: dict[str, Any], timed: Timed, tally: Setting) -> None:
    """One slot of ``brief`` through the drafting stage; its figures added to ``tally``."""
    from bot.adapters.embedding import shared
    from bot.domain import DraftOrigin
    from bot.domain.ports import FixedClock
    from bot.services.drafting.ranking import choose
    from bot.services.drafting.service import DraftingService
    from bot.wiring import build_gate

    settings = settings_for(brief, data_dir, {**model, "repetition_penalty": tally.penalty})
    service = DraftingService(
        settings,
        None,
        lambda: timed,
        lambda: build_gate(settings.moderation),
        FixedClock(SLOT),
        "penalty",
        embedder=shared,
    )
    seconds, tokens = timed.seconds, timed.tokens
    scored = service.candidates(settings.campaigns[0], SLOT)
    tally.seconds += timed.seconds - seconds
    tally.tokens += timed.tokens - tokens
    found = [s.candidate for s in scored if s.candidate.origin is DraftOrigin.MODEL]
    tally.slots += 1
    tally.candidates += len(found)
    tally.passed += sum(c.passed for c in found)
    for c in found:
        failed = {r.name.split(":")[0] for r in c.checks if not r.passed}
        tally.failures.update(failed)
        tally.failures["brand_or_facts"] += bool(failed & {"brand", "facts"})
    top = choose(scored, 1)[0].candidate
    tally.top_model += top.origin is DraftOrigin.MODEL and top.passed
    loops = sum(any(r.name == "loop" and not r.passed for r in c.checks) for c in found)
    print(
        f"  {tally.penalty:<5} {brief['name']:28} {sum(c.passed for c in found)}/{len(found)} pass, "
        f"{loops} loop; top {top.origin.value}{'' if top.passed else ' (fails)'}: "
        f"{top.text.splitlines()[0][:90]}",
        flush=True,
    )
    if len(tally.samples) < 6:
        tally.samples.append(found[0].text.splitlines()[0][:160] if found else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--penalties", default="1.0,1.15,1.3", help="comma-separated settings")
    parser.add_argument("--briefs", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--data-dir", type=Path, default=None, help="model cache (default: a temp dir)")
    args = parser.parse_args()

    from bot.adapters.generation.factory import build_generator

    tallies = [Setting(float(p)) for p in args.penalties.split(",")]
    briefs = pick(load_briefs(), args.briefs)
    model = {
        "backend": "embedded",
        "dtype": args.dtype,
        "threads": args.threads,
        "candidates": args.candidates,
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        generator = build_generator(settings_for(briefs[0], data_dir, model))
        started = time.perf_counter()
        generator.load()  # type: ignore[attr-defined]
        print(f"model loaded in {time.perf_counter() - started:.1f} s", flush=True)
        timed = Timed(generator)
        for brief in briefs:
            for tally in tallies:
                draft(brief, data_dir, model, timed, tally)

    for tally in tallies:
        print(f"\npenalty {tally.penalty}: {json.dumps(tally.figures())}")
        print("  failed checks:", ", ".join(f"{k} {v}" for k, v in tally.failures.most_common()))
        for sample in tally.samples:
            print(f"  first candidate: {sample}")
    result = {
        "briefs": len(briefs),
        "candidates": args.candidates,
        "threads": args.threads,
        "settings": {str(t.penalty): t.figures() for t in tallies},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
