"""The ``openai`` backend against a fake OpenAI-compatible server on loopback (tests/fakeopenai)."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.generation.factory import build_generator
from bot.adapters.generation.openai_http import OpenAIGenerator, api_root
from bot.config import load_settings
from bot.domain import DraftOrigin
from bot.domain.errors import ConfigError, ModelUnavailable
from bot.domain.ports import ChatMessage, GenerationRequest
from tests.adapters.generation.gen_configs import write
from tests.adapters.generation.test_drafting_with_model import app_for, slot
from tests.conftest import run_cli
from tests.fakeopenai import closed_port, running, tokens

GREETINGS = (
    "Happy Mid-Autumn Festival from Lotus Leaf Tea House! Share our mooncake gift box with the "
    "people you love under the full moon.",
    "Lotus Leaf Tea House wishes you a bright Mid-Autumn Festival. Our mooncake gift box is "
    "wrapped and ready for your family table.",
    "The moon is full and the tea is warm. Lotus Leaf Tea House hopes your Mid-Autumn Festival is "
    "sweet, with a mooncake gift box to share.",
    "From all of us at Lotus Leaf Tea House: a peaceful Mid-Autumn Festival to you, and a mooncake "
    "gift box for the evening under the lanterns.",
)
CHINESE = (
    "Lotus Leaf Tea House恭祝您春节快乐！新的一年，愿您和家人平安喜乐、万事顺意。",
    "新春到，福气到。Lotus Leaf Tea House感谢您一年的陪伴，祝您春节阖家团圆、身体健康！",
    "爆竹声中辞旧岁，Lotus Leaf Tea House给您拜年啦！愿新的一年好运常在，笑口常开。",
    "Lotus Leaf Tea House祝大家春节愉快，岁岁平安，来年的每一天都有好茶相伴。",
)
KEY = "sk-test-very-secret-0123456789"


def request(n: int = 4, variants: int = 2) -> GenerationRequest:
    chats = tuple(
        (ChatMessage("system", "Write posts."), ChatMessage("user", f"Example {i}")) for i in range(variants)
    )
    return GenerationRequest(
        messages=chats[0],
        variants=chats,
        n=n,
        temperature=0.7,
        top_p=0.9,
        top_k=40,
        max_new_tokens=60,
        seed=7,
    )


def model_config(url: str, extra: str = "", retries: int = 1) -> str:
    return f'backend = "openai"\nbase_url = "{url}"\nmodel = "qwen2.5:7b"\nretries = {retries}\n{extra}'


def test_vllm_like_server_writes_n_choices_per_request() -> None:
    with running(replies=GREETINGS) as server:
        generator = OpenAIGenerator(server.url, "qwen2.5:7b")
        texts = generator.generate(request(n=4, variants=2))
        assert [t.text for t in texts] and len(texts) == 4 and len({t.text for t in texts}) == 4
        bodies = [r["body"] for r in server.chat_requests()]
        assert len(bodies) == 2 and all(b["n"] == 2 and b["stream"] is False for b in bodies)
        assert {b["messages"][1]["content"] for b in bodies} == {"Example 0", "Example 1"}
        assert "top_k" not in bodies[0] and bodies[0]["max_tokens"] == 60
        # each answer's usage.completion_tokens, shared between its two choices (rounded down)
        written = sum(len(tokens(t.text)) for t in texts)
        assert written - 2 <= sum(t.new_tokens for t in texts) <= written
        assert not any(t.cut for t in texts) and generator.n_supported is True


def test_server_that_answers_one_choice_gets_concurrent_requests() -> None:
    with running(replies=GREETINGS, honours_n=False) as server:  # Ollama, llama.cpp's server
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", concurrency=2)
        texts = generator.generate(request(n=4, variants=2))
        assert len(texts) == 4 and len({t.text for t in texts}) == 4
        first = server.chat_requests()
        assert len(first) == 4 and generator.n_supported is False
        assert len({r["body"]["seed"] for r in first}) == 4  # each candidate its own seed
        generator.generate(request(n=3, variants=1))
        later = server.chat_requests()[4:]
        assert len(later) == 3 and all("n" not in r["body"] for r in later)  # learned: no n any more


def test_server_that_refuses_n_gets_one_request_per_candidate() -> None:
    with running(replies=GREETINGS, rejects_n=True) as server:
        texts = OpenAIGenerator(server.url, "qwen2.5:7b").generate(request(n=3, variants=1))
        assert len(texts) == 3
        statuses = [r["body"].get("n") for r in server.chat_requests()]
        assert statuses == [3, None, None, None]


def test_429_waits_for_retry_after_then_succeeds() -> None:
    with running(replies=GREETINGS) as server:
        server.faults.append(
            {"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {"message": "busy"}}}
        )
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", backoff=0.01)
        started = time.monotonic()
        texts = generator.generate(request(n=2, variants=1))
        assert len(texts) == 2 and time.monotonic() - started >= 0.9  # Retry-After, not the backoff
        assert len(server.chat_requests()) == 2


def test_a_long_retry_after_is_not_waited_for() -> None:
    with running() as server:
        server.faults.append({"status": 429, "headers": {"Retry-After": "3600"}})
        with pytest.raises(ModelUnavailable, match=r"rate limiting \(429, Retry-After 3600 s\)"):
            OpenAIGenerator(server.url, "qwen2.5:7b").generate(request(n=1, variants=1))


def test_500_then_success_and_500s_past_the_retries() -> None:
    with running(replies=GREETINGS) as server:
        server.faults.append({"status": 500, "body": {"error": {"message": "CUDA out of memory"}}})
        texts = OpenAIGenerator(server.url, "qwen2.5:7b", backoff=0.01).generate(request(n=2, variants=1))
        assert len(texts) == 2 and len(server.chat_requests()) == 2
        server.faults.extend([{"status": 503}] * 3)
        with pytest.raises(ModelUnavailable, match=r"failed \(503 fault\); gave up after 3 attempts$"):
            OpenAIGenerator(server.url, "qwen2.5:7b", retries=2, backoff=0.01).generate(
                request(n=1, variants=1)
            )


def test_a_server_error_that_comes_back_is_retried_once_a_passing_one_up_to_the_retries() -> None:
    """A 500 that answers every request (a crashed runner) is retried once, not ``retries``
    times with doubling waits; a 503 (a server starting up) earns every retry; a 4xx other than
    429 none. Each gives up naming the server."""
    crashed = {"status": 500, "body": {"error": {"message": "llama runner process has terminated"}}}
    with running(broken=crashed) as server:
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", retries=5, backoff=0.01)
        with pytest.raises(ModelUnavailable) as caught:
            generator.generate(request(n=1, variants=1))
        assert len(server.chat_requests()) == 2
        assert str(caught.value) == (
            f"model server {server.url} failed (500 llama runner process has terminated); "
            "gave up after 2 attempts: a server error that comes back is not a blip"
        )
    with running(broken={"status": 503}) as server:
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", retries=3, backoff=0.01)
        with pytest.raises(ModelUnavailable, match=r"failed \(503 fault\); gave up after 4 attempts$"):
            generator.generate(request(n=1, variants=1))
        assert len(server.chat_requests()) == 4
    for status in (400, 404, 422):
        with running(broken={"status": status}) as server:
            generator = OpenAIGenerator(server.url, "qwen2.5:7b", retries=3, backoff=0.01)
            with pytest.raises(ModelUnavailable, match=rf"^model server {server.url} "):
                generator.generate(request(n=1, variants=1))
            assert len(server.chat_requests()) == 1, status


#: The fake writes it whole; cut after "5 p.m." it still ends in a period.
TASTING = (
    "Happy Mid-Autumn Festival from Lotus Leaf Tea House! Our mooncake gift box tasting runs "
    "until 5 p.m. on Saturday only."
)


def _cut_after(text: str, end: str) -> int:
    """max_tokens that makes the fake stop ``text`` right after ``end``."""
    head = text[: text.index(end) + len(end)]
    assert "".join(tokens(text)[: len(tokens(head))]) == head
    return len(tokens(head))


def test_a_candidate_cut_at_max_tokens_keeps_only_its_finished_sentences(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A served model stopped by max_tokens (finish_reason "length") right after "5 p.m." wrote
    a text ending in a period, which passed every check as a whole post ("on Saturday only"
    lost): its unfinished sentence is dropped as the embedded model's unfinished ones are, and
    the draft's record says it was cut."""
    limit = _cut_after(TASTING, "5 p.m.")
    extra = f"[campaigns.sampling]\ncandidates = 1\nmax_new_tokens = {limit}"
    with running(replies=(TASTING,)) as server:
        app = app_for(write(tmp_path, model=model_config(server.url), extra=extra))
        with caplog.at_level(logging.INFO):
            found = app.drafting.candidates(
                app.settings.campaign("mid-autumn"), slot(app, "mid-autumn").slot_at
            )
        assert server.chat_requests()[0]["body"]["max_tokens"] == limit
        model = [s.candidate for s in found if s.candidate.origin is DraftOrigin.MODEL]
        assert len(model) == 1, [s.candidate.text for s in found]
        cut = model[0]
        assert cut.text.startswith("Happy Mid-Autumn Festival from Lotus Leaf Tea House!\n\n"), cut.text
        assert "5 p.m" not in cut.text and cut.settings["cut"] is True
        assert cut.settings["raw"].endswith("until 5 p.m.")
        assert all("5 p.m" not in s.candidate.text for s in found)
        assert f"stopped 1 of 1 candidates at max_tokens {limit}" in caplog.text
        app.close()


