"""Small helpers shared by tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from app.middleware.http_cache import HTTPCacheMiddleware
from app.models import metadata
from app.services.seed import load_seed
from app.services.seed_files import SeedError


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order, for before/after comparisons."""
    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for name, table in sorted(metadata.tables.items())
        }


def edit(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of old in a seed file."""
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times in {path.name}"
    path.write_text(content.replace(old, new), encoding="utf-8")


def refused(engine: Engine, seed_dir: Path) -> list[str]:
    """The problems a seed load reports, checking that it left the database as it was."""
    before = snapshot(engine)
    with pytest.raises(SeedError) as caught:
        load_seed(engine=engine, seed_dir=seed_dir)
    assert snapshot(engine) == before
    return caught.value.problems


def objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in value, value itself included, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from objects(item)


def edit_event(client: httpx.Client, base: str, *, key: str, event: str, summary: str) -> None:
    """PATCH an event's summary through a served API, with the ETag just read as If-Match."""
    etag = client.get(f"{base}/v1/events/{event}").headers["etag"]
    response = client.patch(
        f"{base}/v1/events/{event}",
        content=orjson.dumps({"summary": summary}),
        headers={
            "Authorization": f"Bearer {key}",
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert response.status_code == 200, response.text


L = TypeVar("L")


def layer_of(client: TestClient, kind: type[L]) -> L:
    """The first middleware layer of type `kind` in a test client's app."""
    layer: Any = client.app
    layer = layer.middleware_stack
    while not isinstance(layer, kind):
        layer = layer.app
    return layer


def response_cache(client: TestClient) -> HTTPCacheMiddleware:
    """The response cache layer of a test client's app."""
    return layer_of(client, HTTPCacheMiddleware)


Statement = tuple[str, Any]  # SQL as sent to the driver, and its parameters


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """The statements run on engine meanwhile, with their parameters."""
    statements: list[Statement] = []

    def capture(_conn: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
        statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def explain(engine: Engine, sql: str, params: Any) -> str:
    """The plan of a captured statement, its rows joined: SQLite's EXPLAIN QUERY PLAN, or
    PostgreSQL's EXPLAIN with sequential scans off (a tiny table is scanned otherwise)."""
    postgresql = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        if postgresql:
            conn.exec_driver_sql("SET enable_seqscan = off")
        prefix = "EXPLAIN" if postgresql else "EXPLAIN QUERY PLAN"
        return " ".join(str(row) for row in conn.exec_driver_sql(f"{prefix} {sql}", params))
