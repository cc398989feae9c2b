"""systemd's notify protocol (``Type=notify``) with the stdlib ``socket`` module only.

``$NOTIFY_SOCKET`` names a unix datagram socket (a path, or ``@name`` for the abstract
namespace); each message is a datagram of ``KEY=VALUE`` lines such as ``READY=1``.
``$WATCHDOG_USEC`` (for ``$WATCHDOG_PID``, when set) asks for ``WATCHDOG=1`` at least that often;
we ping at half the interval, as sd_watchdog_enabled(3) recommends.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(*lines: str) -> bool:
    """Send one datagram of ``KEY=VALUE`` lines; False when not run under systemd (or it failed)."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # Never block the daemon on a listener that does not read.
            sock.setblocking(False)
            sock.connect(address)
            sock.sendall("\n".join(lines).encode())
    except OSError as exc:
        log.warning("cannot notify systemd on %s: %s", address.lstrip("\0"), exc)
        return False
    return True


def watchdog_period() -> float | None:
    """Seconds between ``WATCHDOG=1`` pings (half of ``$WATCHDOG_USEC``), or None if not asked."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if pid.isdigit() and int(pid) != os.getpid():
        return None
    if not usec.isdigit() or int(usec) == 0:
        return None
    return int(usec) / 1_000_000 / 2
