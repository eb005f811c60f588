"""CORS as a browser dashboard on another origin meets it: every answer readable by any origin,
the same for all origins, and preflights that allow what browsers and tracing libraries send."""

import pytest
from fastapi.testclient import TestClient

from app.main import EXPOSED

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
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert set(TRACING) <= allowed
    assert response.headers["access-control-max-age"] == "86400"
    assert "vary" not in response.headers


@pytest.mark.parametrize(
    ("method", "headers", "named"),
    [
        ("GET", "X-Secret, traceparent", "request header(s) x-secret"),
        ("DELETE", "", "method DELETE (allowed: GET, HEAD)"),
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
    assert response.headers["allow"] == "GET, HEAD"
