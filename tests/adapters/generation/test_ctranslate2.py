"""Backend "ctranslate2": the real conversion (GGUF -> CTranslate2 int8) and generation on the
tiny random GGUF model, its config, its error when the package is missing, and that it
generates without torch."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.generation.ctranslate2 import MANIFEST, CTranslate2Generator, sampling
from bot.adapters.generation.factory import build_generator
from bot.config import load_settings
from bot.domain.errors import ConfigError, ModelError
from bot.domain.ports import ChatMessage, GenerationRequest
from tests.adapters.generation.counting import CountingReporter
from tests.adapters.generation.gen_configs import write
from tests.adapters.generation.test_tiny_model import request
from tests.conftest import run_cli, subprocess_env


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def converted(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> CTranslate2Generator:
    """A generator whose tiny model is converted (once for the module)."""
    gen = CTranslate2Generator(tiny_gguf, tmp_path_factory.mktemp("ct2-cache"), model_id="tiny")
    gen.load()
    return gen


def test_converts_once_into_the_cache_and_reuses_it(tiny_gguf: Path, tmp_path: Path) -> None:
    first = CTranslate2Generator(tiny_gguf, tmp_path, model_id="tiny")
    texts = first.generate(request(seed=7))
    assert len(texts) == 3 and all(0 < t.new_tokens <= 10 for t in texts)
    folder = first.cached_path
    assert folder.parent == tmp_path and folder.name.endswith("-ct2-int8")
    assert {"model.bin", "tokenizer.json", MANIFEST} <= {p.name for p in folder.iterdir()}
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left
    written = (folder / "model.bin").stat().st_mtime_ns
    again = CTranslate2Generator(tiny_gguf, tmp_path, model_id="tiny")
    assert again.generate(request(seed=7)) == texts  # the same seed, the same drafts
    assert (folder / "model.bin").stat().st_mtime_ns == written  # reused, not converted again
    assert again.model_id == "tiny-ct2-int8"


def test_same_seed_same_texts_other_seed_differs(converted: CTranslate2Generator) -> None:
    a = [t.text for t in converted.generate(request(seed=1, n=4))]  # 2 chats x 2 sampled answers
    assert a == [t.text for t in converted.generate(request(seed=1, n=4))]
    assert a != [t.text for t in converted.generate(request(seed=2, n=4))]


def test_greedy_ignores_the_seed_and_top_k_0_samples_the_whole_vocabulary(
    converted: CTranslate2Generator,
) -> None:
    greedy = [converted.generate(request(seed=s, n=2, temperature=0.0)) for s in (1, 2)]
    assert greedy[0] == greedy[1]
    wide = converted.generate(request(seed=1, n=4, top_k=0, top_p=1.0, temperature=1.5, max_new_tokens=16))
    assert len(wide) == 4 and all(0 < t.new_tokens <= 16 for t in wide)


def test_candidate_i_answers_chat_i_modulo_the_chats(converted: CTranslate2Generator) -> None:
    chats = tuple(
        (ChatMessage("system", "s"), ChatMessage("user", "write post " + "about tea " * i)) for i in range(3)
    )
    greedy = request(seed=3, n=7, temperature=0.0, variants=chats, messages=chats[0], max_new_tokens=8)
    texts = [t.text for t in converted.generate(greedy)]
    assert len(texts) == 7  # chats of different lengths in one batch (an answer alone may differ:
    # a shorter chat's tail is decoded step by step, and this random model's logits are flat)
    assert texts[0] == texts[3] == texts[6] and texts[1] == texts[4] and texts[2] == texts[5]
    assert len(set(texts[:3])) == 3


def test_prompt_is_the_chat_template_tokenized_as_transformers_does(
    converted: CTranslate2Generator, tiny_gguf: Path
) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(tiny_gguf.parent, gguf_file=tiny_gguf.name)
    chat = (ChatMessage("system", "be brief"), ChatMessage("user", "Write about tea, 你好 🍵"))
    expected = hf.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in chat], tokenize=True, add_generation_prompt=True
    )
    ids = expected["input_ids"] if isinstance(expected, dict) or hasattr(expected, "keys") else expected
    assert converted.load().tokens(chat) == hf.convert_ids_to_tokens(list(ids))


def test_progress_moves_once_per_token_of_the_longest(
    tiny_gguf: Path, converted: CTranslate2Generator
) -> None:
    reporter = CountingReporter()
    gen = CTranslate2Generator(tiny_gguf, converted.cache_dir, model_id="tiny", reporter=reporter)
    texts = gen.generate(request(seed=5, n=4))
    assert ("writing 4 candidates", 10) in reporter.started
    assert reporter.ticks == max(t.new_tokens for t in texts)


def test_generates_without_torch(converted: CTranslate2Generator, tiny_gguf: Path) -> None:
    """Once converted, a process writes its drafts with no torch (nor transformers' models)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.adapters.generation.ctranslate2 import CTranslate2Generator\n"
        "from tests.adapters.generation.test_tiny_model import request\n"
        f"gen = CTranslate2Generator(Path({str(tiny_gguf)!r}), Path({str(converted.cache_dir)!r}), "
        "model_id='t')\n"
        "texts = gen.generate(request(seed=3))\n"
        "heavy = ('torch', 'transformers.modeling_utils')\n"
        "print(len(texts), sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[0] == "3 []"


def test_a_broken_conversion_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelError, match="cannot load model"):
        CTranslate2Generator(bad, tmp_path / "models", model_id="x").load()
    assert not list((tmp_path / "models").iterdir())  # nothing half-written left