def test_a_candidate_cut_before_its_first_sentence_ended_fails(tmp_path: Path) -> None:
    one = (
        "Lotus Leaf Tea House opens its Mid-Autumn Festival tasting until 5 p.m. on Saturday with "
        "our mooncake gift box."
    )
    extra = f"[campaigns.sampling]\ncandidates = 1\nmax_new_tokens = {_cut_after(one, '5 p.m.')}"
    with running(replies=(one,)) as server:
        app = app_for(write(tmp_path, model=model_config(server.url), extra=extra))
        found = app.drafting.candidates(app.settings.campaign("mid-autumn"), slot(app, "mid-autumn").slot_at)
        cut = next(s.candidate for s in found if s.candidate.origin is DraftOrigin.MODEL)
        assert not cut.passed
        failed = {c.name: c.detail for c in cut.checks if not c.passed}
        assert failed.get("sentences") == "cut off at the token limit before a sentence ended", failed
        app.close()


def test_candidates_of_requests_that_succeeded_are_kept_when_one_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running(replies=GREETINGS, honours_n=False) as server:
        server.faults.append({"status": 503, "body": {"error": {"message": "overloaded"}}})
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", retries=0, concurrency=1)
        texts = generator.generate(request(n=3, variants=3))  # three one-choice requests, one refused
        assert len(texts) == 2 and len(server.chat_requests()) == 3
        assert "wrote 2 of 3 candidates" in caplog.text


