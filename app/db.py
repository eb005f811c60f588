from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import sqlalchemy.exc
from fastapi import Request
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session, create_engine

from app.config import Settings, settings
from app.db_ping import ping_when_idle
from app.replica import READ_ENGINE, Routing
from app.services.dataset import current_version


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _pool(config: Settings) -> dict[str, Any]:
    return {
        "pool_size": config.db_pool_size,
        "max_overflow": config.db_max_overflow,
        "pool_timeout": config.db_pool_timeout,
        "pool_recycle": config.db_pool_recycle,
    }


def _postgres_connect_args(url: URL, config: Settings) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if config.db_connect_timeout:
        args["connect_timeout"] = config.db_connect_timeout
    # Sent at connect as startup options: no extra round trip per checkout. Options the URL
    # gives already are kept (connect_args would replace them).
    own = []
    if config.db_statement_timeout_ms:
        own.append(f"-c statement_timeout={config.db_statement_timeout_ms}")
    if config.db_parallel_workers is not None:
        own.append(f"-c max_parallel_workers_per_gather={config.db_parallel_workers}")
    if not config.db_jit:
        own.append("-c jit=off")
    if own:
        given = url.query.get("options")
        args["options"] = " ".join([given, *own] if isinstance(given, str) else own)
    return args


def make_engine(url: str, *, echo: bool = False, config: Settings | None = None) -> Engine:
    """An engine for either SQLite or PostgreSQL; the rest of the code does not care which.

    With `config`, a serving engine: its pool, and on PostgreSQL its connect and statement
    timeouts, come from there. Without, SQLAlchemy's default pool and no timeouts: the CLI's
    engines (imports and migrations may rightly run long) and the tests'.
    """
    parsed = make_url(url)
    pool = _pool(config) if config is not None else {}
    if parsed.get_backend_name() == "sqlite":
        memory = not parsed.database or parsed.database == ":memory:"
        if not memory:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            # An in-memory database lives in one connection (a pool without these options).
            **({} if memory else pool),
        )
        # Never tested before use: a file has no server to restart and no network to cut.
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if config is None:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    when_idle = config.db_pool_pre_ping and config.db_pool_ping_idle > 0
    engine = create_engine(
        url,
        echo=echo,
        connect_args=_postgres_connect_args(parsed, config),
        pool_pre_ping=config.db_pool_pre_ping and not when_idle,  # SQLAlchemy's: every checkout
        **pool,
    )
    if when_idle:
        ping_when_idle(engine, idle=config.db_pool_ping_idle)
    return engine


engine = make_engine(settings.database_url, echo=settings.echo_sql, config=settings)
replica_engine = (
    make_engine(settings.read_database_url, echo=settings.echo_sql, config=settings)
    if settings.read_database_url
    else None
)


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


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reads alone. On PostgreSQL its statements run in autocommit: at READ
    COMMITTED each statement takes its own snapshot inside a transaction too, so BEGIN and the
    ROLLBACK at close bought nothing but two more round trips per request."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Client-side with psycopg (no round trip); the pool restores it when taking it back.
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads alone, on a `read_connection`."""
    with read_connection(engine) as connection, Session(bind=connection) as session:
        yield session


def read_engine(request: Request) -> Engine:
    """The engine this request reads from: the one its dataset version was read from, as the
    HTTP cache layer set it, else the app's current choice (app/replica.py)."""
    state = request.scope.get("state") or {}
    pinned: Engine | None = state.get(READ_ENGINE)
    if pinned is not None:
        return pinned
    db: Db = request.app.state.db
    return db.routing.reads()


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request's reads (tests build apps over databases of their own)."""
    with read_session(read_engine(request)) as session:
        yield session


T = TypeVar("T")


