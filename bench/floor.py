"""The floor of a miss: the least a Python server here does to answer each miss shape.

A bare Starlette app on one uvicorn worker, with no middleware and no FastAPI. Each request
reads what the API's miss reads, through the same service functions on the same SQLite file
(on the event loop, as the API reads SQLite), puts the documents in the API's page envelope
(`page_response`), and compresses the body as the API does when asked. It does no validation,
caching, ETag or logging, and sets no header beyond the content type and encoding. `make bench`
asks it each miss shape: the API's miss does all of this and more, so the floor's ratio to
Datasette bounds what any change to the API's request handling could reach on this stack.

Run as `python -m bench.floor PORT` with SPACEFACTS_DATABASE_URL set.
"""

import dataclasses
import sys

import orjson
import uvicorn
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.config import Settings
from app.db import make_engine, read_connection
from app.middleware.http_cache import compress
from app.resources.registry import BY_COLLECTION
from app.routes.common import page_response
from app.services import search
from app.services.dataset import TOTAL_LIMIT, Serving, current_version
from app.services.listing import list_documents, read_one
from app.services.paging import PageResult

__all__ = ["floor_app"]


def floor_app(url: str) -> Starlette:
    engine = make_engine(url, config=Settings())
    with Session(engine) as session:
        # Counts made once per dataset version, as the API's are.
        serving = Serving(current_version(session=session), {}, TOTAL_LIMIT)

    def answer(request: Request, body: bytes) -> Response:
        headers = {}
        if "br" in request.headers.get("accept-encoding", "") and len(body) >= 1024:
            body, headers = compress(body, "br"), {"content-encoding": "br"}
        return Response(body, media_type="application/json", headers=headers)

    async def list_items(request: Request) -> Response:
        resource = BY_COLLECTION[request.path_params["collection"]]
        params = request.query_params
        limit = int(params.get("limit", 50))
        filters = resource.filters(**{k: [v] for k, v in params.items() if k == "attribution"})  # type: ignore[misc]
        with read_connection(engine) as connection:
            items, page = list_documents(
                connection=connection,
                resource=resource,
                filters=filters,
                stated_only=False,
                sort=None,
                limit=limit,
                cursor=params.get("cursor"),
                serving=serving,
            )
        return answer(request, bytes(page_response(request, items, page, limit).body))

    async def read_item(request: Request) -> Response:
        resource = BY_COLLECTION[request.path_params["collection"]]
        with read_connection(engine) as connection:
            found = read_one(
                connection=connection, resource=resource, ident=request.path_params["id"]
            )
        return answer(request, found or b"{}")

    async def search_items(request: Request) -> Response:
        q = request.query_params["q"]
        with read_connection(engine) as connection:
            hits = search.search(connection=connection, q=q, limit=21, serving=serving)
            total = search.count(connection=connection, q=q, serving=serving)
        items = [orjson.dumps(dataclasses.asdict(h)) for h in hits[:20]]
        page = PageResult([h.id for h in hits[:20]], None, total)
        return answer(request, bytes(page_response(request, items, page, 20).body))

    return Starlette(
        routes=[
            Route("/v1/search", search_items),
            Route("/v1/{collection}", list_items),
            Route("/v1/{collection}/{id}", read_item),
        ]
    )


def main() -> None:
    uvicorn.run(
        floor_app(Settings().database_url),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
    )


if __name__ == "__main__":
    main()
