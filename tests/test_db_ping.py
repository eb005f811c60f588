"""A pooled connection is tested before use only once it has sat idle (app/db_ping.py): one
cut while idle is replaced before a request sees it; one used a moment ago is not tested, and
its failure replaces the pool's connections for the next request. SQLite's are never tested."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from app import db_ping
from app.config import Settings
from app.db import make_engine
from tests.conftest import Database

IDLE = 0.3


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The connections tested, in order."""
    tested: list[object] = []
    ping = db_ping._ping

    def counted(dbapi_connection: object) -> None:
        tested.append(dbapi_connection)
        ping(dbapi_connection)

    monkeypatch.setattr(db_ping, "_ping", counted)
    return tested


@pytest.fixture
def pooled(empty_db: Database) -> Iterator[Engine]:
    """A serving engine of one pooled connection."""
    config = Settings(db_pool_size=1, db_max_overflow=0, db_pool_ping_idle=IDLE)
    engine = make_engine(empty_db.url, config=config)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("SELECT 1"))
            return id(conn.connection.dbapi_connection)
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _cut(url: str, pid: int) -> None:
    admin = make_engine(url)
    try:
        with admin.connect() as conn:
            assert conn.execute(text(f"SELECT pg_terminate_backend({pid})")).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_cut_while_idle_is_replaced_before_use(
    empty_db: Database, pooled: Engine, pings: list[object]
) -> None:
    first = _backend(pooled)
    if empty_db.kind == "postgresql":
        _cut(empty_db.url, first)
    time.sleep(IDLE + 0.1)
    second = _backend(pooled)
    if empty_db.kind == "sqlite":
        assert (second, pings) == (first, [])  # the same file connection, never tested
        return
    assert second != first
    assert len(pings) == 1


def test_a_connection_used_a_moment_ago_is_not_tested(
    empty_db: Database, pooled: Engine, pings: list[object]
) -> None:
    first = _backend(pooled)
    if empty_db.kind == "sqlite":
        assert (_backend(pooled), pings) == (first, [])
        return
    _cut(empty_db.url, first)
    # The cost of not testing: the statement on the cut connection fails...
    with pytest.raises(OperationalError), pooled.connect() as conn:
        conn.execute(text("SELECT 1"))
    # ...and the next checkout gets a new one, untested.
    assert _backend(pooled) != first
    assert pings == []


def test_testing_every_checkout_is_still_a_setting(empty_db: Database) -> None:
    engine = make_engine(empty_db.url, config=Settings(db_pool_ping_idle=0))
    try:
        # No public accessor: SQLAlchemy keeps it as the pool was built.
        assert engine.pool._pre_ping is (empty_db.kind == "postgresql")
    finally:
        engine.dispose()
