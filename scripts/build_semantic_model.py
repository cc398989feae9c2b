"""Rebuild bot/adapters/moderation/data/semantic.npz: the semantic scorer's shipped model.

Embeds the ``train`` split of the shipped labeled set (bot/adapters/moderation/data/labeled.csv)
with the sentence encoder and fits the classifier with the same code as
``bot moderation train`` (:func:`bot.adapters.moderation.semantic_model.train`). The result
is deterministic: the same labeled set and encoder version give the same model hash (one
BLAS thread, fixed order, no random start). Run after editing labeled.csv; the output is
committed. A new row's split comes from the SHA-256 of its text (``--split TEXT`` prints it):
the hash as a number modulo 10: 0-1 ``final``, 2-3 ``dev``, 4-9 ``train``.

    .venv/bin/python scripts/build_semantic_model.py           # rebuild and write
    .venv/bin/python scripts/build_semantic_model.py --check   # exit 1 if the shipped one differs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy loads: sums in one fixed order

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.embedding import shared  # noqa: E402 (after the thread settings)
from bot.adapters.moderation import labeled, semantic_model  # noqa: E402
from bot.adapters.moderation.semantic import BUNDLED_MODEL, bundled_model, for_encoder  # noqa: E402

OUT = ROOT / "bot" / "adapters" / "moderation" / BUNDLED_MODEL


def split_for(text: str) -> str:
    """The split a new labeled row gets, fixed by its text alone."""
    digit = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 10
    return "final" if digit < 2 else "dev" if digit < 4 else "train"


def build() -> semantic_model.SemanticModel:
    rows = labeled.split_of(labeled.bundled(), "train")
    vectors = shared().encode([for_encoder(r.text) for r in rows])
    return semantic_model.train(rows, vectors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped model, write nothing")
    parser.add_argument("--split", metavar="TEXT", help="print the split a row with this text gets")
    args = parser.parse_args()
    if args.split is not None:
        print(split_for(args.split))
        return 0
    rows = labeled.bundled()
    wrong = [r.text for r in rows if r.split != split_for(r.text)]
    if wrong:
        print(f"{len(wrong)} labeled rows have a split their text does not give, e.g. {wrong[0]!r}")
        return 1
    model = build()
    if args.check:
        shipped = bundled_model()
        same = shipped.sha256 == model.sha256
        print(
            f"shipped {shipped.sha256[:12]}, rebuilt {model.sha256[:12]}: {'same' if same else 'DIFFERENT'}"
        )
        return 0 if same else 1
    model.save(OUT)
    rows_trained, size = len(model.example_texts), OUT.stat().st_size
    print(f"model {model.sha256[:12]} (data {model.data_sha256[:12]}, {rows_trained} rows)")
    print(f"-> {OUT} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
