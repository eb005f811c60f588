"""The serving engine's pool and timeouts come from the settings; the CLI's engines take none,
and the export's snapshot is exempt from the statement timeout."""

import threading
import time
from collections.abc import Iterator
from functools import partial

import anyio
import pytest
from psycopg.errors import QueryCanceled
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.config import Settings
from app.db import Db, make_engine
from app.services.export import read_snapshot
from tests.conftest import Database

TIMEOUT = Settings(db_statement_timeout_ms=200, db_connect_timeout=3)


@pytest.fixture
def timed(postgres_url: str) -> Iterator[Engine]:
    """A serving engine on the PostgreSQL server, with a 200 ms statement timeout."""
    engine = make_engine(postgres_url, config=TIMEOUT)
    yield engine
    engine.dispose()


def test_the_pool_settings_reach_the_engine(empty_db: Database) -> None:
    config = Settings(
        db_pool_size=3,
        db_max_overflow=2,
        db_pool_timeout=1.5,
        db_pool_recycle=600,
        db_pool_pre_ping=False,
    )
    engine = make_engine(empty_db.url, config=config)
    try:
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool.timeout()) == (3, 1.5)
        # No public accessors for these: SQLAlchemy keeps them as the pool was built.
        assert (pool._max_overflow, pool._recycle, pool._pre_ping) == (2, 600, False)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_statement_longer_than_the_timeout_is_cancelled(timed: Engine) -> None:
    with timed.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "200ms"
        with pytest.raises(OperationalError) as raised:
            conn.execute(text("SELECT pg_sleep(1)"))
    assert isinstance(raised.value.orig, QueryCanceled)
    assert "statement timeout" in str(raised.value.orig)


@pytest.mark.postgres
def test_the_connect_timeout_and_the_urls_own_options_are_passed(postgres_url: str) -> None:
    engine = make_engine(f"{postgres_url}?options=-c%20lock_timeout%3D1234", config=TIMEOUT)
    try:
        with engine.connect() as conn:
            given = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
            assert given["connect_timeout"] == "3"
            shown = conn.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
            assert (shown, conn.execute(text("SHOW statement_timeout")).scalar_one()) == (
                "1234ms",
                "200ms",
            )
            parallel = conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
            assert parallel == "0"
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_export_snapshot_has_no_statement_timeout(timed: Engine) -> None:
    with read_snapshot(engine=timed) as session:
        session.execute(text("SELECT pg_sleep(0.4)"))  # twice the timeout, and it finishes
    with timed.connect() as conn:  # for that transaction only: the next one has it again
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "200ms"


@pytest.mark.postgres
def test_an_engine_made_without_settings_has_no_statement_timeout(postgres_url: str) -> None:
    """The CLI's engines: an import or a migration may rightly run long."""
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    finally:
        engine.dispose()


def test_threaded_reads_on_sqlite_share_a_few_threads(empty_db: Database) -> None:
    """SQLite's threaded reads run at most db_local_threads at once (more only contend for the
    GIL); a server database's are bounded by the pool alone."""
    engine = make_engine(empty_db.url, config=Settings())
    db = Db(engine, local_threads=2)
    running, most = 0, 0
    lock = threading.Lock()

    def read(session: Session) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # long enough for every read sent to a thread to start
        session.execute(text("SELECT 1"))
        with lock:
            running -= 1

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for n in range(6):
                pinned = db if n % 2 else db.at(engine)  # `at` shares the limit
                group.start_soon(partial(pinned.run, read, thread=True))

    try:
        anyio.run(main)
    finally:
        engine.dispose()
    assert most == {"sqlite": 2, "postgresql": 6}[empty_db.kind]


def test_reads_hold_no_transaction_open_and_writes_do(empty_db: Database) -> None:
    """A read's statements run in autocommit on PostgreSQL (no BEGIN, no ROLLBACK: two round
    trips a request); a write's stay in one transaction."""
    engine = make_engine(empty_db.url, config=Settings())
    db = Db(engine)

    def in_transaction(session: Session) -> bool:
        session.execute(text("SELECT 1"))
        raw = session.connection().connection.dbapi_connection
        if empty_db.kind == "sqlite":
            return bool(raw.in_transaction)  # type: ignore[union-attr]
        return bool(raw.info.transaction_status != 0)  # type: ignore[union-attr]  # 0: IDLE

    async def main() -> tuple[bool, bool]:
        return await db.run(in_transaction), await db.write(in_transaction)

    try:
        read, write = anyio.run(main)
    finally:
        engine.dispose()
    assert (read, write) == (False, True)
