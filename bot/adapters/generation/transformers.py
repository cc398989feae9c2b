"""Generator on Hugging Face transformers. The only module that imports torch/transformers,
and only when a model is first needed.

A GGUF file is de-quantized on first load (slow); the result is cached as safetensors in the
data directory so later loads take about a second. Nothing is ever downloaded: the hub is
switched off before transformers is imported, and a missing model is a :class:`ModelError`.

All candidates of a request are sampled together in one batch. The default engine,
``prompt-once`` (:mod:`bot.adapters.generation.decoding`), processes each distinct chat of the
request (one per worked example) once and copies its cache to the candidates that use it;
``generate`` is transformers' own ``generate()`` over one left-padded prompt per candidate
(the previous way, kept for comparison in ``bench/generation.py``). Both are seeded with the
request's seed, so the same seed and inputs give the same texts, and both apply the request's
repetition penalty to the tokens of the answer only, never to the prompt's.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Literal

from bot.adapters.generation.progress import Quiet, Reporter
from bot.domain.errors import ConfigError, ModelError
from bot.domain.ports import GeneratedText, GenerationRequest, Generator, GeneratorBackend

#: Default candidates per slot of the local backends (embedded, transformers).
LOCAL_CANDIDATES = 16

log = logging.getLogger(__name__)

_LOAD_ERRORS = (OSError, ValueError, RuntimeError, KeyError, TypeError, ImportError)


def check_source(source: Path) -> None:
    """Refuse, before anything is imported, a model that is missing or unreadable."""
    if not source.exists():
        raise ModelError(f"model not found: {source} (expected a GGUF file or a model directory)")
    if source.is_dir():
        if not (source / "config.json").is_file():
            raise ModelError(f"model directory {source} has no config.json")
    elif source.suffix != ".gguf":
        raise ModelError(f"model file {source} is not a .gguf file (or give a model directory)")
    if not os.access(source, os.R_OK):
        raise ModelError(f"model {source} is not readable by this user")


#: How a batch of candidates is sampled (see the module docstring).
Engine = Literal["prompt-once", "generate"]


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
        reporter: Reporter | None = None,
        engine: Engine = "prompt-once",
    ) -> None:
        check_source(source)
        self.source = source
        self.cache_dir = cache_dir
        self._model_id = model_id
        self.dtype = resolve_dtype(dtype)
        self.threads = threads
        self.reporter: Reporter = reporter or Quiet()
        self.engine: Engine = engine
        self._loaded: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The model's name (recorded on every draft)."""
        return self._model_id

    @property
    def cached_path(self) -> Path | None:
        """Where the de-quantized copy of a GGUF model lives (None for directories)."""
        return cache_path(self.source, self.cache_dir, self.dtype)

    @property
    def loaded(self) -> bool:
        """Whether the model is resident."""
        return self._loaded is not None

    def load(self) -> tuple[Any, Any]:
        """Load (once) and return ``(tokenizer, model)``."""
        with self._lock:
            if self._loaded is None:
                self._loaded = _load(self.source, self.cached_path, self.dtype, self.threads, self.reporter)
            return self._loaded

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        """Write ``request.n`` candidates in one batched call."""
        tokenizer, model = self.load()
        with self._lock:
            if self.engine == "generate":
                prompts = [_prompt(tokenizer, request.chat_for(i)) for i in range(request.n)]
                return _generate(tokenizer, model, prompts, request, self.reporter)
            return _prompt_once(tokenizer, model, request, self.reporter)


def cache_path(source: Path, cache_dir: Path | None, dtype: str = "") -> Path | None:
    """Cache folder of a GGUF model, keyed by its name and size (always stored as bf16)."""
    if cache_dir is None or source.is_dir():
        return None
    return cache_dir / f"{source.stem}-{source.stat().st_size}-bf16"


def resolve_dtype(name: str) -> str:
    """``auto`` -> bfloat16 where the CPU computes it natively, else float32."""
    if name != "auto":
        return name
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "float32"
    return "bfloat16" if ("avx512_bf16" in flags or "amx_bf16" in flags) else "float32"


def _prompt(tokenizer: Any, messages: Any) -> str:
    chat = [{"role": m.role, "content": m.content} for m in messages]
    return str(tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True))


def _prompt_once(
    tokenizer: Any, model: Any, request: GenerationRequest, reporter: Reporter
) -> list[GeneratedText]:
    from bot.adapters.generation import decoding

    chats = request.variants or (request.messages,)
    prompts = [tokenizer(_prompt(tokenizer, chat))["input_ids"] for chat in chats]
    rows = [i % len(chats) for i in range(request.n)]
    eos = _eos_ids(tokenizer, model)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0]
    sampling = decoding.Sampling(
        request.temperature,
        request.top_p,
        request.top_k,
        request.max_new_tokens,
        request.seed,
        request.repetition_penalty,
    )
    reporter.start(f"writing {request.n} candidates", request.max_new_tokens)
    try:
        outputs = decoding.sample(model, prompts, rows, sampling, eos, pad, lambda: reporter.advance(1))
    except RuntimeError as exc:
        raise ModelError(f"generation failed: {exc}") from exc
    finally:
        reporter.finish()
    return [_decode(tokenizer, tokens, eos, pad, request.max_new_tokens) for tokens in outputs]


