"""The real transformers loading and batched generation path, on a tiny random GGUF model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.generation.transformers import TransformersGenerator
from bot.domain.errors import ModelError
from bot.domain.ports import ChatMessage, GenerationRequest


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
