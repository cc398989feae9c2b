"""The ``ctranslate2`` generator backend: the bundled model (or ``[model] path``) converted once
to a CTranslate2 int8 model, then run without torch. The only module that imports ctranslate2.

On first use the model is converted (torch and transformers de-quantize the GGUF file and
CTranslate2's converter quantizes it to int8) into ``DATA_DIR/models/NAME-SIZE-ct2-int8``,
written to a temporary folder and renamed into place, so a crash leaves no half model and two
processes do not clash. Every later load reads that folder: the int8 model (about 130 MB for
the bundled one), its tokenizer (``tokenizers``, no torch) and :data:`MANIFEST` (the chat
template and the end tokens). The chat template is rendered by transformers' own renderer,
which imports no torch.

All candidates of a request are one ``generate_batch`` call over its distinct chats (one per
worked example): each chat is forwarded once and its state copied to the answers sampled from
it (``num_hypotheses``; 16 rows of a 263-token prompt took 11.6 s to forward, one prompt with
16 hypotheses 1.2 s). Candidate ``i`` answers ``request.chat_for(i)``; every chat gets as many
answers as the one with the most, so up to ``len(variants) - 1`` are written and dropped (one
greedy answer per chat is written, and copied).
Answers are sampled with the request's temperature, top-k (0: the whole vocabulary), top-p and
repetition penalty, up to ``max_new_tokens``, and stop at the model's end-of-turn tokens.
CTranslate2 penalizes the tokens of its decoding sequence: with ``include_prompt_in_result=False``
the prompt is forwarded before decoding starts and is not part of it, so only the answer's own
tokens are penalized, as in the other local backends (a probe of 4.8.5: the first step's logits
the same with a penalty of 50 as without, prompt tokens still written, no answer token twice).
``no_repeat_ngram_size`` is not used: it forbids a phrase the second time outright.
CTranslate2 samples from one random stream per worker thread, seeded from a process-wide seed
when the thread starts: each request therefore sets the seed and opens the model afresh (0.4 s),
so the same seed and inputs give the same texts.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.generation.progress import Quiet, Reporter
from bot.adapters.generation.transformers import LOCAL_CANDIDATES, cache_path, check_source, model_source
from bot.domain.errors import ConfigError, ModelError
from bot.domain.ports import ChatMessage, GeneratedText, GenerationRequest, Generator, GeneratorBackend

log = logging.getLogger(__name__)

#: What the converted folder holds besides the model and its tokenizer (written at conversion).
MANIFEST = "bot-chat.json"
#: The quantization of the converted model (CPUs offer float32, int8_float32 and int8).
QUANTIZATION = "int8"
MISSING = (
    'backend "ctranslate2" needs the ctranslate2 package: `pip install ctranslate2` '
    "(or install the bot with its extra: `pip install 'bot[ct2]'`)"
)


def require() -> None:
    """Refuse, before anything is imported, a backend whose package is not installed.

    Raises:
        ConfigError: ctranslate2 is not installed.
    """
    if importlib.util.find_spec("ctranslate2") is None:
        raise ConfigError(MISSING)


def converted_path(source: Path, cache_dir: Path) -> Path:
    """Where the int8 conversion of ``source`` (a GGUF file or a model directory) is kept."""
    size = source.stat().st_size if source.is_file() else sum(p.stat().st_size for p in source.rglob("*"))
    name = source.stem if source.is_file() else source.name
    return cache_dir / f"{name}-{size}-ct2-{QUANTIZATION}"


@dataclass(frozen=True)
class _Chat:
    """The converted model's tokenizer and chat format."""

    tokenizer: Any
    template: str
    special: dict[str, str]
    ends: list[int]

    def tokens(self, messages: tuple[ChatMessage, ...]) -> list[str]:
        """The prompt of a chat as the model's tokens, ready for its answer."""
        from transformers.utils.chat_template_utils import render_jinja_template

        # What the tokenizer's apply_chat_template renders with (it returns texts and indices,
        # though its annotation says str), without importing torch.
        render: Any = render_jinja_template
        chat = [{"role": m.role, "content": m.content} for m in messages]
        rendered, _ = render([chat], chat_template=self.template, add_generation_prompt=True, **self.special)
        ids = self.tokenizer.encode(rendered[0]).ids
        return [self.tokenizer.id_to_token(i) for i in ids]

    def text(self, ids: list[int], limit: int) -> GeneratedText:
        """The answer's text (special tokens dropped); its token count includes its end token.
        One that has no end token after ``limit`` tokens was stopped there: marked ``cut``."""
        text = self.tokenizer.decode(ids, skip_special_tokens=True).strip()
        ended = bool(ids) and ids[-1] in self.ends
        return GeneratedText(text, len(ids), cut=not ended and len(ids) >= limit)


