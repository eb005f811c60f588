from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, Field

from app import __version__
from app.errors import PROBLEM_TYPES, ProblemError
from app.models.public import NameOut, ProblemType, TextOut, UrlOut
from app.resources.registry import RESOURCES
from app.routes.common import (
    ApiRoute,
    Guard,
    JSONBytes,
    responses,
)
from app.routes.router import Router

router = Router(tags=["meta"], dependencies=[Guard], route_class=ApiRoute)


class Index(BaseModel):
    name: NameOut
    version: Annotated[str, Field(max_length=40, pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")]
    description: TextOut
    docs: UrlOut
    redoc: UrlOut
    openapi: UrlOut
    resources: dict[str, UrlOut]
    feeds: dict[str, UrlOut] = Field(
        description="JSON Feed, Atom, and the live stream (Server-Sent Events)"
    )
    export: UrlOut = Field(description="the whole dataset in one JSON document")
    dashboard: UrlOut = Field(description="a page for people, built on this API")


class ProblemTypeInfo(BaseModel):
    type: ProblemType
    description: TextOut


def _index() -> dict[str, Any]:
    return {
        "name": "spacefacts",
        "version": __version__,
        "description": "Cited facts about international space cooperation. Every fact carries "
        "the exact quote that proves it.",
        "docs": "/docs",
        "redoc": "/redoc",
        "openapi": "/openapi.json",
        "resources": {
            **{r.collection: f"/v1/{r.collection}" for r in RESOURCES},
            "search": "/v1/search",
        },
        "feeds": {"json": "/v1/feed.json", "atom": "/v1/feed.atom", "stream": "/v1/stream"},
        "export": "/v1/export",
        "dashboard": "/dashboard",
    }


# Feed readers and browsers find the feeds from the index (RFC 8288 web linking).
ALTERNATES = (
    '</v1/feed.json>; rel="alternate"; type="application/feed+json", '
    '</v1/feed.atom>; rel="alternate"; type="application/atom+xml"'
)


def _index_response() -> JSONBytes:
    return JSONBytes(_index(), headers={"Link": ALTERNATES})


@router.get(
    "/",
    summary="Where to go",
    response_model=Index,
    response_class=JSONBytes,
    responses=responses(),
)
def read_index() -> JSONBytes:
    """Links to the documentation and to every /v1 resource."""
    return _index_response()


@router.get(
    "/v1",
    summary="Where to go in /v1",
    response_model=Index,
    response_class=JSONBytes,
    responses=responses(),
)
def read_api_index() -> JSONBytes:
    """The same links as `/`, at the API's versioned root."""
    return _index_response()


@router.get(
    "/problems/{kind}",
    summary="Explain a problem type",
    response_model=ProblemTypeInfo,
    response_class=JSONBytes,
    responses=responses(not_found=True),
)
def read_problem_type(
    kind: str = Path(pattern=r"^[a-z-]{1,40}$", max_length=40, description="Problem type slug."),
) -> JSONBytes:
    """What a problem `type` URI in an error response means."""
    if kind not in PROBLEM_TYPES:
        raise ProblemError(404, f"No problem type {kind!r}.")
    return JSONBytes({"type": f"/problems/{kind}", "description": PROBLEM_TYPES[kind]})
