"""The browser set-up itself: Debian's chromium, driven by Playwright, submits a form to a
server on loopback and takes a screenshot (what every browser test of `bot web` relies on)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.browser import PHONE, screenshot

FORM = b"""<!doctype html><meta name=viewport content="width=device-width">
<form method=post action=/done><input name=reason><button>Reject</button></form>"""


class _Handler(BaseHTTPRequestHandler):
    received: list[bytes]

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer(FORM)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(body)
        self._answer(b"<p id=done>rejected</p>")

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def form_server() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Handler", (_Handler,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_chromium_submits_a_form_on_loopback(
    open_page: Callable[..., Page], form_server: tuple[str, list[bytes]]
) -> None:
    url, received = form_server
    page = open_page(PHONE)
    page.goto(url + "/")
    page.fill("input[name=reason]", "off brand")
    page.click("text=Reject")
    assert page.text_content("#done") == "rejected"
    assert received == [b"reason=off+brand"]
    shot = screenshot(page, "chromium-self-test-phone")
    assert shot.stat().st_size > 0