def test_an_answer_slower_than_the_timeout_is_unavailable_without_retry() -> None:
    with running(delay=5.0) as server:
        generator = OpenAIGenerator(server.url, "qwen2.5:7b", timeout=0.5, retries=3, backoff=0.01)
        started = time.monotonic()
        with pytest.raises(ModelUnavailable, match=r"did not answer within 0.5 s"):
            generator.generate(request(n=1, variants=1))
        assert time.monotonic() - started < 4.5 and len(server.chat_requests()) == 1


def test_server_down_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(
        ModelUnavailable,
        match=r"cannot reach the model server at .*: connection refused; gave up after 2 attempts",
    ):
        OpenAIGenerator(url, "qwen2.5:7b", retries=1, backoff=0.01).generate(request(n=2, variants=1))


def test_server_down_the_slot_falls_back_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    app = app_for(write(tmp_path, model=model_config(url, retries=0)))
    made = slot(app, "mid-autumn")
    with caplog.at_level(logging.WARNING):
        ids = app.drafting.draft_slot(made)
    drafts = [app.store.get_draft(i) for i in ids]
    assert drafts and all(d.origin is not DraftOrigin.MODEL for d in drafts)
    assert all("connection refused" in d.generation["model_unavailable"] for d in drafts)
    note = app.store.get_slot(made.id).error or ""
    assert note.startswith("model unavailable, drafted from curated texts: cannot reach the model server")
    assert "the model is unavailable, drafting from curated texts" in caplog.text
    app.close()


def test_api_key_is_a_bearer_header_and_never_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with running(replies=GREETINGS, api_key=KEY) as server:
        monkeypatch.setenv("BOT_MODEL_API_KEY", KEY)
        settings = load_settings(write(tmp_path, model=model_config(server.url)))
        generator = build_generator(settings)
        with caplog.at_level(logging.DEBUG):
            assert len(generator.generate(request(n=2, variants=1))) == 2
            server.faults.append({"status": 500})
            generator.generate(request(n=1, variants=1))  # a retry logs a warning
        assert server.chat_requests()[0]["headers"]["Authorization"] == f"Bearer {KEY}"
        assert KEY not in caplog.text and KEY not in repr(generator)
        monkeypatch.setenv("BOT_MODEL_API_KEY", "sk-wrong-key-42")
        refused = build_generator(load_settings(write(tmp_path, model=model_config(server.url))))
        with pytest.raises(ModelUnavailable, match=r"refused the API key \(401\)") as caught:
            refused.generate(request(n=1, variants=1))
        assert "sk-wrong-key-42" not in str(caught.value)