def _generate(
    tokenizer: Any, model: Any, prompts: list[str], request: GenerationRequest, reporter: Reporter
) -> list[GeneratedText]:
    import torch

    inputs = tokenizer(prompts, return_tensors="pt", padding=True)
    pad = tokenizer.pad_token_id
    eos = _eos_ids(tokenizer, model)
    torch.manual_seed(request.seed)
    reporter.start(f"writing {request.n} candidates", request.max_new_tokens)
    try:
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                **_sampling(request),
                **_penalty(request.repetition_penalty, inputs["input_ids"].shape[1]),
                max_new_tokens=request.max_new_tokens,
                pad_token_id=pad,
                eos_token_id=eos,
                stopping_criteria=_ticker(reporter),
            )
    except RuntimeError as exc:
        raise ModelError(f"generation failed: {exc}") from exc
    finally:
        reporter.finish()
    start = inputs["input_ids"].shape[1]
    return [_decode(tokenizer, row[start:], eos, pad, request.max_new_tokens) for row in output]


def _sampling(request: GenerationRequest) -> dict[str, Any]:
    if request.temperature <= 0:
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {
        "do_sample": True,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": request.top_k or None,
    }


def _penalty(penalty: float, prompt_length: int) -> dict[str, Any]:
    """``generate()``'s repetition penalty on the answer's tokens only: its own processor
    (created where it applies, before the temperature) replaced by one that skips the
    ``prompt_length`` tokens of the left-padded prompts."""
    if penalty == 1.0:
        return {}
    from transformers import LogitsProcessorList, RepetitionPenaltyLogitsProcessor

    answer_only = RepetitionPenaltyLogitsProcessor(float(penalty), prompt_ignore_length=prompt_length)
    return {"repetition_penalty": penalty, "logits_processor": LogitsProcessorList([answer_only])}


def _eos_ids(tokenizer: Any, model: Any) -> list[int]:
    return end_ids(tokenizer, getattr(model.generation_config, "eos_token_id", None))


def end_ids(tokenizer: Any, configured: Any) -> list[int]:
    """The ids that end an answer: the tokenizer's end, the generation config's (``configured``:
    an id, a list of them or None) and the chat formats' end-of-turn tokens."""
    ids = {tokenizer.eos_token_id}
    if isinstance(configured, int):
        ids.add(configured)
    elif isinstance(configured, list):
        ids.update(configured)
    for token in ("<|im_end|>", "<|eot_id|>", "<|endoftext|>"):
        tid = tokenizer.convert_tokens_to_ids(token)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id:
            ids.add(tid)
    return sorted(i for i in ids if i is not None)


def _decode(tokenizer: Any, new: Any, eos: list[int], pad: int | None, limit: int) -> GeneratedText:
    """A row's answer up to its end token. One with no end token in its ``limit`` new tokens
    was stopped there, not ended by the model: it is marked ``cut`` (as a served model's
    ``finish_reason: "length"``), so drafting keeps only the sentences it finished."""
    tokens = new if isinstance(new, list) else new.tolist()
    count, ended = len(tokens), False
    for i, token in enumerate(tokens):
        if token in eos or token == pad:
            count, ended = i + 1, True
            break
    text = tokenizer.decode(tokens[:count], skip_special_tokens=True).strip()
    return GeneratedText(text, count, cut=not ended and count >= limit)


def _ticker(reporter: Reporter) -> Any:
    """A stopping criterion that never stops: it moves the progress bar once per token."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Tick(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            reporter.advance(1)
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([Tick()])


def offline(reporter: Reporter | None = None) -> None:
    """Switch the model hub off (read when transformers is imported): nothing is downloaded.
    With a :class:`Quiet` reporter, transformers' own progress bars are switched off too."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    if isinstance(reporter, Quiet):
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def _load(source: Path, cached: Path | None, dtype: str, threads: int, reporter: Reporter) -> tuple[Any, Any]:
    offline()
    if threads > 1:
        # OpenMP threads that spin while they wait collapse when another process wants a core:
        # 2 threads with a busy loop on the other core of 2 wrote 4 tokens/s spinning, 54-74
        # sleeping (bench/generation.py conditions, 16 candidates). Read when torch is imported.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    check_source(source)
    try:
        import torch
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError(f"transformers/torch are not installed: {exc}") from exc
    torch.set_num_threads(threads)
    if isinstance(reporter, Quiet):
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    torch_dtype = torch.bfloat16 if dtype == "bfloat16" else torch.float32
    tokenizer, model = _load_weights(source, cached, torch_dtype, reporter)
    if dtype == "int8":
        model = _quantize_int8(model)
    return tokenizer, model


