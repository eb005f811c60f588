"""Our CORS layer answers exactly as Starlette's CORSMiddleware does with the same settings."""

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from app.main import EXPOSED
from app.middleware.cors import CORSMiddleware

SETTINGS = {
    "allow_methods": ["GET", "HEAD"],
    "allow_headers": ["If-None-Match", "Accept"],
    "expose_headers": EXPOSED,
    "max_age": 86400,
}


def _inner() -> Starlette:
    async def plain(_request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    async def varied(_request: Request) -> Response:
        return Response(b"{}", headers={"Vary": "Accept, Accept-Encoding", "ETag": '"1-a"'})

    return Starlette(routes=[Route("/plain", plain), Route("/varied", varied)])


def _headers(app: ASGIApp, method: str, url: str, headers: dict[str, str]) -> list[tuple[str, str]]:
    with TestClient(app) as client:
        response = client.request(method, url, headers=headers)
    pairs = sorted((k, v) for k, v in response.headers.multi_items() if k != "content-length")
    return [*pairs, ("status", str(response.status_code))]


@pytest.mark.parametrize("url", ["/plain", "/varied", "/missing"])
@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {}),
        ("GET", {"Origin": "https://dashboard.example"}),
        ("HEAD", {"Origin": "https://dashboard.example"}),
        ("OPTIONS", {"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}),
        (
            "OPTIONS",
            {
                "Origin": "https://a.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-Secret",
            },
        ),
        ("OPTIONS", {"Origin": "https://a.example"}),
    ],
)
def test_same_headers_as_starlette(url: str, method: str, headers: dict[str, str]) -> None:
    ours = CORSMiddleware(_inner(), **SETTINGS)  # type: ignore[arg-type]
    theirs = StarletteCORS(_inner(), allow_origins=["*"], **SETTINGS)  # type: ignore[arg-type]
    assert _headers(ours, method, url, headers) == _headers(theirs, method, url, headers)
