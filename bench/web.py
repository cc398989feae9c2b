"""Latency of `bot web`'s queue page and a draft page with 10,000 drafts in the store, against
the server's static ``/healthz`` measured in the same run.

The store is a review world (tests/browser/world.py): drafts written by the real services (the
canned generator, the configured moderation gate), some approved, rejected and edited by the
review service, then copied in bulk to 10,000 drafts (each with its slot, moderation record and
event; most waiting for review). The real server (uvicorn, ``bot web``) runs in a subprocess on
loopback; one logged-in keep-alive connection asks for ``/healthz``, the queue page (the first
page, and a page deep in the queue by its "Next page" link) and a draft page in turn, so a load
drift on this shared machine hits them all alike.

Usage: ``python bench/web.py [--drafts N] [--requests N]``. Goal: p95 under 150 ms for both
pages. Ends with one JSON line:
``{"queue_page_p95_ms": X, "draft_page_p95_ms": Y, "queue_vs_healthz": R}`` (R: the ratio of
the medians).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import WebServer
from tests.browser.world import REVIEWERS, ReviewWorld, clone_drafts, make_review_world

WARM_UP = 10


def build(directory: Path, drafts: int) -> tuple[ReviewWorld, int]:
    """The world with ``drafts`` drafts; returns it and the id of a reviewed draft to show."""
    world = make_review_world(directory)
    greetings, promos = world.fire("greeting", 6), world.fire("promo", 6)
    review = world.app.review
    review.approve(greetings[0], "ann")
    review.reject(greetings[1], "ann", "too sweet")
    review.edit(promos[0], "ann", "Lotus Leaf: our oolong sampler is back. https://lotusleaf.example/shop")
    review.approve(promos[0], "root")
    clone_drafts(world.url, drafts)
    return world, promos[0]


class Client:
    """One keep-alive connection to the server, with the session cookie once logged in."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def login(self, name: str, password: str) -> None:
        status, page = self.request("GET", "/login")
        assert status == 200, status
        form = dict(re.findall(rb'name="([^"]+)"\s+value="([^"]*)"', page))
        fields = {k.decode(): v.decode() for k, v in form.items()}
        status, page = self.request("POST", "/login", fields | {"name": name, "password": password})
        assert status in (200, 303), (status, page[:300])
        status, page = self.request("GET", "/")
        assert status == 200 and b"logout" in page.lower(), (status, page[:300])

    def timed(self, path: str) -> tuple[float, int]:
        start = time.perf_counter()
        status, content = self.request("GET", path)
        elapsed = time.perf_counter() - start
        assert status == 200, (path, status, content[:300])
        return elapsed, len(content)


def measure(client: Client, paths: dict[str, str], requests: int) -> dict[str, list[float]]:
    """Each path ``requests`` times, in turn, after a few warm-up requests."""
    for _ in range(WARM_UP):
        for path in paths.values():
            client.timed(path)
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(requests):
        for name, path in paths.items():
            times[name].append(client.timed(path)[0])
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        world, draft_id = build(Path(tmp), args.drafts)
        print(f"store with {args.drafts} drafts built in {time.perf_counter() - started:.1f} s")
        server = WebServer(world.config, env=world.env).start()
        try:
            client = Client(server.port)
            client.login("ann", REVIEWERS["ann"][1])
            deep = f"/?after={args.drafts * 9 // 10}"  # a "Next page" deep in the queue
            paths = {"healthz": "/healthz", "queue": "/", "deep": deep, "draft": f"/drafts/{draft_id}"}
            sizes = {name: client.timed(path)[1] for name, path in paths.items()}
            times = measure(client, paths, args.requests)
        finally:
            server.stop()
            world.app.close()
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    p95s = {name: p95(values) * 1000 for name, values in times.items()}
    for name, path in paths.items():
        print(
            f"{name:8} {path:16} median {medians[name]:7.1f} ms  p95 {p95s[name]:7.1f} ms  "
            f"({args.requests} requests, {sizes[name]} bytes)"
        )
    ratio = medians["queue"] / medians["healthz"]
    draft_ratio = medians["draft"] / medians["healthz"]
    print(f"ratios to /healthz (medians): queue {ratio:.1f}x, draft {draft_ratio:.1f}x")
    result = {
        "queue_page_p95_ms": round(p95s["queue"], 1),
        "draft_page_p95_ms": round(p95s["draft"], 1),
        "queue_vs_healthz": round(ratio, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
