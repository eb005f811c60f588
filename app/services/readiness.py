"""What /readyz checks: the database answers, is migrated to this code's head, and holds data.

A load balancer or orchestrator asks often and acts on the answer, so the check is cheap (three
small reads on one connection) and bounded: past `timeout` seconds it is "database unreachable"
whatever the database is doing, and the thread still waiting on it is left to its own, shorter
than unbounded, connect and statement timeouts.
"""

import functools
import math
import time
from typing import Any

import anyio
import anyio.to_thread
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app import migrate
from app.models.revisions import DatasetVersion

UNREACHABLE = "database unreachable"
NO_DATA = "no data loaded"


@functools.cache
def script_revisions() -> tuple[str | None, frozenset[str]]:
    """The head revision of the migration scripts, and every revision they know.

    Read once per process: the scripts ship with the code and change only with a new process.
    """
    script = ScriptDirectory.from_config(migrate.alembic_config())
    known = frozenset(s.revision for s in script.walk_revisions())
    return script.get_current_head(), known


def migration_reason(*, at: str | None, head: str | None, known: frozenset[str]) -> str | None:
    """Why a database at revision `at` cannot serve this code, or None if it can.

    A revision these scripts do not know was made by newer code, mid-deploy: migrations are
    additive (expand first, contract in a later deploy), so the old replicas keep serving until
    the new ones are ready, rather than leaving the balancer with none.
    """
    if at == head or (at is not None and at not in known):
        return None
    return f"migrations behind: at {at or 'none'}, head is {head}"


def not_ready_reason(*, engine: Engine, head: str | None, known: frozenset[str]) -> str | None:
    """Why the database cannot serve yet, or None when it can (blocking: run it in a thread)."""
    try:
        with engine.connect() as conn:
            at = MigrationContext.configure(conn).get_current_revision()
            behind = migration_reason(at=at, head=head, known=known)
            if behind is not None:
                return behind
            latest = conn.execute(select(func.max(DatasetVersion.version))).scalar_one()
    except SQLAlchemyError:
        return UNREACHABLE
    return None if latest else NO_DATA


def probe_engine(engine: Engine, *, timeout: float) -> Engine:
    """The engine the check uses: on PostgreSQL its own, with short timeouts; else `engine`.

    No pool: each check opens a connection, so it also proves new connections can be made, and
    nothing is left open between checks. libpq's connect timeout is whole seconds, at least 2.
    """
    if engine.dialect.name != "postgresql":
        return engine  # SQLite is a local file: nothing to connect to over a network
    probe = create_engine(
        engine.url,
        poolclass=NullPool,
        connect_args={"connect_timeout": max(2, math.ceil(timeout))},
    )
    statement_ms = max(1, math.ceil(timeout * 1000))

    def limit_statements(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {statement_ms}")
        cursor.close()

    event.listen(probe, "connect", limit_statements)
    return probe


class Readiness:
    """The readiness check of one app, answered within `timeout` seconds."""

    def __init__(self, engine: Engine, *, timeout: float) -> None:
        self.engine = probe_engine(engine, timeout=timeout)
        self.timeout = timeout
        # Read here, not in the bounded check: loading the scripts is this process's own work,
        # and a slow start must not read as an unreachable database.
        self.head, self.known = script_revisions()
        self._started: float | None = None  # when the check still running began

    async def reason(self) -> str | None:
        """Why this process is not ready, or None when it is."""
        started = self._started
        if started is not None and time.monotonic() - started > self.timeout:
            # The last check is still waiting on the database, past its bound: do not add
            # another thread waiting beside it.
            return UNREACHABLE
        self._started = time.monotonic()
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(self._run, abandon_on_cancel=True)
        except TimeoutError:
            return UNREACHABLE

    def _run(self) -> str | None:
        try:
            return not_ready_reason(engine=self.engine, head=self.head, known=self.known)
        finally:
            self._started = None
