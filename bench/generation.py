"""Benchmark: drafts per minute and generated tokens per second, naive vs the drafting stage.

(a) naive, the way a blog post does it: load the GGUF model in float32 for every draft, one
    ``generate()`` call per draft, one sequence each;
(b) the project's drafting stage (model resident, loaded once before timing; cleaning, checks
    and moderation included), with each engine side by side on the same slots, interleaved
    slot by slot so that a change in the machine's load hits them alike:
    - ``generate``: transformers' ``generate()`` over one left-padded prompt per candidate
      (the previous way: the prompt of every candidate is processed again);
    - ``prompt-once``: each distinct chat (one per worked example) processed once and its
      cache copied to its candidates (the default), with ``--compare`` candidates per slot
      (the engine's gain alone) and with ``--candidates`` (the local backends' default, 16);
    - ``ctranslate2``: backend "ctranslate2" (the same model converted to CTranslate2 int8, no
      torch to generate) with ``--candidates``; its one-off conversion (from the embedded
      backend's de-quantized cache, made by then) is part of the untimed load.

Each generated text counts as one draft (the drafting stage keeps the best of them). Tokens
are the real new tokens of each text (nothing after a text's end is counted). Same sampling
settings and thread count for all. The JSON line's drafting figures are the default engine's
with ``--candidates``; ratios are against the naive way and the ``generate`` engine measured in
the same run. Ends with one JSON line.

    .venv/bin/python bench/generation.py [--threads 1] [--dtype auto] [--candidates 16] [--compare 8]
        [--slots 4] [--naive 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

T = TypeVar("T")

CONFIG = """
[brand]
name = "Lotus Leaf Tea House"
products = ["mooncake gift box", "Tieguanyin oolong"]
link = "https://lotusleaf.example/shop"
[model]
backend = "{backend}"
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
        encoded: Any = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        )
        ids: Any = encoded if isinstance(encoded, torch.Tensor) else encoded["input_ids"]
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


@dataclass
class Variant:
    """One engine and candidate count, measured over the same slots as the others."""

    label: str
    engine: str
    candidates: int
    backend: str = "embedded"
    seconds: float = 0.0
    tokens: int = 0
    texts: int = 0
    passed: int = 0
    slots: int = 0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds

    @property
    def drafts_per_min(self) -> float:
        return self.texts / self.seconds * 60


def project(tmp: Path, args: argparse.Namespace, variants: list[Variant]) -> float:
    """Run every variant on the same slots, interleaved; return the one-off load time."""
    from bot.adapters.generation.factory import build_generator
    from bot.config import load_settings
    from bot.domain.ports import FixedClock
    from bot.services.drafting.service import DraftingService
    from bot.wiring import build_gate

    services = []
    generators: dict[str, Any] = {}
    for variant in variants:
        config = tmp / f"bot-{variant.backend}-{variant.candidates}.toml"
        config.write_text(
            CONFIG.format(
                backend=variant.backend, dtype=args.dtype, threads=args.threads, candidates=variant.candidates
            ),
            encoding="utf-8",
        )
        settings = load_settings(config)
        generator = generators.setdefault(variant.backend, build_generator(settings))
        gate = build_gate(settings.moderation)
        start = datetime(2026, 9, 25, 1, tzinfo=UTC)
        service = DraftingService(settings, None, _const(generator), _const(gate), FixedClock(start), "bench")
        services.append((settings, service, generator))
    start = datetime(2026, 9, 25, 1, tzinfo=UTC)
    loaded = time.perf_counter()
    for (settings, service, generator), variant in zip(services, variants, strict=True):  # load + warm up
        if variant.engine:  # the transformers generator's sampling loop
            generator.engine = variant.engine
        service.candidates(settings.campaign("promo"), start)
    load_s = time.perf_counter() - loaded
    for i in range(args.slots):
        name = ("mid-autumn", "promo")[i % 2]
        for (settings, service, generator), variant in zip(services, variants, strict=True):
            if variant.engine:  # the transformers generator's sampling loop
                generator.engine = variant.engine
            began = time.perf_counter()
            scored = service.candidates(settings.campaign(name), start + timedelta(days=i + 1))
            took = time.perf_counter() - began
            made = [s.candidate for s in scored if s.candidate.origin.value == "model"]
            tokens = sum(int(c.settings["new_tokens"]) for c in made)
            variant.seconds += took
            variant.tokens += tokens
            variant.texts += len(made)
            variant.passed += sum(c.passed for c in made)
            variant.slots += 1
            print(
                f"  slot {i + 1} ({name}) {variant.label:<22} {len(made):2d} texts "
                f"({sum(c.passed for c in made):2d} pass the checks) {tokens:4d} tokens "
                f"{took:5.1f} s  {tokens / took:6.1f} tokens/s",
                flush=True,
            )
    return load_s


def _const(value: T) -> Callable[[], T]:
    """A function returning ``value`` (what the drafting service calls for its generator and gate)."""
    return lambda: value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads for all (1 is faster on a busy 2-core box)"
    )
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "int8"])
    parser.add_argument(
        "--candidates", type=int, default=16, help="candidates per slot, prompt-once (the JSON line)"
    )
    parser.add_argument(
        "--compare",
        type=int,
        default=8,
        help="candidates per slot for generate() and prompt-once side by side",
    )
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--naive", type=int, default=2, help="naive drafts (each reloads the model)")
    args = parser.parse_args()

    from bot.adapters.generation.bundled import bundled_gguf
    from bot.services.drafting.prompts import chat

    variants = [
        Variant(f"generate, {args.compare}", "generate", args.compare),
        Variant(f"prompt-once, {args.compare}", "prompt-once", args.compare),
        Variant(f"prompt-once, {args.candidates}", "prompt-once", args.candidates),
        Variant(f"ctranslate2 int8, {args.candidates}", "", args.candidates, backend="ctranslate2"),
    ]
    print(
        f"project: resident model, dtype={args.dtype}, {args.threads} threads, {args.slots} slots, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        load_s = project(Path(tmp), args, variants)
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
    base, head, ct2 = variants[0], variants[2], variants[3]
    print(f"{'naive':<24} {naive_dpm:7.2f} drafts/min  {n_tokens / n_s:7.1f} tokens/s  ({n_s:.1f} s)")
    for v in variants:
        print(
            f"{v.label:<24} {v.drafts_per_min:7.2f} drafts/min  {v.tokens_per_s:7.1f} tokens/s  "
            f"{v.seconds / v.slots:5.1f} s/slot  x{v.tokens_per_s / base.tokens_per_s:.2f} tokens/s "
            f"vs generate  x{v.drafts_per_min / naive_dpm:.1f} drafts/min vs naive  "
            f"{v.passed}/{v.texts} pass the checks"
        )
    print(f"load at the end: {os.getloadavg()[0]:.2f} (2 cores, shared: figures vary from run to run)")
    # The JSON line's first keys are the default engine's, as before; ct2_* the ctranslate2 backend's.
    print(
        json.dumps(
            {
                "naive_drafts_per_min": round(naive_dpm, 2),
                "drafts_per_min": round(head.drafts_per_min, 2),
                "ratio": round(head.drafts_per_min / naive_dpm, 2),
                "tokens_per_s": round(head.tokens_per_s, 1),
                "ct2_drafts_per_min": round(ct2.drafts_per_min, 2),
                "ct2_tokens_per_s": round(ct2.tokens_per_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
