"""Every database test runs twice: on SQLite and on PostgreSQL, each on a database of its own.

PostgreSQL comes from SPACEFACTS_TEST_POSTGRES_URL when set, else from a throwaway cluster
started by .ci/postgres.sh when the binaries are here. Without either, the PostgreSQL half is
skipped with one reason line, except with CI=true, where it is an error.
"""

import os
import shutil
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
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


def _pg_database(server: str, *, template: str | None = None) -> str:
    """Create a database on the server (a copy of template, if given); returns its URL."""
    name = f"spacefacts_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _pg_drop(server: str, url: str) -> None:
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Per engine, a migrated and seeded database that tests copy instead of rebuilding."""
    return {"dir": str(tmp_path_factory.mktemp("templates"))}


def seeded_template(request: pytest.FixtureRequest, kind: str) -> str:
    templates: dict[str, str] = request.getfixturevalue("seeded_templates")
    if kind in templates:
        return templates[kind]
    if kind == "sqlite":
        url = f"sqlite:///{Path(templates['dir']) / 'seeded.db'}"
    else:
        url = _pg_database(request.getfixturevalue("postgres_url"))
    migrate.upgrade(url)
    engine = make_engine(url)
    load_seed(engine=engine, seed_dir=SEED_DIR)
    engine.dispose()  # a PostgreSQL template must have no open connections
    templates[kind] = url
    return url


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _database(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str, *, seeded: bool
) -> Iterator[Database]:
    if kind == "sqlite":
        path = tmp_path / "test.db"
        if seeded:
            shutil.copyfile(make_url(seeded_template(request, kind)).database or "", path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine)
        engine.dispose()
        return
    server: str = request.getfixturevalue("postgres_url")
    template = make_url(seeded_template(request, kind)).database if seeded else None
    url = _pg_database(server, template=template)
    engine = make_engine(url)
    try:
        yield Database("postgresql", url, engine)
    finally:
        engine.dispose()
        _pg_drop(server, url)


@pytest.fixture
def empty_db(
    request: pytest.FixtureRequest, tmp_path: Path, engine_kind: str
) -> Iterator[Database]:
    """A new, empty database on the engine under test."""
    yield from _database(request, tmp_path, engine_kind, seeded=False)


@pytest.fixture
def migrated_db(empty_db: Database) -> Database:
    """A database at the latest migration, holding no data."""
    migrate.upgrade(empty_db.url)
    return empty_db


@pytest.fixture
def seeded_db(
    request: pytest.FixtureRequest, tmp_path: Path, engine_kind: str
) -> Iterator[Database]:
    """A database of its own at the latest migration, holding the project's seed."""
    yield from _database(request, tmp_path, engine_kind, seeded=True)


@pytest.fixture
def api(seeded_db: Database) -> Iterator[TestClient]:
    """A client of an app built over this test's own seeded database."""
    from tests.api import client_for

    yield from client_for(seeded_db)


@pytest.fixture(scope="module", params=ENGINES)
def _module_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Engine]]:
    from tests.api import client_for

    tmp = tmp_path_factory.mktemp("module-db")
    for db in _database(request, tmp, str(request.param), seeded=True):
        for client in client_for(db):
            yield client, db.engine


@pytest.fixture
def read_api(_module_api: tuple[TestClient, Engine]) -> Iterator[TestClient]:
    """A client of one app and seeded database shared by a module's tests, for tests that only
    read: building both per test costs about as much as the test. A test that changes the
    dataset through it fails here, since it would leak into the module's other tests."""
    client, engine = _module_api
    before = _dataset_version(engine)
    yield client
    assert _dataset_version(engine) == before, "a read_api test changed the shared dataset"


def _dataset_version(engine: Engine) -> int:
    from sqlmodel import Session

    from app.services.dataset import current_version

    with Session(engine) as session:
        return current_version(session=session)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the seed folder that a test may edit."""
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per engine, so a run shows the PostgreSQL half was counted, not skipped."""
    tally: dict[str, dict[str, int]] = {}
    calls: Counter[str] = Counter()  # Schemathesis cases run, per engine
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            calls.update(
                str(value)
                for name, value in getattr(report, "user_properties", ())
                if name == "schemathesis_case"
            )
            for engine in ("sqlite", "postgresql"):
                if f"[{engine}" in nodeid or f"-{engine}]" in nodeid or f"-{engine}-" in nodeid:
                    counts = tally.setdefault(engine, {})
                    counts[outcome] = counts.get(outcome, 0) + 1
    for engine, counts in sorted(tally.items()):
        parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"engine {engine}: {parts}")
    if calls:
        line = ", ".join(f"{engine} {n}" for engine, n in sorted(calls.items()))
        terminalreporter.write_line(f"schemathesis cases: {line}")
