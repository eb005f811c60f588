"""The app factory serves /healthz from the seeded database."""

import gc
import signal
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient
from opentelemetry import trace
from sqlmodel import Session

from app import serving
from app.db import get_session
from app.main import create_app, serve_app
from app.services.search_index import _word_pattern
from tests.api import client_for
from tests.conftest import Database


def _client(db: Database) -> Iterator[TestClient]:
    app = create_app()

    def session_override() -> Iterator[Session]:
        with Session(db.engine) as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(seeded_db: Database) -> Iterator[TestClient]:
    yield from _client(seeded_db)


def test_healthz_reports_the_dataset_version(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "dataset_version": 1}


def test_healthz_is_503_on_an_unmigrated_database(empty_db: Database) -> None:
    for client in _client(empty_db):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/service-unavailable"


def test_the_served_app_freezes_what_it_built() -> None:
    gc.unfreeze()
    _word_pattern.cache_clear()
    try:
        app = serve_app()
        assert gc.get_freeze_count() > 0
        assert app.title == "spacefacts"
        # The tokenizer's pattern (0.2 s to build) is built before the first search needs it.
        assert _word_pattern.cache_info().currsize == 1
        assert app.openapi_schema is not None
    finally:
        gc.unfreeze()


def test_serve_runs_on_asyncios_own_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvloop served some connections of a saturated worker hundreds of ms late (bench p99)."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(signal, "signal", lambda *_: None)
    serving.run(
        app="app.main:serve_app",
        host="127.0.0.1",
        port=8000,
        workers=1,
        trusted_proxies="",
        shutdown_grace=1,
    )
    assert [call["loop"] for call in calls] == ["asyncio"]


@pytest.mark.parametrize("on", [False, True])
def test_opentelemetry_is_looked_for_only_when_asked(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch, on: bool
) -> None:
    """Off (the default), no request asks OpenTelemetry for its providers (3% of a hit)."""
    looked: list[str] = []
    provider = trace.get_tracer_provider

    def counted() -> trace.TracerProvider:
        looked.append("tracer")
        return provider()

    monkeypatch.setattr(trace, "get_tracer_provider", counted)
    for client in client_for(seeded_db, opentelemetry=on):
        assert client.get("/v1/programs/ilrs").status_code == 200
    assert bool(looked) is on
