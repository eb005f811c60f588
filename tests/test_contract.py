"""The contract a generated client relies on: typed errors, enums, and answers that follow it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import PROBLEM_TYPES
from app.models.public import ProblemType, RefType, SearchType
from app.services.refs import COLLECTIONS, PARENT
from app.services.search import TYPE_ORDER

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def document(api: TestClient) -> dict[str, Any]:
    served: dict[str, Any] = api.get("/openapi.json").json()
    return served


def test_every_error_is_a_typed_problem_under_the_media_type_sent(
    document: dict[str, Any],
) -> None:
    seen = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] not in "45":
                    continue
                seen += 1
                where = f"{method} {path} {status}"
                assert list(response["content"]) == ["application/problem+json"], where
                content = response["content"]["application/problem+json"]
                assert content["schema"] == PROBLEM, where
                assert content["example"]["status"] == int(status), where
                assert content["example"]["type"] in {t.value for t in ProblemType}, where
    assert seen > 100


def test_the_enums_name_exactly_what_the_server_sends(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert {f"/problems/{slug}" for slug in PROBLEM_TYPES} == {t.value for t in ProblemType}
    assert schemas["ProblemType"]["enum"] == [t.value for t in ProblemType]
    assert schemas["Problem"]["properties"]["type"]["$ref"].endswith("/ProblemType")
    assert {*COLLECTIONS, *PARENT, "attribution", "reported_count"} == {t.value for t in RefType}
    assert set(TYPE_ORDER) == {t.value for t in SearchType}


@pytest.mark.parametrize(
    ("url", "accept", "status"),
    [
        ("/v1/programs/nope", "application/problem+json", 404),
        ("/v1/programs?limit=0", "application/problem+json", 400),
        ("/v1/programs/ilrs", "application/problem+json", 406),
        ("/v1/programs/ilrs", "text/html", 406),
        ("/problems/not-found", "text/html", 406),
        ("/?bogus=1", "application/json", 400),
    ],
)
def test_accept_and_problems(api: TestClient, url: str, accept: str, status: int) -> None:
    response = api.get(url, headers={"Accept": accept})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
