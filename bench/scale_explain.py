"""Where a slow call's time goes, for `make bench-scale` to name a miss's cause with figures.

One run of the call with every statement it sends timed at the driver (from the cursor's
execute to its return: the round trip, the server's planning and execution, and on SQLite the
first step), then each statement again under EXPLAIN ANALYZE on PostgreSQL (the server's own
planning and execution times) or run to its last row on SQLite (the longer of that and the
driver's time counts as the statement's). What no statement accounts for is Python: building
the statements, reading rows, building the page.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, event

from app.db import read_connection

__all__ = ["Breakdown", "breakdown"]


@dataclass
class Statement:
    sql: str
    wall_ms: float  # at the driver, within the call
    planning_ms: float | None = None  # PostgreSQL's EXPLAIN ANALYZE
    execution_ms: float | None = None  # EXPLAIN ANALYZE's, or a full run's on SQLite


@dataclass
class Breakdown:
    total_ms: float
    statements: list[Statement] = field(default_factory=list)

    def __str__(self) -> str:
        # SQLite's execute returns at the first row and the rest is read as rows are fetched,
        # inside the call's Python time: a statement's full run counts as its time instead.
        driver = sum(max(s.wall_ms, s.execution_ms or 0.0) for s in self.statements)
        # Runs of statements that start alike (a walk's probes) are summed into one group.
        groups: list[tuple[str, list[Statement]]] = []
        for s in self.statements:
            what = " ".join(s.sql.split()[:2]).lower()
            if groups and groups[-1][0] == what:
                groups[-1][1].append(s)
            else:
                groups.append((what, [s]))
        parts = []
        for what, run in groups:
            executed = [s.execution_ms for s in run if s.execution_ms is not None]
            planned = [s.planning_ms for s in run if s.planning_ms is not None]
            server = f"exec {sum(executed):.2f}" if executed else "exec -"
            if planned:
                server = f"plan {sum(planned):.2f} + {server}"
            times = f"{len(run)}x " if len(run) > 1 else ""
            wall = sum(s.wall_ms for s in run)
            parts.append(f"[{times}{what}… {server}; {wall:.2f} at the driver]")
        return (
            f"{self.total_ms:.2f} ms: {len(self.statements)} statements, "
            f"{driver:.2f} ms in the database and driver, "
            # A statement run again may take longer than it did in the call: no negative rest.
            f"{max(self.total_ms - driver, 0.0):.2f} ms in Python; " + " ".join(parts)
        )


def _explain(engine: Engine, statement: Statement, parameters: Any) -> None:
    if not statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            raw = conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {statement.sql}", parameters
            ).scalar_one()
            plan = raw if isinstance(raw, list) else orjson.loads(raw)
            statement.planning_ms = float(plan[0]["Planning Time"])
            statement.execution_ms = float(plan[0]["Execution Time"])
            return
        began = time.perf_counter()
        conn.exec_driver_sql(statement.sql, parameters).fetchall()
        statement.execution_ms = (time.perf_counter() - began) * 1000


def breakdown(engine: Engine, call: Callable[[Connection], object]) -> Breakdown:
    """One more run of `call` (warm: the caller has timed it), taken apart."""
    sent: list[tuple[Statement, Any]] = []
    began: list[float] = []

    def before(*_: Any) -> None:
        began.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        sent.append((Statement(sql, (time.perf_counter() - began.pop()) * 1000), parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with read_connection(engine) as connection:
            start = time.perf_counter()
            call(connection)
            total = (time.perf_counter() - start) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    for statement, parameters in sent:
        _explain(engine, statement, parameters)
    return Breakdown(total, [s for s, _ in sent])