def test_config_selects_the_backend_with_the_local_defaults(tmp_path: Path, tiny_gguf: Path) -> None:
    settings = load_settings(write(tmp_path, model='backend = "ctranslate2"'))
    assert settings.model.candidates == 16
    assert settings.model.writes("en") and not settings.model.writes("zh")
    generator = build_generator(settings)
    assert isinstance(generator, CTranslate2Generator)
    assert generator.model_id == "SmolLM2-135M-Instruct-ct2-int8" and not generator.loaded
    assert generator.cached_path.parent == settings.data_dir / "models"
    own = load_settings(write(tmp_path, model=f'backend = "ctranslate2"\npath = "{tiny_gguf}"'))
    assert build_generator(own).model_id == "tiny-llama-ct2-int8"


def test_missing_package_is_a_config_error_naming_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(write(tmp_path, model='backend = "ctranslate2"'))
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # as if it were not installed
    with pytest.raises(ConfigError, match=r"pip install ctranslate2.*bot\[ct2\]"):
        build_generator(settings)
    code = (
        "import sys\n"
        "sys.modules['ctranslate2'] = None\n"
        "from bot.cli.main import main\n"
        f"sys.argv = ['bot', '--config', {str(tmp_path / 'bot.toml')!r}, 'model', 'check']\n"
        "main()\n"
    )
    result = _python(code)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install ctranslate2" in result.stderr


def test_model_prepare_converts_and_info_reports_it(tmp_path: Path, tiny_gguf: Path) -> None:
    config = write(tmp_path, model=f'backend = "ctranslate2"\npath = "{tiny_gguf}"')
    before = json.loads(run_cli("model", "info", "--json", config=config).stdout)
    assert before["model_id"] == "tiny-llama-ct2-int8" and before["cached"] is False
    assert before["dtype"] == "int8" and before["languages"] == ["en"]
    prepared = run_cli("model", "prepare", "--json", config=config)
    assert prepared.returncode == 0, prepared.stderr
    after = json.loads(run_cli("model", "info", "--json", config=config).stdout)
    assert after["cached"] is True and after["cache"].startswith(str(tmp_path / "data" / "models"))
    missing = write(tmp_path, model=f'backend = "ctranslate2"\npath = "{tmp_path / "absent.gguf"}"')
    result = run_cli("model", "check", config=missing)
    assert result.returncode == 1 and "Error: model not found" in result.stderr


def test_a_text_stopped_at_the_token_limit_is_marked_cut(converted: CTranslate2Generator) -> None:
    """As in the embedded backend: no end token within max_new_tokens means the limit stopped
    the answer, and it is ``cut``."""
    short = converted.generate(request(seed=4, n=4, max_new_tokens=3))
    assert any(t.cut for t in short)
    assert all(t.new_tokens == 3 for t in short if t.cut)
    longer = converted.generate(request(seed=4, n=8, max_new_tokens=48, temperature=1.5, top_k=0, top_p=1.0))
    assert all(t.cut == (t.new_tokens == 48) for t in longer)


def test_the_repetition_penalty_reaches_ctranslate2_and_spares_the_prompt(
    converted: CTranslate2Generator,
) -> None:
    """The request's penalty is CTranslate2's ``repetition_penalty``; with the prompt forwarded
    before decoding (``include_prompt_in_result=False``, as the backend calls it), only the
    answer's own tokens are penalized: the first step's scores are those of no penalty."""
    import numpy as np

    plain = request(seed=1, n=2, temperature=0.0, max_new_tokens=24)
    strong = replace(plain, repetition_penalty=50.0)
    assert converted.generate(strong) != converted.generate(plain)
    chat = converted.load()
    prompt = chat.tokens(plain.messages)

    def answer(req: GenerationRequest) -> Any:
        model = converted._open(req.seed)
        return model.generate_batch(
            [prompt],
            max_length=24,
            include_prompt_in_result=False,
            return_logits_vocab=True,
            end_token=chat.ends,
            **sampling(req),
        )[0]

    free, penalized = answer(plain), answer(strong)
    assert sampling(strong)["repetition_penalty"] == 50.0
    assert np.array_equal(np.array(free.logits[0][0]), np.array(penalized.logits[0][0]))
    ids = penalized.sequences_ids[0]
    assert len(set(ids)) == len(ids)  # no answer token twice
    assert len(set(free.sequences_ids[0])) < len(free.sequences_ids[0])  # the model loops without it
