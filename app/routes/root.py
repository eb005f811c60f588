from typing import Annotated, Any

from fastapi import APIRouter, Path
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

router = APIRouter(tags=["meta"], dependencies=[Guard], route_class=ApiRoute)


class Index(BaseModel):
    name: NameOut
    version: Annotated[str, Field(max_length=40, pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")]
    description: TextOut
    docs: UrlOut
    redoc: UrlOut
    openapi: UrlOut
    resources: dict[str, UrlOut]


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
    }


@router.get(
    "/",
    summary="Where to go",
    response_model=Index,
    response_class=JSONBytes,
    responses=responses(),
)
def read_index() -> JSONBytes:
    """Links to the documentation and to every /v1 resource."""
    return JSONBytes(_index())


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
