"""The access log: one JSON line per request, the status and bytes the client got."""

import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.middleware.access_log import AccessLogMiddleware
from tests.api import client_for
from tests.conftest import Database


def _app(written: list[bytes]) -> AccessLogMiddleware:
    async def ok(_request: Request) -> Response:
        return Response(b"twelve bytes", media_type="text/plain")

    async def broken(_request: Request) -> Response:
        raise RuntimeError("boom")

    inner = Starlette(routes=[Route("/ok", ok), Route("/broken", broken)])
    return AccessLogMiddleware(inner, write=written.append)


def test_one_line_per_request_with_status_and_bytes() -> None:
    written: list[bytes] = []
    with TestClient(_app(written)) as client:
        assert client.get("/ok?a=1").status_code == 200
        assert client.get("/missing").status_code == 404
    lines = [orjson.loads(line) for line in b"".join(written).splitlines()]
    assert [(x["method"], x["path"], x["query"], x["status"]) for x in lines] == [
        ("GET", "/ok", "a=1", 200),
        ("GET", "/missing", "", 404),
    ]
    assert lines[0]["bytes"] == 12
    assert lines[0]["client"] == "testclient"
    assert lines[0]["ms"] >= 0


def test_a_failing_request_is_logged_as_500() -> None:
    written: list[bytes] = []
    with TestClient(_app(written), raise_server_exceptions=False) as client:
        assert client.get("/broken").status_code == 500
    (line,) = b"".join(written).splitlines()
    assert orjson.loads(line)["status"] == 500


def test_the_app_logs_cache_hits_too(
    seeded_db: Database, capfd: pytest.CaptureFixture[str]
) -> None:
    for client in client_for(seeded_db, access_log=True):
        for _ in range(2):
            assert client.get("/v1/programs/ilrs").status_code == 200
        assert client.get("/v1/programs/nope").status_code == 404
    logged = [orjson.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [(x["path"], x["status"]) for x in logged] == [
        ("/v1/programs/ilrs", 200),
        ("/v1/programs/ilrs", 200),
        ("/v1/programs/nope", 404),
    ]
