"""Every answer carries its request's X-Request-ID: the client's when well-formed, else a new
one; never one the response cache kept from another request."""

import re
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from starlette.responses import Response

from app import deps
from tests.conftest import Database
from tests.extra_routes import client_with
from tests.helpers import response_cache


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Tests that take `api` only read: one app and seeded database per module and engine."""
    return read_api


GENERATED = re.compile(r"[0-9a-f]{32}")


def _id(response: Any) -> str:
    (value,) = response.headers.get_list("x-request-id")  # exactly one
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize(
    "given",
    ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "Root:1.5_x-Y", "x" * 128],
)
def test_a_well_formed_id_is_kept(api: TestClient, given: str) -> None:
    assert _id(api.get("/v1/programs/ilrs", headers={"X-Request-ID": given})) == given


@pytest.mark.parametrize(
    "given", ["", "x" * 129, "has space", 'quote"d', "semi;colon", "caf\u00e9", "new\tline"]
)
def test_any_other_id_is_replaced(api: TestClient, given: str) -> None:
    headers = {"X-Request-ID": given.encode("utf-8")}
    answered = _id(api.get("/v1/programs/ilrs", headers=headers))  # type: ignore[arg-type]
    assert GENERATED.fullmatch(answered)


def test_each_request_without_an_id_gets_a_new_one(api: TestClient) -> None:
    ids = {_id(api.get("/v1/programs/ilrs")) for _ in range(5)}
    assert len(ids) == 5
    assert all(GENERATED.fullmatch(i) for i in ids)


def test_every_kind_of_answer_carries_its_own_id(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    etag = api.get("/v1/programs/ilrs").headers["etag"]
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    requests: list[tuple[str, str, dict[str, str], int]] = [
        ("GET", "/v1/programs/ilrs", {}, 200),  # a miss, or a hit: asked again below
        ("GET", "/v1/programs/ilrs", {}, 200),
        ("HEAD", "/v1/programs/ilrs", {}, 200),
        ("GET", "/v1/programs/ilrs", {"If-None-Match": etag}, 304),
        ("GET", "/v1/programs/ilrs", {"If-Match": '"other"'}, 412),
        ("GET", "/v1/programs/nope", {}, 404),
        ("GET", "/v1/programs?limit=0", {}, 400),
        ("GET", "/v1/programs/ilrs", {"Accept": "text/html"}, 406),
        ("POST", "/v1/programs", {"Content-Type": "application/json"}, 401),
        ("OPTIONS", "/v1/programs", preflight, 204),
        ("GET", "/v1/export", {}, 200),  # streamed, past the cache
        ("GET", "/livez", {}, 200),
        ("GET", "/readyz", {}, 200),
    ]
    for n, (method, url, headers, status) in enumerate(requests):
        sent = f"req-{n}"
        response = api.request(method, url, headers={**headers, "X-Request-ID": sent})
        assert response.status_code == status, (url, response.text)
        assert _id(response) == sent, (method, url)

    def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(deps, "read_one", broken)
    failed = api.get("/v1/programs/artemis", headers={"X-Request-ID": "req-500"})
    assert failed.status_code == 500
    assert _id(failed) == "req-500"


def test_the_response_cache_never_keeps_an_id(seeded_db: Database) -> None:
    router = APIRouter()

    @router.get("/v1/_test_echo")
    def echo() -> Response:
        """A route that sets X-Request-ID itself, which a stored answer must not keep."""
        return Response(b"{}", media_type="application/json", headers={"X-Request-ID": "mine"})

    for client in client_with(seeded_db, router):
        for url in ("/v1/programs/ilrs", "/v1/_test_echo"):
            first = client.get(url, headers={"X-Request-ID": "first"})
            hit = client.get(url, headers={"X-Request-ID": "second"})
            assert (first.status_code, hit.status_code) == (200, 200)
            assert (_id(first), _id(hit)) == ("first", "second")
            assert _id(client.get(url)) not in ("first", "second", "mine")
        stored = response_cache(client).stored.values()
        assert len(stored) == 2
        for entry in stored:
            assert b"x-request-id" not in {name.lower() for name, _ in entry.headers}


def test_scripts_may_send_and_read_the_id(api: TestClient) -> None:
    origin = {"Origin": "https://example.org"}
    asked = {**origin, "Access-Control-Request-Method": "GET"}
    preflight = api.options(
        "/v1/programs", headers={**asked, "Access-Control-Request-Headers": "X-Request-ID"}
    )
    assert preflight.status_code == 204
    assert "x-request-id" in preflight.headers["access-control-allow-headers"].split(", ")
    exposed = api.get("/v1/programs", headers=origin).headers["access-control-expose-headers"]
    assert "X-Request-ID" in exposed.split(", ")
