"""`make bench-scale` on PostgreSQL: the rows bench/scale_data made, in a throwaway cluster.

The synthetic rows are made once, in SQLite (bench/scale_data), then copied with COPY into a
new PostgreSQL database the migrations made, so both engines are timed on the same rows. The
copy runs as the cluster's superuser with `session_replication_role = replica` (foreign keys
and triggers wait; the rows come whole from a database that checked them), then moves every
serial column's sequence past its rows and vacuums. The cluster is .ci/postgres.sh's, or
the server BENCH_SCALE_POSTGRES_URL names (a database per size is created on it).
"""

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from bench.bench import ROOT

__all__ = ["copy_database", "drop_database", "postgres_server"]

BATCH = 10_000


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server to make databases on: BENCH_SCALE_POSTGRES_URL's, or a
    throwaway cluster's, stopped afterwards."""
    given = os.environ.get("BENCH_SCALE_POSTGRES_URL")
    if given:
        yield given
        return
    script = ROOT / ".ci" / "postgres.sh"
    out = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, check=True)
    folder, url = out.stdout.split()[:2]
    try:
        yield url
    finally:
        subprocess.run(["bash", str(script), "stop", folder], check=False)


def _create(server_url: str, name: str) -> str:
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(*, server_url: str, name: str) -> None:
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_database(*, sqlite_path: Path, server_url: str, name: str) -> str:
    """A new database `name` on the server, migrated, holding every row of the SQLite file;
    returns its SQLAlchemy URL."""
    began = time.perf_counter()
    url = _create(server_url, name)
    subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        env={**os.environ, "SPACEFACTS_DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    source = sqlite3.connect(sqlite_path)
    rows = 0
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        # The tables and columns the migrations made: every one the API has, whatever
        # models this process imported.
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
            " ORDER BY table_name, ordinal_position"
        ):
            columns.setdefault(table, []).append(column)
        for table, names in columns.items():
            listed = ", ".join(f'"{c}"' for c in names)
            cursor = source.execute(f'SELECT {listed} FROM "{table}"')
            with conn.cursor().copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy:
                while batch := cursor.fetchmany(BATCH):
                    for row in batch:
                        copy.write_row(row)
                    rows += len(batch)
        serials = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
            " AND (column_default LIKE 'nextval%%' OR is_identity = 'YES')"
        ).fetchall()
        for table, column in serials:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'coalesce(max("{column}"), 0) + 1, false) FROM "{table}"',
                (table, column),
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")  # the visibility map autovacuum keeps: index-only scans
    source.close()
    took = time.perf_counter() - began
    print(f"  copied {rows:,} rows to PostgreSQL database {name} in {took:.1f}s", file=sys.stderr)
    return url
