"""A tiny random detoxify checkpoint and model directory, built offline in a second.

Shaped like a released detoxify checkpoint: ``config.arch.args.model_type`` names a hub
model (``bert-base-uncased``) that is NOT reachable, so a load that works proves the scorer
stopped the hub lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
#: The names detoxify reports (it renames three of the classes).
LABELS = ["toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"]
_WORDS = [
    "you",
    "are",
    "an",
    "idiot",
    "happy",
    "festival",
    "mooncake",
    "deals",
    "tea",
    "shop",
    "the",
    "a",
    "kill",
    "hate",
    "love",
    "good",
]


def build(
    root: Path,
    *,
    max_length: int | None = None,
    num_labels: int | None = None,
    classes: list[str] | None = None,
) -> tuple[Path, Path]:
    """Write ``root/model`` (config + tokenizer) and ``root/tiny.ckpt``; return both paths."""
    classes = classes or CLASSES
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    torch.manual_seed(0)
    model_dir = root / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    vocab = model_dir / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *_WORDS]) + "\n")
    extra: dict[str, Any] = {} if max_length is None else {"model_max_length": max_length}
    BertTokenizer(vocab_file=str(vocab), **extra).save_pretrained(model_dir)
    config = BertConfig(
        vocab_size=5 + len(_WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(classes),
    )
    model = BertForSequenceClassification(config)
    config.num_labels = num_labels or len(classes)
    config.save_pretrained(model_dir)
    checkpoint = root / "tiny.ckpt"
    torch.save({"config": checkpoint_config(classes), "state_dict": model.state_dict()}, checkpoint)
    return checkpoint, model_dir


def checkpoint_config(classes: list[str]) -> dict[str, Any]:
    return {
        "arch": {
            "args": {
                "model_type": "bert-base-uncased",
                "model_name": "BertForSequenceClassification",
                "tokenizer_name": "BertTokenizer",
                "num_classes": len(classes),
            }
        },
        "dataset": {"args": {"classes": list(classes)}},
    }
