"""Trial render of every configured template (briefs, facts, curated fallback templates, Reddit
titles) with sample variables, so that ``bot config check`` and ``bot campaigns sync`` catch a
bad template before a slot does. Rendering uses the same bounds as the real thing
(:mod:`bot.templating`), so a template that would spin fails here within the time limit; the
trial stops at :data:`MAX_PROBLEMS`, so a config of many bad templates is not a slow check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice

from bot import plugins, templating
from bot.config import Settings
from bot.config.campaigns import CampaignSettings, MediaFolder
from bot.domain.errors import ConfigError, TemplateError
from bot.services.drafting import prompts
from bot.services.drafting.service import DraftingService


def _unused() -> object:
    raise AssertionError("a trial render generates nothing")


#: The trial stops after this many problems (each bad template may take the render time limit).
MAX_PROBLEMS = 5


def template_sections(
    settings: Settings, now: datetime, pictures: Callable[[], list[str]]
) -> list[tuple[str, list[str]]]:
    """(heading, problems) of the templates, then of the pictures (``pictures()``, asked only
    when a campaign has some; empty lists when fine): what ``bot config check`` lists, and
    ``bot campaigns sync`` and a daemon's reload refuse."""
    sections = [("templates that do not render", template_problems(settings, now))]
    if not sections[0][1]:  # an empty variable is only looked for in templates that render
        sections.append(("templates that would print an empty variable", empty_variables(settings, now)))
    if any(c.media for c in settings.campaigns):
        sections.append(("pictures that cannot be used", pictures()))
    return sections


def refuse_sections(source: object, sections: list[tuple[str, list[str]]]) -> None:
    """A ConfigError naming the config file and the first section with problems, if any."""
    for heading, lines in sections:
        if lines:
            raise ConfigError(f"{source}: {heading}:\n  " + "\n  ".join(lines))


def template_problems(settings: Settings, now: datetime) -> list[str]:
    """One message per template that does not render with sample variables (config order),
    at most :data:`MAX_PROBLEMS` of them (then a last line saying the trial stopped)."""
    problems = list(islice(_problems(settings, now), MAX_PROBLEMS + 1))
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"(stopped after {MAX_PROBLEMS} problems: fix these, then check again)"]
    return problems


def _problems(settings: Settings, now: datetime) -> Iterator[str]:
    drafting = DraftingService(settings, None, _unused, _unused, _FixedClock(now), "check")  # type: ignore[arg-type]
    for campaign in settings.campaigns:
        try:
            plan = drafting.plan(campaign, now)
        except TemplateError as exc:
            yield str(exc)
            continue
        if not plan.brief:
            yield f"campaign {campaign.name!r}: brief renders to an empty text"
        for i, fact in enumerate(campaign.facts):
            if not prompts.render_fact(campaign.name, i, fact, plan.context).strip():
                yield f"campaign {campaign.name!r}: facts[{i}] renders to an empty text"
        for i, template in enumerate(campaign.templates):
            try:
                prompts.render_template(template, plan.context, f"campaign {campaign.name!r}: templates[{i}]")
            except TemplateError as exc:
                yield str(exc)
        variables = {**plan.context, "first_line": "A sample first line", "campaign": campaign.name}
        for name in campaign.accounts:
            try:
                account = settings.account(name)
            except KeyError:
                continue
            for key, source in plugins.platform(account.platform).templates_for(account, campaign.name):
                try:
                    prompts.render_template(source, variables, f"accounts.{name}.{key} ({campaign.name})")
                except TemplateError as exc:
                    yield str(exc)


#: Why a variable a template prints is empty, and how to fill it.
_WHY_EMPTY = {
    "product": "neither the campaign nor [brand] lists any products (products = [...])",
    "products": "neither the campaign nor [brand] lists any products (products = [...])",
    "link": "neither the campaign nor [brand] has a link (or the campaign says link = false)",
    "brand": "[brand] has no name",
    "voice": "[brand] voice is empty",
    "holiday": "the campaign's `when` is not a holiday",
    "promo_code": "the campaign sets no variables.promo_code",
    "facts": "the campaign states no facts (facts = [...])",
}


def empty_variables(settings: Settings, now: datetime) -> list[str]:
    """One message per template that prints a variable which is empty for its campaign (a
    brief "Sale on {{ product }}" of a brand without products would say "Sale on"): it renders,
    so :func:`template_problems` passes it. A template that tests the variable first
    (``{% if product %}``) is fine."""
    drafting = DraftingService(settings, None, _unused, _unused, _FixedClock(now), "check")  # type: ignore[arg-type]
    out = []
    for campaign in settings.campaigns:
        try:
            context = drafting.plan(campaign, now).context
        except TemplateError:
            continue  # template_problems names it
        for where, source in _sources(settings, campaign):
            for name in sorted(templating.printed_names(source)):
                if name in context and context[name] in ("", [], ()):
                    why = _WHY_EMPTY.get(name, f"variables.{name} is empty")
                    out.append(f"campaign {campaign.name!r}: {where} uses {{{{ {name} }}}} but {why}")
    return out


def _sources(settings: Settings, campaign: CampaignSettings) -> Iterator[tuple[str, str]]:
    """(where, template) of every template the campaign renders into its prompts and posts."""
    yield "brief", campaign.brief
    yield from ((f"facts[{i}]", fact) for i, fact in enumerate(campaign.facts))
    yield from ((f"templates[{i}]", t) for i, t in enumerate(campaign.templates))
    media = campaign.media
    if isinstance(media, MediaFolder):
        yield "media.alt", media.alt or ""
    else:
        yield from ((f"media[{i}].alt", m.alt or "") for i, m in enumerate(media))
    for name in campaign.accounts:
        account = next((a for a in settings.accounts if a.name == name), None)
        if account is not None:
            for key, source in plugins.platform(account.platform).templates_for(account, campaign.name):
                yield f"accounts.{name}.{key}", source


class _FixedClock:
    """The trial's clock: always ``now``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now
