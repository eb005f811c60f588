"""/livez answers whatever the database does; /readyz says whether the database can serve, and
if not, why, within its timeout."""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, create_engine, event, text

from app import migrate
from app.config import Settings
from app.main import create_app
from app.services import readiness
from tests.api import client_for
from tests.conftest import ENGINES, Database
from tests.processes import free_port

# The bound on the check is tested on its own below; the tests of what it says give it room,
# since a shared CI machine has taken over a second to open a PostgreSQL connection.
ROOMY = 30.0


def _unreachable(kind: str, tmp_path: Path) -> Engine:
    """An engine whose database cannot be opened: a path under a file, or a closed port."""
    if kind == "sqlite":
        (tmp_path / "a-file").write_text("not a directory")
        return create_engine(f"sqlite:///{tmp_path / 'a-file' / 'spacefacts.db'}")
    return create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")


def _client(engine: Engine, **settings: Any) -> Iterator[TestClient]:
    config = Settings(**{"rate_limit_enabled": False, "access_log": False, **settings})
    with TestClient(create_app(config=config, db=engine), raise_server_exceptions=False) as c:
        yield c


def _not_ready(response: Response, reason: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["type"] == "/problems/service-unavailable"
    assert body["detail"] == f"Not ready: {reason}."


def _head() -> str:
    head = migrate.head_revision()
    assert head is not None
    return head


def test_livez_and_readyz_are_200_on_a_seeded_database(seeded_db: Database) -> None:
    for client in client_for(seeded_db, readiness_timeout=ROOMY):
        for url in ("/livez", "/readyz", "/readyz", "/healthz"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.text)
            assert response.headers["cache-control"] == "no-store", url
            # Bypassed by the response cache: it would add validators and make it public.
            assert "etag" not in response.headers, url
        assert client.get("/livez").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ok"}
        assert client.head("/readyz").status_code == 200


def test_livez_never_touches_the_database(seeded_db: Database) -> None:
    statements: list[str] = []
    event.listen(seeded_db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for client in client_for(seeded_db, readiness_timeout=ROOMY):
        assert client.get("/livez").status_code == 200
        assert statements == []
        assert client.get("/healthz").status_code == 200
        assert statements  # the listener sees what routes ask, so the first check means it


def test_livez_is_200_and_readyz_503_when_the_database_is_unreachable(
    engine_kind: str, tmp_path: Path
) -> None:
    for client in _client(_unreachable(engine_kind, tmp_path)):
        live = client.get("/livez")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        assert live.headers["cache-control"] == "no-store"
        _not_ready(client.get("/readyz"), "database unreachable")
        assert client.get("/healthz").status_code == 503  # the alias, as it always was


def test_readyz_says_migrations_are_behind(migrated_db: Database) -> None:
    head = _head()
    migrate.downgrade(migrated_db.url, "-1")
    previous = migrate.current_revision(migrated_db.engine)
    assert previous not in (None, head)
    for client in client_for(migrated_db, readiness_timeout=ROOMY):
        _not_ready(client.get("/readyz"), f"migrations behind: at {previous}, head is {head}")
        assert client.get("/livez").status_code == 200


def test_readyz_says_an_empty_database_is_not_migrated(empty_db: Database) -> None:
    for client in client_for(empty_db, readiness_timeout=ROOMY):
        _not_ready(client.get("/readyz"), f"migrations behind: at none, head is {_head()}")


def test_readyz_serves_on_a_database_migrated_by_newer_code(seeded_db: Database) -> None:
    with seeded_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    for client in client_for(seeded_db, readiness_timeout=ROOMY):
        assert client.get("/readyz").status_code == 200


def test_readyz_says_no_data_until_a_dataset_is_loaded(migrated_db: Database) -> None:
    for client in client_for(migrated_db, readiness_timeout=ROOMY):
        _not_ready(client.get("/readyz"), "no data loaded")


def test_readyz_answers_within_its_timeout_when_the_check_hangs(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check blocks until released (bounded only so a broken cut-off fails instead of
    # hanging): both answers must come while it is still blocked.
    release = threading.Event()
    calls: list[str] = []

    def hangs(**_: object) -> str | None:
        calls.append("started")
        release.wait(timeout=60)
        return None

    monkeypatch.setattr(readiness, "not_ready_reason", hangs)
    for client in client_for(seeded_db, readiness_timeout=0.2):
        try:
            _not_ready(client.get("/readyz"), "database unreachable")
            _not_ready(client.get("/readyz"), "database unreachable")
            assert not release.is_set()
            # The second answer did not start another check beside the one still waiting.
            assert calls == ["started"]
        finally:
            release.set()  # the abandoned thread ends while its event loop still runs


@pytest.mark.parametrize("kind", [p for p in ENGINES if p != "sqlite"])
def test_readyz_on_a_server_that_never_answers(kind: str) -> None:
    """A PostgreSQL address that accepts connections and then says nothing: a hung server."""
    assert kind == "postgresql"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere")
        for client in _client(engine, readiness_timeout=0.3):
            _not_ready(client.get("/readyz"), "database unreachable")
            assert client.get("/livez").status_code == 200
            time.sleep(2.5)  # psycopg's own connect timeout (2 s) ends the abandoned attempt
