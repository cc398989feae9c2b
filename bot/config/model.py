"""``[model]``: which language model writes the drafts, and how it samples."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, JsonValue, field_validator, model_validator

from bot.config.types import Strict, Timeout, WebUrl
from bot.domain.ports import GeneratorBackend

#: ``[model] repetition_penalty`` left out. bench/penalty.py, bundled model, 20 dev briefs x 8
#: candidates: 1.05 took the candidates failing ``loop`` from 10% to 0.6% and kept those passing
#: every check (9.4% -> 10.6%) and the slots topped by a model draft (30% -> 35%); 1.15 and 1.3
#: also stopped the loops but halved those (5%, 1.3% passing): the model invents instead.
PENALTY_DEFAULT = 1.05
#: The chat completions fields the "openai" backend sets from the model and sampling settings.
OWN_REQUEST_FIELDS = ("model", "messages", "n", "stream", "temperature", "top_p", "max_tokens", "seed")


class SamplingSettings(Strict):
    """Sampling controls; every field may be overridden per campaign."""

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    max_new_tokens: int | None = Field(default=None, ge=8, le=1024)
    repetition_penalty: float | None = Field(default=None, ge=1.0, le=2.0)
    candidates: int | None = Field(default=None, ge=1, le=32)
    keep: int | None = Field(default=None, ge=1, le=32)
    seed: int | None = None


class ModelSettings(Strict):
    """``[model]``: the generator backend and its defaults."""

    #: A registered generator backend (``bot plugins``): "embedded" (the bundled model),
    #: "transformers" (a local model, see ``path``), "ctranslate2" (the bundled model, or
    #: ``path``, converted to CTranslate2 int8 on first use: ``pip install ctranslate2``),
    #: "openai" (a served model), "canned" (no model: tests and demos).
    backend: str = "embedded"
    #: A local Hugging Face model directory or GGUF file (backend "transformers"; backend
    #: "ctranslate2" converts it instead of the bundled model).
    path: Path | None = None
    #: An OpenAI-compatible server (backend "openai": Ollama, llama.cpp's server, vLLM, TGI),
    #: such as "http://gpu-box:11434/v1"; "/v1" is added to a URL without a path.
    base_url: WebUrl | None = None
    #: The model name the server knows (backend "openai"), as listed by its /v1/models.
    model: str | None = Field(default=None, min_length=1, max_length=200)
    #: Where the server's API key is, if it needs one: $BOT_MODEL_API_KEY, else ``api_key=...``
    #: in ``secrets_file``, else the file ``api_key`` in ``secrets_dir``. Never in this file.
    secrets_file: Path | None = None
    secrets_dir: Path | None = None
    #: Backend "openai": time to connect, and time to wait for an answer (a busy GPU box
    #: writing several candidates may take a while).
    connect_timeout: Timeout = timedelta(seconds=5)
    timeout: Timeout = timedelta(seconds=120)
    #: Backend "openai": retries of a request refused with 429 (after its Retry-After), a 502, 503
    #: or 504, or whose connection failed, with exponential backoff (another 5xx: once at most).
    retries: int = Field(default=2, ge=0, le=10)
    #: Backend "openai": most requests in flight at once when the server writes one candidate
    #: per request (Ollama and llama.cpp's server ignore the API's ``n``).
    concurrency: int = Field(default=4, ge=1, le=32)
    #: Backend "openai": fields added to every chat completions request, for what a server
    #: takes beyond the API, such as transformers serve's ``generation_config =
    #: '{"do_sample": true}'`` (without it, it decodes greedily: every candidate of a prompt is
    #: the same). A server refuses a field it does not know (transformers serve: 422). The
    #: fields the bot sets itself (:data:`OWN_REQUEST_FIELDS`) cannot be set here.
    extra_body: dict[str, JsonValue] = Field(default_factory=dict)
    #: "auto": bfloat16 on CPUs with native bf16 arithmetic (AVX512-BF16, AMX), else float32
    #: (bf16 was about 5x slower than fp32 on an AVX2-only EPYC). "int8": float32 with the
    #: linear layers dynamically quantized: about 2x faster on CPU, but with the bundled
    #: 135M model far fewer candidates pass the checks (measured by bench/quality.py).
    #: Backend "ctranslate2" ignores it: its model is always int8.
    dtype: Literal["auto", "bfloat16", "float32", "int8"] = "auto"
    #: torch threads (backend "ctranslate2": its intra_threads). 1 by default: on a 2-core
    #: machine shared with other work, 2 were slower (16 candidates, other processes' load
    #: 2.5-3: 1 thread 92-131 tokens/s, 2 threads 28-61, 86-96 with OMP_WAIT_POLICY=PASSIVE,
    #: which the bot sets when threads > 1); with a busy loop on the other core, 2 spinning
    #: threads fell to 4 tokens/s. Raise it on idle cores.
    threads: int = Field(default=1, ge=1, le=64)
    temperature: float = Field(default=0.4, ge=0.0, le=2.0)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    top_k: int = Field(default=50, ge=0)
    max_new_tokens: int = Field(default=64, ge=8, le=1024)
    #: The local backends ("embedded", "transformers", "ctranslate2"): above 1.0, a token the
    #: answer has already written is less likely again (a positive logit divided by it, a
    #: negative one multiplied), against the small model's loops ("Hi there, Hi there", a line
    #: twice, emoji runs). Only the answer's own tokens are penalized, never the prompt's: a draft
    #: must copy the brand, facts, prices and codes from it. 1.0: none; default
    #: :data:`PENALTY_DEFAULT` (measured, see there). Backend "openai" sends
    #: no penalty (servers differ: see the README); a server's own is set in ``extra_body``.
    repetition_penalty: float = Field(default=PENALTY_DEFAULT, ge=1.0, le=2.0)
    #: Candidates written per slot, in one batch. Default: the backend's: 16 for the local
    #: ones ("embedded", "transformers": each distinct prompt is processed once, so 16 take
    #: about the time 4 took before, bench/generation.py), 4 for the others (a served model
    #: answers each candidate on its own).
    candidates: int = Field(default=4, ge=1, le=32)
    keep: int = Field(default=2, ge=1, le=32)
    seed: int | None = None
    #: How a slot's candidates are ranked after the checks. "meaning": by their soft score and
    #: their relevance to the brief and facts (sentence embeddings, ``fast-universal-sentence-
    #: encoder``, about a second to load once per process), and the kept drafts chosen distinct
    #: in meaning; "checks": by the soft score alone (no encoder is loaded).
    ranking: Literal["meaning", "checks"] = "meaning"
    #: Languages the model writes well enough to try. Default: English only for the bundled
    #: model (its Chinese is unusable) and for an "openai" server (say ``["en", "zh"]`` when its
    #: model writes Chinese), English and Chinese for local models. Campaigns in other
    #: languages get curated template drafts.
    languages: tuple[Literal["en", "zh"], ...] | None = None

    def writes(self, language: str) -> bool:
        """Whether the model is asked to write posts in ``language``."""
        if self.languages is not None:
            return language in self.languages
        from bot import plugins

        backend: GeneratorBackend = plugins.load(plugins.GENERATORS, self.backend)
        return language in backend.languages

    @model_validator(mode="before")
    @classmethod
    def _backend_candidates(cls, data: Any) -> Any:
        """``candidates`` left out: the backend's default (left to the field's for an unknown backend)."""
        if not isinstance(data, dict) or "candidates" in data:
            return data
        from bot import plugins
        from bot.domain.errors import ConfigError

        try:
            backend: GeneratorBackend = plugins.load(plugins.GENERATORS, str(data.get("backend", "embedded")))
        except ConfigError:
            return data  # the backend's own validator names the problem
        return {**data, "candidates": backend.candidates}

    @field_validator("extra_body")
    @classmethod
    def _not_own_fields(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        own = [name for name in OWN_REQUEST_FIELDS if name in value]
        if own:
            raise ValueError(
                f"{', '.join(own)}: set by the bot from [model] and the campaign's sampling "
                "settings, not here"
            )
        return value

    @field_validator("backend")
    @classmethod
    def _installed(cls, value: str) -> str:
        from bot import plugins

        if value not in plugins.names(plugins.GENERATORS):
            installed = ", ".join(plugins.names(plugins.GENERATORS))
            raise ValueError(f"no generator backend {value!r} is installed (installed: {installed})")
        return value

    @model_validator(mode="after")
    def _served(self) -> ModelSettings:
        """A served model needs its server and its name, a local one its path; a key the chosen
        built-in backend never reads is refused, not ignored (the user meant something by it)."""
        if self.backend == "transformers" and self.path is None:
            raise ValueError(
                'backend "transformers" needs path, a local Hugging Face model directory or GGUF file '
                '(or backend = "embedded" for the bundled model)'
            )
        ignored = {
            "path": ("embedded", "openai", "canned"),
            "base_url": ("embedded", "transformers", "ctranslate2", "canned"),
            "model": ("embedded", "transformers", "ctranslate2", "canned"),
        }
        for key, backends in ignored.items():
            if getattr(self, key) is not None and self.backend in backends:
                users = "transformers or ctranslate2" if key == "path" else "openai"
                raise ValueError(
                    f"{key} is not read by backend {self.backend!r} (only by {users}): "
                    f"set the backend that uses it, or remove {key}"
                )
        if self.backend == "openai":
            if not self.base_url:
                raise ValueError(
                    'backend "openai" needs base_url, the server\'s API root (such as '
                    '"http://localhost:11434/v1" for Ollama)'
                )
            if not self.model:
                raise ValueError('backend "openai" needs model, a name the server lists (`bot model check`)')
        return self
