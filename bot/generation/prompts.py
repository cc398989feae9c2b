"""Prompts: the campaign brief is a Jinja2 template rendered in a sandbox."""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from bot.errors import TemplateError
from bot.ports import ChatMessage

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)

SYSTEM = (
    "You write one short social media post for a brand. Reply with the post only: "
    "no quotes, no explanations, no hashtags, no @mentions."
)


def render_brief(campaign: str, brief: str, variables: dict[str, Any]) -> str:
    """Render a brief; errors name the campaign and the line."""
    try:
        return _ENV.from_string(brief).render(**variables).strip()
    except TemplateSyntaxError as exc:
        raise TemplateError(f"campaign {campaign!r}: brief line {exc.lineno}: {exc.message}") from None
    except UndefinedError as exc:
        raise TemplateError(
            f"campaign {campaign!r}: brief uses an unknown variable: {exc.message}; "
            f"known: {', '.join(sorted(variables))}"
        ) from None
    except SecurityError as exc:
        raise TemplateError(f"campaign {campaign!r}: brief does something unsafe: {exc}") from None


def chat(brief: str) -> tuple[ChatMessage, ...]:
    return (ChatMessage("system", SYSTEM), ChatMessage("user", brief))
