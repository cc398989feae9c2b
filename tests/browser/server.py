"""`bot web` as a user starts it: the real server (uvicorn) in a subprocess on a free loopback
port, ready once ``/healthz`` answers, stopped (SIGTERM, then SIGKILL) afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import subprocess_env

#: Generous: a server starting on two busy cores (imports, the store opened) can take a while.
START_DEADLINE = 120.0


def free_port() -> int:
    """A port free on 127.0.0.1 right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """``python -m bot --config CONFIG web --host 127.0.0.1 --port PORT`` in a subprocess."""

    def __init__(self, config: Path, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.config = config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = subprocess_env(**(env or {}))
        self._log_path = log or config.parent / "web.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WebServer:
        cmd = [sys.executable, "-m", "bot", "--config", str(self.config), "web"]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self._log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, env=self._env, cwd=self.config.parent
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise AssertionError(f"bot web exited with {self._proc.returncode}:\n{self.log()}")
            try:
                with opener.open(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"bot web did not answer /healthz within {START_DEADLINE:.0f}s:\n{self.log()}")

    def log(self) -> str:
        """What the server wrote so far (stdout and stderr)."""
        return self._log_path.read_text(encoding="utf-8", errors="replace") if self._log_path.exists() else ""

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=30)
