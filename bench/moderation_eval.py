"""Error rate and speed of the default moderation gate (word lists + semantic scorer).

Reads the labeled set shipped in the package (bot/adapters/moderation/data/labeled.csv:
splits fixed by the hash of each text before any tuning; ``train`` fits the semantic
classifier, ``dev`` chose its threshold, ``final`` is never used to choose anything) and the
older independent set in tests/data/moderation.csv. Prints precision, recall and
false-positive rate per language for every split, compared with a baseline measured in the
same run (the previous default gate: profanity model + word lists), then texts per second
(distinct texts, no cache), and ENDS with one JSON line:

    {"en": {...all rows}, "zh": {...}, "final": {"en": {"recall", "fpr"}, "zh": {...}}, "texts_per_s": T}

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

from bot.adapters.moderation.labeled import bundled
from bot.config.moderation import ModerationSettings
from bot.services.moderation import ModerationGate
from bot.wiring import build_gate

OLD_SET = ROOT / "tests" / "data" / "moderation.csv"
ROUNDS = 3


def metrics(toxic: list[bool], flagged: list[bool]) -> dict[str, float]:
    tp = sum(f and t for t, f in zip(toxic, flagged, strict=True))
    fp = sum(f and not t for t, f in zip(toxic, flagged, strict=True))
    bad = sum(toxic)
    good = len(toxic) - bad
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / bad, 3) if bad else 1.0,
        "fpr": round(fp / good, 3) if good else 0.0,
    }


def evaluate(
    gate: ModerationGate, rows: list[tuple[str, bool, str, str]], split: str | None
) -> dict[str, Any]:
    picked = [r for r in rows if split is None or r[3] == split]
    flagged = [v.flagged for v in gate.check([r[0] for r in picked])]
    out = {}
    for lang in ("en", "zh"):
        pairs = [(r[1], f) for r, f in zip(picked, flagged, strict=True) if r[2] == lang]
        out[lang] = metrics([t for t, _ in pairs], [f for _, f in pairs])
    return out


def show(name: str, result: dict[str, Any]) -> None:
    for lang in ("en", "zh"):
        m = result[lang]
        print(
            f"{name:34} {lang}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  fpr {m['fpr']:.3f}"
        )


def throughput(gate: ModerationGate, texts: list[str]) -> float:
    gate.check(texts[:10])  # warm up (loads the encoder)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        gate.check(texts)
    return ROUNDS * len(texts) / (time.perf_counter() - start)


def main() -> None:
    rows = [(r.text, r.toxic, r.language, r.split) for r in bundled()]
    with OLD_SET.open(encoding="utf-8", newline="") as f:
        old = [(r["text"], r["label"] == "toxic", r["language"], r["split"]) for r in csv.DictReader(f)]
    gate = build_gate(ModerationSettings())
    baseline = build_gate(ModerationSettings(scorers=("profanity", "wordlist")))
    print(f"{len(rows)} labeled texts (package), {len(old)} in the older set (tests/data)")
    print("scorers:", ", ".join(f"{k} ({v})" for k, v in gate.versions.items()))
    results = {}
    for split in (None, "train", "dev", "final"):
        results[split] = evaluate(gate, rows, split)
        show(f"default gate, {split or 'all rows'}", results[split])
    for split in (None, "final"):
        show(f"baseline (profanity+wordlist), {split or 'all'}", evaluate(baseline, rows, split))
    show("default gate, older set", evaluate(gate, old, None))
    show("baseline, older set", evaluate(baseline, old, None))
    texts = [r[0] for r in rows]
    speed = throughput(gate, texts)
    base_speed = throughput(baseline, texts)
    print(f"texts/s: default gate {speed:.0f}, baseline {base_speed:.0f} (ratio {speed / base_speed:.2f})")
    final = {lang: {k: results["final"][lang][k] for k in ("recall", "fpr")} for lang in ("en", "zh")}
    everything = results[None]
    print(
        json.dumps(
            {"en": everything["en"], "zh": everything["zh"], "final": final, "texts_per_s": round(speed, 1)}
        )
    )


if __name__ == "__main__":
    main()
