"""`total` is counted up to SPACEFACTS_TOTAL_LIMIT items and marked a lower bound beyond it."""

import base64
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.resources.registry import RESOURCES
from tests.api import client_for
from tests.conftest import Database

LIMIT = 3  # below most seed collections' sizes, above some


def _cursor_data(cursor: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return data


def _cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()


def _walk(client: TestClient, url: str) -> tuple[int, set[tuple[int, str]]]:
    """How many items the pages hold, and every (total, relation) they state."""
    body = client.get(url).json()
    items, stated = len(body["items"]), {(body["total"], body["total_relation"])}
    while body["next_cursor"] is not None:
        body = client.get(f"{url}&cursor={body['next_cursor']}").json()
        items += len(body["items"])
        stated.add((body["total"], body["total_relation"]))
    return items, stated


def test_totals_past_the_limit_are_lower_bounds_on_every_page(seeded_db: Database) -> None:
    for client in client_for(seeded_db, total_limit=LIMIT):
        for resource in RESOURCES:
            everything = client.get(f"/v1/{resource.collection}?limit=200").json()
            n = len(everything["items"])
            # A first page that holds every item has counted them: exact whatever the limit.
            assert (everything["total"], everything["total_relation"]) == (n, "eq")
            items, stated = _walk(client, f"/v1/{resource.collection}?limit=2")
            assert items == n
            expected = (LIMIT, "gte") if n > LIMIT else (n, "eq")
            assert stated == {expected}, resource.collection
        items, stated = _walk(client, "/v1/search?q=moon&limit=2")
        assert items > LIMIT
        assert stated == {(LIMIT, "gte")}


@pytest.mark.parametrize("url", ["/v1/citations?limit=2", "/v1/search?q=moon&limit=2"])
def test_a_lower_bound_carried_from_another_limit_is_counted_again(
    seeded_db: Database, url: str
) -> None:
    for client in client_for(seeded_db, total_limit=LIMIT):
        first = client.get(url).json()
        data = _cursor_data(first["next_cursor"])
        assert (data["t"], data["g"]) == (LIMIT, 1)
        carried = client.get(f"{url}&cursor={first['next_cursor']}").json()
        assert (carried["total"], carried["total_relation"]) == (LIMIT, "gte")
        # A bound made under another limit (a server since reconfigured) is not trusted.
        other = client.get(f"{url}&cursor={_cursor({**data, 't': LIMIT + 1})}").json()
        assert (other["total"], other["total_relation"]) == (LIMIT, "gte")
        # An exact total carried at the version served is taken as it is.
        exact = {k: v for k, v in data.items() if k != "g"}
        taken = client.get(f"{url}&cursor={_cursor({**exact, 't': 7})}").json()
        assert (taken["total"], taken["total_relation"]) == (7, "eq")


def test_the_default_limit_counts_the_seed_exactly(seeded_db: Database) -> None:
    for client in client_for(seeded_db):
        body = client.get("/v1/citations?limit=2").json()
        assert (body["total"], body["total_relation"]) == (122, "eq")
