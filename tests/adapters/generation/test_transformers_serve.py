"""The ``openai`` backend against a real ``transformers serve`` (transformers 5.x, its FastAPI
server), started on a free loopback port for this module and stopped after it.

It serves the tiny random GGUF of the test suite, not the bundled model: the bundled model's
de-quantizing load took 68-170 s to reach /health on the shared 2-core development machine
(see the README), the tiny one about 20 s. The server's code is what is under test here: which
fields it takes, what it does with ``n``, seeds and ``generation_config``, its errors. Its
answers are gibberish, which the checks refuse. tests/fakeopenai.py's ``TRANSFORMERS_SERVE``
answers as it does, for the faster tests.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.adapters.generation.openai_http import OpenAIGenerator
from bot.adapters.generation.testing import write_tiny_gguf
from bot.domain import DraftOrigin
from bot.domain.errors import ModelUnavailable
from bot.services.drafting.service import UNAVAILABLE
from tests.adapters.generation.gen_configs import write
from tests.adapters.generation.test_drafting_with_model import SLOT, app_for
from tests.adapters.generation.test_openai_backend import request
from tests.conftest import subprocess_env
from tests.fakeopenai import closed_port

pytestmark = pytest.mark.slow

#: Longest wait for /health (a loaded machine slows the server's imports and the model's load).
STARTUP = 240.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(API root, model name) of a ``transformers serve`` pinned to the tiny GGUF."""
    folder = tmp_path_factory.mktemp("served")
    model = write_tiny_gguf(folder / "tiny-llama.gguf", context=8192)
    name = f"{folder}:{model.name}"
    port = closed_port()
    command = [str(Path(sys.executable).parent / "transformers"), "serve", name]
    command += ["--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    log = folder / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=subprocess_env(OMP_NUM_THREADS="1"),
            start_new_session=True,  # its model process too is stopped with its group
        )
    try:
        _wait_healthy(server, f"http://127.0.0.1:{port}/health", log)
        yield f"http://127.0.0.1:{port}/v1", name
    finally:
        _stop(server)


def _wait_healthy(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        time.sleep(0.5)
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    pytest.fail(
        f"transformers serve did not answer {url} within {STARTUP:g} s (exit {server.poll()}):\n{tail}"
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # whatever it left behind in its group
        os.killpg(server.pid, signal.SIGKILL)


def test_a_slot_is_drafted_through_the_real_server(
    served: tuple[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, name = served
    model = f'backend = "openai"\nbase_url = "{url}"\nmodel = "{name}"\nmax_new_tokens = 12\nretries = 0'
    app = app_for(write(tmp_path, model=model))
    with caplog.at_level(logging.WARNING):
        scored = app.drafting.candidates(app.settings.campaign("mid-autumn"), SLOT)
    written = [s.candidate for s in scored if s.candidate.origin is DraftOrigin.MODEL]
    assert written and all(c.model_id == name and UNAVAILABLE not in c.settings for c in written)
    # n ignored, and the same text for another seed: greedy, so one candidate per prompt
    assert "decodes greedily" in caplog.text, caplog.text
    assert len({c.settings["raw"] for c in written}) == len(written)
    app.close()


def test_it_samples_when_asked_and_refuses_what_it_does_not_serve(served: tuple[str, str]) -> None:
    url, name = served
    found = OpenAIGenerator(url, name).check()
    assert found.reachable and found.listed and found.models == (name,)
    asked = replace(request(n=3, variants=1), max_new_tokens=8)
    sampling = OpenAIGenerator(url, name, extra_body={"generation_config": '{"do_sample": true}'})
    texts = sampling.generate(asked)
    assert len(texts) == 3 and len({t.text for t in texts}) == 3 and sampling.samples is True
    assert sampling.n_supported is False and all(t.new_tokens > 0 for t in texts)
    with pytest.raises(ModelUnavailable, match=r"refused the request \(400 Server is pinned to '"):
        OpenAIGenerator(url, "SmolLM2-135M-Instruct", retries=0).generate(asked)
    with pytest.raises(ModelUnavailable, match=r"\(422 Unexpected fields in the request: \{'top_k'\}\)"):
        OpenAIGenerator(url, name, retries=0, extra_body={"top_k": 40}).generate(asked)
