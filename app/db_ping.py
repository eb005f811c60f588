"""Testing a pooled PostgreSQL connection before use, only when it has sat idle.

SQLAlchemy's `pool_pre_ping` tests every checkout, and so adds a round trip to every request
that reads. What the test guards against, a server restarted or a proxy's or firewall's idle
cut, reaches connections that sat in the pool; a connection handed back a moment ago was
answering a moment ago. So a checkout tests the connection only when it has been idle at least
`idle` seconds. One in constant use meets a restart as an error on its next statement: SQLAlchemy
then replaces every pooled connection made before it (its optimistic disconnect handling), so a
restart under load costs the requests in flight, and those alone.
"""

import time
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["ping_when_idle"]

# In the entry's `info`, which SQLAlchemy empties when the connection is closed or replaced:
# a new connection has no idle time, and is not tested.
_IDLE_SINCE = "spacefacts.idle_since"


def ping_when_idle(engine: Engine, *, idle: float) -> None:
    """Test each connection `engine`'s pool hands out that was idle at least `idle` seconds;
    one that fails is replaced, with every connection made before it."""

    def checked_in(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        since = entry.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle:
            return
        try:
            _ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            # Raised from a checkout, this makes the pool drop the connection (and those made
            # before it) and check out another: the request never sees the dead one.
            raise exc.InvalidatePoolError(f"an idle connection failed its test: {err}") from err

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def _ping(dbapi_connection: Any) -> None:
    # In autocommit, so that the test opens no transaction the request's statements would then
    # run in (psycopg changes the mode without a round trip on an idle connection).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
    dbapi_connection.autocommit = autocommit
