"""Caching beside the write API: answers to requests with credentials are private and never
in the shared response cache, and a write is served at once by the worker that made it."""

import asyncio
import time
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Body, Request
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.db import Db, write_session
from app.routes.bodies import WriteRoute
from app.services import dataset
from app.services.dataset import VersionWatcher, bump_version
from tests.conftest import Database
from tests.extra_routes import client_with

URL = "/v1/programs/ilrs"
KEY = {"Authorization": "Bearer any-token-the-cache-layer-does-not-check"}
HOUR = 3600.0  # a version bound no test waits for: what it sees at once comes from expire()

router = APIRouter(route_class=WriteRoute, prefix="/test", tags=["meta"])


@router.post("/changes", status_code=201)
async def record_change(
    request: Request, summary: Annotated[str, Body(embed=True, max_length=40)]
) -> dict[str, int]:
    db: Db = request.app.state.db
    version = await db.write(
        lambda session: bump_version(session=session, origin="test", summary={"note": summary})
    )
    return {"version": version}


@router.get("/version")
async def read_serving_version(request: Request) -> dict[str, int]:
    """The dataset version the cache layer serves this request at (and keys its ETag on)."""
    return {"version": request.state.serving.version}


class Statements:
    """Counts the SQL statements an engine runs: none means the answer came from the cache."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: object) -> None:
        self.count += 1

    def during(self, client: TestClient, method: str, url: str, **kwargs: Any) -> Any:
        self.count = 0
        response = client.request(method, url, **kwargs)
        return response, self.count


@pytest.fixture
def statements(seeded_db: Database) -> Iterator[Statements]:
    counter = Statements()
    event.listen(seeded_db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(seeded_db.engine, "before_cursor_execute", counter)


@pytest.fixture
def client(seeded_db: Database) -> Iterator[TestClient]:
    yield from client_with(seeded_db, router, version_ttl=HOUR)


def _private(response: Any) -> None:
    assert response.status_code in (200, 304), response.text
    assert response.headers["cache-control"] == "private, no-cache"
    assert "public" not in response.headers["cache-control"]
    assert "s-maxage" not in response.headers["cache-control"]


def test_an_answer_to_a_request_with_credentials_is_private_and_not_stored(
    client: TestClient, statements: Statements
) -> None:
    for _ in range(2):
        keyed, queries = statements.during(client, "GET", URL, headers=KEY)
        _private(keyed)
        assert queries > 0  # the route answered: nothing was served from, or kept in, the store
    public, queries = statements.during(client, "GET", URL)
    assert queries > 0  # a miss: the keyed answers were not stored
    assert public.headers["cache-control"].startswith("public")
    assert public.headers["etag"] == keyed.headers["etag"]  # the same representation
    assert public.content == keyed.content
    _, queries = statements.during(client, "GET", URL)
    assert queries == 0  # and now a hit, so a miss above is told apart from a hit


def test_a_stored_public_answer_is_not_served_to_a_request_with_credentials(
    client: TestClient, statements: Statements
) -> None:
    client.get(URL)
    _, queries = statements.during(client, "GET", URL)
    assert queries == 0  # stored
    for method in ("GET", "HEAD"):
        keyed, queries = statements.during(client, method, URL, headers=KEY)
        _private(keyed)
        assert queries > 0
    etag = client.get(URL).headers["etag"]
    revalidated, _ = statements.during(client, "GET", URL, headers={**KEY, "If-None-Match": etag})
    assert revalidated.status_code == 304
    _private(revalidated)


def _write_elsewhere(db: Database) -> None:
    """A change made by another worker: this one may serve the old version for `HOUR`."""
    with write_session(db.engine) as session:
        bump_version(session=session, origin="test", summary={"note": "elsewhere"})


def test_a_write_is_served_at_once_by_the_worker_that_made_it(
    client: TestClient, seeded_db: Database
) -> None:
    def served() -> tuple[int, str]:
        response = client.get("/test/version")
        assert response.status_code == 200, response.text
        return response.json()["version"], response.headers["etag"]

    version, etag = served()
    assert (version, etag[:3]) == (1, '"1-')
    _write_elsewhere(seeded_db)
    assert served() == (1, etag)  # within the bound: not yet re-read
    refused = client.post("/test/changes", json={"summary": "x" * 41})
    assert refused.status_code == 422
    assert served() == (1, etag)  # a refused write makes nothing re-read
    made = client.post("/test/changes", json={"summary": "a note"})
    assert made.status_code == 201
    assert made.json() == {"version": 3}
    version, after = served()
    assert (version, after[:3]) == (3, '"3-')
    assert client.get("/test/version", headers={"If-None-Match": etag}).status_code == 200


def test_a_reading_begun_before_a_write_is_not_trusted_after_it(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    watcher = VersionWatcher(seeded_db.engine, ttl=HOUR)
    read = dataset.read_version_info

    def read_while_a_write_lands(*, session: Any) -> dataset.VersionInfo:
        info = read(session=session)
        _write_elsewhere(seeded_db)
        watcher.expire()  # the write's answer went out while this reading was under way
        return info

    monkeypatch.setattr(dataset, "read_version_info", read_while_a_write_lands)
    assert watcher.current().version == 1
    assert watcher.cached() is None  # stale: it may predate the write
    monkeypatch.setattr(dataset, "read_version_info", read)
    assert watcher.current().version == 2
    assert watcher.cached() == watcher.current()


def test_a_reading_is_re_read_ahead_of_its_end_while_still_served(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past AHEAD of its bound a reading is still served at once, and re-read meanwhile: a
    request at its end finds the new one instead of waiting for a query."""
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    watcher = VersionWatcher(seeded_db.engine, ttl=HOUR)
    assert watcher.current().version == 1
    _write_elsewhere(seeded_db)

    async def serve_at(moment: float) -> int:
        now[0] = 1000.0 + moment
        reading = watcher.serve()
        assert reading is not None  # served without waiting
        if watcher._refresh is not None:
            await watcher._refresh
        return reading.info.version

    async def scenario() -> list[int]:
        early = await serve_at(HOUR * dataset.AHEAD * 0.9)  # not due: nothing re-read
        fresh = watcher.latest()
        assert fresh is not None
        assert fresh.info.version == 1
        due = await serve_at(HOUR * dataset.AHEAD)  # due: the old one served, re-read behind
        after = watcher.latest()
        assert after is not None
        return [early, due, after.info.version]

    assert asyncio.run(scenario()) == [1, 1, 2]
    now[0] = 1000.0 + HOUR * 1.5  # the re-read began at AHEAD: fresh for a whole bound since
    assert watcher.cached() == dataset.VersionInfo(2, watcher.current().created_at)