def _quantize_int8(model: Any) -> Any:
    """Dynamic int8 quantization of the linear layers (weights int8, activations float)."""
    import warnings

    import torch

    # The output head stays float: quantizing it ruins a small model's word choice.
    body = getattr(model, "model", model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated but still works
        torch.ao.quantization.quantize_dynamic(body, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)  # type: ignore[no-untyped-call]
    return model


def _load_weights(source: Path, cached: Path | None, torch_dtype: Any, reporter: Reporter) -> tuple[Any, Any]:
    reporter.start(f"loading {source.name}")
    try:
        if cached is not None and (cached / "config.json").is_file():
            log.info("loading model from cache %s", cached)
            return _from_dir(cached, torch_dtype)
        if source.is_dir():
            log.info("loading model directory %s", source)
            return _from_dir(source, torch_dtype)
        return _from_gguf(source, cached, torch_dtype, reporter)
    except ModelError:
        raise
    except _LOAD_ERRORS as exc:
        raise ModelError(f"cannot load model {source}: {exc}") from exc
    finally:
        reporter.finish()


def _dequantize(source: Path, reporter: Reporter) -> tuple[Any, Any]:
    """Tokenizer and model of GGUF ``source``, de-quantized and rounded to bf16 (the cache's dtype)."""
    import warnings

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("loading GGUF model %s (the first load de-quantizes it: slow)", source)
    reporter.start(f"de-quantizing {source.name} (first load only)")
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # float32 is the fast path for de-quantizing (transformers warns for other dtypes).
        model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
    _prepare(tokenizer, model)
    model.to(torch.bfloat16)  # type: ignore[arg-type]
    return tokenizer, model


def dequantize_to(source: Path, target: Path, reporter: Reporter) -> None:
    """Write GGUF ``source`` de-quantized (bf16 safetensors and its tokenizer) to the new
    directory ``target`` (torch and transformers are imported here).

    Raises:
        ModelError: it cannot be loaded or written.
    """
    try:
        offline(reporter)
        tokenizer, model = _dequantize(source, reporter)
    except _LOAD_ERRORS as exc:
        raise ModelError(f"cannot load model {source}: {exc}") from exc
    if not _save_cache(tokenizer, model, target):
        raise ModelError(f"cannot write the de-quantized model to {target}")


def _from_gguf(source: Path, cached: Path | None, torch_dtype: Any, reporter: Reporter) -> tuple[Any, Any]:

    tokenizer, model = _dequantize(source, reporter)
    if cached is not None:
        reporter.start(f"caching the model in {cached.parent}")
        if _save_cache(tokenizer, model, cached) or (cached / "config.json").is_file():
            # Run what every later process loads (this one's copy, or another's that was faster):
            # the same seed gives the same drafts in this process (`bot drafts preview` on a new
            # install) as in the next (`bot campaigns fire`).
            # The model in hand is not quite it: the round through bf16 also rounded buffers
            # that a load computes afresh (the rotary frequencies), which moves the logits.
            del model
            return _from_dir(cached, torch_dtype)
    model.to(torch_dtype)
    return tokenizer, model


def _from_dir(path: Path, torch_dtype: Any) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype, local_files_only=True)
    _prepare(tokenizer, model)
    return tokenizer, model


def _prepare(tokenizer: Any, model: Any) -> None:
    """Inference mode, left padding for batches, a pad token."""
    model.eval()
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token


def _save_cache(tokenizer: Any, model: Any, target: Path) -> bool:
    """Save the de-quantized model (False if it could not be); GGUF-loaded models need their
    quantizer marker cleared."""
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
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
        return True
    except (OSError, ValueError, RuntimeError, AttributeError) as exc:
        log.warning("could not cache the model in %s: %s", target, exc)
        return False


def local_model(settings: Any, reporter: Reporter | None = None) -> Generator:
    """A generator on the model file or directory the settings name (not loaded yet)."""
    model = settings.model
    source, model_id = model_source(settings)
    return TransformersGenerator(
        source,
        settings.data_dir / "models",
        model_id=model_id,
        dtype=model.dtype,
        threads=model.threads,
        reporter=reporter,
    )


def model_source(settings: Any) -> tuple[Path, str]:
    """The model file or directory and its id. ModelError if the bundled model is missing."""
    model = settings.model
    if model.backend == "embedded":
        from bot.adapters.generation.bundled import MODEL_ID, bundled_gguf

        return bundled_gguf(), MODEL_ID
    if model.path is None:
        raise ConfigError("model.path: backend 'transformers' needs a local model directory or GGUF file")
    base = settings.source.parent if settings.source else Path.cwd()
    path = model.path.expanduser()
    path = path if path.is_absolute() else (base / path)
    return path, path.stem if path.suffix == ".gguf" else path.name


def _build(settings: Any, reporter: Reporter | None = None) -> Generator:
    return local_model(settings, reporter)


#: The ``transformers`` backend: any local Hugging Face model directory or GGUF file.
BACKEND = GeneratorBackend("transformers", build=_build, candidates=LOCAL_CANDIDATES)
