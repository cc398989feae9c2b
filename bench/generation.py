"""Benchmark: drafts per minute and generated tokens per second, naive vs the drafting stage.

(a) naive, the way a blog post does it: load the GGUF model in float32 for every draft, one
    ``generate()`` call per draft, one sequence each;
(b) the project's drafting stage: the model stays resident (loaded once, before timing), the
    candidates of a slot come from one batched call (one prompt per worked example,
    left-padded), then cleaning, checks and moderation.

Each generated text counts as one draft for both (the drafting stage keeps the best of them).
Tokens are the real new tokens of each text (padding after an early stop is not counted).
Same sampling settings and thread count for both. Ends with one JSON line.

    .venv/bin/python bench/generation.py [--threads 2] [--dtype auto] [--slots 3] [--naive 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONFIG = """
[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box", "Tieguanyin oolong"]
link = "https://lotusleaf.example/shop"
[model]
backend = "embedded"
dtype = "{dtype}"
threads = {threads}
candidates = {candidates}
max_new_tokens = 64
[moderation]
scorers = ["profanity"]
[[accounts]]
name = "x"
platform = "x"
[[campaigns]]
name = "mid-autumn"
kind = "greeting"
when = {{ holiday = "Mid-Autumn Festival", country = "CN", at = "09:00" }}
accounts = ["x"]
brief = "Write a warm Mid-Autumn Festival greeting from {{{{ brand }}}}. Mention our {{{{ product }}}}."
[[campaigns]]
name = "promo"
kind = "promo"
when = {{ cron = "0 10 * * FRI" }}
accounts = ["x"]
brief = "Write a short Friday promotion for {{{{ brand }}}}: {{{{ product }}}} is 10% off, code FRIDAYTEA."
products = ["Tieguanyin oolong"]
"""


def naive(gguf: Path, messages: list[dict[str, str]], drafts: int, threads: int) -> tuple[float, int]:
    """Seconds and tokens for ``drafts`` texts, loading the model for each one."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    tokens, started = 0, time.perf_counter()
    for i in range(drafts):
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = AutoModelForCausalLM.from_pretrained(
                gguf.parent, gguf_file=gguf.name, dtype=torch.float32
            )
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
        ids = ids if isinstance(ids, torch.Tensor) else ids["input_ids"]
        torch.manual_seed(i)
        out = model.generate(
            ids,
            do_sample=True,
            temperature=0.4,
            top_p=0.9,
            max_new_tokens=64,
            pad_token_id=tokenizer.eos_token_id,
        )
        tokens += int(out.shape[1] - ids.shape[1])
        print(f"  naive draft {i + 1}: {time.perf_counter() - started:.1f} s so far", flush=True)
    return time.perf_counter() - started, tokens


def project(config: Path, slots: int) -> tuple[float, int, int, float]:
    """Seconds, tokens and texts for ``slots`` slots; plus the one-off load time."""
    from bot.adapters.generation.factory import build_generator
    from bot.config import load_settings
    from bot.domain.ports import FixedClock
    from bot.services.drafting.service import DraftingService
    from bot.wiring import build_gate

    settings = load_settings(config)
    generator = build_generator(settings)
    gate = build_gate(settings.moderation)
    start = datetime(2026, 9, 25, 1, tzinfo=UTC)
    service = DraftingService(settings, None, lambda: generator, lambda: gate, FixedClock(start), "bench")
    loaded = time.perf_counter()
    service.candidates(settings.campaign("promo"), start)  # load + warm up, not timed
    load_s = time.perf_counter() - loaded
    tokens = texts = 0
    started = time.perf_counter()
    for i in range(slots):
        campaign = settings.campaign(("mid-autumn", "promo")[i % 2])
        scored = service.candidates(campaign, start + timedelta(days=i + 1))
        made = [s.candidate for s in scored if s.candidate.origin.value == "model"]
        texts += len(made)
        tokens += sum(int(c.settings["new_tokens"]) for c in made)
        print(f"  slot {i + 1}: {len(made)} texts, {time.perf_counter() - started:.1f} s so far", flush=True)
    return time.perf_counter() - started, tokens, texts, load_s


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads for both (1 is faster on a busy 2-core box)"
    )
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "int8"])
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--naive", type=int, default=2, help="naive drafts (each reloads the model)")
    args = parser.parse_args()

    from bot.adapters.generation.bundled import bundled_gguf
    from bot.services.drafting.prompts import chat

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bot.toml"
        config.write_text(
            CONFIG.format(dtype=args.dtype, threads=args.threads, candidates=args.candidates),
            encoding="utf-8",
        )
        print(
            f"project: resident model, dtype={args.dtype}, {args.threads} threads, "
            f"{args.candidates} candidates per slot, {args.slots} slots"
        )
        p_s, p_tokens, p_texts, load_s = project(config, args.slots)
        print(f"  (model load + warm-up, not timed: {load_s:.1f} s)")

    brief = (
        "Write a warm greeting for the Mid-Autumn Festival from Lotus Leaf Tea House. Mention our mooncakes."
    )
    messages = [
        {"role": m.role, "content": m.content}
        for m in chat(brief, kind="greeting", holiday="Mid-Autumn Festival")[0]
    ]
    print(f"naive: float32, model loaded per draft, one generate() per draft, {args.naive} drafts")
    n_s, n_tokens = naive(bundled_gguf(), messages, args.naive, args.threads)

    naive_dpm = args.naive / n_s * 60
    dpm = p_texts / p_s * 60
    print(f"naive:   {naive_dpm:7.2f} drafts/min  {n_tokens / n_s:7.1f} tokens/s  ({n_s:.1f} s)")
    print(f"project: {dpm:7.2f} drafts/min  {p_tokens / p_s:7.1f} tokens/s  ({p_s:.1f} s)")
    print(f"ratio:   {dpm / naive_dpm:.1f}x drafts per minute")
    print("note: the 2 CPU cores are shared with other work; figures vary from run to run")
    print(
        json.dumps(
            {
                "naive_drafts_per_min": round(naive_dpm, 2),
                "drafts_per_min": round(dpm, 2),
                "ratio": round(dpm / naive_dpm, 2),
                "tokens_per_s": round(p_tokens / p_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