class CTranslate2Generator:
    """A CTranslate2 int8 model; all candidates of a request come from one batched call."""

    def __init__(
        self,
        source: Path,
        cache_dir: Path,
        *,
        model_id: str,
        threads: int = 1,
        reporter: Reporter | None = None,
    ) -> None:
        require()
        check_source(source)
        self.source = source
        self.cache_dir = cache_dir
        self.threads = threads
        self.reporter: Reporter = reporter or Quiet()
        self._model_id = model_id
        self._chat: _Chat | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The model's name and quantization (recorded on every draft)."""
        return f"{self._model_id}-ct2-{QUANTIZATION}"

    @property
    def cached_path(self) -> Path:
        """The converted model's folder."""
        return converted_path(self.source, self.cache_dir)

    @property
    def loaded(self) -> bool:
        """Whether the model is converted and its tokenizer read."""
        return self._chat is not None

    def load(self) -> _Chat:
        """Convert the model (first use only) and read its tokenizer; return its chat format."""
        with self._lock:
            if self._chat is None:
                target = self.cached_path
                if not (target / MANIFEST).is_file():
                    _convert(self.source, target, self.reporter)
                self._chat = _read_chat(target)
                self._open(0)  # fail here, not at the first slot, on a model it cannot run
            return self._chat

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        """Write ``request.n`` candidates in one batched call."""
        chat = self.load()
        chats = request.variants or (request.messages,)
        # Answers per chat (candidate i is chat i % len(chats)'s); greedy ones would all be the same.
        each = -(-request.n // len(chats)) if request.temperature > 0 else 1
        with self._lock:
            prompts = [chat.tokens(messages) for messages in chats]
            model = self._open(request.seed)
            self.reporter.start(f"writing {request.n} candidates", request.max_new_tokens)
            try:
                results = model.generate_batch(
                    prompts,
                    num_hypotheses=each,  # sampled from one pass over the prompt
                    include_prompt_in_result=False,  # the prompt forwarded at once
                    max_length=request.max_new_tokens,
                    end_token=chat.ends,
                    return_end_token=True,
                    callback=_ticker(self.reporter),
                    **sampling(request),
                )
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"generation failed: {exc}") from exc
            finally:
                self.reporter.finish()
                del model
        answers = [results[i % len(chats)].sequences_ids[(i // len(chats)) % each] for i in range(request.n)]
        return [chat.text(list(ids), request.max_new_tokens) for ids in answers]

    def _open(self, seed: int) -> Any:
        """The model, opened afresh after setting the seed: its worker thread's random stream
        is seeded when the thread starts (setting the seed later changes nothing)."""
        import ctranslate2

        ctranslate2.set_random_seed(seed)
        try:
            return ctranslate2.Generator(
                str(self.cached_path), device="cpu", compute_type=QUANTIZATION, intra_threads=self.threads
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load the CTranslate2 model {self.cached_path}: {exc}") from exc


def sampling(request: GenerationRequest) -> dict[str, Any]:
    """CTranslate2's sampling options for the request (its default top-k of 1 is greedy), with
    its repetition penalty."""
    # The answer's tokens only: the prompt is not in the decoded sequence (include_prompt_in_result=False).
    penalty = {"repetition_penalty": request.repetition_penalty}
    if request.temperature <= 0:
        return {"sampling_topk": 1, **penalty}
    return {
        "sampling_temperature": request.temperature,
        "sampling_topk": request.top_k,  # 0: the whole vocabulary, as in the other local backends
        "sampling_topp": request.top_p,
        **penalty,
    }


def _ticker(reporter: Reporter) -> Any:
    """A step callback that moves the progress bar once per new token of the longest answer."""
    seen = [0]

    def tick(step: Any) -> bool:
        if step.step >= seen[0]:
            reporter.advance(step.step + 1 - seen[0])
            seen[0] = step.step + 1
        return False  # never stop the batch

    return tick


def _read_chat(target: Path) -> _Chat:
    try:
        from tokenizers import Tokenizer

        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(target / "tokenizer.json"))
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise ModelError(f"cannot read the converted model's tokenizer in {target}: {exc}") from exc
    return _Chat(tokenizer, manifest["chat_template"], manifest["special_tokens"], manifest["end_ids"])


def _convert(source: Path, target: Path, reporter: Reporter) -> None:
    """Convert ``source`` to a CTranslate2 int8 model in ``target`` (torch and transformers are
    imported here, once per install)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("converting %s to CTranslate2 %s in %s (first use only)", source, QUANTIZATION, target)
    work = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp", dir=target.parent))
    try:
        hf = _model_dir(source, target.parent, work, reporter)
        reporter.start(f"converting {source.name} to CTranslate2 {QUANTIZATION} (first use only)")
        out = work / "ct2"
        _convert_dir(hf, out, reporter)
        try:
            out.rename(target)
        except OSError:
            if not (target / MANIFEST).is_file():  # not another process's finished copy
                raise
        log.info("converted the model to %s", target)
    except OSError as exc:
        raise ModelError(f"cannot write the converted model to {target}: {exc}") from exc
    finally:
        reporter.finish()
        shutil.rmtree(work, ignore_errors=True)


def _model_dir(source: Path, cache_dir: Path, work: Path, reporter: Reporter) -> Path:
    """A transformers model directory of ``source``: itself, the embedded backend's
    de-quantized cache when there is one, else a de-quantized copy in ``work`` (dropped after)."""
    from bot.adapters.generation.transformers import dequantize_to

    if source.is_dir():
        return source
    cached = cache_path(source, cache_dir)
    if cached is not None and (cached / "config.json").is_file():
        return cached
    dequantize_to(source, work / "hf", reporter)
    return work / "hf"


def _convert_dir(hf: Path, out: Path, reporter: Reporter) -> None:
    """CTranslate2's converter on a transformers directory, plus the tokenizer and :data:`MANIFEST`."""
    import warnings

    from bot.adapters.generation.transformers import end_ids, offline

    try:
        offline(reporter)
        from ctranslate2.converters import TransformersConverter
        from transformers import AutoTokenizer, GenerationConfig

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            TransformersConverter(str(hf), low_cpu_mem_usage=True).convert(
                str(out), quantization=QUANTIZATION
            )
        tokenizer = AutoTokenizer.from_pretrained(hf, local_files_only=True)
        configured = _configured_end(GenerationConfig, hf)
        tokenizer.save_pretrained(out)
    except ImportError as exc:
        raise ModelError(f"converting the model needs torch and transformers: {exc}") from exc
    except (ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot convert {hf} to CTranslate2: {exc}") from exc
    if not tokenizer.chat_template:
        raise ModelError(f"model {hf} has no chat template")
    manifest = {
        "chat_template": tokenizer.chat_template,
        "special_tokens": {k: v for k, v in tokenizer.special_tokens_map.items() if isinstance(v, str)},
        "end_ids": end_ids(tokenizer, configured),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def _configured_end(config_class: Any, hf: Path) -> Any:
    """The generation config's end token id(s), None without a generation config."""
    try:
        return config_class.from_pretrained(hf, local_files_only=True).eos_token_id
    except OSError:
        return None


def _build(settings: Any, reporter: Reporter | None = None) -> Generator:
    require()
    model = settings.model
    if model.path is None:
        from bot.adapters.generation.bundled import MODEL_ID, bundled_gguf

        source, model_id = bundled_gguf(), MODEL_ID
    else:
        source, model_id = model_source(settings)
    return CTranslate2Generator(
        source, settings.data_dir / "models", model_id=model_id, threads=model.threads, reporter=reporter
    )


#: The ``ctranslate2`` backend (optional: ``pip install ctranslate2``): the bundled model, or
#: ``[model] path``, converted to CTranslate2 int8 on first use; no torch to generate. English
#: only by default, like ``embedded`` (the bundled model's Chinese is unusable).
BACKEND = GeneratorBackend("ctranslate2", build=_build, languages=("en",), candidates=LOCAL_CANDIDATES)
