"""``python -m tests.fakeplatform --port 0``: run the fake and print its URL on stdout."""

from __future__ import annotations

import argparse
import signal
import sys

from tests.fakeplatform.server import FakeServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = FakeServer(args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(server.url, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
