"""The private APIs of dependencies that the code relies on, each pinned by uv.lock and checked
here against the public behaviour it stands for, so that an upgrade that moves one fails here,
by name, instead of somewhere downstream.

- `fastapi.dependencies.models.Dependant` (app/routes/common.py): which query parameters an
  operation declares, and which of them take several values. Checked against the operation's
  parameters in the public OpenAPI document.
- `build_middleware_stack` replaced on the app (app/main.py `_put_in_front`): Starlette builds
  the stack lazily through it. Checked by walking the stack the app really runs.
- `Select._generate_cache_key` (app/services/paging.py `_count_key`): SQLAlchemy's structural
  key of a statement, with its bound values. Checked against statements that must and must not
  share a count.
"""

import contextlib
import re
from importlib.metadata import version
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import Message

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.middleware.cors import CORSMiddleware
from app.middleware.http_cache import HTTPCacheMiddleware
from app.resources.programs.models import Program
from app.routes.common import _list_names, _query_names
from app.services.paging import _count_key

PINS = f"fastapi {version('fastapi')}, starlette {version('starlette')}, "
PINS += f"sqlalchemy {version('sqlalchemy')} (see uv.lock)"


def _engine() -> Engine:
    return make_engine("sqlite://")


def _is_array(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" or any(
        member.get("type") == "array" for member in schema.get("anyOf", [])
    )


def _route_of(app: FastAPI, *, path: str, method: str) -> APIRoute:
    """The route FastAPI's router picks for `method path` (it records it in the scope)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
        "path": re.sub(r"\{[^}]+\}", "x", path),
        "raw_path": b"",
        "query_string": b"",
        "headers": [],
        "app": app,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    with contextlib.suppress(Exception):  # the handler fails on an empty database: no matter
        anyio.run(app.router, scope, receive, send)
    route = scope.get("route")
    assert isinstance(route, APIRoute), (method, path, PINS)
    return route


def test_dependant_names_the_query_parameters_openapi_documents() -> None:
    app = create_app(config=Settings(rate_limit_enabled=False), db=_engine())
    document = app.openapi()
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            route = _route_of(app, path=path, method=method.upper())
            query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            documented = {p["name"] for p in query}
            arrays = {p["name"] for p in query if _is_array(p["schema"])}
            assert _query_names(route.dependant) == documented, (method, path, PINS)
            assert _list_names(route.dependant) == arrays, (method, path, PINS)
            checked += 1
    assert checked > 30


def test_the_front_middleware_runs_ahead_of_fastapis_own() -> None:
    app = create_app(config=Settings(rate_limit_enabled=False), db=_engine())
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/nowhere")
    chain: list[type] = []
    layer: Any = app.middleware_stack
    while layer is not None and not isinstance(layer, ServerErrorMiddleware):
        chain.append(type(layer))
        layer = getattr(layer, "app", None)
    assert isinstance(layer, ServerErrorMiddleware), (chain, PINS)
    assert CORSMiddleware in chain, PINS
    assert HTTPCacheMiddleware in chain, PINS


def test_starlette_builds_its_stack_lazily_from_server_errors_out() -> None:
    app = create_app(config=Settings(rate_limit_enabled=False), db=_engine())
    assert app.middleware_stack is None, f"Starlette no longer builds its stack lazily ({PINS})"
    assert isinstance(FastAPI().build_middleware_stack(), ServerErrorMiddleware), PINS


def test_count_keys_separate_exactly_what_counts_differently() -> None:
    def where(name: str, ids: list[str]) -> Any:
        return select(Program).where(Program.name == name, Program.id.in_(ids))  # type: ignore[attr-defined]

    same = _count_key(where("ILRS", ["a", "b"]))
    assert same is not None, PINS
    assert _count_key(where("ILRS", ["a", "b"])) == same, PINS
    assert hash(same) == hash(_count_key(where("ILRS", ["a", "b"])))
    assert _count_key(where("Artemis", ["a", "b"])) != same, PINS
    assert _count_key(where("ILRS", ["a"])) != same, PINS
    assert _count_key(select(Program).where(Program.id == "ILRS")) != same, PINS
