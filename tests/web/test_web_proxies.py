"""Whose address it is: a real ``bot web`` (uvicorn) believes ``X-Forwarded-For`` only from
``[web] trusted_proxies`` (none by default), so a client reaching the port through loopback
cannot rotate addresses past the login throttle nor pose as a remote or local client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from bot.config import load_settings
from bot.domain.errors import ConfigError
from tests.conftest import ROOT, run_cli, subprocess_env
from tests.web.conftest import WEB, csrf_of

Web = Callable[..., TestClient]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(config: Path) -> Iterator[str]:
    assert run_cli("db", "upgrade", config=config).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "web", "--port", str(port)],
        env=subprocess_env(BOT_WEB_PASSWORD_ALICE=""),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "bot web did not start"
                time.sleep(0.5)
        yield base
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)


def _wrong_logins(base: str, count: int, forwarded_for: Callable[[int], str]) -> list[int]:
    """``count`` wrong passwords for alice, each claiming another address; their statuses."""
    statuses = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(count):
            token = csrf_of(client.get("/login").text)
            answer = client.post(
                "/login",
                data={"name": f"user{i}", "password": "wrong-password", "csrf": token},
                headers={"X-Forwarded-For": forwarded_for(i)},
            )
            statuses.append(answer.status_code)
    return statuses


def test_forwarded_for_is_ignored_without_trusted_proxies(write_config: Callable[..., Path]) -> None:
    with _server(write_config(WEB)) as base:
        # seven names (the per-name limit never trips), seven claimed addresses: one real address
        statuses = _wrong_logins(base, 7, lambda i: f"10.1.{i}.1")
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429], statuses
        # the scraper on this host reads /metrics; a request through a proxy is not local
        assert httpx.get(f"{base}/metrics", timeout=30).status_code == 200
        spoofed = httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, timeout=30)
        assert spoofed.status_code == 404
        remote = httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "8.8.8.8"}, timeout=30)
        assert remote.status_code == 404


def test_forwarded_for_is_believed_from_a_trusted_proxy(write_config: Callable[..., Path]) -> None:
    config = write_config(WEB.replace("[web]\n", '[web]\ntrusted_proxies = ["127.0.0.1"]\n'))
    with _server(config) as base:
        # the proxy tells clients apart: each address has its own count
        assert _wrong_logins(base, 7, lambda i: f"10.1.{i}.1") == [401] * 7
        # one client behind the proxy is throttled by its own address
        assert _wrong_logins(base, 6, lambda i: "10.9.9.9")[5] == 429
        remote = httpx.get(f"{base}/metrics", headers={"X-Forwarded-For": "8.8.8.8"}, timeout=30)
        assert remote.status_code == 404
        assert httpx.get(f"{base}/metrics", timeout=30).status_code == 200


def test_metrics_through_a_local_proxy_is_not_local(web: Web) -> None:
    local = web(address="127.0.0.1")
    assert local.get("/metrics").status_code == 200
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert local.get("/metrics", headers={header: "127.0.0.1"}).status_code == 404, header


def test_trusted_proxies_must_be_addresses(write_config: Callable[..., Path]) -> None:
    config = write_config(WEB.replace("[web]\n", '[web]\ntrusted_proxies = ["the-proxy"]\n'))
    with pytest.raises(ConfigError, match="trusted_proxies"):
        load_settings(config)
    ok = write_config(WEB.replace("[web]\n", '[web]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8", "::1"]\n'))
    assert [str(p) for p in load_settings(ok).web.trusted_proxies] == ["127.0.0.1", "10.0.0.0/8", "::1"]
