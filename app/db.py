from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import Request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from app.config import settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for either SQLite or PostgreSQL; the rest of the code does not care which."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


engine = make_engine(settings.database_url, echo=settings.echo_sql)


WRITE_LOCK = 0x5350_4143  # the advisory lock every writer takes on PostgreSQL ("SPAC")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction, committed at the end (rolled back on error).

    Writers take turns, so that what a write checks first (an If-Match, the next dataset
    version) still holds when it commits. On SQLite the transaction takes the write lock first
    (BEGIN IMMEDIATE), waiting up to the busy timeout: a deferred one that read before writing
    could fail halfway when another writer committed in between. On PostgreSQL it takes a
    transaction-level advisory lock, released at commit or rollback.
    """
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def get_session(request: Request) -> Iterator[Session]:
    """A session on the engine the app was built with (tests build apps on their own)."""
    with Session(request.app.state.engine) as session:
        yield session


T = TypeVar("T")


class Db:
    """Runs a service function on a fresh session, from an async route.

    On SQLite the call runs right on the event loop: the file is local, every read the routes
    make is an indexed lookup or keyset page (tests/test_indexes.py), and a thread hop would
    cost more than the query. On a server database a query waits on the network, so it runs
    in a worker thread and the loop keeps serving. Search, whose cost grows with the matches,
    is a sync route and always runs in a thread.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = engine.dialect.name == "sqlite"

    async def write(self, fn: Callable[[Session], T]) -> T:
        """`fn(session)` in one write transaction, always in a worker thread: a writer waiting
        for SQLite's lock must not stall the reads the loop serves meanwhile."""
        return await anyio.to_thread.run_sync(self._write, fn)

    def _write(self, fn: Callable[[Session], T]) -> T:
        with write_session(self.engine) as session:
            return fn(session)

    async def run(self, fn: Callable[[Session], T]) -> T:
        """`fn(session)` on a session of its own, e.g. `lambda s: service(session=s, ...)`."""
        if self.inline:
            return self._call(fn)
        return await anyio.to_thread.run_sync(self._call, fn)

    def _call(self, fn: Callable[[Session], T]) -> T:
        with Session(self.engine) as session:
            return fn(session)


async def get_db(request: Request) -> Db:
    """The app's Db (async, so FastAPI does not hop to a thread to resolve it)."""
    db: Db = request.app.state.db
    return db
