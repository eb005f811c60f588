"""Reads go to the read replica, except where it could hide this process's own writes
(app/replica.py). A second database, a copy of the seeded one that receives nothing unless a
test writes to it, stands in for the replica: a stale replica, on both engines."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import Settings
from app.db import Db, make_engine, write_session
from app.main import create_app
from app.models import KeyScope
from app.replica import Routing
from app.services.dataset import bump_version, current_version
from app.services.keys import create_key
from tests.api import client_for
from tests.conftest import Database, _pg_database, _pg_drop, seeded_template

MARK = "Replica-Only Space Administration"
NOTE = {
    "id": "replica-note",
    "title": "A note written to the primary",
    "language": "en",
    "text": "A note that only the primary holds until the replica catches up.",
}
HOUR = 3600.0


@pytest.fixture
def replica(
    request: pytest.FixtureRequest, tmp_path: Path, seeded_db: Database
) -> Iterator[Database]:
    """A second copy of the seed, on the engine under test."""
    template = make_url(seeded_template(request, seeded_db.kind)).database or ""
    if seeded_db.kind == "sqlite":
        path = tmp_path / "replica.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        server: str = request.getfixturevalue("postgres_url")
        url = _pg_database(server, template=template)
    engine = make_engine(url)
    try:
        yield Database(seeded_db.kind, url, engine)
    finally:
        engine.dispose()
        if seeded_db.kind != "sqlite":
            _pg_drop(request.getfixturevalue("postgres_url"), url)


def _client(primary: Database, replica: Database, *, ttl: float = 0.0) -> TestClient:
    config = Settings(rate_limit_enabled=False, version_ttl=ttl)
    app = create_app(config=config, db=primary.engine, replica=replica.engine)
    return TestClient(app, raise_server_exceptions=False)


def _mark(replica: Database) -> None:
    """Change CNSA's name in the replica only, where the API reads it: its stored document and
    its search row. (A real replica never differs so; here it shows who answered.)"""
    name = "China National Space Administration"
    with replica.engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE entity_document SET body = replace(body, :name, :mark) "
                "WHERE type = 'agency' AND id = 'cnsa'"
            ),
            {"name": name, "mark": MARK},
        ).rowcount
        changed += conn.execute(
            text("UPDATE search_document SET title = :mark WHERE id = 'agency:cnsa'"),
            {"mark": MARK},
        ).rowcount
    assert changed == 2


def _version(db: Database) -> int:
    with Session(db.engine) as session:
        return current_version(session=session)


def _token(db: Database) -> str:
    with write_session(db.engine) as session:
        return create_key(session, name="curator", scope=KeyScope.write)


def _name(client: TestClient, query: str = "") -> str:
    answer = client.get(f"/v1/agencies/cnsa{query}")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["name"])


def _search_titles(client: TestClient) -> set[str]:
    answer = client.get("/v1/search", params={"q": "China National Space", "type": "agency"})
    assert answer.status_code == 200, answer.text
    return {hit["title"] for hit in answer.json()["items"]}


def _served_version(client: TestClient) -> int:
    """The dataset version a collection's ETag is made from (`"<version>-…"`)."""
    answer = client.get("/v1/sources")
    assert answer.status_code == 200, answer.text
    return int(answer.headers["etag"].strip('"').split("-")[0])


def test_reads_go_to_the_replica(seeded_db: Database, replica: Database) -> None:
    _mark(replica)
    with _client(seeded_db, replica) as client:
        assert _name(client) == MARK  # a route on Db.run
        assert MARK in _search_titles(client)  # a sync route on a session (SessionDep)
    for plain in client_for(seeded_db):  # the same app without a replica reads the primary
        assert _name(plain) != MARK


def test_a_write_is_read_back_from_the_primary_until_the_replica_has_it(
    seeded_db: Database, replica: Database
) -> None:
    _mark(replica)
    token = _token(seeded_db)  # the primary's only: keys are read from the primary
    with _client(seeded_db, replica) as client:
        assert _name(client) == MARK
        assert client.get(f"/v1/sources/{NOTE['id']}").status_code == 404
        written = client.post(
            "/v1/sources", json=NOTE, headers={"Authorization": f"Bearer {token}"}
        )
        assert written.status_code == 201, written.text
        version = _version(seeded_db)
        assert _version(replica) < version  # the replica is stale

        # The stale replica cannot hide the write: this process reads the primary now.
        assert client.get(f"/v1/sources/{NOTE['id']}").json()["title"] == NOTE["title"]
        assert _name(client) != MARK
        assert _served_version(client) == version

        # The replica catches up (the same write, made on it): reads go back to it.
        for on_replica in client_for(replica):
            auth = {"Authorization": f"Bearer {_token(replica)}"}
            assert on_replica.post("/v1/sources", json=NOTE, headers=auth).status_code == 201
        assert _version(replica) == version
        # Another target: this process's stored answer at this version was the primary's
        # (rightly served again: a real replica holds the same data at the same version).
        assert _name(client, "?basis=all") == MARK
        assert client.get(f"/v1/sources/{NOTE['id']}").status_code == 200
        assert _served_version(client) == version


def test_a_write_outdates_a_version_read_from_the_replica_at_once(
    seeded_db: Database, replica: Database
) -> None:
    """Even with a version read that would stay fresh for an hour, and a write that no HTTP
    answer announced (nothing called expire()), the next read is the primary's."""
    _mark(replica)
    with _client(seeded_db, replica, ttl=HOUR) as client:
        assert _name(client) == MARK
        db: Db = client.app.state.db  # type: ignore[attr-defined]
        made = anyio.run(
            db.write,
            lambda s: bump_version(session=s, origin="test", summary={"note": "direct"}),
        )
        assert made == _version(seeded_db) > _version(replica)
        assert _name(client) != MARK
        assert _served_version(client) == made


def test_a_request_reads_where_its_version_was_read(
    seeded_db: Database, replica: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served at a version read from the replica, a request reads the replica, even if the
    routing's choice moves meanwhile (another request's re-read; here made to stay put)."""
    _mark(replica)
    with _client(seeded_db, replica) as client:
        assert _name(client) == MARK
        monkeypatch.setattr(Routing, "reads", lambda _self: seeded_db.engine)
        assert _name(client, "?basis=all") == MARK
        assert MARK in _search_titles(client)
