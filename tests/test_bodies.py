"""Request bodies (app/routes/bodies.py): 413 over 1 MiB, 415 for anything but JSON, 400 for
JSON that is not well formed, and a 422 whose errors point into the body (app/errors.py)."""

from collections.abc import Iterator
from typing import Annotated, Any

import anyio
import pytest
from fastapi import APIRouter, Body, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message

from app.routes.bodies import MAX_BODY, WriteRoute
from tests.conftest import Database
from tests.extra_routes import client_with

JSON = {"Content-Type": "application/json"}


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str = Field(max_length=50)


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    quotes: list[Quote] = []
    ref: int | str | None = None


router = APIRouter(route_class=WriteRoute, prefix="/test", tags=["meta"])


@router.post("/things", status_code=201)
async def create_thing(
    thing: Thing, limit: Annotated[int, Query(ge=1, le=10)] = 5
) -> dict[str, Any]:
    return {"name_length": len(thing.name), "quotes": len(thing.quotes), "limit": limit}


@router.patch("/things/{thing_id}")
async def patch_thing(thing_id: str, patch: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return {"id": thing_id, "members": sorted(patch)}


@router.delete("/things/{thing_id}", status_code=204)
async def delete_thing(thing_id: str) -> None:
    assert thing_id == "x"


@pytest.fixture
def client(seeded_db: Database) -> Iterator[TestClient]:
    yield from client_with(seeded_db, router)


def _thing_of_size(size: int) -> bytes:
    head, tail = b'{"name":"', b'"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    return body


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_of_exactly_the_limit_is_taken(client: TestClient, chunked: bool) -> None:
    body = _thing_of_size(MAX_BODY)
    content: Any = iter([body[: MAX_BODY // 2], body[MAX_BODY // 2 :]]) if chunked else body
    response = client.post("/test/things", content=content, headers=JSON)
    assert response.status_code == 201, response.text
    assert response.json()["name_length"] == MAX_BODY - 11


def test_a_body_one_byte_over_the_limit_is_413(client: TestClient) -> None:
    response = client.post("/test/things", content=_thing_of_size(MAX_BODY + 1), headers=JSON)
    body = _problem(response, 413, "payload-too-large")
    assert "1048576 bytes" in body["detail"]


async def _post_raw(
    app: ASGIApp, *, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[int, int]:
    """POST to /test/things with the body in `chunks`; the status, and how many were read."""
    pulled = 0
    status = 0

    async def receive() -> Message:
        nonlocal pulled
        if pulled == len(chunks):
            return {"type": "http.disconnect"}
        pulled += 1
        return {
            "type": "http.request",
            "body": chunks[pulled - 1],
            "more_body": pulled < len(chunks),
        }

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/test/things",
        "raw_path": b"/test/things",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return status, pulled


def test_a_declared_length_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    declared = [(b"content-length", str(MAX_BODY + 1).encode())]
    status, pulled = anyio.run(
        lambda: _post_raw(client.app, headers=declared, chunks=[b" " * (MAX_BODY + 1)])
    )
    assert (status, pulled) == (413, 0)


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(client: TestClient) -> None:
    chunk = 64 * 1024
    chunks = [b" " * chunk] * (2 * MAX_BODY // chunk)
    status, pulled = anyio.run(lambda: _post_raw(client.app, headers=[], chunks=chunks))
    # The chunk that passes the limit is the last one read: 17 of 32.
    assert (status, pulled) == (413, MAX_BODY // chunk + 1)


@pytest.mark.parametrize(
    ("method", "content_type", "said"),
    [
        ("POST", "text/plain", "The body is text/plain"),
        ("POST", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        ("POST", None, "The body has no Content-Type"),
        ("POST", "application/json; charset=iso-8859-1", "in iso-8859-1, and JSON is UTF-8"),
        ("PATCH", "application/json-patch+json", "application/json-patch+json"),
        ("PATCH", "text/plain", "The body is text/plain"),
    ],
)
def test_a_body_that_is_not_json_is_415_with_what_is_taken(
    client: TestClient, method: str, content_type: str | None, said: str
) -> None:
    url = "/test/things" if method == "POST" else "/test/things/x"
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.request(method, url, content=b'{"name": "a"}', headers=headers)
    body = _problem(response, 415, "unsupported-media-type")
    assert said in body["detail"]
    if method == "PATCH":
        assert response.headers["accept-patch"] == "application/merge-patch+json, application/json"
        assert "accept-post" not in response.headers
    else:
        assert response.headers["accept-post"] == "application/json"
        assert "accept-patch" not in response.headers


@pytest.mark.parametrize(
    ("method", "content_type"),
    [
        ("POST", "application/json"),
        ("POST", "application/json; charset=UTF-8"),
        ("POST", "application/vnd.example+json"),
        ("PATCH", "application/merge-patch+json"),
        ("PATCH", "application/json"),
    ],
)
def test_json_media_types_are_taken(client: TestClient, method: str, content_type: str) -> None:
    url = "/test/things" if method == "POST" else "/test/things/x"
    response = client.request(
        method, url, content=b'{"name": "a"}', headers={"Content-Type": content_type}
    )
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b'{"name": "a",', "not valid JSON: Expecting property name enclosed in double quotes"),
        (b'{"name": "\xff"}', "not valid UTF-8: byte 0xff at offset 10"),
        (
            b'{"name": "a", "name": "b"}',
            'The key "name" appears more than once in one object, at /name',
        ),
        (
            b'{"name": "a", "quotes": [{"quote": "x"}, {"quote": "y", "quote": "z"}]}',
            'The key "quote" appears more than once in one object, at /quotes/1/quote',
        ),
        (b'{"name": "a", "a/b~": {"k": 1, "k": 2}}', "at /a~1b~0/k"),
        (b"\xef\xbb\xbf{}", "byte order mark"),
        (b'{"name": NaN}', "NaN is not a JSON number"),
        (b'{"name": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"ref": 1e999}', "the number 1e999 is out of range"),
        (b'{"ref": ' + b"9" * 101 + b"}", "more than 100 digits"),
        (b'{"name": "a", "quotes": [{"quote": "\\udc00"}]}', "at /quotes/0/quote holds half"),
        (b'{"\\ud800": 1}', "A string at /\ufffd holds half of a surrogate pair (\\ud800)"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_is_not_well_formed_is_400_saying_what_and_where(
    client: TestClient, raw: bytes, said: str
) -> None:
    response = client.post("/test/things", content=raw, headers=JSON)
    body = _problem(response, 400, "invalid-body")
    assert said in body["detail"]


def test_a_body_that_fails_the_model_is_422_with_pointers_into_it(client: TestClient) -> None:
    thing = {
        "quotes": [{"quote": "fine"}, {"quote": "x" * 51}, {}],
        "ref": [1],  # fails both members of int | str: one entry, at the member
        "a/b~c": 1,
    }
    response = client.post("/test/things", json=thing)
    body = _problem(response, 422, "unprocessable")
    assert body["errors"] == [
        {"location": "/name", "message": "is required"},
        {"location": "/quotes/1/quote", "message": "String should have at most 50 characters"},
        {"location": "/quotes/2/quote", "message": "is required"},
        {"location": "/ref", "message": "Input should be a valid integer"},
        {"location": "/a~1b~0c", "message": "Extra inputs are not permitted"},
    ]
    assert body["detail"].startswith("The request body is not valid for this operation: /name: ")
    assert body["detail"].endswith("(and 2 more).")


def test_a_missing_body_is_422_at_the_whole_document(client: TestClient) -> None:
    response = client.post("/test/things", headers=JSON)
    body = _problem(response, 422, "unprocessable")
    assert body["errors"] == [{"location": "", "message": "a JSON body is required"}]


def test_at_most_100_errors_are_listed(client: TestClient) -> None:
    response = client.post("/test/things", json={"name": "a", "quotes": [{"quote": 1}] * 150})
    body = _problem(response, 422, "unprocessable")
    assert len(body["errors"]) == 100
    assert body["errors"][0] == {
        "location": "/quotes/0/quote",
        "message": "Input should be a valid string",
    }
    assert body["detail"].endswith("(and 147 more).")


def test_a_bad_parameter_is_still_the_400_it_was_and_lists_the_body_too(client: TestClient) -> None:
    response = client.post("/test/things?limit=0", json={"quotes": []})
    body = _problem(response, 400, "invalid-parameter")
    assert body["detail"] == "`limit` must be a whole number from 1 to 200."
    assert body["errors"] == [
        {"location": "query.limit", "message": "`limit` must be a whole number from 1 to 200."},
        {"location": "/name", "message": "is required"},
    ]


def test_a_body_an_operation_does_not_take_is_only_bounded(client: TestClient) -> None:
    ignored = client.request(
        "DELETE", "/test/things/x", content=b"not json", headers={"Content-Type": "text/plain"}
    )
    assert ignored.status_code == 204
    too_large = client.request("DELETE", "/test/things/x", content=b" " * (MAX_BODY + 1))
    _problem(too_large, 413, "payload-too-large")
