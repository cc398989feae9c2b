"""Trial render of every configured template (briefs, facts, curated fallback templates, Reddit
titles) with sample variables, so that ``bot config check`` and ``bot campaigns sync`` catch a
bad template before a slot does. Rendering uses the same bounds as the real thing
(:mod:`bot.templating`), so a template that would spin fails here within the time limit; the
trial stops at :data:`MAX_PROBLEMS`, so a config of many bad templates is not a slow check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from bot import plugins
from bot.config import Settings
from bot.domain.errors import TemplateError
from bot.services.drafting import prompts
from bot.services.drafting.service import DraftingService


def _unused() -> object:
    raise AssertionError("a trial render generates nothing")


#: The trial stops after this many problems (each bad template may take the render time limit).
MAX_PROBLEMS = 5


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


class _FixedClock:
    """The trial's clock: always ``now``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now
