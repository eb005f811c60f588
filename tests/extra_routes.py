"""An app over a test's own database with test-only routes mounted beside the real ones."""

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import Database


def client_with(db: Database, router: APIRouter, **settings: Any) -> Iterator[TestClient]:
    """Like tests.api.client_for, with `router`'s routes added after the app's own."""
    config = Settings(
        **{"rate_limit_enabled": False, "version_ttl": 0.0, "access_log": False, **settings}
    )
    app = create_app(config=config, db=db.engine)
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
