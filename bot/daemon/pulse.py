"""A heartbeat during a long pass: a slow pass (a model drafting several slots, a platform that
answers slowly) must not look like a dead daemon in ``bot status``.

The loop stamps its heartbeat after each pass; while a pass runs, :class:`Pulse` stamps it from
a thread every few seconds, with ``busy_since`` (when the pass began) in the details, so a
status reader sees "in a pass for N s" rather than an aging heartbeat. The thread only writes
the daemon's own row and is joined before the pass returns, so the loop's own stamps (and the
final ``stopped``) always come after its last one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from bot.domain.errors import BotError

log = logging.getLogger(__name__)


class Pulse:
    """Calls ``beat`` every ``every`` seconds from a thread between ``__enter__`` and ``__exit__``."""

    def __init__(self, beat: Callable[[], object], every: float) -> None:
        self._beat = beat
        self._every = every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat-pulse", daemon=True)

    def __enter__(self) -> Pulse:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self._every):
            try:
                self._beat()
            except BotError as exc:  # the database away or busy: the pass itself will say so
                log.debug("heartbeat during the pass failed: %s", exc)
            except Exception:
                log.exception("heartbeat during the pass failed unexpectedly")
