"""The ``openai`` generator backend: a model served over an OpenAI-compatible HTTP API.

Ollama, llama.cpp's server, vLLM, TGI and ``transformers serve`` all answer
``POST {base_url}/chat/completions`` (with ``stream: false``) and ``GET {base_url}/models``.
Candidates come from the API's ``n`` where the server honours it (vLLM); Ollama, llama.cpp's
server and transformers serve answer one choice whatever ``n`` says, and some servers refuse
``n`` with a 400: the backend then learns it (once a request without ``n`` is taken) and writes
the missing candidates with concurrent one-choice requests (at most ``[model] concurrency`` in
flight), each with its own seed. A server that answers the same text for another seed decodes
greedily (transformers serve does, unless ``[model] extra_body`` asks it to sample): the backend
says so once and asks one candidate per distinct prompt from then on, and one more a slot (a
server that samples may have repeated itself by chance).

A request refused with 429 is retried after its ``Retry-After`` (at most
:data:`LONGEST_RETRY_AFTER` seconds), a 502, 503 or 504 or a failed connection after an
exponential backoff (at most the same), up to ``[model] retries`` times; another 5xx (a 500)
once at most, as it usually fails the same way again; another 4xx never; an answer slower than
``[model] timeout`` is not retried. A choice cut at ``max_tokens`` (``finish_reason: "length"``)
is marked :attr:`~bot.domain.ports.GeneratedText.cut`: drafting keeps only the sentences it
finished. Whatever still fails is a :class:`~bot.domain.errors.ModelUnavailable`: drafting falls
back to curated texts for the slot and records why. The API key (``$BOT_MODEL_API_KEY`` or the
``[model]`` secrets file/dir) is sent as a Bearer header and appears in no message or log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import regex

from bot.domain.errors import ConfigError, ModelUnavailable
from bot.domain.ports import ChatMessage, GeneratedText, GenerationRequest, Generator, GeneratorBackend

log = logging.getLogger(__name__)

#: A Retry-After longer than this (seconds) is not waited for: the slot falls back instead.
LONGEST_RETRY_AFTER = 60.0
#: First backoff (seconds) after a 5xx or a failed connection; doubled at each retry, never
#: more than :data:`LONGEST_RETRY_AFTER`.
BACKOFF = 1.0
#: Server errors that pass: a proxy without its upstream (502, 504) or a server starting up or
#: overloaded (503). They are retried up to ``[model] retries`` times.
PASSING_SERVER_ERRORS = frozenset({502, 503, 504})
#: Retries of another 5xx (a 500: a model that failed to load, a crashed runner), which
#: usually fails again the same way: once, then the slot falls back.
SERVER_ERROR_RETRIES = 1
_THINK = regex.compile(r"<think>.*?</think>\s*", regex.DOTALL)


@dataclass(frozen=True)
class EndpointCheck:
    """What ``bot model check`` reports of a server: reachable, and the model listed."""

    endpoint: str
    reachable: bool
    model: str
    listed: bool
    models: tuple[str, ...]
    problem: str | None = None


#: Candidate indices and the texts written for them.
_Written = tuple[list[int], list[GeneratedText]]


class _Refused(Exception):
    """A 4xx other than 429: the server will not take this request as it is."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status} {detail}")
        self.status = status
        self.detail = detail


def api_root(base_url: str) -> str:
    """The API root: ``http://host:11434`` -> ``http://host:11434/v1``; a given path is kept."""
    url = base_url.rstrip("/")
    return url if urlsplit(url).path not in ("", "/") else f"{url}/v1"


