"""The labeled moderation set shipped in the package, and reviewers' exports read back.

``data/labeled.csv`` holds short texts in English and Chinese written for this domain, one
label each: ``threat``, ``identity_attack``, ``insult``, ``self_harm``, ``sexual`` (toxic) or
``benign`` (marketing hyperbole such as "killer deals", 杀价, "to die for", and ordinary
posts). Each row's split was fixed from the SHA-256 of its text before anything was tuned:
``final`` (20%) is never used to choose anything, ``dev`` (20%) chooses thresholds and
accepts retrained models, ``train`` (60%) fits the classifier.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.domain.errors import ConfigError

TOXIC_LABELS = ("threat", "identity_attack", "insult", "self_harm", "sexual")
BENIGN = "benign"
LABELS = (*TOXIC_LABELS, BENIGN)
SPLITS = ("train", "dev", "final")


@dataclass(frozen=True)
class LabeledText:
    """One labeled text."""

    text: str
    label: str
    language: str = ""
    split: str = "train"

    @property
    def toxic(self) -> bool:
        """Whether the label is one of the toxic labels."""
        return self.label != BENIGN


def bundled() -> list[LabeledText]:
    """The labeled set shipped in the package."""
    raw = resources.files("bot.adapters.moderation").joinpath("data/labeled.csv").read_text("utf-8")
    return parse(raw, "labeled.csv")


def read(path: Path) -> list[LabeledText]:
    """A labeled CSV (columns ``text``, ``label``; ``language``, ``split`` optional), e.g.
    what ``bot moderation export`` wrote. Rows without a split count as training rows.

    Raises:
        ConfigError: the file cannot be read or a row is malformed.
    """
    try:
        raw = path.read_text("utf-8-sig")  # spreadsheets save CSV with a byte-order mark
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return parse(raw, str(path))


def parse(raw: str, name: str) -> list[LabeledText]:
    """Rows of a labeled CSV text; ``name`` is used in error messages."""
    reader = csv.DictReader(io.StringIO(raw))
    missing = {"text", "label"} - set(reader.fieldnames or ())
    if missing:
        raise ConfigError(f"{name}: missing column(s) {', '.join(sorted(missing))} (need text,label)")
    rows = []
    for number, row in enumerate(reader, start=2):
        text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
        split = (row.get("split") or "train").strip()
        if not text:
            raise ConfigError(f"{name}: line {number}: empty text")
        if label not in LABELS:
            raise ConfigError(f"{name}: line {number}: label {label!r} is not one of {', '.join(LABELS)}")
        if split not in SPLITS:
            raise ConfigError(f"{name}: line {number}: split {split!r} is not one of {', '.join(SPLITS)}")
        rows.append(LabeledText(text, label, (row.get("language") or "").strip(), split))
    return rows


def fingerprint(rows: Iterable[LabeledText]) -> str:
    """SHA-256 of the rows (text, label, split), order-independent: names the training data."""
    digest = hashlib.sha256()
    for line in sorted(f"{r.text}\t{r.label}\t{r.split}" for r in rows):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def split_of(rows: Sequence[LabeledText], split: str) -> list[LabeledText]:
    """The rows of one split."""
    return [r for r in rows if r.split == split]
