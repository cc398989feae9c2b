"""Text helpers shared by the adapters: thread parts, comparing a sent text with what a
platform shows back, titles, and the variables templates may use."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from bot.domain.text import split_parts

__all__ = ["split_parts"]

_URL = re.compile(r"https?://\S+")


def normalize(text: str) -> str:
    """A form of ``text`` that survives what platforms do to it (t.co links, entities, spaces)."""
    text = html.unescape(text)
    text = _URL.sub("<url>", text)
    return " ".join(text.split()).casefold()


def same_text(sent: str, shown: str) -> bool:
    """Whether ``shown`` (as the platform returns it) is the text we sent."""
    return normalize(sent) == normalize(shown)


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p"} and self.chunks:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_to_text(content: str) -> str:
    """Plain text of a Mastodon status's HTML ``content``."""
    stripper = _Stripper()
    stripper.feed(content)
    stripper.close()
    return "".join(stripper.chunks)


def first_line(text: str) -> str:
    """The first non-empty line (a default title)."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text.strip()


def first_url(text: str) -> str | None:
    """The first http(s) URL in ``text``, without trailing punctuation."""
    match = _URL.search(text)
    return match.group(0).rstrip(".,;:!?)]}'\"") if match else None
