"""The registry: every resource is served, listed and read the same way from its spec, and a
service answers the same outside a request as inside one."""

import orjson
import pytest
from fastapi.testclient import TestClient

from app.resources._types import Resource
from app.resources.registry import BY_COLLECTION, RESOURCES
from app.services.listing import list_documents, read_one
from tests.api import client_for
from tests.conftest import Database


def test_the_root_index_and_the_tags_list_every_resource(api: TestClient) -> None:
    resources = api.get("/").json()["resources"]
    assert resources == {
        **{r.collection: f"/v1/{r.collection}" for r in RESOURCES},
        "search": "/v1/search",
    }
    tags = [t["name"] for t in api.get("/openapi.json").json()["tags"]]
    assert tags[: len(RESOURCES)] == [r.collection for r in RESOURCES]
    assert set(BY_COLLECTION) == {r.collection for r in RESOURCES}


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.type)
def test_a_service_answers_the_same_outside_a_request(
    seeded_db: Database, resource: Resource
) -> None:
    for client in client_for(seeded_db):
        page = client.get(f"/v1/{resource.collection}?limit=2").json()
        one = client.get(f"/v1/{resource.collection}/{resource.example_id}").json()
    with seeded_db.engine.connect() as connection:
        items, found = list_documents(
            connection=connection,
            resource=resource,
            filters=resource.filters() if resource.filters else None,
            stated_only=False,
            sort=None,
            limit=2,
            cursor=None,
            serving=None,
        )
        document = read_one(connection=connection, resource=resource, ident=resource.example_id)
    assert [orjson.loads(item) for item in items] == page["items"]
    assert found.total.value == page["total"] > 0
    assert page["total_relation"] == "eq"
    assert document is not None
    assert orjson.loads(document) == one
    resource.public.model_validate(one)