class Db:
    """Runs a service function on a fresh session, from an async route.

    On SQLite the call runs right on the event loop: the file is local, every read the routes
    make is an indexed lookup or keyset page (tests/test_indexes.py), and a thread hop would
    cost more than the query. On a server database a query waits on the network, so it runs
    in a worker thread and the loop keeps serving. A read whose cost grows with the data (a
    search in a big table, a feed) asks for a thread even on SQLite: at most `local_threads`
    at once.
    """

    def __init__(
        self,
        engine: Engine | Routing,
        *,
        reads: Engine | None = None,
        wait: float = 12.0,
        local_threads: int | anyio.CapacityLimiter = 2,
    ) -> None:
        self.routing = engine if isinstance(engine, Routing) else Routing(engine)
        self._reads = reads  # pinned by `at`; else the routing chooses at each call
        self.wait = wait
        # Shared with every `at` of this Db.
        self._local = (
            local_threads
            if isinstance(local_threads, anyio.CapacityLimiter)
            else anyio.CapacityLimiter(local_threads)
        )

    @property
    def engine(self) -> Engine:
        """The primary: where writes go."""
        return self.routing.primary

    def at(self, engine: Engine) -> "Db":
        """This Db with its reads pinned to `engine` (one request's, app/replica.py rule 3)."""
        return Db(self.routing, reads=engine, wait=self.wait, local_threads=self._local)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """`fn(session)` in one write transaction, always in a worker thread: a writer waiting
        for SQLite's lock must not stall the reads the loop serves meanwhile."""
        return await anyio.to_thread.run_sync(self._write, fn)

    def _write(self, fn: Callable[[Session], T]) -> T:
        version = 0
        with write_session(self.routing.primary) as session:
            result = fn(session)
            if self.routing.replica is not None:
                # Inside the write turn: the version this commit makes (or the current one).
                version = current_version(session=session)
        self.routing.wrote(version)  # committed: reads must now see at least this
        return result

    async def run(
        self, fn: Callable[[Session], T], *, primary: bool = False, thread: bool = False
    ) -> T:
        """`fn(session)` on a session of its own, e.g. `lambda s: service(session=s, ...)`;
        on the primary with `primary`, else where this Db's reads go; in a worker thread even
        on SQLite with `thread` (a read whose cost grows with the data, such as search)."""
        return await self._dispatch(self._session_call, fn, primary=primary, thread=thread)

    async def read(
        self, fn: Callable[[Connection], T], *, primary: bool = False, thread: bool = False
    ) -> T:
        """`fn(connection)` on a connection of its own: as `run`, for reads that make no ORM
        objects (pages, documents, search). A session's transaction bookkeeping cost these
        reads about as much as their statements."""
        return await self._dispatch(self._connection_call, fn, primary=primary, thread=thread)

    async def _dispatch(
        self,
        call: Callable[[Engine, Callable[[Any], T]], T],
        fn: Callable[[Any], T],
        *,
        primary: bool,
        thread: bool,
    ) -> T:
        engine = self.routing.primary if primary else self._reads or self.routing.reads()
        if engine.dialect.name == "sqlite":
            if thread:
                return await anyio.to_thread.run_sync(call, engine, fn, limiter=self._local)
            return call(engine, fn)
        # A server that stopped answering (frozen, not down) holds a query on an open connection
        # for as long as the operating system keeps the connection: the request gives up after
        # `wait` seconds, with a 503 (app/errors.py), and leaves the thread to finish whenever.
        try:
            with anyio.fail_after(self.wait):
                return await anyio.to_thread.run_sync(call, engine, fn, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise sqlalchemy.exc.TimeoutError(
                f"the database did not answer within {self.wait:g} s"
            ) from exc

    @staticmethod
    def _session_call(engine: Engine, fn: Callable[[Session], T]) -> T:
        with read_session(engine) as session:
            return fn(session)

    @staticmethod
    def _connection_call(engine: Engine, fn: Callable[[Connection], T]) -> T:
        with read_connection(engine) as connection:
            return fn(connection)


async def get_db(request: Request) -> Db:
    """The app's Db, reading where this request reads (async, so FastAPI does not hop to a
    thread to resolve it)."""
    db: Db = request.app.state.db
    state = request.scope.get("state") or {}
    pinned: Engine | None = state.get(READ_ENGINE)
    return db.at(pinned) if pinned is not None else db
