"""The routers' shortcut (app/routes/router.py) turns away only what FastAPI would: for every
route's path, variants of it and paths no route has, under every method, each entry of the
app's route list matches the same way with the shortcut and without it."""

import itertools
import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from app.main import create_app
from app.routes.router import Router

METHODS = ("GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS")


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app()


def _route_paths(app: FastAPI) -> list[str]:
    """Every path of the OpenAPI document and of the app's other routes, parameters filled."""
    paths = set(app.openapi()["paths"]) | {
        p for route in app.routes if isinstance(p := getattr(route, "path", None), str)
    }
    for router in _routers(app):
        paths |= {
            p for route in router.routes if isinstance(p := getattr(route, "path", None), str)
        }
    filled: set[str] = set()
    for path, value in itertools.product(paths, ("ilrs", "CN", "x")):
        filled.add(re.sub(r"\{[^}]+\}", value, path))
    return sorted(filled)


def _routers(app: FastAPI) -> list[Router]:
    found: list[Router] = []
    for entry in app.router.routes:
        router = getattr(entry, "original_router", None)  # FastAPI's included-router entry
        if isinstance(router, Router):
            found.append(router)
    return found


def _variants(path: str) -> list[str]:
    trimmed = path.rstrip("/") or "/"
    return [path, trimmed, f"{trimmed}/", f"{trimmed}/more", f"{trimmed}x", trimmed[:-1] or "/"]


def _scope(method: str, path: str, root_path: str = "") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": root_path + path,
        "raw_path": (root_path + path).encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [],
    }


def _matches(routes: list[BaseRoute], scope: Scope) -> list[tuple[Match, object]]:
    answers = []
    for entry in routes:
        match, child = entry.matches(dict(scope))
        answers.append((match, child.get("endpoint") if match != Match.NONE else None))
    return answers


def test_the_shortcut_turns_away_only_what_fastapi_would(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(
        {v for p in _route_paths(app) for v in _variants(p)} | {"/nope", "/v1/nope/x", ""}
    )
    cases = [
        _scope(method, path, root)
        for method in METHODS
        for path in paths
        for root in ("", "/api")
        if path or not root
    ]
    assert len(cases) > 2000  # the paths of some 60 routes, their variants, every method
    routes = list(app.router.routes)
    with_shortcut = [_matches(routes, scope) for scope in cases]
    monkeypatch.setattr(Router, "shortcut", False)
    without = [_matches(routes, scope) for scope in cases]
    assert with_shortcut == without
    # And the comparison has something to compare: most paths match some route.
    assert sum(any(m != Match.NONE for m, _ in answers) for answers in without) > len(cases) / 4


def test_routing_a_request_asks_no_route_of_another_router(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI calls Router.matches for each included router: if it stopped, the shortcut
    would silently cost what it saves, and this fails."""
    asked: list[str] = []
    matches = APIRoute.matches

    def counted(self: APIRoute, scope: Scope) -> tuple[Match, Scope]:
        asked.append(self.path)
        return matches(self, scope)

    monkeypatch.setattr(APIRoute, "matches", counted)
    assert api.get("/v1/search", params={"q": "lunar"}).status_code == 200
    app = api.app
    assert isinstance(app, FastAPI)
    # The docs' routes are the app's own, outside any router: FastAPI asks them first.
    outside = {r.path for r in app.router.routes if isinstance(r, APIRoute)}
    assert set(asked) - outside == {"/v1/search"}
