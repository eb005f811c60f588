"""The OpenAPI document: complete, bounded, and its examples are what the API really returns."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.openapi import load_examples
from tests.openapi_examples import EXAMPLE_REQUESTS, collect


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Tests that take `api` only read: one app and seeded database per module and engine."""
    return read_api


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, op) for path, item in spec["paths"].items() for op in item.values()]


def test_examples_are_the_real_responses(api: TestClient) -> None:
    assert collect(api) == load_examples()


def test_every_operation_is_documented(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert spec["info"]["contact"]["name"]
    assert spec["info"]["license"]["identifier"] == "MIT"
    assert spec["servers"] == [
        {
            "url": "/",
            "description": "this deployment (production, or local when run with make run)",
            "x-internal": False,
        }
    ]
    tags = {t["name"] for t in spec["tags"]}
    ids = set()
    for path, method, op in (
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ):
        ids.add(op["operationId"])
        assert op["summary"], path
        assert op["description"], path
        assert op["tags"], path
        assert set(op["tags"]) <= tags
        # A parameter that fails is a 400 here; only a body that fails its model is a 422.
        assert ("422" in op["responses"]) == ("requestBody" in op), (method, path)
        if path in ("/healthz", "/readyz"):  # about this moment: no validators, no 304
            expected: tuple[str, ...] = ("200", "500", "503")
        elif path == "/livez":  # never asks the database: no 503 either
            expected = ("200", "400", "406", "429", "500")
        elif path == "/v1/stream":  # never the same twice: no validators, no 304
            expected = ("200", "400", "406", "429", "500", "503")
        elif method == "get":
            expected = ("200", "304", "400", "406", "429", "500")
        else:
            expected = ("400", "429", "500")
        if "requestBody" in op:
            expected += ("413", "415", "422")
        if op["security"]:
            expected += ("401", "403")
        for status in expected:
            assert status in op["responses"], (path, status)
        if "{" in path:
            assert "404" in op["responses"], path
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert "application/problem+json" in response["content"], (path, status)
        for param in op.get("parameters", []):
            assert param.get("description"), (path, param["name"])
            schema = param["schema"]
            options = schema.get("anyOf", [schema])
            for option in options:
                if option.get("type") == "string":
                    assert "maxLength" in option or "pattern" in option or "format" in option, (
                        path,
                        param["name"],
                    )
                if option.get("type") == "integer":
                    assert "maximum" in option, (path, param["name"])
        if op["operationId"] in EXAMPLE_REQUESTS:
            content = op["responses"]["200"]["content"]
            assert all("example" in c for c in content.values()), path
    assert ids >= set(EXAMPLE_REQUESTS)
    assert len(ids) == len(_operations(spec))  # operationIds are unique
