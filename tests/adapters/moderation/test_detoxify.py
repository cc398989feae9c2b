"""The detoxify scorer drives the real ``detoxify.Detoxify`` class on a tiny random
checkpoint built in a fixture; bad files are clear errors when the gate is built."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.moderation.detoxify import BATCH, DetoxifyScorer
from bot.config import load_settings
from bot.config.moderation import DetoxifySettings, ModerationSettings
from bot.domain.errors import ConfigError
from bot.wiring import build_gate
from tests.fixtures import tiny_detoxify


@pytest.fixture(scope="module")
def scorer(tiny_checkpoint: tuple[Path, Path]) -> DetoxifyScorer:
    return DetoxifyScorer(*tiny_checkpoint)


def test_every_label_of_the_checkpoint_is_reported(scorer: DetoxifyScorer) -> None:
    assert scorer.labels == tuple(tiny_detoxify.LABELS)
    (scores,) = scorer.score(["you are an idiot"])
    assert list(scores) == tiny_detoxify.LABELS
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert scorer.version.startswith("detoxify 0.5.4 tiny.ckpt sha256:")


def test_batches_and_long_texts(scorer: DetoxifyScorer) -> None:
    texts = [f"happy festival {i}" for i in range(BATCH + 3)] + ["tea " * 5000]
    results = scorer.score(texts)
    assert len(results) == len(texts)
    assert all(set(r) == set(tiny_detoxify.LABELS) for r in results)


def test_gate_from_config_uses_detoxify_with_paths_relative_to_the_config(
    tiny_checkpoint: tuple[Path, Path], write_config: Any
) -> None:
    checkpoint, model_dir = tiny_checkpoint
    path = write_config(
        '\n[moderation]\nscorers = ["wordlist", "detoxify"]\n'
        "[moderation.thresholds]\ndetoxify = { threat = 0.99, toxicity = 0.99, insult = 0.99,"
        " obscene = 0.99, severe_toxicity = 0.99, identity_attack = 0.99 }\n"
        f'[moderation.detoxify]\ncheckpoint = "ck/{checkpoint.name}"\nmodel_dir = "md"\n'
    )
    (path.parent / "ck").mkdir()
    shutil.copy(checkpoint, path.parent / "ck" / checkpoint.name)
    shutil.copytree(model_dir, path.parent / "md")
    settings = load_settings(path)
    gate = build_gate(settings.moderation, path.parent)
    fine, toxic = gate.check(["Happy festival", "you idiot"])
    assert set(fine.scores["detoxify"]) == set(tiny_detoxify.LABELS)
    assert fine.thresholds["detoxify"]["threat"] == 0.99
    assert not fine.flagged
    assert toxic.flagged and toxic.reasons == ("wordlist.match 1.00 >= 0.50 (idiot)",)
    assert toxic.scorers["detoxify"].startswith("detoxify 0.5.4")


def test_unknown_threshold_label_is_checked_against_the_checkpoint(
    tiny_checkpoint: tuple[Path, Path],
) -> None:
    checkpoint, model_dir = tiny_checkpoint
    settings = ModerationSettings(
        scorers=("detoxify",),
        thresholds={"detoxify": {"sexual_explicit": 0.5}},
        detoxify=DetoxifySettings(checkpoint=checkpoint, model_dir=model_dir),
    )
    with pytest.raises(ConfigError, match=r"thresholds\.detoxify\.sexual_explicit: .*labels: toxicity"):
        build_gate(settings)


def test_missing_checkpoint_names_the_path(tmp_path: Path, tiny_checkpoint: tuple[Path, Path]) -> None:
    missing = tmp_path / "gone.ckpt"
    with pytest.raises(ConfigError, match=rf"checkpoint: {missing} does not exist"):
        DetoxifyScorer(missing, tiny_checkpoint[1])


def test_missing_model_dir_or_config_json(tmp_path: Path, tiny_checkpoint: tuple[Path, Path]) -> None:
    checkpoint, _ = tiny_checkpoint
    with pytest.raises(ConfigError, match=rf"model_dir: {tmp_path / 'nope'} does not exist"):
        DetoxifyScorer(checkpoint, tmp_path / "nope")
    with pytest.raises(ConfigError, match=rf"model_dir: {tmp_path} has no config.json"):
        DetoxifyScorer(checkpoint, tmp_path)


def test_garbage_checkpoint_is_a_clear_error(tmp_path: Path, tiny_checkpoint: tuple[Path, Path]) -> None:
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(ConfigError, match=rf"checkpoint: {bad} (is not a torch checkpoint|cannot be read)"):
        DetoxifyScorer(bad, tiny_checkpoint[1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"state_dict": {}}, "is not a detoxify checkpoint"),
        ([1, 2, 3], "is not a detoxify checkpoint"),
        ({"config": {"arch": {}}, "state_dict": {}}, "lacks arch.args or dataset.args.classes"),
        (
            {
                "config": {"arch": {"args": {"model_type": "x"}}, "dataset": {"args": {"classes": ["a"]}}},
                "state_dict": {},
            },
            "arch.args lacks model_name, num_classes, tokenizer_name",
        ),
    ],
)
def test_malformed_checkpoint_layout(
    tmp_path: Path, tiny_checkpoint: tuple[Path, Path], content: Any, message: str
) -> None:
    import torch

    bad = tmp_path / "bad.ckpt"
    torch.save(content, bad)
    with pytest.raises(ConfigError, match=message):
        DetoxifyScorer(bad, tiny_checkpoint[1])


def test_num_labels_mismatch_between_checkpoint_and_model_dir(tmp_path: Path) -> None:
    checkpoint, model_dir = tiny_detoxify.build(tmp_path, num_labels=2)
    with pytest.raises(ConfigError, match=r"num_labels=2 but .* names 6 classes|cannot build the model"):
        DetoxifyScorer(checkpoint, model_dir)


class Opaque:
    """An arbitrary object: only loadable with a full (unsafe) unpickle."""


def test_pickled_objects_need_allow_pickle(tmp_path: Path, tiny_checkpoint: tuple[Path, Path]) -> None:
    import torch

    _, model_dir = tiny_checkpoint
    loaded = torch.load(tiny_checkpoint[0], weights_only=True)
    odd = tmp_path / "odd.ckpt"
    torch.save({**loaded, "extra": Opaque()}, odd)
    with pytest.raises(ConfigError, match="set allow_pickle = true"):
        DetoxifyScorer(odd, model_dir)
    assert DetoxifyScorer(odd, model_dir, allow_pickle=True).labels == tuple(tiny_detoxify.LABELS)


def test_default_gate_never_imports_torch_or_detoxify() -> None:
    code = (
        "import sys\n"
        "from bot.config.moderation import ModerationSettings\n"
        "from bot.wiring import build_gate\n"
        "build_gate(ModerationSettings()).check(['hello'])\n"
        "print(sorted(m for m in ('torch', 'detoxify', 'transformers') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert out.stdout.strip() == "[]"


def test_a_detoxify_crash_at_scoring_time_fails_closed(tiny_checkpoint: tuple[Path, Path]) -> None:
    from bot.adapters.moderation.wordlist import WordlistScorer
    from bot.services.moderation import ModerationGate

    scorer = DetoxifyScorer(*tiny_checkpoint)
    # undo the truncation guard: a text longer than the position table now crashes the model
    scorer._model.tokenizer.model_max_length = 10**6
    gate = ModerationGate([WordlistScorer(), scorer])
    (verdict,) = gate.check(["tea " * 500])
    assert verdict.flagged
    (reason,) = verdict.reasons
    assert reason.startswith("scorer detoxify failed: detoxify could not score the text: ")
    assert verdict.scores == {"wordlist": {"match": 0.0}}


def test_identity_mentions_are_recorded_but_flag_only_when_configured(tmp_path: Path) -> None:
    classes = ["toxicity", "insult", "threat", "male", "female", "muslim"]
    checkpoint, model_dir = tiny_detoxify.build(tmp_path, classes=classes)
    high = {"toxicity": 0.99, "insult": 0.99, "threat": 0.99}

    def gate(extra: dict[str, float]) -> Any:
        return build_gate(
            ModerationSettings(
                scorers=("detoxify",),
                thresholds={"detoxify": {**high, **extra}},
                detoxify=DetoxifySettings(checkpoint=checkpoint, model_dir=model_dir),
            )
        )

    (verdict,) = gate({}).check(["happy festival"])
    assert list(verdict.scores["detoxify"]) == classes  # every label is in the record
    assert verdict.thresholds["detoxify"] == high  # mentions have no threshold in force
    assert not verdict.flagged
    (verdict,) = gate({"female": 0.01}).check(["happy festival"])
    assert verdict.thresholds["detoxify"]["female"] == 0.01
    assert verdict.flagged and verdict.reasons[0].startswith("detoxify.female ")
