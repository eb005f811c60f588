"""What /metrics reports, per app (tests build several apps in one process, each counting on
its own), or summed over every worker process when PROMETHEUS_MULTIPROC_DIR is set.

In that mode each process writes its values to files in the directory and the scrape sums
them; a process's live gauges are dropped when it exits. So a value only the process itself
knows (its connection pool, its stream clients) is written when it changes, by that process,
rather than read at scrape time, when only the scraping process could be read.
"""

import atexit
import os
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

from app.metrics.multiproc import ENV

__all__ = ["CONTENT_TYPE", "UNMATCHED", "AppMetrics"]

# The classic text format: every Prometheus version reads it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "<unmatched>"
# A cache hit takes well under a millisecond, so the buckets start there.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Any other method is labelled "other": a label value a client chooses must come from a set.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CACHE_OUTCOMES = ("hit", "miss", "private")

_exit_registered = False


def _forget_at_exit() -> None:
    """Drop this process's live gauges from the shared directory when it exits."""
    global _exit_registered
    if not _exit_registered:
        _exit_registered = True
        atexit.register(mark_process_dead, os.getpid())


class AppMetrics:
    def __init__(self, *, engines: Mapping[str, Engine]) -> None:
        self.multiprocess = bool(os.environ.get(ENV))
        if self.multiprocess:
            _forget_at_exit()
        self.registry = CollectorRegistry()
        own: dict[str, Any] = {"registry": self.registry}
        self.requests = Counter(
            "spacefacts_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            **own,
        )
        self.duration = Histogram(
            "spacefacts_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ["route", "method"],
            buckets=BUCKETS,
            **own,
        )
        self.in_flight = Gauge(
            "spacefacts_http_requests_in_flight",
            "Requests being answered now (streams included).",
            multiprocess_mode="livesum",
            **own,
        )
        self.cache = Counter(
            "spacefacts_response_cache_lookups",
            "Response cache lookups of GET and HEAD: hit (answered from the cache, a 304 "
            "included), miss (the route ran), private (credentials: the cache is not used).",
            ["outcome"],
            **own,
        )
        self.stream_clients = Gauge(
            "spacefacts_stream_clients",
            "Clients connected to the live stream (/v1/stream).",
            multiprocess_mode="livesum",
            **own,
        )
        self.pool_size = Gauge(
            "spacefacts_db_pool_size",
            "Connections a database pool keeps open (pools with a fixed size only).",
            ["pool"],
            multiprocess_mode="livesum",
            **own,
        )
        self.pool_checked_out = Gauge(
            "spacefacts_db_pool_checked_out",
            "Database connections in use now.",
            ["pool"],
            multiprocess_mode="livesum",
            **own,
        )
        self.dataset_version = Gauge(
            "spacefacts_dataset_version",
            "The dataset version served (read within SPACEFACTS_VERSION_TTL of the scrape).",
            multiprocess_mode="livemostrecent",
            **own,
        )
        self.stream_clients.set(0)
        self.in_flight.set(0)
        # Children bound once per label set: `labels()` takes a lock and builds a key each call.
        self._counted: dict[tuple[str, str, int], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}
        self._outcomes = {outcome: self.cache.labels(outcome) for outcome in CACHE_OUTCOMES}
        self._engines = dict(engines)
        for name, engine in engines.items():
            self._watch_pool(name, engine)

    def observe(self, *, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        if method not in METHODS:
            method = "other"
        counted = self._counted.get((route, method, status))
        if counted is None:
            counted = self.requests.labels(route, method, str(status))
            self._counted[route, method, status] = counted
        counted.inc()
        timed = self._timed.get((route, method))
        if timed is None:
            timed = self._timed[route, method] = self.duration.labels(route, method)
        timed.observe(seconds)

    def cache_outcome(self, outcome: str) -> None:
        """The response cache's observer (app/middleware/http_cache.py `on_outcome`)."""
        self._outcomes[outcome].inc()

    def _watch_pool(self, name: str, engine: Engine) -> None:
        pool = engine.pool
        if isinstance(pool, QueuePool):
            self.pool_size.labels(name).set(pool.size())
        checked_out = self.pool_checked_out.labels(name)
        checked_out.set(0)

        def on_checkout(*_: object) -> None:
            checked_out.inc()

        def on_checkin(*_: object) -> None:
            checked_out.dec()

        # Pool events on the engine follow it to the new pool a dispose() makes.
        event.listen(engine, "checkout", on_checkout)
        event.listen(engine, "checkin", on_checkin)

    def render(self) -> bytes:
        """The metrics in Prometheus's text format: this app's, or every worker's summed."""
        for name, engine in self._engines.items():
            pool = engine.pool
            if isinstance(pool, QueuePool):
                # Exact now, for this process: the events' count could drift if one were lost.
                self.pool_checked_out.labels(name).set(pool.checkedout())
        if not self.multiprocess:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return generate_latest(merged)
