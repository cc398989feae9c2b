"""Write the quality set's candidates with the bundled model (run once; the output is committed).

For each brief of ``bench/data/quality/briefs.toml`` the drafting stage builds its real
generation request (prompt, facts, worked examples, sampling settings) and the bundled model
writes ``--candidates`` texts in one batch. Each raw text is appended to
``bench/data/quality/candidates.jsonl`` with its cleaned body, unlabeled
(``"publishable": null``): a careful reader labels them by hand before the checks are tuned.

    .venv/bin/python bench/data/quality/generate.py [--candidates 10] [--threads 2] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import TypeVar

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.qualityset import DATA, SLOT, load_briefs, settings_for

T = TypeVar("T")


def _given(value: T) -> T:
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--out", type=Path, default=DATA / "candidates.jsonl")
    parser.add_argument("--data-dir", type=Path, default=None, help="model cache (default: a temp dir)")
    args = parser.parse_args()

    from bot.adapters.generation.factory import build_generator
    from bot.domain.ports import FixedClock
    from bot.services.drafting import cleaning
    from bot.services.drafting.service import DraftingService
    from bot.wiring import build_gate

    done = set()
    if args.out.exists():
        done = {
            json.loads(line)["brief"] for line in args.out.read_text(encoding="utf-8").splitlines() if line
        }
    model = {
        "backend": "embedded",
        "dtype": args.dtype,
        "threads": args.threads,
        "candidates": args.candidates,
    }
    generator = None
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        for brief in load_briefs():
            if brief["name"] in done:
                continue
            settings = settings_for(brief, data_dir, model)
            generator = generator or build_generator(settings)
            service = DraftingService(
                settings,
                None,
                partial(_given, generator),
                partial(build_gate, settings.moderation),
                FixedClock(SLOT),
                "q",
            )
            plan = service.plan(settings.campaigns[0], SLOT)
            request = service.request(plan)
            started = time.perf_counter()
            texts = generator.generate(request)
            with args.out.open("a", encoding="utf-8") as out:
                for i, generated in enumerate(texts):
                    row = {
                        "id": f"{brief['name']}:{i}",
                        "brief": brief["name"],
                        "split": brief["split"],
                        "index": i,
                        "seed": request.seed,
                        "raw": generated.text,
                        "body": cleaning.clean_body(generated.text),
                        "publishable": None,
                        "why": "",
                    }
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(f"{brief['name']}: {len(texts)} texts in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
