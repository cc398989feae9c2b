"""Benchmark: how many model-written candidates pass every check, over 12 campaign briefs.

Runs the 12 English briefs of ``tests/data/briefs.toml`` (6 festival greetings, 4 promos,
2 announcements) through the drafting stage with the bundled model, 8 candidates each, and
reports the share of candidates that pass all checks and the share of briefs with at least
one passing model-written (not template) draft. Prints one sample draft per brief and ends
with one JSON line.

    .venv/bin/python bench/quality.py [--candidates 8] [--threads 1] [--dtype auto]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLOT = datetime(2026, 9, 24, 1, 0, tzinfo=UTC)


def settings_for(brief: dict[str, Any], args: argparse.Namespace, data_dir: Path) -> Any:
    """A Settings object holding one brief as its only campaign."""
    from bot.config.settings import Settings

    campaign = {k: v for k, v in brief.items() if k != "brand"}
    campaign["accounts"] = ["x", "bsky"]
    return Settings.model_validate(
        {
            "bot": {"data_dir": str(data_dir)},
            "brand": brief["brand"],
            "model": {"dtype": args.dtype, "threads": args.threads, "candidates": args.candidates},
            "moderation": {"scorers": ["profanity"]},
            "accounts": [
                {"name": "x", "platform": "x"},
                {"name": "bsky", "platform": "bluesky", "handle": "shop.example"},
            ],
            "campaigns": [campaign],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "int8"])
    parser.add_argument("--briefs", type=Path, default=ROOT / "tests" / "data" / "briefs.toml")
    args = parser.parse_args()

    from bot.adapters.generation.factory import build_generator
    from bot.domain import DraftOrigin
    from bot.domain.ports import FixedClock
    from bot.services.drafting.service import DraftingService, choose
    from bot.wiring import build_gate

    briefs = tomllib.loads(args.briefs.read_text(encoding="utf-8"))["brief"]
    total = passed = with_model = 0
    failures: dict[str, int] = {}
    generator = None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for brief in briefs:
            settings = settings_for(brief, args, Path(tmp))
            generator = generator or build_generator(settings)
            gate = build_gate(settings.moderation)
            service = DraftingService(
                settings, None, lambda g=generator: g, lambda g=gate: g, FixedClock(SLOT), "q"
            )
            scored = service.candidates(settings.campaigns[0], SLOT)
            model = [s for s in scored if s.candidate.origin is DraftOrigin.MODEL]
            ok = [s for s in model if s.candidate.passed]
            total += len(model)
            passed += len(ok)
            with_model += bool(ok)
            for s in model:
                for check in s.candidate.checks:
                    if not check.passed:
                        key = check.name.split(":")[0]
                        failures[key] = failures.get(key, 0) + 1
            best = choose(scored, 1)[0].candidate
            print(
                f"\n[{brief['name']}] {len(ok)}/{len(model)} model candidates pass; "
                f"best ({best.origin.value}):\n{best.text}",
                flush=True,
            )
    elapsed = time.perf_counter() - started
    print(
        f"\n{passed}/{total} candidates pass, {with_model}/{len(briefs)} briefs have a model-written draft "
        f"({elapsed:.0f} s)"
    )
    print("failed checks:", ", ".join(f"{k} {v}" for k, v in sorted(failures.items(), key=lambda kv: -kv[1])))
    print(
        json.dumps(
            {
                "candidate_pass_rate": round(passed / max(1, total), 3),
                "briefs_with_model_draft": round(with_model / len(briefs), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
