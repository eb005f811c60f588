"""CORS as a browser dashboard on another origin meets it: every answer readable by any origin,
the same for all origins, and preflights that allow what browsers and tracing libraries send."""

import pytest
from fastapi.testclient import TestClient

from app.main import EXPOSED


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


ORIGIN = "https://dashboard.example"
TRACING = [
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "authorization",
    "x-requested-with",
    "cache-control",
    "content-type",
    "if-match",
    "if-none-match",
    "prefer",
]


@pytest.mark.parametrize("url", ["/v1/programs?limit=1", "/v1/programs/nope", "/v1"])
@pytest.mark.parametrize("origin", [None, ORIGIN])
def test_every_answer_is_readable_by_any_origin_and_does_not_vary_by_it(
    api: TestClient, url: str, origin: str | None
) -> None:
    response = api.get(url, headers={"Origin": origin} if origin else {})
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == ", ".join(EXPOSED)
    vary = {v.strip().lower() for v in response.headers.get("vary", "").split(",")}
    assert "origin" not in vary


def test_a_preflight_with_tracing_and_auth_headers_is_allowed(api: TestClient) -> None:
    response = api.options(
        "/v1/signatories",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ", ".join(h.title() for h in TRACING),
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, POST, PATCH, DELETE"
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert set(TRACING) <= allowed
    assert response.headers["access-control-max-age"] == "86400"
    assert "vary" not in response.headers


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_a_curators_write_preflight_is_allowed(api: TestClient, method: str) -> None:
    """What a browser asks before a script's keyed JSON Merge Patch (or POST, or DELETE)."""
    response = api.options(
        "/v1/signatories/artemis-accords-brazil",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,if-match,content-type,prefer",
        },
    )
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    methods = [m.strip() for m in response.headers["access-control-allow-methods"].split(",")]
    assert method in methods
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "if-match", "content-type", "prefer"} <= allowed
    assert "access-control-allow-credentials" not in response.headers


def test_scripts_can_read_what_a_write_answers_with(api: TestClient) -> None:
    """A created entity's Location, the Prefer honoured, and a refused key's challenge."""
    exposed = api.get("/v1", headers={"Origin": ORIGIN}).headers["access-control-expose-headers"]
    assert {"Location", "Preference-Applied", "WWW-Authenticate"} <= {
        h.strip() for h in exposed.split(",")
    }


@pytest.mark.parametrize(
    ("method", "headers", "named"),
    [
        ("GET", "X-Secret, traceparent", "request header(s) x-secret"),
        ("PUT", "", "method PUT (allowed: GET, HEAD, POST, PATCH, DELETE)"),
    ],
)
def test_a_disallowed_preflight_is_a_problem_naming_what_is_refused(
    api: TestClient, method: str, headers: str, named: str
) -> None:
    asked = {"Origin": ORIGIN, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    response = api.options("/v1/programs", headers=asked)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/cors-refused"
    assert named in body["detail"]


def test_options_without_a_preflight_is_not_allowed(api: TestClient) -> None:
    response = api.options("/v1/programs", headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, HEAD"  # the list and its create
