"""Plugins: platforms, generator backends and moderation scorers, found through entry points.

A plugin is an entry point in one of three groups; its object is the plugin's description
(what the core needs to know about it: :class:`~bot.domain.platforms.PlatformDescription`,
:class:`~bot.domain.ports.GeneratorBackend`, :class:`~bot.domain.ports.ScorerBackend`):

=================  ==============================================
``bot.platforms``  where posts go (``[[accounts]] platform = ...``)
``bot.generators`` who writes the drafts (``[model] backend = ...``)
``bot.scorers``    who judges them (``[moderation] scorers = [...]``)
=================  ==============================================

The built-ins are declared in this project's ``pyproject.toml`` exactly as a third-party
package declares its own, so adding one is one module, its tests and one line::

    [project.entry-points."bot.platforms"]
    mastodon = "bot.adapters.platforms.mastodon_platform:PLATFORM"

Entry points are read once per process, when a plugin is first needed: loading a config with
accounts needs the descriptions of their platforms (light modules that import no SDK);
``--help`` never reads them. A description names its SDK-bound parts (a platform's client and
error table) as ``"module:name"`` (:func:`resolve`), so a platform's SDK is imported only by
the commands that publish to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.domain.errors import ConfigError

if TYPE_CHECKING:
    from bot.domain.platforms import PlatformDescription, PlatformLimit

PLATFORMS = "bot.platforms"
GENERATORS = "bot.generators"
SCORERS = "bot.scorers"

#: group -> what a plugin of the group is, in messages.
GROUPS = {PLATFORMS: "platform", GENERATORS: "generator backend", SCORERS: "moderation scorer"}


@dataclass(frozen=True)
class PluginInfo:
    """One installed plugin, as its package declares it."""

    group: str
    name: str
    target: str
    package: str
    version: str


def available(group: str) -> dict[str, PluginInfo]:
    """The plugins installed in ``group``, by name (the first package wins a name twice)."""
    return dict(_available(group))


@cache
def _available(group: str) -> tuple[tuple[str, PluginInfo], ...]:
    from importlib.metadata import entry_points

    found: dict[str, PluginInfo] = {}
    for point in entry_points(group=group):
        dist = point.dist
        info = PluginInfo(
            group=group,
            name=point.name,
            target=point.value,
            package=dist.name if dist is not None else "?",
            version=dist.version if dist is not None else "?",
        )
        found.setdefault(point.name, info)
    return tuple(sorted(found.items()))


def load(group: str, name: str) -> Any:
    """The description object of plugin ``name`` in ``group`` (its module imported now).

    Raises:
        ConfigError: no such plugin is installed, or its module failed to import.
    """
    return _load(group, name)


@cache
def _load(group: str, name: str) -> Any:
    plugins = available(group)
    info = plugins.get(name)
    kind = GROUPS.get(group, group)
    if info is None:
        known = ", ".join(plugins) or "none"
        raise ConfigError(f"no {kind} named {name!r} is installed (installed: {known}; see `bot plugins`)")
    try:
        loaded = resolve(info.target)
    except Exception as exc:  # a broken plugin must name itself, not crash the command
        raise ConfigError(
            f"{kind} {name!r} from package {info.package} {info.version} failed to load "
            f"({info.target}): {type(exc).__name__}: {exc}"
        ) from exc
    return loaded


def names(group: str) -> list[str]:
    """The names installed in ``group``, sorted."""
    return list(available(group))


def platform(name: str) -> PlatformDescription:
    """The description of platform ``name`` (only its light description module is imported).

    Raises:
        ConfigError: no such platform is installed, or its entry point is not a description.
    """
    from bot.domain.platforms import PlatformDescription

    described = load(PLATFORMS, name)
    if not isinstance(described, PlatformDescription) or described.name != name:
        info = available(PLATFORMS)[name]
        raise ConfigError(
            f"platform {name!r} from package {info.package} {info.version} ({info.target}) is not "
            f"a PlatformDescription named {name!r}"
        )
    return described


def resolve(target: Any) -> Any:
    """The object a ``"module:name"`` reference names (imported now); anything else as it is.

    Descriptions use such references for the parts that import an SDK (a platform's client
    and error table), the way entry points name the descriptions themselves.
    """
    if not isinstance(target, str):
        return target
    from importlib import import_module

    module, _, attribute = target.partition(":")
    loaded: Any = import_module(module)
    for part in attribute.split(".") if attribute else ():
        loaded = getattr(loaded, part)
    return loaded


def limit_for(account: Any) -> PlatformLimit:
    """The length limit of a post to ``account``: the one its publisher enforces."""
    return platform(account.platform).limit_for(account)
