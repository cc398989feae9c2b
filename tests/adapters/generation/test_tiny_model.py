"""The real transformers loading and batched generation path, on a tiny random GGUF model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.generation.transformers import TransformersGenerator
from bot.domain.errors import ModelError
from bot.domain.ports import ChatMessage, GenerationRequest
from tests.adapters.generation.counting import CountingReporter


def request(seed: int, n: int = 3, **kw: object) -> GenerationRequest:
    chats = tuple((ChatMessage("system", "s"), ChatMessage("user", f"write post {i}")) for i in range(2))
    base: dict[str, object] = {
        "messages": chats[0],
        "variants": chats,
        "n": n,
        "temperature": 0.7,
        "top_p": 0.9,
        "top_k": 50,
        "max_new_tokens": 10,
        "seed": seed,
    }
    base.update(kw)
    return GenerationRequest(**base)  # type: ignore[arg-type]


def generator(tiny_gguf: Path, cache: Path, dtype: str = "float32") -> TransformersGenerator:
    return TransformersGenerator(tiny_gguf, cache, model_id="tiny", dtype=dtype, threads=1)


def test_loads_caches_and_reloads(tiny_gguf: Path, tmp_path: Path) -> None:
    first = generator(tiny_gguf, tmp_path)
    texts = first.generate(request(seed=7))
    assert len(texts) == 3 and all(0 < t.new_tokens <= 10 for t in texts)
    cached = first.cached_path
    assert cached is not None and (cached / "model.safetensors").is_file()
    again = generator(tiny_gguf, tmp_path)
    assert again.generate(request(seed=7)) == texts  # from the cache: the same drafts


def test_the_first_load_computes_what_a_load_from_the_cache_does(tiny_gguf: Path, tmp_path: Path) -> None:
    """The process that de-quantizes the GGUF file (the first `bot drafts preview` of an install)
    runs the very model later processes load from the cache (`bot campaigns fire`): the same
    logits to the bit, so the same seed samples the same drafts. It used to keep its own copy,
    whose rotary frequencies had been rounded to bf16 with the weights."""
    import torch

    _, first = generator(tiny_gguf, tmp_path).load()
    _, cached = generator(tiny_gguf, tmp_path).load()
    tokens = torch.tensor([list(range(5, 69))])
    with torch.no_grad():
        assert torch.equal(first(tokens).logits, cached(tokens).logits)


def test_same_seed_same_texts_other_seed_differs(tiny_gguf: Path, tiny_cache: Path) -> None:
    gen = generator(tiny_gguf, tiny_cache)
    a = [t.text for t in gen.generate(request(seed=1, n=4))]
    assert a == [t.text for t in gen.generate(request(seed=1, n=4))]
    assert a != [t.text for t in gen.generate(request(seed=2, n=4))]


@pytest.mark.parametrize("dtype", ["bfloat16", "int8"])
def test_greedy_in_other_dtypes(tiny_gguf: Path, tiny_cache: Path, dtype: str) -> None:
    gen = generator(tiny_gguf, tiny_cache, dtype=dtype)
    texts = gen.generate(request(seed=1, n=2, temperature=0.0))
    assert len(texts) == 2


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model not found"):
        TransformersGenerator(tmp_path / "nope.gguf", tmp_path, model_id="x")
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match=r"not a \.gguf file"):
        TransformersGenerator(tmp_path / "weights.bin", tmp_path, model_id="x")
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(ModelError, match=r"no config\.json"):
        TransformersGenerator(tmp_path / "empty-dir", tmp_path, model_id="x")


def test_corrupt_gguf_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelError, match="cannot load model"):
        generator(bad, tmp_path).load()


def test_prompt_once_writes_what_generate_writes_when_greedy(tiny_gguf: Path, tiny_cache: Path) -> None:
    # Chats of different lengths: left padding, one prefill per chat, its cache copied to 5 rows.
    chats = tuple(
        (ChatMessage("system", "s"), ChatMessage("user", "write post " + "about tea " * i)) for i in range(3)
    )
    greedy = request(seed=3, n=5, temperature=0.0, variants=chats, messages=chats[0], max_new_tokens=8)
    once = generator(tiny_gguf, tiny_cache)
    padded = TransformersGenerator(
        tiny_gguf, tiny_cache, model_id="tiny", dtype="float32", threads=1, engine="generate"
    )
    assert once.generate(greedy) == padded.generate(greedy)


def test_prompt_once_moves_the_progress_bar_once_per_token(tiny_gguf: Path, tiny_cache: Path) -> None:
    reporter = CountingReporter()
    gen = TransformersGenerator(
        tiny_gguf, tiny_cache, model_id="tiny", dtype="float32", threads=1, reporter=reporter
    )
    texts = gen.generate(request(seed=5, n=4))
    assert ("writing 4 candidates", 10) in reporter.started
    assert reporter.ticks == max(t.new_tokens for t in texts)  # one step per token of the longest


def test_rows_that_end_leave_the_batch_without_changing_the_others(tiny_gguf: Path, tiny_cache: Path) -> None:
    from bot.adapters.generation import decoding

    _, model = generator(tiny_gguf, tiny_cache).load()
    prompts = [[5, 6, 7, 8], [9, 10], [11, 12, 13]]
    rows = [0, 1, 2, 0, 1, 2, 1, 2]
    greedy = decoding.Sampling(temperature=0.0, top_p=1.0, top_k=0, max_new_tokens=12, seed=1)
    free = decoding.sample(model, prompts, rows, greedy, eos=[], pad=0)
    assert all(len(t) == 12 for t in free)
    end = free[1][2]  # a token some rows write early: it now ends them
    stopped = decoding.sample(model, prompts, rows, greedy, eos=[end], pad=0)
    for full, cut in zip(free, stopped, strict=True):
        expected = full[: full.index(end) + 1] if end in full else full
        assert cut == expected
    assert any(len(t) < 12 for t in stopped)


@pytest.mark.parametrize("engine", ["prompt-once", "generate"])
def test_a_text_stopped_at_the_token_limit_is_marked_cut(
    tiny_gguf: Path, tiny_cache: Path, engine: str
) -> None:
    """An answer with no end token within max_new_tokens was stopped by the limit, not ended by
    the model: it is ``cut`` (drafting then keeps only its finished sentences), as a served
    model's ``finish_reason: "length"`` is. This random model rarely ends an answer by itself."""
    gen = TransformersGenerator(
        tiny_gguf,
        tiny_cache,
        model_id="tiny",
        dtype="float32",
        threads=1,
        engine=engine,  # type: ignore[arg-type]
    )
    short = gen.generate(request(seed=4, n=4, max_new_tokens=3))
    assert any(t.cut for t in short)
    assert all(t.new_tokens == 3 for t in short if t.cut)
    longer = gen.generate(request(seed=4, n=8, max_new_tokens=48, temperature=1.5, top_k=0, top_p=1.0))
    assert all(t.cut == (t.new_tokens == 48) for t in longer)  # an answer that ended is whole
