"""Text helpers the adapters share: thread parts, matching what a platform shows back."""

from __future__ import annotations

from bot.adapters.platforms._http import seconds_until, sent_nothing
from bot.adapters.platforms._text import first_line, first_url, html_to_text, same_text, split_parts


def test_split_parts_on_dash_lines_only() -> None:
    assert split_parts("a\n---\nb\n  ---  \nc") == ["a", "b", "c"]
    assert split_parts("a --- b\n----\nc") == ["a --- b\n----\nc"]
    assert split_parts("\n---\n") == ["---"]  # nothing but a separator: sent as written


def test_same_text_survives_platform_rewrites() -> None:
    assert same_text("Tea & cake https://lotusleaf.example/x", "Tea &amp; cake https://t.co/abc")
    assert same_text("two  spaces\nnewline", "two spaces newline")
    assert not same_text("oolong", "pu-erh")


def test_html_to_text_of_a_mastodon_status() -> None:
    assert html_to_text("<p>Hello &lt;tea&gt;<br />line two</p><p>para</p>") == "Hello <tea>\nline two\npara"


def test_first_line_and_url() -> None:
    assert first_line("\n  Title here \nbody") == "Title here"
    assert first_url("see https://a.example/b). ok") == "https://a.example/b"
    assert first_url("none") is None


def test_header_helpers() -> None:
    assert seconds_until(None) is None and seconds_until("soon") is None
    assert seconds_until("0") == 0.0
    import requests

    assert sent_nothing(requests.exceptions.ConnectTimeout("x"))
    assert not sent_nothing(requests.exceptions.ReadTimeout("x"))
