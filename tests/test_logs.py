"""What reaches stderr: an access line and, on a failure, one error line, each with the id the
client got back, and never a credential."""

import re
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import deps, logs
from app.config import Settings
from app.main import create_app
from app.middleware.access_log import AccessLogMiddleware
from app.middleware.request_id import RequestIdMiddleware
from tests.api import client_for
from tests.conftest import Database
from tests.processes import serve_process

HUMAN = re.compile(
    r"\d\d:\d\d:\d\d GET /ok\?a=1 200 12B \d+\.\dms id=given\n"
    r"\d\d:\d\d:\d\d GET /missing 404 \d+B \d+\.\dms id=[0-9a-f]{32}\n"
)


def _records(err: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in err.splitlines()]


def _app(written: list[bytes], log_format: logs.LogFormat) -> RequestIdMiddleware:
    async def ok(_request: Request) -> Response:
        return Response(b"twelve bytes", media_type="text/plain")

    inner = Starlette(routes=[Route("/ok", ok), Route("/ok%0Aforged", ok)])
    logged = AccessLogMiddleware(inner, write=written.append, log_format=log_format)
    return RequestIdMiddleware(logged, log_format=log_format)


def _two_requests(log_format: logs.LogFormat) -> bytes:
    written: list[bytes] = []
    with TestClient(_app(written, log_format)) as client:
        assert client.get("/ok?a=1", headers={"X-Request-ID": "given"}).status_code == 200
        assert client.get("/missing").status_code == 404
    return b"".join(written)


def test_json_lines_carry_the_request_id() -> None:
    lines = _records(_two_requests("json").decode())
    assert lines[0]["request_id"] == "given"
    assert re.fullmatch(r"[0-9a-f]{32}", lines[1]["request_id"])
    assert [(x["path"], x["query"], x["status"]) for x in lines] == [
        ("/ok", "a=1", 200),
        ("/missing", "", 404),
    ]


def test_text_lines_are_short_and_for_people() -> None:
    assert HUMAN.fullmatch(_two_requests("text").decode())


def test_auto_writes_text_to_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _two_requests("auto").startswith(b"{")  # stderr is pytest's file here
    monkeypatch.setattr(logs, "stderr_is_terminal", lambda: True)
    assert HUMAN.fullmatch(_two_requests("auto").decode())


def test_a_text_line_cannot_be_forged_through_the_path() -> None:
    written: list[bytes] = []
    with TestClient(_app(written, "text")) as client:
        client.get("/ok%0Aforged")
    (line,) = b"".join(written).splitlines()
    assert b"/ok%0Aforged" in line


def test_the_access_line_has_the_id_the_answer_has(
    seeded_db: Database, capfd: pytest.CaptureFixture[str]
) -> None:
    for client in client_for(seeded_db, access_log=True):
        given = client.get("/v1/programs/ilrs", headers={"X-Request-ID": "trace-42"})
        made = client.get("/v1/programs/ilrs")
    assert given.headers["x-request-id"] == "trace-42"
    logged = _records(capfd.readouterr().err)
    assert [x["request_id"] for x in logged] == ["trace-42", made.headers["x-request-id"]]


def test_a_server_logs_the_id_it_returns(seeded_db: Database, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serve_process(seeded_db.url, log) as base:
        given = httpx.get(f"{base}/v1/programs/ilrs", headers={"X-Request-ID": "proc-7"})
        made = httpx.get(f"{base}/v1/agencies")
        ids = [given.headers["x-request-id"], made.headers["x-request-id"]]
        assert ids[0] == "proc-7"
        for _ in range(50):  # the access log writes once the server's loop turns
            found = {
                record["request_id"]: record
                for line in log.read_bytes().splitlines()
                if line.startswith(b"{") and (record := orjson.loads(line))
            }
            if all(i in found for i in ids):
                break
            time.sleep(0.1)
    assert (found[ids[0]]["path"], found[ids[0]]["status"]) == ("/v1/programs/ilrs", 200)
    assert (found[ids[1]]["path"], found[ids[1]]["status"]) == ("/v1/agencies", 200)


def test_an_unhandled_error_is_one_json_line_with_the_id(
    seeded_db: Database, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(deps, "read_one", broken)
    config = Settings(rate_limit_enabled=False)
    # Raising server exceptions: the error must end, logged, inside the app, for the server
    # would otherwise log it again, many lines long.
    with TestClient(create_app(config=config, db=seeded_db.engine)) as client:
        failed = client.get("/v1/programs/ilrs", headers={"X-Request-ID": "err-1"})
    assert failed.status_code == 500
    err = capfd.readouterr().err
    records = _records(err)  # every line is JSON: no traceback flood
    error, access = sorted(records, key=lambda r: "error" not in r)
    assert error["request_id"] == access["request_id"] == "err-1"
    assert (error["method"], error["path"], error["route"]) == (
        "GET",
        "/v1/programs/ilrs",
        "/v1/programs/{program_id}",
    )
    assert (error["error"], error["message"]) == ("RuntimeError", "boom\nsecond line")
    assert error["traceback"].startswith("Traceback (most recent call last):")
    assert 'raise RuntimeError("boom' in error["traceback"]
    assert access["status"] == 500


def test_credentials_never_reach_the_log(
    seeded_db: Database, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sf_" + secrets.token_urlsafe(32)
    bearer = {"Authorization": f"Bearer {secret}"}
    for client in client_for(seeded_db, access_log=True):
        assert client.get("/v1/programs/ilrs", headers=bearer).status_code == 200
        post = client.post("/v1/programs", headers={**bearer, "Content-Type": "application/json"})
        assert post.status_code == 401
        # A key put in the query, where it does not belong: the 400 is logged without it.
        assert client.get(f"/v1/programs?api_key={secret}").status_code == 400
        assert client.get(f"/v1/programs?x={secret}").status_code == 400
        monkeypatch.setattr(deps, "read_one", lambda **_: 1 / 0)
        assert client.get("/v1/programs/ilrs", headers=bearer).status_code == 500
    logged = capfd.readouterr()
    records = _records(logged.err)
    assert len(records) == 6  # five access lines and one error line
    assert secret[3:20] not in logged.out + logged.err
    assert [r["query"] for r in records if r.get("status") == 400] == [
        "api_key=REDACTED",
        "x=sf_REDACTED",
    ]
