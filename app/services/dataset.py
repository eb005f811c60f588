"""The dataset version: one number that every change to the data bumps."""

import asyncio
import datetime as dt
import functools
import json
import math
import threading
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.db_errors import DATABASE_UNAVAILABLE
from app.models.common import as_utc
from app.models.revisions import DatasetVersion
from app.replica import Routing


@dataclass(frozen=True)
class Total:
    """How many rows a query selects: exactly `value`, or (not `exact`) at least `value`."""

    value: int
    exact: bool = True


# Counting stops here unless told otherwise: at a million rows a COUNT over a common filter
# costs tens to hundreds of milliseconds, and up to this many about one (bench/scale.py).
TOTAL_LIMIT = 1000


# The share of `ttl` after which a reading is re-read in the background while still served.
AHEAD = 0.75


@dataclass(frozen=True)
class Serving:
    """What the HTTP layer serves this request at: a dataset version, and the counts already
    made at it (query key -> total), shared by the requests of one app in one process.
    `total_limit` is where counting stops: beyond it a total is a lower bound."""

    version: int
    counts: dict[Hashable, Total]
    total_limit: int = TOTAL_LIMIT


def current_version(*, session: Session) -> int:
    """The newest dataset version, or 0 for a database that holds no data yet."""
    latest = session.execute(select(func.max(DatasetVersion.version))).scalar_one()
    return int(latest or 0)


def bump_version(
    *,
    session: Session,
    origin: str,
    summary: Mapping[str, object],
    seed_digest: str | None = None,
    min_version: int = 0,
) -> int:
    """Record one change; the caller's transaction makes it atomic with the change itself."""
    # An import carries its export's version forward; never backwards (at or past it: one more).
    version = max(current_version(session=session) + 1, min_version)
    session.add(
        DatasetVersion(
            version=version,
            created_at=dt.datetime.now(dt.UTC),
            origin=origin,
            seed_digest=seed_digest,
            summary=json.dumps(summary, sort_keys=True),
        )
    )
    return version


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: dt.datetime | None


def read_version_info(*, session: Session) -> VersionInfo:
    """The newest dataset version and when it was made (both empty for an empty database)."""
    row = session.execute(
        select(DatasetVersion.version, DatasetVersion.created_at)  # type: ignore[call-overload]
        .order_by(DatasetVersion.version.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    if row is None:
        return VersionInfo(0, None)
    return VersionInfo(int(row.version), as_utc(row.created_at))


@dataclass(frozen=True)
class Reading:
    """A dataset version and the database it was read from: requests served at that version
    read their data there too (app/replica.py)."""

    info: VersionInfo
    engine: Engine


def _read_on(engine: Engine) -> VersionInfo:
    with Session(engine) as session:
        return read_version_info(session=session)


_REFRESH_FAILURES: tuple[type[Exception], ...] = (TimeoutError, *DATABASE_UNAVAILABLE)


def _retrieve(refresh: "asyncio.Future[Reading]") -> None:
    """Take a failed re-read's exception, which nobody may be waiting for any more."""
    if not refresh.cancelled():
        refresh.exception()


class VersionWatcher:
    """The dataset version as this process knows it, re-read at most every `ttl` seconds.

    Every worker and host reads the same database row, so all of them see a change within
    `ttl` seconds; the process that made the change sees it at once (`expire`). With a read
    replica, `source` (a Routing) decides which database the version, and so the data, come
    from at each re-read.
    """

    def __init__(self, source: Engine | Routing, *, ttl: float) -> None:
        self._routing = source if isinstance(source, Routing) else Routing(source)
        self._ttl = ttl
        # The reading and when its query began, replaced as one (readers take no lock).
        self._reading: tuple[Reading, float] | None = None
        self._expired_at = -math.inf
        self._lock = threading.Lock()
        self._refresh: asyncio.Future[Reading] | None = None
        self._refresh_began = -math.inf

    def is_fresh(self) -> bool:
        return self.latest() is not None

    def latest(self) -> Reading | None:
        """The reading, while fresh."""
        held = self._reading
        if held is None or held[1] <= self._expired_at:
            return None
        reading, read_at = held
        if reading.info.version < self._routing.floor:
            return None  # this process has written since: the reading may be a stale replica's
        return reading if time.monotonic() - read_at < self._ttl else None

    def _due(self) -> bool:
        held = self._reading
        return held is None or time.monotonic() - held[1] >= self._ttl * AHEAD

    def serve(self) -> Reading | None:
        """The reading while fresh, as `latest`; past AHEAD of its life it is also re-read in
        the background (on the event loop only), so that requests need not wait at its end.

        Waiting there cost every request that came while a saturated loop shared the GIL with
        the thread re-reading: at 32 connections, each second, a whole round of them."""
        reading = self.latest()
        if reading is not None and self._due():
            self._start(ahead=True)
        return reading

    def _start(self, *, ahead: bool) -> "asyncio.Future[Reading]":
        """The re-read under way, or a new one: none begun before an `expire()` is reused."""
        refresh = self._refresh
        if refresh is None or refresh.done() or self._refresh_began <= self._expired_at:
            read = functools.partial(self.read, ahead=ahead)
            refresh = self._refresh = asyncio.ensure_future(anyio.to_thread.run_sync(read))
            refresh.add_done_callback(_retrieve)
            self._refresh_began = time.monotonic()
        return refresh

    def last(self) -> Reading | None:
        """The last reading made, however old: what to serve while the database is away."""
        held = self._reading
        return held[0] if held is not None else None

    def cached(self) -> VersionInfo | None:
        reading = self.latest()
        return reading.info if reading is not None else None

    def read(self, *, ahead: bool = False) -> Reading:
        """The reading, re-read first when stale, or with `ahead` when due for a re-read (a
        blocking query: not on the event loop)."""
        with self._lock:
            reading = self.latest()
            if reading is None or (ahead and self._due()):
                # Stamped with when the query began: a reading that began before an expire()
                # may predate the write that caused it, so it must not count as fresh after it.
                started = time.monotonic()
                info, engine = self._routing.pick(_read_on)
                reading = Reading(info, engine)
                self._reading = (reading, started)
            return reading

    async def refreshed(self, *, wait: float, cold_wait: float) -> Reading | None:
        """The version re-read, or while the database does not answer, the last one read (None
        if none ever was): a server keeps serving what it stored, 304s included, while its
        database is away, and its routes answer 503.

        One re-read at a time (a blocking query, in a thread), shared by every caller that
        needs it; none waits for it past `wait` seconds after it began, so a frozen database
        neither holds requests nor piles up threads. Before any reading there is nothing to
        fall back on, so the bound is `cold_wait`, the one a route's own query gets: a slow
        first query is waited for, not answered 503 sooner than the route itself would."""
        refresh = self._start(ahead=False)
        bound = wait if self.last() is not None else cold_wait
        left = self._refresh_began + bound - time.monotonic()
        try:
            return await asyncio.wait_for(asyncio.shield(refresh), timeout=max(left, 0))
        except _REFRESH_FAILURES:
            return self.last()

    def current(self) -> VersionInfo:
        return self.read().info

    def expire(self) -> None:
        """Re-read the version on the next request: this process has just written a new one.

        Takes no lock (it is called on the event loop, where waiting for a reading in progress
        would stall every request); one float assignment is atomic.
        """
        self._expired_at = time.monotonic()
