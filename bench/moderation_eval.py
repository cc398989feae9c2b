"""Error rate and speed of the default moderation gate (word lists + semantic scorer).

Reads the labeled set shipped in the package (bot/adapters/moderation/data/labeled.csv:
splits fixed by the hash of each text before any tuning; ``train`` fits the semantic
classifier, ``dev`` chose its threshold, ``final`` is never used to choose anything) and the
older independent set in tests/data/moderation.csv. Prints precision, recall and
false-positive rate per language for every split, compared with a baseline measured in the
same run (the previous default gate: profanity model + word lists), then texts per second
(distinct texts, no cache).

Then the look-alike set (bench/data/moderation/lookalikes.csv: the hostile user's texts and
more of their kind, exclusion of a group, demeaning generalisations, threats, beside benign
promo and greeting sentences that look like them: "no booking needed", "dogs welcome", "you'll
love it"), read twice: "flag" (what a person sees flagged) and "not auto" (flagged or held
for review: what ``approval = "auto"`` does not publish by itself); for the default gate, the
gate before the rules scorer (word lists + semantic, no review hold) and the baseline. And
the share of the bundled model's real drafts (bench/data/quality/candidates.jsonl, all
benign) that the default gate flags or holds. And the everyday set
(bench/data/moderation/everyday.csv: held-out small-business copy with harmless violent
idioms, "Flat tyre? We'll fix you up in no time.", "Crush your goals", "价格低到爆炸", and
threats dressed in the same idioms, "Fix your prices or we'll fix your face."; none of it is
in the labeled set): false-positive rate and recall, flag and not auto, beside the baseline's.
ENDS with one JSON line:

    {"en": {...all rows}, "zh": {...}, "final": {"en": {"recall", "fpr"}, "zh": {...}},
     "texts_per_s": T, "lookalikes": {"flag": {"en": {...}, "zh": {...}}, "not_auto": {...}},
     "model_drafts": {"flagged": F, "held": H},
     "everyday": {"flag": {"en": {...}, "zh": {...}}, "not_auto": {...}}}

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
LOOKALIKES = ROOT / "bench" / "data" / "moderation" / "lookalikes.csv"
MODEL_DRAFTS = ROOT / "bench" / "data" / "quality" / "candidates.jsonl"
EVERYDAY = ROOT / "bench" / "data" / "moderation" / "everyday.csv"
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
    gate: ModerationGate, rows: list[tuple[str, bool, str, str]], split: str | None, *, held: bool = False
) -> dict[str, Any]:
    """Per language; ``held``: a text held for review counts as caught (auto approval)."""
    picked = [r for r in rows if split is None or r[3] == split]
    flagged = [v.flagged or (held and v.held) for v in gate.check([r[0] for r in picked])]
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
    show("default gate, final, not auto", evaluate(gate, rows, "final", held=True))
    for split in (None, "final"):
        show(f"baseline (profanity+wordlist), {split or 'all'}", evaluate(baseline, rows, split))
    show("default gate, older set", evaluate(gate, old, None))
    show("baseline, older set", evaluate(baseline, old, None))
    texts = [r[0] for r in rows]
    speed = throughput(gate, texts)
    base_speed = throughput(baseline, texts)
    print(f"texts/s: default gate {speed:.0f}, baseline {base_speed:.0f} (ratio {speed / base_speed:.2f})")
    lookalikes = lookalike_figures(gate, baseline)
    drafts = model_drafts(gate)
    everyday = everyday_figures(gate, baseline)
    final = {lang: {k: results["final"][lang][k] for k in ("recall", "fpr")} for lang in ("en", "zh")}
    everything = results[None]
    print(
        json.dumps(
            {
                "en": everything["en"],
                "zh": everything["zh"],
                "final": final,
                "texts_per_s": round(speed, 1),
                "lookalikes": lookalikes,
                "model_drafts": drafts,
                "everyday": everyday,
            }
        )
    )


def lookalike_figures(gate: ModerationGate, baseline: ModerationGate) -> dict[str, Any]:
    """The look-alike set: flagged, and flagged or held (not auto-approved), beside the gate
    before the rules scorer and the baseline; recall as a ratio of the baseline's."""
    with LOOKALIKES.open(encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["label"] == "toxic", r["language"], r["source"]) for r in csv.DictReader(f)]
    before = build_gate(ModerationSettings(scorers=("wordlist", "semantic")))
    print(f"{len(rows)} look-alike texts ({sum(r[1] for r in rows)} toxic)")
    figures = {"flag": evaluate(gate, rows, None), "not_auto": evaluate(gate, rows, None, held=True)}
    show("default gate, look-alikes, flag", figures["flag"])
    show("default gate, look-alikes, not auto", figures["not_auto"])
    show("before rules (wordlist+semantic)", evaluate(before, rows, None))
    base = evaluate(baseline, rows, None)
    show("baseline, look-alikes", base)
    for lang in ("en", "zh"):
        mine, theirs = figures["not_auto"][lang]["recall"], base[lang]["recall"]
        ratio = f"{mine / theirs:.2f}" if theirs else "inf"
        print(f"look-alike recall (not auto) vs baseline, {lang}: {mine:.3f} / {theirs:.3f} (ratio {ratio})")
    return figures


def model_drafts(gate: ModerationGate) -> dict[str, float]:
    """Share of the bundled model's real drafts (all benign) flagged, and held for review."""
    with MODEL_DRAFTS.open(encoding="utf-8") as f:
        texts = [json.loads(line)["raw"] for line in f if line.strip()]
    verdicts = gate.check(texts)
    flagged = round(sum(v.flagged for v in verdicts) / len(texts), 4)
    held = round(sum(v.held for v in verdicts) / len(texts), 4)
    print(f"bundled model's real drafts ({len(texts)}): flagged {flagged:.4f}, held for review {held:.4f}")
    return {"flagged": flagged, "held": held}


def everyday_figures(gate: ModerationGate, baseline: ModerationGate) -> dict[str, Any]:
    """The held-out everyday set: false flags on benign business copy and recall on threats
    dressed in the same idioms, flagged and not auto-approved, beside the baseline's."""
    with EVERYDAY.open(encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["label"] == "toxic", r["language"], "") for r in csv.DictReader(f)]
    print(f"{len(rows)} everyday texts, held out of training ({sum(r[1] for r in rows)} toxic)")
    figures = {"flag": evaluate(gate, rows, None), "not_auto": evaluate(gate, rows, None, held=True)}
    show("default gate, everyday, flag", figures["flag"])
    show("default gate, everyday, not auto", figures["not_auto"])
    base = evaluate(baseline, rows, None, held=True)
    show("baseline, everyday, not auto", base)
    for lang in ("en", "zh"):
        mine, theirs = figures["not_auto"][lang]["fpr"], base[lang]["fpr"]
        ratio = f"{mine / theirs:.2f}" if theirs else "inf" if mine else "1.00"
        print(
            f"everyday false flags (not auto) vs baseline, {lang}: {mine:.3f} / {theirs:.3f} (ratio {ratio})"
        )
    return figures


if __name__ == "__main__":
    main()
