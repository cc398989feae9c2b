"""``bot model``: prepare (load and cache) the language model, and describe it."""

from __future__ import annotations

import time
from typing import Any

import click

from bot.cli.context import Context, pass_ctx
from bot.cli.output import json_option, print_json


@click.group("model")
def command() -> None:
    """The language model that writes the drafts."""


@command.command("prepare")
@json_option
@pass_ctx
def prepare(ctx: Context, as_json: bool) -> None:
    """Load the model once (de-quantizing and caching a GGUF file), so later loads are fast."""
    from bot.adapters.generation.factory import build_generator
    from bot.adapters.generation.progress import for_terminal

    generator = build_generator(ctx.settings, for_terminal(None if not as_json else False))
    started = time.monotonic()
    load = getattr(generator, "load", None)
    if load is not None:
        load()
    probe = getattr(generator, "check", None)
    if probe is not None:  # a served model: nothing to load here, but it must answer
        problem = probe().problem
        if problem:
            from bot.domain.errors import ModelError

            raise ModelError(problem)
    info = {**_info(ctx), "load_seconds": round(time.monotonic() - started, 2)}
    if info.get("cache") and not info.get("cached"):  # loaded, but every load will be slow again
        from bot.domain.errors import BotError

        raise BotError(
            f"the model loaded, but its cache could not be written to {info['cache']} (see the warning "
            "above), so every start de-quantizes it again; check data_dir in the config"
        )
    if as_json:
        print_json(info)
        return
    click.echo(f"model {info['model_id']} ready in {info['load_seconds']} s")
    if info.get("cache"):
        click.echo(f"cache: {info['cache']}")


@command.command("check")
@json_option
@pass_ctx
def check(ctx: Context, as_json: bool) -> None:
    """Whether the model can write drafts: its files are there (local models), or its server
    answers and lists it (backend "openai": GET /v1/models). Exit 1 with the problem if not."""
    from bot.adapters.generation.factory import build_generator
    from bot.domain.errors import ModelError

    generator = build_generator(ctx.settings)  # a missing local model fails here, clearly
    probe = getattr(generator, "check", None)
    data: dict[str, Any] = {"backend": ctx.settings.model.backend, "model_id": generator.model_id}
    if probe is not None:
        found = probe()
        data.update(
            endpoint=found.endpoint,
            reachable=found.reachable,
            listed=found.listed,
            models=list(found.models),
            problem=found.problem,
        )
    data["ok"] = data.get("problem") is None
    if as_json:
        print_json(data)
    elif probe is not None:
        state = "reachable" if data["reachable"] else "NOT reachable"
        click.echo(f"endpoint {data['endpoint']}: {state}")
        if data["reachable"]:
            listed = "listed" if data["listed"] else "NOT listed"
            click.echo(f"model {data['model_id']}: {listed} ({len(data['models'])} models served)")
    else:
        click.echo(f"model {data['model_id']}: files present")
    if not data["ok"]:
        raise ModelError(str(data["problem"]))


@command.command("info")
@json_option
@pass_ctx
def info(ctx: Context, as_json: bool) -> None:
    """Which model is configured, where it is, whether it is cached, and its sampling defaults."""
    data = _info(ctx)
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")


def _info(ctx: Context) -> dict[str, Any]:
    settings = ctx.settings
    model = settings.model
    data: dict[str, Any] = {
        "backend": model.backend,
        "model_id": "canned",
        "source": None,
        "cache": None,
        "cached": False,
        "dtype": model.dtype,
        "threads": model.threads,
        "languages": [lang for lang in ("en", "zh") if model.writes(lang)],
        "sampling": {
            "temperature": model.temperature,
            "top_p": model.top_p,
            "top_k": model.top_k,
            "max_new_tokens": model.max_new_tokens,
            "repetition_penalty": model.repetition_penalty,
            "candidates": model.candidates,
            "keep": model.keep,
            "seed": model.seed,
        },
    }
    if model.backend == "canned":
        return data
    if model.backend == "openai":
        from bot.adapters.generation.openai_http import api_root

        data.update(model_id=model.model, source=api_root(model.base_url) if model.base_url else None)
        return data
    if model.backend == "ctranslate2":
        return {**data, **_converted(ctx)}
    from bot.adapters.generation.transformers import cache_path, check_source, model_source

    source, model_id = model_source(settings)
    check_source(source)
    cached = cache_path(source, settings.data_dir / "models", model.dtype)
    data.update(
        model_id=model_id,
        source=str(source),
        size_bytes=_size(source),
        cache=str(cached) if cached else None,
        cached=bool(cached and (cached / "config.json").is_file()),
    )
    return data


def _converted(ctx: Context) -> dict[str, Any]:
    """What ``info`` says of backend "ctranslate2": its source, and its int8 conversion."""
    from bot.adapters.generation.ctranslate2 import MANIFEST, QUANTIZATION
    from bot.adapters.generation.factory import build_generator

    generator: Any = build_generator(ctx.settings)  # ConfigError when ctranslate2 is missing
    cached = generator.cached_path
    return {
        "model_id": generator.model_id,
        "source": str(generator.source),
        "size_bytes": _size(generator.source),
        "cache": str(cached),
        "cached": (cached / MANIFEST).is_file(),
        "dtype": QUANTIZATION,
    }


def _size(path: Any) -> int:
    if path.is_file():
        return int(path.stat().st_size)
    return sum(int(p.stat().st_size) for p in path.rglob("*") if p.is_file())
