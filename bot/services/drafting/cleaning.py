"""Cleaning a model's raw output into a post body, and adding the campaign's own extras.

Small models wrap posts in quotes, start with "Here is a post:", invent hashtags, @mentions
and links, and stop mid-sentence when they run out of tokens. :func:`clean_body` removes all
of that; :func:`compose` appends the campaign's link and hashtags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

_PREAMBLE = regex.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok)\b[^\n]*?[:!.]\s*)?"
    r"(?:here(?:'s| is| are)[^\n:]*:|(?:social media |twitter |x )?post:|tweet:|caption:|greeting:)\s*",
    regex.IGNORECASE,
)
_HASHTAG = regex.compile(r"(?<![\p{L}\p{N}&])#[\p{L}\p{N}_]+")
_MENTION = regex.compile(r"(?<![\p{L}\p{N}.])@[A-Za-z0-9_][A-Za-z0-9_.]*")
_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_PLACEHOLDER = regex.compile(r"\[[^\]\n]{0,40}\]|\{\{[^}]*\}\}|<[^>\n]{0,40}>")
_QUOTES = "\"'“”‘’「」『』`"
_SENTENCE_END = regex.compile(r"[.!?。！？…~)）\p{Extended_Pictographic}\uFE0F]")
_SPACES = regex.compile(r"[ \t]+")
#: A sentence end the model wrote past into another sentence (see :func:`finished`): a period,
#: ``!``, ``?`` or ``…`` (and closing quotes) before a space and a character that is no
#: lower-case letter ("9 a.m. to 5" goes on), or a full-width one.
_FINISHED = regex.compile(r"[.!?…]+[\"'”’)）]*(?=\s+[^\p{Ll}\s])|[。！？]+[”’」』）]*")


def clean_body(raw: str) -> str:
    """The post the model meant to write, without decoration it was told not to add."""
    text = raw.replace("\r", "")
    text = _first_post(text)
    text = _PREAMBLE.sub("", text, count=1)
    text = _strip_quotes(text)
    text = _HASHTAG.sub("", text)
    text = _MENTION.sub("", text)
    text = _URL.sub("", text)
    text = _tidy(text)
    return _complete_sentences(text)


def _first_post(text: str) -> str:
    """Keep the first block: models sometimes add a second variant or an explanation."""
    blocks = [b.strip() for b in regex.split(r"\n\s*\n", text.strip()) if b.strip()]
    if not blocks:
        return ""
    first = str(blocks[0])
    if len(first) < 25 and len(blocks) > 1:  # a heading such as "Post:" on its own
        first = f"{first}\n{blocks[1]}"
    return first


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    while len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    if text and text[0] in _QUOTES and text.count(text[0]) == 1:
        text = text[1:]
    if text and text[-1] in _QUOTES and text.count(text[-1]) == 1:
        text = text[:-1]
    return text.strip()


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = " ".join(line for line in lines if line)
    text = regex.sub(r"\s+([,.!?;:])", r"\1", text)
    text = regex.sub(r"([,;:])\1+", r"\1", text)
    text = regex.sub(r"\(\s*\)", "", text)
    return text.strip(" ,;:-–—")


def _complete_sentences(text: str) -> str:
    """Drop a trailing fragment cut off by the token limit, if a full sentence remains."""
    if not text or _SENTENCE_END.search(text[-1]):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if ends and ends[-1] >= 20:
        return str(text[: ends[-1]]).strip()
    return text


def finished(raw: str) -> str | None:
    """Of a text cut at the token limit, what the model surely finished: up to the last sentence
    end it wrote another sentence after, or None when there is none. The last piece goes even
    when it ends in a period ("until 5 p.m." may have been "until 5 p.m. on Saturday only",
    "$3." "$3.50"), and so does an emoji or a ``)`` that :func:`clean_body` takes for an end."""
    ends = [m.end() for m in _FINISHED.finditer(raw)]
    return raw[: ends[-1]].strip() if ends else None


def sentences(text: str) -> list[str]:
    """The text split after each sentence end (the pieces join back to the text)."""
    pieces, start = [], 0
    for match in regex.finditer(r"[.!?。！？…]+[\p{Extended_Pictographic}\uFE0F]*\s*", text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def shorten(body: str, fits: Callable[[str], bool]) -> str:
    """Drop whole sentences from the end until ``fits(body)``; keep at least one sentence."""
    parts = sentences(body)
    while len(parts) > 1 and not fits("".join(parts).strip()):
        parts.pop()
    return "".join(parts).strip()


def drop_sentences(body: str, bad: Callable[[str], bool]) -> str:
    """Remove the sentences ``bad`` picks (e.g. copied from the worked example), unless that
    would leave nothing."""
    parts = sentences(body)
    kept = [p for p in parts if not bad(p)]
    return "".join(kept).strip() if kept else body


def compose(body: str, link: str | None, hashtags: Sequence[str]) -> str:
    """The post: body, then the campaign's link and hashtags (each once). A tag the body
    already carries, as a whole tag in any case (as platforms match them), is not added again:
    "#Tea" is in "Enjoy #tea.", "#tea" is not in "#teatime"."""
    tail = []
    if link and link not in body:
        tail.append(link)
    tags = [_as_tag(t) for t in hashtags]
    tail.extend(t for t in dict.fromkeys(tags) if t and not has_hashtag(body, t))
    return f"{body}\n\n{' '.join(tail)}" if tail else body


def bare(text: str, link: str | None, hashtags: Sequence[str]) -> str:
    """The post without the link and hashtags :func:`compose` adds (tags written with or
    without their ``#`` in the config, in any case, whole: "#tea" leaves "#teatime" alone),
    whitespace collapsed."""
    if link:
        text = text.replace(link, " ")
    for tag in hashtags:
        if tag := _as_tag(tag):
            text = _tag(tag).sub(" ", text)
    return " ".join(text.split())


def has_hashtag(text: str, tag: str) -> bool:
    """Whether ``text`` carries ``tag`` (written with or without its ``#``) as a whole hashtag,
    in any case: "#tea" is in "Enjoy #Tea." but not in "#teatime"."""
    tag = _as_tag(tag)
    return bool(tag) and bool(_tag(tag).search(text))


def _as_tag(tag: str) -> str:
    tag = tag.strip()
    return tag if tag.startswith("#") or not tag else f"#{tag}"


def _tag(tag: str) -> regex.Pattern[str]:
    """The whole hashtag ``tag`` (``#`` included), in any case: not the start of a longer tag
    ("#tea" in "#teatime", "#tea_time") nor the end of a word or of another tag."""
    return regex.compile(
        rf"(?<![\p{{L}}\p{{N}}_&#]){regex.escape(tag)}(?![\p{{L}}\p{{N}}_])",
        regex.IGNORECASE | regex.FULLCASE,
    )


def has_placeholder(text: str) -> bool:
    """Whether a template placeholder such as ``[Your Name]`` survived."""
    return bool(_PLACEHOLDER.search(text))
