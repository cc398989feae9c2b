"""The fake platform itself: runs as a subprocess, checks auth, queues faults, records posts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, subprocess_env
from tests.fakeplatform import FakeServer
from tests.fakeplatform.world import admin, register_users

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(
    url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None
) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_runs_as_a_subprocess_and_prints_its_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakeplatform", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        register_users(url, ["mastodon"])
        status, _ = call(
            f"{url}/api/v1/statuses", "POST", {"status": "hi"}, {"Content-Type": "application/json"}
        )
        assert status == 401  # no token
        auth = {"Authorization": "Bearer tok-m", "Content-Type": "application/json"}
        admin(url, "faults", {"op": "mastodon.status", "status": 503, "body": {"error": "busy"}})
        assert call(f"{url}/api/v1/statuses", "POST", {"status": "hi"}, auth)[0] == 503
        status, body = call(f"{url}/api/v1/statuses", "POST", {"status": "hi"}, auth)
        assert status == 200 and isinstance(body, dict) and body["content"] == "<p>hi</p>"
        assert [p["text"] for p in admin(url, "posts")] == ["hi"]
        assert [r["op"] for r in admin(url, "requests")] == ["mastodon.status"] * 3
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def test_unknown_routes_and_wrong_credentials(fake: FakeServer) -> None:
    assert call(f"{fake.url}/nope")[0] == 404
    status, _ = call(
        f"{fake.url}/xrpc/com.atproto.server.createSession",
        "POST",
        {"identifier": "lotus.bsky.test", "password": "wrong"},
        {"Content-Type": "application/json"},
    )
    assert status == 401
    assert call(f"{fake.url}/2/users/me", headers={"Authorization": 'OAuth oauth_consumer_key="x"'})[0] == 401


@pytest.mark.parametrize("op", ["x.tweet", "mastodon.status"])
def test_faults_wait_their_turn(fake: FakeServer, op: str) -> None:
    fake.fault(op, status=500, after=1)
    fake.fault("other.op", status=500)
    assert fake.state.take_fault(op) is None  # the first matching request goes through
    fault = fake.state.take_fault(op)
    assert fault is not None and fault.status == 500
    assert fake.state.take_fault(op) is None
    assert len(fake.state.faults) == 1
