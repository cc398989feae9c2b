"""How a draft's pictures read for a person: ``bot queue show`` and ``bot drafts preview``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.domain.media import shown_size


def media_lines(media: Sequence[dict[str, Any]]) -> list[str]:
    """For each picture (``DraftMedia.to_dict``): the file, its size and pixels, its alt text,
    and the copy each platform gets."""
    if not media:
        return []
    lines = [f"pictures ({len(media)}):"]
    for number, m in enumerate(media, 1):
        original = m.get("original") or {}
        lines.append(
            f"  {number}. {Path(m['source']).name}  {_item(original)}  sha256 {m['source_sha256'][:12]}"
        )
        lines.append(f"     file: {m['source']}")
        lines.append(f"     alt ({len(m['alt'])} characters): {m['alt']}")
        for platform, item in (m.get("fitted") or {}).items():
            how = "as is" if item.get("sha256") == m["source_sha256"] else "fitted, metadata stripped"
            lines.append(f"     {platform}: {_item(item)}  ({how}) sha256 {item['sha256'][:12]}")
    return lines


def _item(item: dict[str, Any]) -> str:
    if not item:
        return "?"
    size = int(item["size"])
    return f"{item['width']}x{item['height']} {size:,} bytes ({shown_size(size)}) {item['mime']}"
