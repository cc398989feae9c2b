"""The object every command receives: the config path, and what is built from it on first use.

A listing needs only the database URL, so :attr:`Context.reader` reads it from the config file
without validating the rest (no pydantic) and opens the lean reader (no SQLAlchemy); the other
commands use :attr:`Context.app`, the wiring of the validated settings.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import click

from bot.config.location import config_path

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.domain.ports import StoreReader
    from bot.wiring import Wiring


class Context:
    def __init__(self, config: str | None) -> None:
        self.config_path = config_path(config)
        self._lean: StoreReader | None = None

    @cached_property
    def settings(self) -> Settings:
        from bot.config import load_settings

        return load_settings(self.config_path)

    @cached_property
    def app(self) -> Wiring:
        from bot.wiring import Wiring

        return Wiring(self.settings)

    @cached_property
    def reader(self) -> StoreReader:
        """The store's reads for listings (the app's when it is built, else the lean reader)."""
        if "app" in self.__dict__:
            return self.app.reader
        from bot.config.location import database_url_of
        from bot.wiring import reader_for

        self._lean = reader_for(database_url_of(self.config_path))
        return self._lean

    def close(self) -> None:
        if self._lean is not None:
            self._lean.close()
        if "app" in self.__dict__:
            self.app.close()


pass_ctx = click.make_pass_decorator(Context)
