"""Prometheus metrics (``prometheus-client``): the only importer of it.

A :class:`StoreCollector` reads the store when scraped, so every process that serves
``/metrics`` (``bot web``, the daemon's ``[daemon] metrics_port``) shows the same numbers:

- ``bot_drafts{state}``, ``bot_publications{state,platform}``, ``bot_moderation_records{decision}``
  (``decision="flag"``: the gate's flags; ``"review"``: held for a person, never auto-approved);
- ``bot_daemon_heartbeat_age_seconds{worker,state}``: how long ago each daemon said it lived;
- ``bot_notification_failures_total{channel}``: deliveries that failed after their retries;
- ``bot_slot_drafting_seconds``: a histogram of the time from a slot's creation to its first
  draft, over the latest 1,000 drafted slots;
- ``bot_store_up``: 0 when the database did not answer the scrape (the rest is then absent).

The daemon also records ``bot_daemon_slot_generation_seconds`` (a live histogram of the time it
spent drafting each slot) in its registry (:class:`Metrics`); the web server drafts nothing,
so its ``/metrics`` has only the store's.
"""

from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.domain.errors import BotError
from bot.domain.notify import StoreMetrics
from bot.domain.ports import Clock

log = logging.getLogger(__name__)

#: Drafting a slot takes from under a second (canned, templates) to minutes (a model on a busy CPU).
SLOT_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class StoreCollector(Collector):
    """Builds the store's metrics at scrape time from ``read()`` (the store's counts)."""

    def __init__(self, read: Callable[[], StoreMetrics], clock: Clock) -> None:
        self._read = read
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("bot_store_up", "1 when the database answered this scrape.")
        try:
            counts = self._read()
        except BotError as exc:
            log.warning("metrics: the store did not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from self._counts(counts)
        yield _histogram(
            "bot_slot_drafting_seconds",
            "Time from a slot's creation to its first draft (latest 1,000 drafted slots).",
            counts.slot_seconds,
        )

    def _counts(self, counts: StoreMetrics) -> Iterator[Metric]:
        drafts = GaugeMetricFamily("bot_drafts", "Drafts by state.", labels=["state"])
        for state, n in sorted(counts.drafts.items()):
            drafts.add_metric([state], n)
        yield drafts
        pubs = GaugeMetricFamily(
            "bot_publications", "Publications by state (outcome) and platform.", labels=["state", "platform"]
        )
        for (state, platform), n in sorted(counts.publications.items()):
            pubs.add_metric([state, platform], n)
        yield pubs
        moderation = GaugeMetricFamily(
            "bot_moderation_records",
            "Moderation records by decision (flag: the gate flagged; review: held for a person).",
            labels=["decision"],
        )
        for decision, n in sorted(counts.moderation.items()):
            moderation.add_metric([decision], n)
        yield moderation
        age = GaugeMetricFamily(
            "bot_daemon_heartbeat_age_seconds",
            "Seconds since each daemon's last heartbeat.",
            labels=["worker", "state"],
        )
        now = self._clock.now()
        for worker, (state, at) in sorted(counts.daemons.items()):
            age.add_metric([worker, state], max((now - at).total_seconds(), 0.0))
        yield age
        failures = CounterMetricFamily(
            "bot_notification_failures",
            "Notification deliveries that failed after their retries.",
            labels=["channel"],
        )
        for channel, n in sorted(counts.notification_failures.items()):
            failures.add_metric([channel], n)
        yield failures


def _histogram(name: str, documentation: str, values: Sequence[float]) -> HistogramMetricFamily:
    ordered = sorted(values)
    buckets: list[tuple[str, float]] = [
        (repr(bound), float(bisect_left(ordered, bound + 1e-12))) for bound in SLOT_BUCKETS
    ]
    buckets.append(("+Inf", float(len(ordered))))
    family = HistogramMetricFamily(name, documentation)
    family.add_metric([], buckets, sum_value=sum(ordered))
    return family


class Metrics:
    """A registry with the store's metrics (and, once this process drafted a slot, its drafting
    histogram); servable on a port, or rendered for a web route with :meth:`text`."""

    content_type = CONTENT_TYPE

    def __init__(self, read: Callable[[], StoreMetrics], clock: Clock) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(StoreCollector(read, clock))
        self._slot_generation: Histogram | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def observe_slot(self, seconds: float) -> None:
        """Record the drafting time of one slot (``bot_daemon_slot_generation_seconds``)."""
        if self._slot_generation is None:
            self._slot_generation = Histogram(
                "bot_daemon_slot_generation_seconds",
                "Time this daemon spent drafting each slot (generation, checks and the gate).",
                buckets=SLOT_BUCKETS,
                registry=self.registry,
            )
        self._slot_generation.observe(seconds)

    def text(self) -> bytes:
        """The exposition text of every metric (what ``/metrics`` answers)."""
        return generate_latest(self.registry)

    def serve(self, host: str, port: int) -> None:
        """Serve ``/metrics`` on ``host:port`` from a background thread.

        Raises:
            BotError: the port cannot be bound (in use, not allowed), naming it.
        """
        try:
            self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            raise BotError(
                f"daemon.metrics_port: cannot serve metrics on {host}:{port}: {exc.strerror or exc}"
            ) from None
        log.info("metrics served on http://%s:%d/metrics", host, port)

    def stop(self) -> None:
        """Stop serving (if serving)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
