"""Brief rendering in the sandbox, template errors, and the chat with worked examples."""

from __future__ import annotations

import pytest

from bot.domain.errors import TemplateError
from bot.services.drafting import prompts


def test_render_brief() -> None:
    text = prompts.render_brief(
        "c", "Promo for {{ brand }}: {{ products | join(', ') }}", {"brand": "B", "products": ["x", "y"]}
    )
    assert text == "Promo for B: x, y"


def test_syntax_error_names_campaign_and_line() -> None:
    with pytest.raises(TemplateError, match=r"campaign 'promo': brief line 2: .*"):
        prompts.render_brief("promo", "line one\n{{ brand ", {"brand": "B"})


def test_unknown_variable_names_campaign_line_and_known() -> None:
    with pytest.raises(TemplateError) as err:
        prompts.render_brief("promo", "ok\n\n{{ promo_cod }}", {"brand": "B"})
    message = str(err.value)
    assert "campaign 'promo'" in message and "line 3" in message and "promo_cod" in message
    assert "known: brand" in message


def test_sandbox_refuses_unsafe_access() -> None:
    with pytest.raises(TemplateError, match="unsafe"):
        prompts.render_brief("p", "{{ brand.__class__.__mro__[1].__subclasses__() }}", {"brand": "B"})


def test_runtime_error_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="campaign 'p'"):
        prompts.render_brief("p", "{{ 1 / 0 }}", {})


def test_chat_has_one_variant_per_example_with_the_holiday() -> None:
    variants = prompts.chat(
        "Write a greeting.", kind="greeting", holiday="Mid-Autumn Festival", max_chars=200
    )
    assert len(variants) == len(prompts.examples_for("greeting", "x")) >= 2
    for chat in variants:
        roles = [m.role for m in chat]
        assert roles == ["system", "user", "assistant", "user"]
        assert "Mid-Autumn Festival" in chat[2].content
        assert chat[3].content.startswith("Write a greeting.") and "200 characters" in chat[3].content
    assert (
        prompts.chat("x", kind="promo")[0][2].content != prompts.chat("x", kind="announcement")[0][2].content
    )
