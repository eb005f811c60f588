"""The contract a generated client relies on: typed errors, enums, and answers that follow it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import PROBLEM_TYPES
from app.models.public import ProblemType, RefType, SearchType
from app.resources.registry import BY_TYPE
from app.routes import common
from app.services.refs import PARENT
from app.services.search import TYPE_ORDER
from tests.helpers import objects


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


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
    assert {*BY_TYPE, *PARENT, "reported_count"} == {t.value for t in RefType}
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


def test_multi_valued_filters_are_arrays_of_their_enum_and_nothing_is_nullable(
    document: dict[str, Any],
) -> None:
    arrays = []
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter["schema"]
                assert {"type": "null"} not in schema.get("anyOf", []), (path, parameter["name"])
                assert schema.get("default", 0) is not None, (path, parameter["name"])
                if schema.get("type") == "array":
                    assert (parameter["style"], parameter["explode"]) == ("form", False)
                    arrays.append((path, parameter["name"], schema["items"].get("$ref")))
    assert ("/v1/signatories", "status", "#/components/schemas/SignatoryStatus") in arrays
    assert (
        "/v1/agreements/{agreement_id}/signatories",
        "status",
        "#/components/schemas/SignatoryStatus",
    ) in arrays
    assert ("/v1/search", "type", "#/components/schemas/SearchType") in arrays
    assert ("/v1/programs", "location", "#/components/schemas/Location") in arrays
    assert ("/v1/attributions", "speaker", None) in arrays
    for feed in ("/v1/feed.json", "/v1/feed.atom", "/v1/stream"):
        assert (feed, "type", "#/components/schemas/FeedType") in arrays
        assert (feed, "entity", None) in arrays
    assert len(arrays) == 30


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/v1/signatories?status=signed,intends_to_sign",
            ["artemis-accords-brazil", "ilrs-mou-roscosmos"],
        ),
        (
            "/v1/signatories?status=signed&status=intends_to_sign",
            ["artemis-accords-brazil", "ilrs-mou-roscosmos"],
        ),
        (
            "/v1/signatories?agreement=ilrs-mou&agreement=artemis-accords,ilrs-mou",
            ["artemis-accords-brazil", "ilrs-mou-china", "ilrs-mou-roscosmos"],
        ),
        ("/v1/agreements/ilrs-mou/signatories?status=counterparty", ["ilrs-mou-china"]),
        (
            "/v1/events?kind=report,confirmation",
            ["china-russia-confirm-ilrs-partnership", "cnn-reports-roscosmos-statement"],
        ),
    ],
)
def test_both_forms_of_a_multi_valued_filter_mean_or(
    api: TestClient, url: str, expected: list[str]
) -> None:
    response = api.get(url)
    assert response.status_code == 200, response.text
    assert sorted(item["id"] for item in response.json()["items"]) == expected
    assert response.json()["total"] == len(expected)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/v1/programs?limit=1&limit=2", "limit"),
        ("/v1/events?sort=id&sort=date", "sort"),
        ("/v1/search?q=moon&q=lunar", "q"),
        ("/v1/signatories?basis=stated&basis=all", "basis"),
    ],
)
def test_a_repeated_single_valued_parameter_is_a_400_naming_it(
    api: TestClient, url: str, named: str
) -> None:
    response = api.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert body["errors"] == [
        {
            "location": f"query.{named}",
            "message": f"Parameter(s) given more than once: {named}; each takes one value.",
        }
    ]


def test_an_unknown_enum_value_is_a_400(api: TestClient) -> None:
    response = api.get("/v1/signatories?status=signed,signd")
    assert response.status_code == 400
    assert response.json()["errors"][0]["location"].startswith("query.status")


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/v1/programs?limit=0", "`limit` must be a whole number from 1 to 200."),
        ("/v1/programs?limit=many", "`limit` must be a whole number from 1 to 200."),
        (
            "/v1/events?from=2025-13",
            "`from` must be a date such as 2025-03-01, a month such as 2025-03, or a year such "
            "as 2025.",
        ),
        ("/v1/signatories?as_of=2025", "`as_of` must be a date such as 2025-03-01."),
        (
            "/v1/signatories?status=signed,bogus",
            "`status` must be one of 'signed', 'intends_to_sign' or 'counterparty' (several: "
            "comma-separated or repeated).",
        ),
        ("/v1/programs?basis=x", "`basis` must be one of 'all' or 'stated'."),
        ("/v1/search", "`q` is required: text of 1 to 200 characters."),
        ("/v1/countries/cn", "`code` must be an ISO 3166-1 alpha-2 code in capitals, such as CN."),
        (
            "/v1/sources/russia-china-moon-article/text?start=80&end=10",
            "`start` (80) must not be greater than `end` (10): the span is [start, end) in code "
            "points.",
        ),
    ],
)
def test_a_400_says_in_the_apis_words_what_the_parameter_must_be(
    api: TestClient, url: str, detail: str
) -> None:
    response = api.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == detail
    assert [e["message"] for e in body["errors"]] == [detail]
    for internal in ("constrained-str", "function-before", "should", "Input", "pattern"):
        assert internal not in response.text


def test_integer_bounds_are_integers_and_dates_have_no_max_length(
    document: dict[str, Any],
) -> None:
    schemas = list(objects(document))
    integers = [s for s in schemas if s.get("type") == "integer"]
    assert integers
    for schema in integers:
        for key in ("minimum", "maximum"):
            assert not isinstance(schema.get(key), float), schema
    assert any(s.get("maximum") == 2**63 - 1 for s in integers)
    dates = [s for s in schemas if s.get("format") == "date"]
    assert dates
    assert all("maxLength" not in s for s in dates)


def test_redoc_needs_no_cdn(api: TestClient) -> None:
    page = api.get("/redoc")
    assert page.status_code == 200
    bundle = api.get("/static-offline-docs/redoc.standalone.js")
    assert bundle.status_code == 200
    assert len(bundle.content) > 1_000_000
    assert b"cdn.redoc.ly" not in bundle.content
    assert b"/static-offline-docs/favicon.png" in bundle.content


def test_make_run_leaves_host_and_port_to_the_settings() -> None:
    import subprocess

    def serve_line(*args: str) -> str:
        dry = subprocess.run(
            ["make", "-n", "run", *args], capture_output=True, text=True, check=True
        ).stdout
        return next(line for line in dry.splitlines() if " serve" in line).split(" serve")[1]

    assert serve_line().split() == []
    assert serve_line("PORT=8123").split() == ["--port", "8123"]


def test_each_route_refuses_parameters_by_its_own_list(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a route allows is remembered with the route object, never by its id(), which a later
    route may reuse once the first is gone (apps built and dropped, as tests and reloads do).
    Reuse is simulated: every object given the same id."""
    monkeypatch.setattr(common, "id", lambda _: 1, raising=False)
    for url, name in [
        ("/v1/agencies?kind=space_agency", "kind"),
        ("/v1/programs?agency=roscosmos", "agency"),
        ("/v1/restrictions?jurisdiction=US", "jurisdiction"),
        ("/v1/citations?q=moon", "q"),
    ]:
        assert api.get(url).status_code == 200, url
        answer = api.get(url + "&nope=1")
        assert answer.status_code == 400
        allowed = answer.json()["detail"].split("Allowed: ")[1].rstrip(".").split(", ")
        assert name in allowed, (url, allowed)
