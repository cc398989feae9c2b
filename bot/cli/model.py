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
    info = {**_info(ctx), "load_seconds": round(time.monotonic() - started, 2)}
    if as_json:
        print_json(info)
        return
    click.echo(f"model {info['model_id']} ready in {info['load_seconds']} s")
    if info.get("cache"):
        click.echo(f"cache: {info['cache']}")


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
            "candidates": model.candidates,
            "keep": model.keep,
            "seed": model.seed,
        },
    }
    if model.backend == "canned":
        return data
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


def _size(path: Any) -> int:
    if path.is_file():
        return int(path.stat().st_size)
    return sum(int(p.stat().st_size) for p in path.rglob("*") if p.is_file())