def test_api_key_from_a_secrets_file_and_never_from_the_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_MODEL_API_KEY", raising=False)
    secrets = tmp_path / "model.env"
    secrets.write_text(f"api_key={KEY}\n", encoding="utf-8")
    with running(replies=GREETINGS, api_key=KEY) as server:
        config = write(tmp_path, model=model_config(server.url, f'secrets_file = "{secrets}"'))
        build_generator(load_settings(config)).generate(request(n=1, variants=1))
        assert server.chat_requests()[0]["headers"]["Authorization"] == f"Bearer {KEY}"
    with pytest.raises(
        ConfigError, match=r"model.api_key: credentials do not belong in the config"
    ) as caught:
        load_settings(write(tmp_path, model=model_config("http://127.0.0.1:1/v1", f'api_key = "{KEY}"')))
    assert KEY not in str(caught.value)


def test_missing_base_url_or_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model: .*needs base_url"):
        load_settings(write(tmp_path, model='backend = "openai"\nmodel = "m"'))
    with pytest.raises(ConfigError, match=r"model: .*needs model"):
        load_settings(write(tmp_path, model='backend = "openai"\nbase_url = "http://h:1"'))
    result = run_cli("config", "check", config=tmp_path / "bot.toml")
    assert result.returncode == 1 and "needs model" in result.stderr and "Traceback" not in result.stderr
    assert (
        api_root("http://h:11434") == "http://h:11434/v1"
        and api_root("http://h:8000/v1/") == "http://h:8000/v1"
    )


def test_the_model_writes_an_english_campaign_end_to_end(tmp_path: Path) -> None:
    with running(replies=GREETINGS, honours_n=False) as server:
        app = app_for(write(tmp_path, model=model_config(server.url)))
        ids = app.drafting.draft_slot(slot(app, "mid-autumn"))
        drafts = [app.store.get_draft(i) for i in ids]
        assert drafts and all(d.origin is DraftOrigin.MODEL and d.model_id == "qwen2.5:7b" for d in drafts)
        assert all(c["passed"] for c in drafts[0].checks)
        app.close()


def test_a_chinese_campaign_is_written_by_a_model_that_declares_chinese(tmp_path: Path) -> None:
    with running(replies=CHINESE) as server:
        app = app_for(write(tmp_path, model=model_config(server.url, 'languages = ["en", "zh"]')))
        ids = app.drafting.draft_slot(slot(app, "spring-zh", datetime(2027, 2, 6, 0, 0, tzinfo=UTC)))
        drafts = [app.store.get_draft(i) for i in ids]
        assert drafts and all(d.origin is DraftOrigin.MODEL for d in drafts), [d.checks for d in drafts]
        assert all(d.text.split("\n")[0] in CHINESE for d in drafts), [d.text for d in drafts]
        prompt = json.dumps(server.chat_requests()[0]["body"]["messages"], ensure_ascii=False)
        assert "春节" in prompt
        app.close()


def test_without_declaring_chinese_a_chinese_campaign_gets_templates(tmp_path: Path) -> None:
    with running(replies=CHINESE) as server:
        app = app_for(write(tmp_path, model=model_config(server.url)))
        ids = app.drafting.draft_slot(slot(app, "spring-zh", datetime(2027, 2, 6, 0, 0, tzinfo=UTC)))
        assert all(app.store.get_draft(i).origin is DraftOrigin.TEMPLATE for i in ids)
        assert server.chat_requests() == []
        app.close()


def test_model_check_reports_endpoint_and_model(tmp_path: Path) -> None:
    with running(models=("llama3.1:8b", "qwen2.5:7b")) as server:
        config = write(tmp_path, model=model_config(server.url))
        result = run_cli("model", "check", "--json", config=config)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["reachable"] and data["listed"] and data["models"] == ["llama3.1:8b", "qwen2.5:7b"]
        text = run_cli("model", "check", config=config)
        assert "reachable" in text.stdout and "model qwen2.5:7b: listed (2 models served)" in text.stdout
        other = write(tmp_path, model=model_config(server.url).replace("qwen2.5:7b", "mistral"))
        missing = run_cli("model", "check", config=other)
        assert (
            missing.returncode == 1
            and "model 'mistral' is not among the 2 the server lists" in missing.stderr
        )
    down = write(tmp_path, model=model_config(f"http://127.0.0.1:{closed_port()}/v1", retries=0))
    result = run_cli("model", "check", config=down)
    assert result.returncode == 1 and "NOT reachable" in result.stdout
    assert "connection refused" in result.stderr and "Traceback" not in result.stderr
    prepared = run_cli("model", "prepare", config=down)
    assert prepared.returncode == 1 and "connection refused" in prepared.stderr
    info = json.loads(run_cli("model", "info", "--json", config=down).stdout)
    assert info["backend"] == "openai" and info["model_id"] == "qwen2.5:7b" and info["languages"] == ["en"]
