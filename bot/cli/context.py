"""The object every command receives: the config path, and the app built on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import click

from bot.config import Settings, config_path, load_settings
from bot.wiring import Wiring

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, config: str | None) -> None:
        self.config_path = config_path(config)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path)

    @cached_property
    def app(self) -> Wiring:
        return Wiring(self.settings)

    def close(self) -> None:
        if "app" in self.__dict__:
            self.app.close()


pass_ctx = click.make_pass_decorator(Context)
