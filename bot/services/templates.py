"""Trial render of every configured template (briefs, curated fallback templates, Reddit
titles) with sample variables, so that ``bot config check`` and ``bot campaigns sync`` catch a
bad template before a slot does. Rendering uses the same bounds as the real thing
(:mod:`bot.templating`), so a template that would spin fails here within the time limit."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.config.accounts import RedditAccount
from bot.domain.errors import TemplateError
from bot.services.drafting import prompts
from bot.services.drafting.service import DraftingService


def _unused() -> object:
    raise AssertionError("a trial render generates nothing")


def template_problems(settings: Settings, now: datetime) -> list[str]:
    """One message per template that does not render with sample variables (config order)."""
    drafting = DraftingService(settings, None, _unused, _unused, _FixedClock(now), "check")  # type: ignore[arg-type]
    problems: list[str] = []
    for campaign in settings.campaigns:
        try:
            plan = drafting.plan(campaign, now)
        except TemplateError as exc:
            problems.append(str(exc))
            continue
        if not plan.brief:
            problems.append(f"campaign {campaign.name!r}: brief renders to an empty text")
        for i, template in enumerate(campaign.templates):
            try:
                prompts.render_template(template, plan.context, f"campaign {campaign.name!r}: templates[{i}]")
            except TemplateError as exc:
                problems.append(str(exc))
        variables = {**plan.context, "first_line": "A sample first line", "campaign": campaign.name}
        for name in campaign.accounts:
            try:
                account = settings.account(name)
            except KeyError:
                continue
            if not isinstance(account, RedditAccount):
                continue
            title = account.titles.get(campaign.name, account.title)
            key = f"titles.{campaign.name}" if campaign.name in account.titles else "title"
            if title:
                try:
                    prompts.render_template(title, variables, f"accounts.{name}.{key} ({campaign.name})")
                except TemplateError as exc:
                    problems.append(str(exc))
    return problems


class _FixedClock:
    """The trial's clock: always ``now``."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now
