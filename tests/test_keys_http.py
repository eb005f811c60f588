"""The bearer dependencies through test-only routes: each refusal, the limits, the logs."""

import logging
import secrets
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import event

from app import auth
from app.auth import AdminCaller, WriteCaller
from app.config import Settings
from app.main import create_app
from app.models.keys import KeyScope
from tests.conftest import Database
from tests.test_keys import make_key

REALM = 'Bearer realm="spacefacts"'
# Windows are aligned to the clock: a day-long one keeps a test from straddling a reset.
DAY = 86400


def _app(db: Database, **settings: Any) -> FastAPI:
    """An app as served, plus a write and an admin route that only echo their caller."""
    config = Settings(**{"rate_limit_enabled": False, "version_ttl": 0.0, **settings})
    app = create_app(config=config, db=db.engine)

    async def write(caller: WriteCaller) -> dict[str, str]:
        return {"name": caller.name, "scope": caller.scope.value}

    async def admin(caller: AdminCaller) -> dict[str, str]:
        return {"name": caller.name, "scope": caller.scope.value}

    app.add_api_route("/v1/_test_write", write, methods=["POST"], tags=["test"])
    app.add_api_route("/v1/_test_admin", admin, methods=["POST"], tags=["test"])
    return app


def _client(db: Database, **settings: Any) -> Iterator[TestClient]:
    with TestClient(_app(db, **settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def guarded(seeded_db: Database) -> Iterator[TestClient]:
    yield from _client(seeded_db)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _problem(response: Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    return body


def test_the_dependencies_answer_each_case(seeded_db: Database, guarded: TestClient) -> None:
    read = make_key(seeded_db, "reader", KeyScope.read)
    write = make_key(seeded_db, "writer", KeyScope.write)
    admin = make_key(seeded_db, "admin", KeyScope.admin)
    revoked = make_key(seeded_db, "former", KeyScope.admin, revoked=True)
    unknown = "sf_" + secrets.token_urlsafe(32)
    invalid = f'{REALM}, error="invalid_token"'
    refusals = [
        ("write", {}, 401, "unauthorized", REALM),
        ("write", {"Authorization": f"Basic {write}"}, 401, "unauthorized", REALM),
        ("write", {"Authorization": "Bearer "}, 401, "unauthorized", REALM),
        ("write", {"Authorization": write}, 401, "unauthorized", REALM),
        ("write", _bearer(unknown), 401, "unauthorized", invalid),
        ("write", _bearer(revoked), 401, "unauthorized", invalid),
        ("admin", _bearer(revoked), 401, "unauthorized", invalid),
        (
            "write",
            _bearer(read),
            403,
            "forbidden",
            f'{REALM}, error="insufficient_scope", scope="write"',
        ),
        (
            "admin",
            _bearer(write),
            403,
            "forbidden",
            f'{REALM}, error="insufficient_scope", scope="admin"',
        ),
    ]
    for route, headers, status, kind, challenge in refusals:
        response = guarded.post(f"/v1/_test_{route}", headers=headers)
        where = f"{route} {headers}"
        body = _problem(response, status, kind)
        assert response.headers["www-authenticate"] == challenge, where
        for token in (read, write, admin, revoked, unknown):
            assert token not in response.text, where
            assert token not in str(response.headers), where
        assert body["instance"] == f"/v1/_test_{route}"
    accepted = [
        ("write", write, {"name": "writer", "scope": "write"}),
        ("write", admin, {"name": "admin", "scope": "admin"}),
        ("admin", admin, {"name": "admin", "scope": "admin"}),
    ]
    for route, token, caller in accepted:
        response = guarded.post(f"/v1/_test_{route}", headers=_bearer(token))
        assert response.status_code == 200, response.text
        assert response.json() == caller
    # Reads stay public, with or without a key, even an unknown one.
    for headers in ({}, _bearer(read), _bearer(unknown)):
        assert guarded.get("/v1/programs/ilrs", headers=headers).status_code == 200


def test_openapi_shows_the_bearer_scheme_and_scope(guarded: TestClient) -> None:
    document = guarded.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert "spacefacts keys create" in scheme["description"]
    paths = document["paths"]
    assert paths["/v1/_test_write"]["post"]["security"] == [{"bearer": ["write"]}]
    assert paths["/v1/_test_admin"]["post"]["security"] == [{"bearer": ["admin"]}]
    assert paths["/v1/programs/{program_id}"]["get"].get("security", []) == []


def test_writes_are_limited_permake_key(seeded_db: Database) -> None:
    first = make_key(seeded_db, "first", KeyScope.write)
    second = make_key(seeded_db, "second", KeyScope.admin)
    for client in _client(
        seeded_db, rate_limit_enabled=True, write_rate_limit=2, rate_limit_window=DAY
    ):
        for _ in range(2):
            assert client.post("/v1/_test_write", headers=_bearer(first)).status_code == 200
        refused = client.post("/v1/_test_write", headers=_bearer(first))
        body = _problem(refused, 429, "rate-limited")
        assert body["detail"] == f"More than 2 writes in {DAY} s with this key."
        assert 1 <= int(refused.headers["retry-after"]) <= DAY
        # Counted per key, across write and admin operations alike.
        assert client.post("/v1/_test_admin", headers=_bearer(second)).status_code == 200
        assert client.post("/v1/_test_write", headers=_bearer(second)).status_code == 200
        assert client.post("/v1/_test_admin", headers=_bearer(second)).status_code == 429


def test_writes_are_not_counted_with_rate_limits_off(seeded_db: Database) -> None:
    token = make_key(seeded_db, "busy", KeyScope.write)
    for client in _client(seeded_db, write_rate_limit=1, auth_failure_limit=1):
        for _ in range(3):
            assert client.post("/v1/_test_write", headers=_bearer(token)).status_code == 200
        for _ in range(3):
            bad = client.post("/v1/_test_write", headers=_bearer("sf_nope"))
            assert bad.status_code == 401


def test_failed_authentications_slow_their_client(seeded_db: Database) -> None:
    token = make_key(seeded_db, "valid", KeyScope.write)
    for client in _client(
        seeded_db, rate_limit_enabled=True, auth_failure_limit=3, rate_limit_window=DAY
    ):
        for _ in range(3):  # counted once each, by the limiter in front or by the route
            guess = client.post("/v1/_test_write", headers=_bearer(secrets.token_urlsafe(32)))
            _problem(guess, 401, "unauthorized")
        refused = client.post("/v1/_test_write", headers=_bearer(token))
        body = _problem(refused, 429, "rate-limited")
        assert (
            body["detail"] == "Too many failed authentications from this client; try again later."
        )
        assert 1 <= int(refused.headers["retry-after"]) <= DAY
        assert token not in refused.text
        # Without credentials the answer is still the challenge; reads stay served.
        _problem(client.post("/v1/_test_write"), 401, "unauthorized")
        assert client.get("/v1/programs/ilrs", headers=_bearer(token)).status_code == 200


def test_failures_on_reads_count_too(seeded_db: Database) -> None:
    token = make_key(seeded_db, "valid", KeyScope.write)
    for client in _client(
        seeded_db, rate_limit_enabled=True, auth_failure_limit=2, rate_limit_window=DAY
    ):
        for _ in range(2):
            read = client.get("/v1/programs/ilrs", headers=_bearer(secrets.token_urlsafe(32)))
            assert read.status_code == 200
        _problem(client.post("/v1/_test_write", headers=_bearer(token)), 429, "rate-limited")


def _count_key_queries(db: Database) -> list[str]:
    queries: list[str] = []

    def seen(*args: Any) -> None:
        statement = str(args[2])
        if "api_key" in statement:
            queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    return queries


def test_random_tokens_do_not_flood_the_database(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trusted for the whole test: on a loaded machine five requests can outlast the 5 s.
    monkeypatch.setattr(auth, "KEY_CACHE_TTL", 3600.0)
    token = make_key(seeded_db, "reader", KeyScope.read)
    queries = _count_key_queries(seeded_db)
    for client in _client(
        seeded_db, rate_limit_enabled=True, auth_failure_limit=3, rate_limit_window=DAY
    ):
        for _ in range(5):  # a valid key is looked up once, then trusted for a few seconds
            assert client.get("/v1/countries", headers=_bearer(token)).status_code == 200
        assert len(queries) == 1
        for _ in range(20):
            guess = _bearer(secrets.token_urlsafe(32))
            assert client.get("/v1/countries", headers=guess).status_code == 200
        assert len(queries) == 1 + 3


def test_a_read_key_lifts_the_read_limit(seeded_db: Database) -> None:
    token = make_key(seeded_db, "reader", KeyScope.read)
    revoked = make_key(seeded_db, "former", KeyScope.read, revoked=True)
    for client in _client(seeded_db, rate_limit_enabled=True, rate_limit=2, rate_limit_window=DAY):
        for _ in range(4):
            answer = client.get("/v1/countries/ZZ", headers=_bearer(token))
            assert answer.status_code == 404
            # Not counted, so no counters; the policy is everyone's.
            assert "ratelimit" not in answer.headers
            assert answer.headers["ratelimit-policy"] == f'"per-client";q=2;w={DAY}'
        assert client.get("/v1/countries").status_code == 200
        assert client.get("/v1/countries", headers=_bearer(revoked)).status_code == 200
        _problem(client.get("/v1/countries"), 429, "rate-limited")
        assert client.get("/v1/countries", headers=_bearer(token)).status_code == 200


def test_keys_stay_out_of_the_logs(
    seeded_db: Database, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    token = make_key(seeded_db, "writer", KeyScope.write)
    revoked = make_key(seeded_db, "former", KeyScope.write, revoked=True)
    unknown = "sf_" + secrets.token_urlsafe(32)
    caplog.set_level(logging.DEBUG)
    for client in _client(seeded_db, access_log=True, rate_limit_enabled=True):
        for secret in (token, revoked, unknown):
            client.post("/v1/_test_write", headers=_bearer(secret))
            client.get("/v1/programs/ilrs", headers=_bearer(secret))
            client.get("/v1/nowhere", headers=_bearer(secret))
    logged = capfd.readouterr()
    lines = [orjson.loads(line) for line in logged.err.splitlines() if line.startswith("{")]
    assert [(x["path"], x["status"]) for x in lines[:3]] == [
        ("/v1/_test_write", 200),
        ("/v1/programs/ilrs", 200),
        ("/v1/nowhere", 404),
    ]
    assert len(lines) == 9
    for secret in (token, revoked, unknown):
        assert secret not in logged.out
        assert secret not in logged.err
        assert secret not in caplog.text
