"""RFC 9110 preconditions: evaluated only where the answer would be a 200, in §13.2.2's order."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api import client_for
from tests.conftest import Database

PAST = "Mon, 01 Jan 2001 00:00:00 GMT"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


@pytest.fixture(params=["cache", "no-cache"])
def client(request: pytest.FixtureRequest, seeded_db: Database) -> Iterator[TestClient]:
    entries = 4096 if request.param == "cache" else 0
    yield from client_for(seeded_db, response_cache_entries=entries)


def _tag(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["etag"]


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/v1/programs/nope", 404),
        ("/v1/programs?limit=0&bogus=1", 400),
        ("/v1/programs?limit=0", 400),
    ],
)
@pytest.mark.parametrize("header", ["If-None-Match", "If-Match"])
def test_preconditions_never_hide_a_non_2xx_answer(
    client: TestClient, url: str, status: int, warm: bool, header: str
) -> None:
    if warm:
        assert client.get(url).status_code == status
    for value in ("*", '"zzz"'):
        response = client.get(url, headers={header: value})
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"


def test_if_none_match_gives_304_only_for_a_current_tag(client: TestClient) -> None:
    # With the cache off every request is a cold one: the route runs before the 304.
    url = "/v1/programs/ilrs"
    tag = _tag(client, url)
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"zzz"'}).status_code == 200
    assert client.head(url, headers={"If-None-Match": tag}).status_code == 304


def test_if_match_on_get_is_412_unless_it_names_the_current_representation(
    client: TestClient,
) -> None:
    url = "/v1/agencies/nasa"
    tag = _tag(client, url)
    failed = client.get(url, headers={"If-Match": '"zzz"'})
    assert failed.status_code == 412
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["type"] == "/problems/precondition-failed"
    assert failed.json()["status"] == 412
    assert failed.headers["etag"] == tag
    assert client.head(url, headers={"If-Match": '"zzz"'}).status_code == 412
    assert client.get(url, headers={"If-Match": tag}).status_code == 200
    assert client.get(url, headers={"If-Match": f'"zzz", {tag}'}).status_code == 200
    assert client.get(url, headers={"If-Match": "*"}).status_code == 200
    # If-Match uses strong comparison: a weak tag never matches.
    assert client.get(url, headers={"If-Match": f"W/{tag}"}).status_code == 412
    # A true If-Match goes on to If-None-Match: both name the current tag, so 304.
    both = {"If-Match": tag, "If-None-Match": tag}
    assert client.get(url, headers=both).status_code == 304


def test_if_unmodified_since(client: TestClient) -> None:
    url = "/v1/countries/CN"
    assert client.get(url, headers={"If-Unmodified-Since": PAST}).status_code == 412
    assert client.get(url, headers={"If-Unmodified-Since": FUTURE}).status_code == 200
    assert client.get(url, headers={"If-Unmodified-Since": "not a date"}).status_code == 200
    # If-Match, when present, is evaluated instead of If-Unmodified-Since.
    tag = _tag(client, url)
    headers = {"If-Match": tag, "If-Unmodified-Since": PAST}
    assert client.get(url, headers=headers).status_code == 200
