"""Generator on Hugging Face transformers. The only module that imports torch/transformers,
and only when a model is first needed.

A GGUF file is de-quantized on first load (slow); the result is cached as bf16 safetensors
in the data directory so later loads take seconds. Nothing is ever downloaded.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from bot.errors import ModelError
from bot.ports import GeneratedText, GenerationRequest

log = logging.getLogger(__name__)


class TransformersGenerator:
    """A resident causal LM; all candidates of a request come from one batched call."""

    def __init__(
        self,
        source: Path,
        cache_dir: Path | None,
        *,
        model_id: str,
        dtype: str = "bfloat16",
        threads: int = 2,
    ) -> None:
        self.source = source
        self.cache_dir = cache_dir
        self._model_id = model_id
        self.dtype = dtype
        self.threads = threads
        self._loaded: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    def load(self) -> tuple[Any, Any]:
        """Load (once) and return ``(tokenizer, model)``."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _load(self.source, self.cache_dir, self.dtype, self.threads)
            return self._loaded

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        tokenizer, model = self.load()
        import torch

        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        inputs = tokenizer(prompt, return_tensors="pt")
        torch.manual_seed(request.seed)
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                do_sample=request.temperature > 0,
                temperature=request.temperature or None,
                top_p=request.top_p,
                top_k=request.top_k,
                max_new_tokens=request.max_new_tokens,
                num_return_sequences=request.n,
                pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
            )
        start = inputs["input_ids"].shape[1]
        results = []
        for row in output:
            new = row[start:]
            count = int((new != (tokenizer.pad_token_id or tokenizer.eos_token_id)).sum())
            results.append(GeneratedText(tokenizer.decode(new, skip_special_tokens=True).strip(), count))
        return results


def _load(source: Path, cache_dir: Path | None, dtype: str, threads: int) -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ModelError(f"transformers/torch are not installed: {exc}") from exc
    torch.set_num_threads(threads)
    torch_dtype = torch.bfloat16 if dtype == "bfloat16" else torch.float32
    cached = cache_dir / f"{source.stem}-{dtype}" if cache_dir else None
    try:
        if cached is not None and (cached / "config.json").is_file():
            log.info("loading model from cache %s", cached)
            return _from_dir(cached, torch_dtype)
        if source.is_file() and source.suffix == ".gguf":
            log.info("loading GGUF model %s (first load de-quantizes: slow)", source)
            tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
            model = AutoModelForCausalLM.from_pretrained(
                source.parent, gguf_file=source.name, dtype=torch_dtype
            )
            if cached is not None:
                _save_cache(tokenizer, model, cached)
        elif source.is_dir():
            tokenizer, model = _from_dir(source, torch_dtype)
        else:
            raise ModelError(f"model not found: {source} (expected a GGUF file or a model directory)")
    except ModelError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"cannot load model {source}: {exc}") from exc
    model.eval()  # type: ignore[no-untyped-call]
    return tokenizer, model


def _from_dir(path: Path, torch_dtype: Any) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, local_files_only=True)
    model.eval()  # type: ignore[no-untyped-call]
    return tokenizer, model


def _save_cache(tokenizer: Any, model: Any, target: Path) -> None:
    """Save the de-quantized model; GGUF-loaded models need their quantizer marker cleared."""
    tmp = target.with_name(target.name + ".tmp")
    try:
        for attr in ("hf_quantizer", "is_quantized"):
            if getattr(model, attr, None):
                setattr(model, attr, None if attr == "hf_quantizer" else False)
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        tmp.rename(target)
        log.info("cached the model as safetensors in %s", target)
    except (OSError, ValueError, RuntimeError, AttributeError) as exc:
        log.warning("could not cache the model in %s: %s", target, exc)
