"""Prompt-once batched sampling for a causal LM (torch; imported only when a model runs).

The candidates of a slot share a few chats (one per worked example). Each distinct chat is
processed once (one left-padded forward pass over the distinct prompts); its key/value cache
is then copied to every candidate that uses it, and all candidates are sampled together, one
token per step, from a cache preallocated for the whole answer (transformers' default cache
grows by concatenation, copying itself at every step and layer). Rows that end are dropped
from the batch once enough of them have ended, so a finished candidate stops costing compute.

Sampling is the usual repetition penalty -> temperature -> top-k -> top-p -> multinomial
(greedy at temperature 0), drawn from a generator seeded with the request's seed: the same seed
and inputs give the same texts. The repetition penalty (the CTRL paper's, as transformers
applies it: a positive logit divided by it, a negative one multiplied) weighs only on the tokens
each answer has written so far, never on the prompt's: transformers' own processor penalizes
the prompt too, which keeps a draft from copying the brand, the facts, prices and codes it must
copy (MODELS.md: "stops it from copying the brand name").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import DynamicCache
from transformers.cache_utils import DynamicLayer


@dataclass(frozen=True)
class Sampling:
    """How the next token is chosen."""

    temperature: float
    top_p: float
    top_k: int
    max_new_tokens: int
    seed: int
    #: 1.0: none; above it, the tokens a row has written are less likely again.
    repetition_penalty: float = 1.0


class _GrowingLayer(DynamicLayer):  # type: ignore[no-untyped-call]
    """A cache layer over buffers preallocated for the prompt and the whole answer."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, capacity: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        batch, heads, length, dim = keys.shape
        self.k_buf = keys.new_zeros((batch, heads, capacity, dim))
        self.v_buf = values.new_zeros((batch, heads, capacity, dim))
        self.k_buf[:, :, :length] = keys
        self.v_buf[:, :, :length] = values
        self.length = length
        self.device = keys.device
        self.is_initialized = True
        self._views()

    def _views(self) -> None:
        self.keys = self.k_buf[:, :, : self.length]
        self.values = self.v_buf[:, :, : self.length]

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        step = key_states.shape[-2]
        self.k_buf[:, :, self.length : self.length + step] = key_states
        self.v_buf[:, :, self.length : self.length + step] = value_states
        self.length += step
        keys, values = self.k_buf[:, :, : self.length], self.v_buf[:, :, : self.length]
        self.keys, self.values = keys, values
        return keys, values

    def get_seq_length(self) -> int:
        return self.length

    def batch_select_indices(self, indices: torch.Tensor) -> None:
        self.k_buf = self.k_buf.index_select(0, indices)
        self.v_buf = self.v_buf.index_select(0, indices)
        self._views()


def sample(
    model: Any,
    prompts: Sequence[Sequence[int]],
    rows: Sequence[int],
    sampling: Sampling,
    eos: Sequence[int],
    pad: int,
    tick: Callable[[], None] = lambda: None,
) -> list[list[int]]:
    """New tokens for each row; row ``i`` continues ``prompts[rows[i]]``.

    Each distinct prompt is processed once. A row's tokens end with its end token when it
    produced one before ``max_new_tokens``.
    """
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad] * (width - len(p)) + list(p) for p in prompts], dtype=torch.long)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], dtype=torch.long)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    generator = torch.Generator().manual_seed(sampling.seed)
    stop = torch.tensor(sorted(set(eos)), dtype=torch.long)
    with torch.inference_mode():
        out = model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
        )
        pick = torch.tensor(list(rows), dtype=torch.long)
        cache = _expand(out.cache, pick, width + sampling.max_new_tokens)
        logits = out.logits[:, -1, :].index_select(0, pick)
        mask = mask.index_select(0, pick)
        position = positions[:, -1].index_select(0, pick)
        return _decode(model, cache, logits, mask, position, sampling, generator, stop, pad, tick)


def _expand(prefilled: Any, pick: torch.Tensor, capacity: int) -> DynamicCache:
    cache = DynamicCache()
    cache.layers = [
        _GrowingLayer(layer.keys.index_select(0, pick), layer.values.index_select(0, pick), capacity)
        for layer in prefilled.layers
    ]
    return cache


def _decode(
    model: Any,
    cache: DynamicCache,
    logits: torch.Tensor,
    mask: torch.Tensor,
    position: torch.Tensor,
    sampling: Sampling,
    generator: torch.Generator,
    stop: torch.Tensor,
    pad: int,
    tick: Callable[[], None],
) -> list[list[int]]:
    total = logits.shape[0]
    tokens: list[list[int]] = [[] for _ in range(total)]
    alive = torch.arange(total)  # original row of each batch row
    done = torch.zeros(total, dtype=torch.bool)
    capacity = mask.shape[1] + sampling.max_new_tokens
    full_mask = torch.zeros((total, capacity), dtype=torch.long)
    full_mask[:, : mask.shape[1]] = mask
    length = mask.shape[1]
    # The tokens each batch row has written (not its prompt's): None without a penalty.
    written = torch.zeros(logits.shape, dtype=torch.bool) if sampling.repetition_penalty != 1.0 else None
    for step in range(sampling.max_new_tokens):
        if written is not None:
            logits = penalize(logits, written, sampling.repetition_penalty)
        chosen = _choose(logits, sampling, generator)
        tick()
        for row, token in zip(alive.tolist(), chosen.tolist(), strict=True):
            if not done[row]:
                tokens[row].append(token)
        if written is not None:
            written[torch.arange(len(alive)), chosen] = True
        done[alive] |= torch.isin(chosen, stop)
        if bool(done.all()) or step == sampling.max_new_tokens - 1:
            break
        keep = ~done[alive]
        if int((~keep).sum()) * 4 >= len(alive):  # drop ended rows once a quarter of the batch has ended
            index = keep.nonzero().squeeze(-1)
            cache.batch_select_indices(index)
            alive, chosen = alive[index], chosen[index]
            full_mask, position = full_mask[index], position[index]
            if written is not None:
                written = written[index]
        full_mask[:, length] = 1
        length += 1
        position = position + 1
        with torch.inference_mode():
            out = model(
                input_ids=chosen.unsqueeze(-1),
                attention_mask=full_mask[:, :length],
                position_ids=position.unsqueeze(-1),
                cache=cache,
                use_cache=True,
            )
        logits = out.logits[:, -1, :]
    return tokens


def penalize(logits: torch.Tensor, written: torch.Tensor, penalty: float) -> torch.Tensor:
    """``logits`` (float) with the ``written`` tokens of each row penalized: a positive logit
    divided by ``penalty``, a negative one multiplied by it (both less likely above 1.0)."""
    logits = logits.float()
    penalized = torch.where(logits > 0, logits / penalty, logits * penalty)
    return torch.where(written, penalized, logits)


def _choose(logits: torch.Tensor, sampling: Sampling, generator: torch.Generator) -> torch.Tensor:
    """Next token per row: greedy at temperature 0, else temperature, top-k, top-p, multinomial."""
    logits = logits.float()
    if sampling.temperature <= 0:
        return logits.argmax(-1)
    k = sampling.top_k if 0 < sampling.top_k < logits.shape[-1] else logits.shape[-1]
    values, index = logits.topk(k, dim=-1)  # sorted, highest first
    probs = torch.softmax(values / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        before = probs.cumsum(-1) - probs  # mass of the tokens ranked above each one
        probs = probs.masked_fill(before >= sampling.top_p, 0.0)
    drawn = torch.multinomial(probs, 1, generator=generator)
    return index.gather(-1, drawn).squeeze(-1)
