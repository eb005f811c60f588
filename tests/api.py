"""A test client on an app built over the test's own database."""

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import Database


def client_for(db: Database, **settings: Any) -> Iterator[TestClient]:
    config = Settings(**{"rate_limit_enabled": False, "version_ttl": 0.0, **settings})
    with TestClient(
        create_app(config=config, db=db.engine), raise_server_exceptions=False
    ) as client:
        yield client


def ids(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [item.get("id", item.get("code")) for item in response.json()["items"]]
