"""The live stream's source: the revision log, read in id order.

Writers take turns (app/db.py `write_session`) and a revision's id is drawn inside that turn,
so revisions become visible in id order: a reader that has seen revision N has seen every
revision before it. That makes "the revisions after N" a gapless, duplicate-free resume point
in every process on every host, with no state but the database.

One `StreamHub` per process polls the newest revision id while any client listens and wakes
them when it moves; each client then reads only the revisions it has not sent.
"""

import asyncio
import datetime as dt
from collections.abc import Callable

import anyio.to_thread
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from app.models import Revision
from app.models.common import as_utc
from app.services.feed import FeedFilters, FeedType, Slot
from app.services.feed_items import JsonFeedItem, items_for

__all__ = ["StreamHub", "changes_after", "latest_revision", "revision_at"]


def latest_revision(*, session: Session) -> int:
    """The newest revision's id (0 when there is none)."""
    return int(session.execute(select(func.max(col(Revision.id)))).scalar_one() or 0)


def revision_at(*, session: Session, since: dt.datetime) -> int:
    """The id after which the revisions made after `since` begin."""
    query = select(func.max(col(Revision.id))).where(col(Revision.created_at) <= since)
    return int(session.execute(query).scalar_one() or 0)


def changes_after(
    *, session: Session, filters: FeedFilters, after: int, limit: int, base: str
) -> tuple[list[JsonFeedItem], int]:
    """The next changes after revision `after` that the filters keep, oldest first, and the
    revision id to continue after."""
    query = (
        select(
            col(Revision.id),
            col(Revision.version),
            col(Revision.entity_type),
            col(Revision.entity_id),
            col(Revision.created_at),
        )
        .where(col(Revision.id) > after)
        .order_by(col(Revision.id))
        .limit(limit)
    )
    if FeedType.change not in filters.types:  # `event` alone: changes to the timeline's events
        query = query.where(col(Revision.entity_type) == "event")
    if filters.entities:
        query = query.where(col(Revision.entity_id).in_(sorted(filters.entities)))
    slots = [
        Slot(FeedType.change, (version, 0, rid), rid, kind, ident, as_utc(at))
        for rid, version, kind, ident, at in session.execute(query)
    ]
    last = slots[-1].revision_id if slots else after
    return items_for(session=session, slots=slots, base=base), last


class StreamHub:
    """This process's listeners: how many, and the newest revision id they may wait on."""

    def __init__(self, engine: Engine, *, poll: float, max_clients: int) -> None:
        self._engine = engine
        self._poll = poll
        self.max_clients = max_clients
        self.clients = 0
        # Told the new count whenever it changes (app/metrics: each worker reports its own).
        self.on_clients: Callable[[int], None] | None = None
        self.latest = -1
        # Set on SIGTERM/SIGINT (app/serving.py): every stream ends with a final event, since
        # the server waits for open connections to close before it shuts down.
        self.closing = False
        self._moved: asyncio.Event | None = None
        self._poller: asyncio.Task[None] | None = None

    def acquire(self) -> bool:
        """Count one more listener, unless the process has as many as it takes."""
        if self.clients >= self.max_clients:
            return False
        self.clients += 1
        if self.on_clients is not None:
            self.on_clients(self.clients)
        return True

    def release(self) -> None:
        self.clients -= 1
        if self.on_clients is not None:
            self.on_clients(self.clients)

    def close(self) -> None:
        """End every stream, now and from now on (call on the event loop)."""
        self.closing = True
        if self._moved is not None:
            self._moved.set()  # wakes every waiter, which then sees `closing`

    def _read(self) -> int:
        with Session(self._engine) as session:
            return latest_revision(session=session)

    async def _poll_while_listened(self) -> None:
        try:
            while self.clients > 0:
                latest = await anyio.to_thread.run_sync(self._read)
                if latest != self.latest:
                    self.latest = latest
                    moved, self._moved = self._moved, asyncio.Event()
                    if moved is not None:
                        moved.set()
                await asyncio.sleep(self._poll)
        finally:
            self._poller = None

    async def wait_beyond(self, seen: int, *, timeout: float) -> bool:
        """Wait until a revision newer than `seen` exists (True) or `timeout` passes or the hub
        closes (False)."""
        if self._poller is None:
            self._poller = asyncio.get_running_loop().create_task(self._poll_while_listened())
        if self._moved is None:
            self._moved = asyncio.Event()
        deadline = asyncio.get_running_loop().time() + timeout
        while self.latest <= seen and not self.closing:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._moved.wait(), remaining)
            except TimeoutError:
                return False
        return not self.closing
