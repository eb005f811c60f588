"""Every database test runs twice: on SQLite and on PostgreSQL, each on a database of its own.

PostgreSQL comes from SPACEFACTS_TEST_POSTGRES_URL when set, else from a throwaway cluster
started by .ci/postgres.sh when the binaries are here. Without either, the PostgreSQL half is
skipped with one reason line, except with CI=true, where it is an error.
"""

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.services.seed import load_seed

SEED_DIR = PROJECT_ROOT / "seed"
PG_SCRIPT = PROJECT_ROOT / ".ci" / "postgres.sh"
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database, for creating test databases."""
    given = os.environ.get("SPACEFACTS_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    started = subprocess.run(
        ["bash", str(PG_SCRIPT), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        reason = started.stderr.strip().splitlines()[-1] if started.stderr.strip() else "failed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required with CI=true: {reason}")
        pytest.skip(f"PostgreSQL half skipped: {reason} (install postgresql to run it)")
    data_dir, url = started.stdout.strip().splitlines()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(PG_SCRIPT), "stop", data_dir], check=False)


@pytest.fixture(params=ENGINES)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database on the engine under test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine)
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_url")
    name = f"spacefacts_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        yield Database("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migrated_db(empty_db: Database) -> Database:
    """A database at the latest migration, holding no data."""
    migrate.upgrade(empty_db.url)
    return empty_db


@pytest.fixture
def seeded_db(migrated_db: Database) -> Database:
    """A database at the latest migration, loaded with the project's seed."""
    load_seed(engine=migrated_db.engine, seed_dir=SEED_DIR)
    return migrated_db


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the seed folder that a test may edit."""
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per engine, so a run shows the PostgreSQL half was counted, not skipped."""
    tally: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for engine in ("sqlite", "postgresql"):
                if f"[{engine}" in nodeid or f"-{engine}]" in nodeid or f"-{engine}-" in nodeid:
                    counts = tally.setdefault(engine, {})
                    counts[outcome] = counts.get(outcome, 0) + 1
    for engine, counts in sorted(tally.items()):
        parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"engine {engine}: {parts}")
