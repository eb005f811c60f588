"""The two reference servers `bench/bench.py` measures the API against.

- `limit`: a bare Starlette route returning precomputed bytes: the most a Python ASGI server
  can do here, the denominator of every ratio.
- `tutorial`: the same list and entity written the way the SQLModel/FastAPI tutorial teaches:
  a sync `def`, a `Session` dependency, a `response_model` that FastAPI validates and serializes.

Run as `python -m bench.servers limit|tutorial PORT` with SPACEFACTS_DATABASE_URL set.
"""

import sys
from typing import Annotated

import orjson
import uvicorn
from fastapi import Depends, FastAPI
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.config import Settings
from app.db import make_engine
from app.models.public import Page, TotalRelation
from app.resources.programs.models import ProgramPublic
from app.resources.programs.queries import ProgramFilters
from app.resources.registry import BY_TYPE
from app.services.listing import list_documents
from app.services.paging import PageResult

PROGRAMS = BY_TYPE["program"]


def first_page(session: Session) -> tuple[list[bytes], PageResult]:
    """The API's first page of programs: no filter, the default sort, 50 items."""
    return list_documents(
        connection=session.connection(),
        resource=PROGRAMS,
        filters=ProgramFilters(),
        stated_only=False,
        sort=None,
        limit=50,
        cursor=None,
        serving=None,
    )


def totals(page: PageResult) -> dict[str, object]:
    """The envelope's two total fields, as the API writes them."""
    relation = TotalRelation.eq if page.total.exact else TotalRelation.gte
    return {"total": page.total.value, "total_relation": relation.value}


def limit_app(body: bytes) -> Starlette:
    async def endpoint(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/v1/programs", endpoint)])


def tutorial_app(url: str) -> FastAPI:
    engine = make_engine(url)

    def get_session() -> object:
        with Session(engine) as session:
            yield session

    app = FastAPI()

    @app.get("/v1/programs", response_model=Page[ProgramPublic])
    def list_programs(session: Annotated[Session, Depends(get_session)]) -> Page[ProgramPublic]:
        _, page = first_page(session)
        # Built per request from ORM rows, as the tutorial does, then validated by FastAPI.
        items = [b.document for b in PROGRAMS.build(session, page.keys)]
        return Page[ProgramPublic].model_validate(
            {"items": items, "next_cursor": page.next_cursor, "limit": 50, **totals(page)}
        )

    @app.get("/v1/programs/{program_id}", response_model=ProgramPublic)
    def read_program(
        program_id: str, session: Annotated[Session, Depends(get_session)]
    ) -> ProgramPublic:
        (built,) = PROGRAMS.build(session, [program_id])
        return ProgramPublic.model_validate(built.document)

    return app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    url = Settings().database_url
    if kind == "limit":
        with Session(make_engine(url)) as session:
            items, page = first_page(session)
        tail = orjson.dumps({"next_cursor": None, "limit": 50, **totals(page)})
        app: Starlette = limit_app(b'{"items":[' + b",".join(items) + b"]," + tail[1:])
    else:
        app = tutorial_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
