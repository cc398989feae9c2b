"""Error rate and speed of the default moderation gate on tests/data/moderation.csv.

Prints precision, recall and false-positive rate per language (all rows, then each split:
``dev`` rows were used to tune the word lists; ``test`` rows were held out at first, but 36
harder rows added to them later were looked at once before general terms were added;
``final`` rows were written after the lists were frozen and never tuned on), compared with a
baseline measured in the same run (the embedded profanity model alone), then texts per
second, and ENDS with one JSON line:

    {"en": {"precision": P, "recall": R, "fpr": F}, "zh": {...}, "texts_per_s": T}

Run: .venv/bin/python bench/moderation_eval.py
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config.moderation import ModerationSettings
from bot.services.moderation import ModerationGate
from bot.wiring import build_gate

DATA = ROOT / "tests" / "data" / "moderation.csv"
ROUNDS = 20


def load() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def metrics(rows: list[dict[str, str]], flagged: list[bool]) -> dict[str, float]:
    tp = sum(f and r["label"] == "toxic" for r, f in zip(rows, flagged, strict=True))
    fp = sum(f and r["label"] == "benign" for r, f in zip(rows, flagged, strict=True))
    toxic = sum(r["label"] == "toxic" for r in rows)
    benign = len(rows) - toxic
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / toxic, 3) if toxic else 1.0,
        "fpr": round(fp / benign, 3) if benign else 0.0,
    }


def evaluate(gate: ModerationGate, rows: list[dict[str, str]], split: str | None = None) -> dict[str, Any]:
    picked = [r for r in rows if split is None or r["split"] == split]
    flagged = [v.flagged for v in gate.check([r["text"] for r in picked])]
    out: dict[str, Any] = {}
    for lang in ("en", "zh"):
        pairs = [(r, f) for r, f in zip(picked, flagged, strict=True) if r["language"] == lang]
        out[lang] = metrics([r for r, _ in pairs], [f for _, f in pairs])
    return out


def throughput(gate: ModerationGate, texts: list[str]) -> float:
    gate.check(texts)  # warm up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        gate.check(texts)
    return ROUNDS * len(texts) / (time.perf_counter() - start)


def errors(gate: ModerationGate, rows: list[dict[str, str]]) -> list[str]:
    dev = [r for r in rows if r["split"] == "dev"]
    verdicts = gate.check([r["text"] for r in dev])
    wrong = [(r, v) for r, v in zip(dev, verdicts, strict=True) if v.flagged != (r["label"] == "toxic")]
    return [f"  {r['language']} {r['label']:6} {r['category']:12} {r['text']}" for r, _ in wrong]


def show(name: str, result: dict[str, Any]) -> None:
    for lang in ("en", "zh"):
        m = result[lang]
        print(
            f"{name:28} {lang}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  fpr {m['fpr']:.3f}"
        )


def main() -> None:
    rows = load()
    texts = [r["text"] for r in rows]
    print(f"{len(rows)} labeled texts from {DATA.relative_to(ROOT)}")
    gate = build_gate(ModerationSettings())
    baseline = build_gate(ModerationSettings(scorers=("profanity",)))
    print("scorers:", ", ".join(f"{k} ({v})" for k, v in gate.versions.items()))
    result = evaluate(gate, rows)
    show("default gate, all rows", result)
    show("default gate, split test", evaluate(gate, rows, "test"))
    show("default gate, split final", evaluate(gate, rows, "final"))
    show("baseline profanity alone", evaluate(baseline, rows))
    print("dev-split errors of the default gate:")
    print("\n".join(errors(gate, rows)) or "  none")
    speed = throughput(gate, texts)
    base_speed = throughput(baseline, texts)
    ratio = speed / base_speed
    print(f"texts/s: default gate {speed:.0f}, profanity alone {base_speed:.0f} (ratio {ratio:.2f})")
    print(json.dumps({"en": result["en"], "zh": result["zh"], "texts_per_s": round(speed, 1)}))


if __name__ == "__main__":
    main()