class OpenAIGenerator:
    """Writes candidates through an OpenAI-compatible chat completions endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        connect_timeout: float = 5.0,
        timeout: float = 120.0,
        retries: int = 2,
        concurrency: int = 4,
        backoff: float = BACKOFF,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.base_url = api_root(base_url)
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.read_timeout = timeout
        self.retries = retries
        self.concurrency = concurrency
        self.backoff = backoff
        #: Whether the server honours ``n`` (None until a request with n > 1 shows it).
        self.n_supported: bool | None = None
        #: Whether another seed changes the server's text (None until two texts of a chat show it).
        self.samples: bool | None = None
        self.extra_body = dict(extra_body or {})

    def __repr__(self) -> str:  # never the key
        return f"OpenAIGenerator({self.base_url!r}, model={self.model!r})"

    @property
    def model_id(self) -> str:
        """The served model's name (recorded on every draft)."""
        return self.model

    def generate(self, request: GenerationRequest) -> list[GeneratedText]:
        """``request.n`` texts: one request per distinct chat asking for its share through ``n``,
        then one-choice requests, in parallel, for whatever the server did not write. When some
        requests still fail, the texts of the others (fewer than ``n``); from a server that
        decodes greedily, one text per distinct chat; when all fail, the first failure
        (:class:`ModelUnavailable`)."""
        groups: dict[tuple[ChatMessage, ...], list[int]] = {}
        for index in range(request.n):
            groups.setdefault(request.chat_for(index), []).append(index)
        found: dict[int, GeneratedText] = {}
        failures: list[ModelUnavailable] = []
        with self._http() as client:
            self._write(client, request, groups, found, failures)
        if not found:
            raise failures[0] if failures else ModelUnavailable(f"model server {self.base_url} wrote nothing")
        if failures:
            log.warning(
                "model server %s wrote %d of %d candidates: %s",
                self.base_url,
                len(found),
                request.n,
                failures[0],
            )
        if cut := sum(text.cut for text in found.values()):
            log.info(
                "model server %s stopped %d of %d candidates at max_tokens %d (finish_reason "
                '"length"): only the sentences they finished are kept',
                self.base_url,
                cut,
                len(found),
                request.max_new_tokens,
            )
        distinct: dict[str, GeneratedText] = {}
        for index in sorted(found):  # a greedy server's copies of one text add nothing
            distinct.setdefault(found[index].text if self.samples is False else str(index), found[index])
        return list(distinct.values())

    def _write(
        self,
        client: httpx.Client,
        request: GenerationRequest,
        groups: dict[tuple[ChatMessage, ...], list[int]],
        found: dict[int, GeneratedText],
        failures: list[ModelUnavailable],
    ) -> None:
        """Fill ``found`` in waves: one request per chat; while it is not known whether the
        server samples, one more candidate per chat (a new seed: the same text means greedy);
        then the rest, unless greedy decoding would only copy what is written."""
        asked: set[int] = set()  # a failed request's candidates are not asked for again

        def wave(items: list[tuple[tuple[ChatMessage, ...], list[int]]], work: Any) -> None:
            for (_chat, indices), result in self._parallel(items, work):
                if isinstance(result, ModelUnavailable):
                    asked.update(indices)
                    failures.append(result)
                else:
                    written = dict(zip(*result, strict=False))
                    asked.update(written)
                    found.update(written)

        def rest() -> list[tuple[tuple[ChatMessage, ...], list[int]]]:
            todo = [(chat, [i for i in indices if i not in asked]) for chat, indices in groups.items()]
            return [(chat, indices) for chat, indices in todo if indices]

        def one(item: tuple[tuple[ChatMessage, ...], list[int]]) -> _Written:
            return self._one(client, item[0], item[1][0], request)

        wave(list(groups.items()), lambda item: self._group(client, item[0], item[1], request))
        if request.temperature <= 0:  # asked for greedy decoding: more requests would copy
            return
        if not self.samples:  # a server found greedy is checked again, with one request a slot
            probes = rest() if self.samples is None else rest()[:1]
            wave([(chat, indices[:1]) for chat, indices in probes], one)
            self._learn_sampling(groups, found)
        if self.samples is not False:
            wave([(chat, [i]) for chat, indices in rest() for i in indices], one)

    def _learn_sampling(
        self, groups: dict[tuple[ChatMessage, ...], list[int]], found: dict[int, GeneratedText]
    ) -> None:
        """Whether the server's text changes with the seed, from the chats it wrote twice or more
        (a sampling server may repeat itself by chance: one that differs once samples)."""
        written = [[found[i].text for i in indices if i in found] for indices in groups.values()]
        several = [texts for texts in written if len(texts) > 1]
        if not several:
            return
        known, self.samples = self.samples, any(len(set(texts)) > 1 for texts in several)
        if known is False and self.samples:
            log.info("model server %s wrote another text for another seed: it samples", self.base_url)
        elif known is None and not self.samples:
            log.warning(
                "model server %s wrote the same text for other seeds: it decodes greedily, ignoring "
                "temperature and seed, so each distinct prompt gets one candidate. transformers serve "
                "does this unless asked to sample: [model] extra_body = "
                "{ generation_config = '{\"do_sample\": true}' }",
                self.base_url,
            )

    def _group(
        self,
        client: httpx.Client,
        chat: tuple[ChatMessage, ...],
        indices: list[int],
        request: GenerationRequest,
    ) -> tuple[list[int], list[GeneratedText]]:
        wanted = len(indices)
        if wanted > 1 and self.n_supported is not False:
            try:
                texts = self._complete(client, chat, request, n=wanted, seed=request.seed + indices[0])
            except _Refused as exc:
                if exc.status != 400:
                    raise self._refusal(exc) from None
                # Any 400 (transformers serve: another model than its own): n only if it takes one
                written = self._one(client, chat, indices[0], request)
                log.info(
                    "model server %s refused n=%d (%s): one request per candidate", self.base_url, wanted, exc
                )
                self.n_supported = False
                return written
            if len(texts) < wanted and self.n_supported is None:
                log.info(
                    "model server %s answers one choice per request: one request per candidate", self.base_url
                )
            self.n_supported = len(texts) >= wanted
            return indices, texts[:wanted]
        return self._one(client, chat, indices[0], request)

    def _one(
        self, client: httpx.Client, chat: tuple[ChatMessage, ...], index: int, request: GenerationRequest
    ) -> tuple[list[int], list[GeneratedText]]:
        try:
            texts = self._complete(client, chat, request, n=1, seed=request.seed + index)
        except _Refused as exc:
            raise self._refusal(exc) from None
        if not texts:
            raise ModelUnavailable(f"model server {self.base_url} answered without a choice")
        return [index], texts[:1]

    def _parallel(self, items: list[Any], work: Any) -> list[tuple[Any, _Written | ModelUnavailable]]:
        """``(item, what work(item) returned or the ModelUnavailable it raised)``, in order,
        at most :attr:`concurrency` at once."""

        def safe(item: Any) -> tuple[Any, _Written | ModelUnavailable]:
            try:
                return item, work(item)
            except ModelUnavailable as exc:
                return item, exc

        if len(items) <= 1:
            return [safe(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(safe, items))

    def _complete(
        self,
        client: httpx.Client,
        chat: tuple[ChatMessage, ...],
        request: GenerationRequest,
        *,
        n: int,
        seed: int,
    ) -> list[GeneratedText]:
        body: dict[str, Any] = {
            **self.extra_body,
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in chat],
            "temperature": request.temperature,
            "top_p": request.top_p,
            "max_tokens": request.max_new_tokens,
            "seed": seed,
            "stream": False,
        }
        if n > 1:
            body["n"] = n
        return _choices(self._request(client, "POST", "/chat/completions", body), self.base_url)

    def _request(
        self, client: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Any:
        """The decoded JSON answer, after the retries a busy or restarting server earns."""
        url = self.base_url + path
        problem, settled = "", ""
        tries = self.retries + 1
        for attempt in range(self.retries + 1):
            wait = min(self.backoff * 2**attempt, LONGEST_RETRY_AFTER)
            try:
                response = client.request(method, url, json=body, headers=self._headers)
            except httpx.TimeoutException as exc:
                if not isinstance(exc, httpx.ConnectTimeout):
                    raise ModelUnavailable(self._too_slow()) from None
                problem = f"cannot connect to the model server at {self.base_url} (timed out)"
            except httpx.TransportError as exc:
                problem = f"cannot reach the model server at {self.base_url}: {_reason(exc)}"
            else:
                if response.status_code < 400:
                    return self._json(response, path)
                problem, after, final = self._failure(response, attempt)
                wait = after if after is not None else wait
                if final:  # the same server error again: not a blip
                    tries, settled = attempt + 1, ": a server error that comes back is not a blip"
                    break
            if attempt < self.retries:
                log.warning("%s; retrying in %.1f s (%d of %d)", problem, wait, attempt + 1, self.retries)
                time.sleep(wait)
        raise ModelUnavailable(f"{problem}; gave up after {tries} attempt{'s' if tries > 1 else ''}{settled}")

    def _failure(self, response: httpx.Response, attempt: int) -> tuple[str, float | None, bool]:
        """An error answer worth retrying: (the problem, the wait its Retry-After asks or None,
        whether to give up now). Raises :class:`_Refused` for a 4xx other than 429, and
        ModelUnavailable for a Retry-After too long to wait for."""
        status = response.status_code
        if status == 429:
            after = _retry_after(response.headers.get("retry-after"))
            if after is not None and after > LONGEST_RETRY_AFTER:
                raise ModelUnavailable(
                    f"model server {self.base_url} is rate limiting (429, Retry-After {after:g} s)"
                )
            return f"model server {self.base_url} is rate limiting (429)", after, False
        if status < 500:
            raise _Refused(status, _detail(response))
        problem = f"model server {self.base_url} failed ({status} {_detail(response)})"
        return problem, None, status not in PASSING_SERVER_ERRORS and attempt >= SERVER_ERROR_RETRIES

    def _json(self, response: httpx.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ModelUnavailable(
                f"model server {self.base_url} answered {path} with something that is not JSON"
            ) from None

    def _too_slow(self) -> str:
        message = f"model server {self.base_url} did not answer within {self.read_timeout:g} s"
        if self.concurrency == 1:
            return message
        return (
            f"{message} (up to {self.concurrency} requests in flight: a server that writes one at a time, "
            "as transformers serve does, makes each wait for the others; lower [model] concurrency or "
            "raise timeout)"
        )

    def _refusal(self, exc: _Refused) -> ModelUnavailable:
        if exc.status in (401, 403):
            return ModelUnavailable(
                f"model server {self.base_url} refused the API key ({exc.status}): set $BOT_MODEL_API_KEY "
                "or [model] secrets_file / secrets_dir"
            )
        if exc.status == 404:
            return ModelUnavailable(
                f"model server {self.base_url} has no model {self.model!r} or no chat completions "
                f"endpoint ({exc.detail}); see `bot model check`"
            )
        return ModelUnavailable(f"model server {self.base_url} refused the request ({exc})")

    def _http(self) -> httpx.Client:
        """A client for one slot's requests (slots are minutes apart: nothing is kept open)."""
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        return httpx.Client(timeout=self._timeout, limits=limits, trust_env=False)

    def check(self) -> EndpointCheck:
        """Whether the server answers ``GET /models`` and lists the configured model."""
        try:
            with self._http() as client:
                answer = self._request(client, "GET", "/models")
        except _Refused as exc:
            return EndpointCheck(self.base_url, False, self.model, False, (), str(self._refusal(exc)))
        except ModelUnavailable as exc:
            return EndpointCheck(self.base_url, False, self.model, False, (), str(exc))
        data = answer.get("data") if isinstance(answer, dict) else None
        models = tuple(
            str(item["id"])
            for item in (data if isinstance(data, list) else [])
            if isinstance(item, dict) and "id" in item
        )
        listed = self.model in models or f"{self.model}:latest" in models
        shown = ", ".join(repr(name) for name in models[:5]) + (", ..." if len(models) > 5 else "")
        missing = (
            None
            if listed
            else f"model {self.model!r} is not among the {len(models)} the server lists"
            + (f" ({shown}): [model] model must name one exactly" if models else "")
        )
        return EndpointCheck(self.base_url, True, self.model, listed, models, missing)


def _choices(answer: Any, base_url: str) -> list[GeneratedText]:
    choices = answer.get("choices") if isinstance(answer, dict) else None
    if not isinstance(choices, list):
        raise ModelUnavailable(f"model server {base_url} answered without choices (not a chat completion)")
    texts, cut = [], []
    for choice in choices:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        texts.append(_THINK.sub("", content).strip() if isinstance(content, str) else "")
        cut.append(isinstance(choice, dict) and choice.get("finish_reason") == "length")
    usage = answer.get("usage") if isinstance(answer, dict) else None
    tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
    each = tokens // max(1, len(texts)) if isinstance(tokens, int) else None
    return [
        GeneratedText(text=t, new_tokens=each if each is not None else len(t.split()), cut=c)
        for t, c in zip(texts, cut, strict=True)
    ]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _detail(response: httpx.Response) -> str:
    """A short reason from an error answer ({"error": {"message": ...}} or its text)."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
    else:
        text = _message(data)
    return " ".join(text.split())[:200] or response.reason_phrase


def _message(data: Any) -> str:
    """The message of an error body: OpenAI's ``{"error": {"message": ...}}`` (or a string), or
    FastAPI's ``{"detail": ...}`` (transformers serve), a string or a list of ``{"msg": ...}``."""
    if not isinstance(data, dict):
        return str(data)
    error = data.get("error")
    if error:
        return str(error.get("message") or error) if isinstance(error, dict) else str(error)
    detail = data.get("detail")
    if isinstance(detail, list):
        return "; ".join(
            str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail
        )
    return str(detail) if detail else str(data)


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return "connection refused" if "refused" in text.casefold() else text


@dataclass(frozen=True)
class _ModelSecrets:
    """The ``[model]`` section as a holder of credentials (``$BOT_MODEL_API_KEY``)."""

    name: str
    secrets_file: Path | None
    secrets_dir: Path | None


def _build(settings: Any, reporter: Any = None) -> Generator:
    from bot.adapters.platforms.credentials import Credentials

    model = settings.model
    if not model.base_url:
        raise ConfigError(
            '[model] backend = "openai" needs base_url, the server\'s API root '
            '(such as "http://localhost:11434/v1" for Ollama)'
        )
    if not model.model:
        raise ConfigError(
            '[model] backend = "openai" needs model, a name the server lists (`bot model check`)'
        )
    holder = _ModelSecrets("model", model.secrets_file, model.secrets_dir)
    api_key = Credentials(holder, section="model").find("api_key")
    return OpenAIGenerator(
        model.base_url,
        model.model,
        api_key,
        connect_timeout=model.connect_timeout.total_seconds(),
        timeout=model.timeout.total_seconds(),
        retries=model.retries,
        concurrency=model.concurrency,
        extra_body=model.extra_body,
    )


#: The ``openai`` backend: a server the user runs (Ollama, llama.cpp, vLLM, TGI). English only
#: unless ``[model] languages`` says the served model writes Chinese too.
BACKEND = GeneratorBackend("openai", build=_build, languages=("en",))
