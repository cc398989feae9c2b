"""``[model] repetition_penalty``: the local backends penalize the tokens their answer has
written, never the prompt's (a draft must copy the brand, facts, prices and codes from it);
the ``openai`` backend sends no penalty. On the tiny random GGUF model and the fake server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapters.generation import decoding
from bot.adapters.generation.openai_http import OpenAIGenerator
from bot.adapters.generation.transformers import TransformersGenerator
from bot.domain import DraftOrigin
from tests.adapters.generation.test_tiny_model import generator, request
from tests.fakeopenai import TRANSFORMERS_SERVE, running

PROMPTS = [[5, 6, 7, 8, 9, 40, 41, 42, 43, 44, 45, 46], [9, 10, 70, 71, 72]]


def greedy(penalty: float, steps: int = 16) -> decoding.Sampling:
    return decoding.Sampling(
        temperature=0.0, top_p=1.0, top_k=0, max_new_tokens=steps, seed=1, repetition_penalty=penalty
    )


def reference(model: Any, prompt: list[int], penalty: float, steps: int, *, prompt_too: bool) -> list[int]:
    """Greedy answer, one full forward pass a step (no cache): the penalty on the answer's own
    tokens, or (``prompt_too``) on the prompt's as well, as transformers' own processor does."""
    import torch

    answer: list[int] = []
    for _ in range(steps):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([prompt + answer])).logits[0, -1].float()
        for token in set(answer + (prompt if prompt_too else [])):
            logits[token] = logits[token] / penalty if logits[token] > 0 else logits[token] * penalty
        answer.append(int(logits.argmax()))
    return answer


def test_the_penalty_weighs_on_the_answers_tokens_and_not_on_the_prompts(
    tiny_gguf: Path, tiny_cache: Path
) -> None:
    _, model = generator(tiny_gguf, tiny_cache).load()
    written = decoding.sample(model, PROMPTS, [0, 1, 0], greedy(1.8), eos=[], pad=0)
    for row, prompt in zip(written, [PROMPTS[0], PROMPTS[1], PROMPTS[0]], strict=True):
        assert row == reference(model, prompt, 1.8, 16, prompt_too=False)
    # The prompts matter here: penalizing their tokens too would have written other answers.
    assert any(
        reference(model, p, 1.8, 16, prompt_too=True) != reference(model, p, 1.8, 16, prompt_too=False)
        for p in PROMPTS
    )


def test_no_penalty_writes_what_it_wrote_before_and_a_strong_one_stops_the_loops(
    tiny_gguf: Path, tiny_cache: Path
) -> None:
    _, model = generator(tiny_gguf, tiny_cache).load()
    plain = decoding.sample(model, PROMPTS, [0, 1], greedy(1.0, 24), eos=[], pad=0)
    assert plain == decoding.sample(
        model, PROMPTS, [0, 1], decoding.Sampling(0.0, 1.0, 0, 24, 1), eos=[], pad=0
    )
    assert any(len(set(row)) < len(row) for row in plain)  # the random model repeats itself
    strong = decoding.sample(model, PROMPTS, [0, 1], greedy(1000.0, 24), eos=[], pad=0)
    assert all(len(set(row)) == len(row) for row in strong)


def test_rows_that_end_leave_the_batch_with_their_own_written_tokens(
    tiny_gguf: Path, tiny_cache: Path
) -> None:
    """Dropping ended rows keeps each remaining row's record of what it wrote."""
    _, model = generator(tiny_gguf, tiny_cache).load()
    rows = [0, 1, 0, 1, 1, 0]
    free = decoding.sample(model, PROMPTS, rows, greedy(1.8), eos=[], pad=0)
    end = free[1][3]
    stopped = decoding.sample(model, PROMPTS, rows, greedy(1.8), eos=[end], pad=0)
    for full, cut in zip(free, stopped, strict=True):
        assert cut == (full[: full.index(end) + 1] if end in full else full)


@pytest.mark.parametrize("temperature", [0.0, 0.8])
def test_prompt_once_writes_what_generate_writes_with_a_penalty(
    tiny_gguf: Path, tiny_cache: Path, temperature: float
) -> None:
    """transformers' generate() (the comparison engine) penalizes the answer only too: greedy,
    the same texts as the prompt-once sampler; sampled, the penalty changes its texts."""
    padded = TransformersGenerator(
        tiny_gguf, tiny_cache, model_id="tiny", dtype="float32", threads=1, engine="generate"
    )
    penalized = request(seed=3, n=4, temperature=temperature, max_new_tokens=12, repetition_penalty=1.8)
    if temperature == 0.0:
        assert generator(tiny_gguf, tiny_cache).generate(penalized) == padded.generate(penalized)
    else:
        plain = request(seed=3, n=4, temperature=temperature, max_new_tokens=12)
        assert padded.generate(penalized) != padded.generate(plain)


def test_the_embedded_path_passes_the_requests_penalty(tiny_gguf: Path, tiny_cache: Path) -> None:
    gen = generator(tiny_gguf, tiny_cache)
    plain = gen.generate(request(seed=5, n=4, max_new_tokens=16))
    assert gen.generate(request(seed=5, n=4, max_new_tokens=16, repetition_penalty=1.0)) == plain
    assert gen.generate(request(seed=5, n=4, max_new_tokens=16, repetition_penalty=2.0)) != plain


@pytest.mark.parametrize("options", [{}, TRANSFORMERS_SERVE])
def test_the_openai_backend_sends_no_penalty(options: dict[str, Any]) -> None:
    """No chat completions field means the same penalty everywhere: ``frequency_penalty`` is
    additive, on another scale; ``repeat_penalty`` (llama.cpp) is refused by OpenAI (400) and
    transformers serve (422). The request is the one a request without a penalty makes."""
    with running(replies=("A reply.",), **options) as server:
        extra = {"generation_config": '{"do_sample": true}'} if options else {}
        gen = OpenAIGenerator(server.url, "qwen2.5:7b", extra_body=extra)
        texts = gen.generate(request(seed=5, n=1, repetition_penalty=1.3))
        assert [t.text for t in texts] == ["A reply."]
        body = server.chat_requests()[0]["body"]
        penalties = {"repetition_penalty", "repeat_penalty", "frequency_penalty", "presence_penalty"}
        assert not penalties & set(body)


def test_the_setting_and_a_campaigns_override_reach_the_request_and_its_record(
    tmp_path: Path,
) -> None:
    from tests.services.drafting.test_composed import SLOT, _service

    service, settings = _service(tmp_path)
    assert settings.model.repetition_penalty == 1.05  # the default: measured by bench/penalty.py
    assert service.request(service.plan(settings.campaigns[0], SLOT)).repetition_penalty == 1.05
    service, settings = _service(tmp_path, sampling={"repetition_penalty": 1.2})
    assert service.request(service.plan(settings.campaigns[0], SLOT)).repetition_penalty == 1.2
    found = [s.candidate for s in service.candidates(settings.campaigns[0], SLOT)]
    written = [c for c in found if c.origin is DraftOrigin.MODEL]
    assert written and all(c.settings["repetition_penalty"] == 1.2 for c in written)
