"""The bad-config corpus (``bad_configs.toml``) turned into config files on disk.

A case starts from :data:`BASE`, a small valid config (a dry-run and a Reddit account, one
campaign with a brief, a curated template and a Reddit title), and changes it:

- ``set``: dotted paths (``campaigns.0.brief``; numbers index arrays) to new values;
- ``unset``: dotted paths to remove;
- ``big``: ``{ path, unit, times }`` sets a path to ``unit * times`` (huge sources);
- ``append``: TOML text added after the generated file;
- ``copies``: ``{ text, times }`` appends ``text`` ``times`` times, ``{n}`` in it numbered from 0;
- ``path``: no file is written; the CLI is given this path (``/dev/zero``);
- ``raw``: the whole file instead (``@0@``, ``@1@`` ... replaced by ``repeat[i][0] * repeat[i][1]``),
  written in ``encoding`` (default UTF-8).

``expect`` lists the texts the error must contain (the key or the campaign, and the reason).
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("bad_configs.toml")

BASE: dict[str, Any] = {
    "bot": {"timezone": "UTC", "data_dir": "data", "poll_interval": "10s", "log_level": "INFO"},
    "brand": {"name": "Lotus Leaf", "products": ["oolong", "jasmine pearls"]},
    "model": {"backend": "canned", "candidates": 2, "keep": 1},
    "moderation": {"scorers": ["profanity"]},
    "publishing": {"max_attempts": 3},
    "accounts": [
        {"name": "outbox", "platform": "dryrun"},
        {"name": "forum", "platform": "reddit", "subreddit": "tea", "title": "{{ brand }}: {{ first_line }}"},
    ],
    "campaigns": [
        {
            "name": "promo",
            "kind": "promo",
            "when": {"cron": "0 9 * * *"},
            "accounts": ["outbox", "forum"],
            "brief": "Write about {{ product }} for {{ brand }} on {{ weekday }}.",
            "templates": ["{{ brand }} has {{ product }} today."],
        }
    ],
}


def load_cases() -> list[dict[str, Any]]:
    """The corpus's cases, in file order."""
    with CORPUS.open("rb") as file:
        cases: list[dict[str, Any]] = tomllib.load(file)["case"]
    return cases


def case_bytes(case: dict[str, Any]) -> bytes:
    """The config file a case describes."""
    if "raw" in case:
        text = str(case["raw"])
        for i, (unit, times) in enumerate(case.get("repeat", [])):
            text = text.replace(f"@{i}@", str(unit) * int(times))
        return text.encode(case.get("encoding", "utf-8"), errors="surrogatepass")
    data = copy.deepcopy(BASE)
    for path, value in case.get("set", {}).items():
        _put(data, path, value)
    if "big" in case:
        big = case["big"]
        _put(data, big["path"], str(big["unit"]) * int(big["times"]))
    for path in case.get("unset", []):
        parent, last = _walk(data, path)
        del parent[last]
    text = dumps(data) + "\n" + case.get("append", "")
    if "copies" in case:
        copies = case["copies"]
        text += "".join(str(copies["text"]).replace("{n}", str(n)) for n in range(int(copies["times"])))
    return text.encode("utf-8", errors="surrogatepass")


def _walk(data: Any, path: str) -> tuple[Any, Any]:
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = data
    for key in keys[:-1]:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    return node, keys[-1]


def _put(data: Any, path: str, value: Any) -> None:
    parent, last = _walk(data, path)
    parent[last] = value


def dumps(data: dict[str, Any]) -> str:
    """A small TOML writer: scalars first, then ``[tables]`` and ``[[arrays of tables]]``."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not _is_table(v)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]", *(f"{_key(k)} = {_value(v)}" for k, v in value.items())]
        elif _is_table(value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]", *(f"{_key(k)} = {_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _string(key)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")
