"""Sending off the daemon's thread: one background thread takes messages from a queue and
tries each channel with a bounded timeout, retrying with a doubling backoff. The daemon's loop
only queues messages and collects outcomes, so a webhook that hangs or fails never holds up
drafting or publishing.

At shutdown :meth:`BackgroundDispatcher.close` stops the retries, waits a bounded time for the
message in hand, and reports the messages never tried as dropped (the notifier sends them
again after the restart, as they were never delivered).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from bot.config.notify import Retrying
from bot.domain.notify import Delivery, Message, NotificationFailed, Outcome
from bot.domain.ports import NotificationChannel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    """A channel and how hard to try it."""

    channel: NotificationChannel
    retrying: Retrying


def deliver(channel: Channel, message: Message, stopping: threading.Event | None = None) -> Delivery:
    """Try one channel until it takes the message, its retries run out or ``stopping`` is set."""
    tries = channel.retrying.retries + 1
    delay = channel.retrying.backoff.total_seconds()
    error = ""
    for attempt in range(1, tries + 1):
        try:
            channel.channel.send(message)
        except NotificationFailed as exc:
            error = str(exc)
            log.info(
                "notification via %s, try %d of %d failed: %s", channel.channel.name, attempt, tries, error
            )
        except Exception as exc:  # a bug in a channel must not end the sender thread
            log.exception("notification via %s failed unexpectedly", channel.channel.name)
            error = f"unexpected error: {type(exc).__name__}"
        else:
            return Delivery(channel.channel.name, True, attempt)
        if attempt == tries:
            break
        if stopping is not None and stopping.wait(delay):
            return Delivery(channel.channel.name, False, attempt, f"{error} (daemon stopping: no more tries)")
        if stopping is None:
            time.sleep(delay)
        delay *= 2
    return Delivery(channel.channel.name, False, tries, error)


_STOP = object()


class BackgroundDispatcher:
    """:class:`~bot.domain.ports.Dispatcher` on one daemon thread."""

    def __init__(self, channels: list[Channel]) -> None:
        self.channels = channels
        self._queue: queue.Queue[object] = queue.Queue()
        self._done: queue.Queue[Outcome] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, message_id: int, message: Message) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="bot-notify", daemon=True)
                self._thread.start()
        self._queue.put((message_id, message))

    def outcomes(self) -> list[Outcome]:
        found: list[Outcome] = []
        while True:
            try:
                found.append(self._done.get_nowait())
            except queue.Empty:
                return found

    def close(self, wait: float, *, drain: bool = False) -> list[Outcome]:
        if not drain:
            self._stopping.set()  # no more retries; what was never tried is dropped
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(wait)
        self._stopping.set()
        if self._thread is not None and self._thread.is_alive():
            log.warning("a notification was still being sent at shutdown (after %.0f s)", wait)
        dropped: list[Outcome] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, tuple):
                dropped.append(Outcome(item[0], (), dropped=True))
        return self.outcomes() + dropped

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if not isinstance(item, tuple):
                return
            message_id, message = item
            if self._stopping.is_set():
                self._done.put(Outcome(message_id, (), dropped=True))
                continue
            deliveries = tuple(deliver(c, message, self._stopping) for c in self.channels)
            self._done.put(Outcome(message_id, deliveries))
