"""Walking every collection page by page yields each item exactly once, in order."""

import base64
import json
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.resources.registry import RESOURCES


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


# Every resource in every sort it offers, both ways (from the registry), then combinations.
COLLECTIONS = [
    *(
        f"/v1/{r.collection}{query}"
        for r in RESOURCES
        for query in ("", *(f"?sort={way}{s.value}" for s in r.sorts for way in ("", "-")))
    ),
    "/v1/agreements/ilrs-mou/signatories",
    "/v1/signatories?sort=status,-date",
    "/v1/events?sort=kind,date",
    "/v1/citations?sort=-source,start",
]


def _walk(client: TestClient, url: str, limit: int) -> list[str]:
    sep = "&" if "?" in url else "?"
    page = client.get(f"{url}{sep}limit={limit}")
    seen: list[str] = []
    pages = 0
    while True:
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["limit"] == limit
        assert len(body["items"]) <= limit
        seen += [item.get("id", item.get("code")) for item in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            assert "link" not in page.headers
            break
        link = page.headers["link"]
        assert link.endswith('>; rel="next"')
        assert f"cursor={body['next_cursor']}" in link
        page = client.get(link[1 : link.index(">")])
    assert pages == max(1, -(-len(seen) // limit))
    return seen


@pytest.mark.parametrize("url", COLLECTIONS)
def test_walking_pages_yields_each_item_once(api: TestClient, url: str) -> None:
    everything = _walk(api, url, 200)
    assert len(everything) == len(set(everything)) == api.get(url).json()["total"]
    assert _walk(api, url, 1) == everything
    assert _walk(api, url, 2) == everything


def test_citations_at_limit_200_fit_one_page(api: TestClient) -> None:
    body = api.get("/v1/citations?limit=200").json()
    assert (len(body["items"]), body["total"], body["next_cursor"]) == (122, 122, None)


def test_default_limit_is_50(api: TestClient) -> None:
    body = api.get("/v1/citations").json()
    assert (len(body["items"]), body["limit"]) == (50, 50)
    assert body["next_cursor"] is not None


@pytest.mark.parametrize(
    "cursor",
    ["abc", "eyJ4IjoxfQ", "bm90IGpzb24", "eyJzIjoiaWQiLCJrIjpbMV19", "eyJzIjoiaWQiLCJrIjpbXX0"],
)
def test_malformed_cursors_are_400(api: TestClient, cursor: str) -> None:
    response = api.get(f"/v1/programs?cursor={cursor}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid-cursor"


@pytest.mark.parametrize(
    ("url", "sort", "values"),
    [
        ("/v1/programs?", "id", ["a\x00b"]),
        ("/v1/citations?sort=start&", "start", [2**70, "x"]),
        ("/v1/citations?sort=start&", "start", ["1", "x"]),
        ("/v1/events?", "date", ["2020-02-30", "x"]),
        ("/v1/events?", "date", [None, "x"]),
    ],
)
def test_cursor_values_the_database_would_reject_are_400(
    api: TestClient, url: str, sort: str, values: list[object]
) -> None:
    # Built with the stdlib: orjson (which the API uses) cannot even encode 2**70.
    raw = json.dumps({"s": sort, "k": values}).encode()
    cursor = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    response = api.get(f"{url}cursor={cursor}")
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "/problems/invalid-cursor"


def test_a_cursor_from_another_sort_is_400(api: TestClient) -> None:
    cursor = api.get("/v1/events?limit=1").json()["next_cursor"]
    response = api.get(f"/v1/events?limit=1&sort=-date&cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/invalid-cursor"


def _cursor_data(cursor: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return data


def _cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()


@pytest.mark.parametrize("url", ["/v1/citations?limit=2", "/v1/search?q=moon&limit=2"])
def test_later_pages_take_the_total_their_cursor_carries(api: TestClient, url: str) -> None:
    first = api.get(url).json()
    data = _cursor_data(first["next_cursor"])
    assert (data["t"], data["v"]) == (first["total"], 1)
    # A total the cursor carries at the version served is used as it is: no COUNT again ...
    carried = api.get(f"{url}&cursor={_cursor({**data, 't': 5})}").json()
    assert carried["total"] == 5
    # ... and one counted at another version is counted again.
    recounted = api.get(f"{url}&cursor={_cursor({**data, 't': 5, 'v': 0})}").json()
    assert recounted["total"] == first["total"]
    assert recounted["items"] == carried["items"]
