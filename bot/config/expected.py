"""Pydantic's validation errors said the way the config is written: one error per key, no
union branch names in the key (``link.literal[False]``), and a wrong type told as what the
key expects (``expected a web link in quotes or false``), not "Input should be a valid tuple".

Only reshapes errors; :func:`bot.config._describe` renders them with the file and the value.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: pydantic's error types that say "the value is not of the expected type", with what the
#: config calls the type expected.
_TYPE_ERRORS = {
    "string_type": "a string in quotes",
    "tuple_type": "a list",
    "list_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "literal_error": "",
    "enum": "",
}

#: Keys whose string is a web link: their type error says so.
_LINK_KEYS = frozenset({"link", "base_url", "url"})

#: A union branch's name in an error's location: ``function-after[check_web_url(), ...]``,
#: ``literal[False]``, ``tuple[MediaFile, ...]``, or a model's class name (``MediaFolder``).
_BRANCH = re.compile(r"[\[\](),]|^[A-Z]")


def _branch_tag(part: Any, node: Any) -> bool:
    """True when ``part`` of a location names a union branch, not a key of the file (every
    config key is lower case; a key the user wrote, even ``Link``, is in ``node``)."""
    if not isinstance(part, str) or (isinstance(node, dict) and part in node):
        return False
    return bool(_BRANCH.search(part))


def without_branches(data: Any, loc: tuple[int | str, ...]) -> tuple[tuple[int | str, ...], int | None]:
    """``loc`` without union branch names, and where the first one was (None: no union)."""
    kept: list[int | str] = []
    node, branch = data, None
    for part in loc:
        if _branch_tag(part, node):
            branch = len(kept) if branch is None else branch
            continue
        kept.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(kept), branch


def merged(data: Any, errors: list[Any]) -> list[Any]:
    """``errors`` with union branches folded: one error per key. When the value has the type
    of one branch, that branch's own error is kept (``link = "foo"``: not a URL); when it has
    none of them, one error says every type the key takes (``link = true``: a web link or
    false). A branch's error about the whole value is dropped when another branch found the
    value's type and erred deeper (``media = { folder = 3 }``: ``media.folder``)."""
    cleaned = []
    for error in errors:
        loc, branch = without_branches(data, error["loc"])
        cleaned.append({**error, "loc": loc, "branch": branch})
    # the unions (by their key) where a branch found the value's type and erred deeper
    branched = [(e["loc"], e["branch"]) for e in cleaned if e["branch"] is not None]
    deeper = {loc[:branch] for loc, branch in branched if len(loc) > branch}
    kept: dict[tuple[int | str, ...], list[dict[str, Any]]] = {}
    for error in cleaned:
        whole = error["branch"] is not None and len(error["loc"]) == error["branch"]
        if whole and error["loc"] in deeper and error["type"] in _TYPE_ERRORS:
            continue
        kept.setdefault(error["loc"], []).append(error)
    return [_one(group) for group in kept.values()]


def _one(group: list[dict[str, Any]]) -> dict[str, Any]:
    """One error for one key: the branches' errors that are not about the type, else all."""
    if len(group) == 1:
        return group[0]
    own = [e for e in group if e["type"] not in _TYPE_ERRORS]
    if own:
        return own[0]
    return {**group[0], "type": "union_type", "alternatives": group}


def message(error: dict[str, Any], key: str, hidden: bool) -> str | None:
    """What a wrong-type ``error`` on ``key`` says (``expected a list: write ["x"]``), or None
    when it is not about the type (its own message stands). ``hidden``: the value may be a
    secret, so no example is made of it."""
    alternatives = error.get("alternatives") or [error]
    if any(e["type"] not in _TYPE_ERRORS for e in alternatives):
        return None
    wanted = list(dict.fromkeys(_expected(e, key) for e in alternatives))
    text = "expected " + " or ".join(wanted)
    value = error.get("input")
    if wanted == ["a list"] and isinstance(value, str) and not hidden:
        return f"{text}: write [{json.dumps(value, ensure_ascii=False)}]"
    if wanted == ["a list"]:
        return f'{text}, such as ["a", "b"]'
    return text


def _expected(error: dict[str, Any], key: str) -> str:
    kind = error["type"]
    if kind in ("literal_error", "enum"):
        expected = str((error.get("ctx") or {}).get("expected", ""))
        return re.sub(r"\b(True|False)\b", lambda m: m.group().lower(), expected) or "another value"
    name = key.rsplit(".", 1)[-1]
    if kind == "string_type" and name in _LINK_KEYS:
        return 'a web link in quotes ("https://example.com/shop")'
    return _TYPE_ERRORS[kind]
