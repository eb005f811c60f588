"""What every route shares: parameters, guards, JSON bytes, pages, documented error responses."""

import datetime as dt
import re
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, Field, create_model
from starlette.responses import JSONResponse

from app.errors import PROBLEM_MEDIA_TYPE, ProblemError
from app.middleware.negotiation import accepts
from app.models.public import Page, Problem
from app.services.basis import stated_view
from app.services.paging import PageResult

# Free text may be anything but NUL (which PostgreSQL cannot hold or compare).
TEXT_PATTERN = r"^[^\x00]*$"
LIST_PATTERN = r"^[A-Za-z0-9_-]{1,100}(,[A-Za-z0-9_-]{1,100}){0,49}$"


class JSONBytes(JSONResponse):
    """JSON rendered by orjson; routes hand it finished dicts, never ORM objects."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content)


_PAGES: dict[type[BaseModel], type[BaseModel]] = {}


def page_of(item: type[BaseModel]) -> type[BaseModel]:
    """The page envelope of a collection, named e.g. `ProgramPage` in OpenAPI."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Public") + "Page"
        _PAGES[item] = create_model(name, __base__=Page[item], __module__=__name__)  # type: ignore[valid-type]
    return _PAGES[item]


def split(value: str | None) -> list[str]:
    return value.split(",") if value else []


def ids_param(description: str) -> Any:
    return Query(
        description=description + " Comma-separated values mean OR.",
        max_length=5000,
        pattern=LIST_PATTERN,
    )


Limit = Annotated[
    int,
    Query(
        ge=1, le=200, description="Items per page (1–200).", json_schema_extra={"format": "int32"}
    ),
]


def _iso_day(value: Any) -> Any:
    # pydantic would also read "0000" as a Unix timestamp (1970-01-01); a day is YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day), Field(json_schema_extra={"maxLength": 10})]
Cursor = Annotated[
    str | None,
    Query(
        max_length=1000,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque cursor from `next_cursor` of the previous page.",
    ),
]


def sort_param(allowed: list[str], default: str) -> Any:
    field = f"-?({'|'.join(allowed)})"
    return Query(
        max_length=200,
        pattern=f"^{field}(,{field}){{0,{len(allowed) - 1}}}$",
        description=f"Comma-separated fields, `-` for descending. Allowed: {', '.join(allowed)}. "
        f"Default: `{default}`; ties are broken by id.",
    )


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


_ALLOWED: dict[int, frozenset[str]] = {}


async def guard(request: Request) -> None:
    """Refuse parameters the operation does not define, and media types it cannot produce."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _ALLOWED.get(id(route))
    if allowed is None:
        allowed = _ALLOWED[id(route)] = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ProblemError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}. "
            f"Allowed: {', '.join(sorted(allowed)) or 'none'}.",
            kind="unknown-parameter",
            errors=[
                {"location": f"query.{name}", "message": "unknown parameter"} for name in unknown
            ],
        )
    media_type = getattr(route.response_class, "media_type", None) or "application/json"
    accept = request.headers.get("accept")
    # A client that takes problems only (application/problem+json) still learns of a 400 or a
    # 404; if the answer would be a 200, the cache layer turns it into the 406.
    if not accepts(accept, media_type) and not accepts(accept, PROBLEM_MEDIA_TYPE):
        raise ProblemError(406, f"This resource is only available as {media_type}.")


Guard = Depends(guard)


def page_response(
    request: Request, items: list[bytes], page: PageResult, limit: int, *, stated: bool = False
) -> JSONBytes:
    """The page envelope around items already serialized (stored documents), as JSON bytes."""
    if stated:
        items = [orjson.dumps(stated_view(orjson.loads(item))) for item in items]
    tail = orjson.dumps({"next_cursor": page.next_cursor, "limit": limit, "total": page.total})
    response = JSONBytes(b'{"items":[' + b",".join(items) + b"]," + tail[1:])
    if page.next_cursor is not None:
        target = request.url.include_query_params(cursor=page.next_cursor)
        # A relative reference: cached bytes stay right whatever Host the client used.
        response.headers["Link"] = f'<{target.path}?{target.query}>; rel="next"'
    return response


def problem_response_doc(description: str) -> dict[str, Any]:
    # The model registers the Problem schema; app/openapi.py documents the content under the
    # media type the server sends.
    return {"model": Problem, "description": description}


def responses(*, not_found: bool = False) -> dict[int | str, dict[str, Any]]:
    """The responses every GET can give besides 200; headers are added in app/openapi.py."""
    out: dict[int | str, dict[str, Any]] = {
        304: {
            "description": "Not Modified: the `If-None-Match` ETag (or `If-Modified-Since` "
            "date) is current."
        },
        400: problem_response_doc(
            "Invalid, out-of-range or unknown query parameter, or a malformed cursor."
        ),
        406: problem_response_doc(
            "The Accept header admits no media type this operation produces."
        ),
        412: problem_response_doc(
            "Precondition Failed: `If-Match` names no current representation, or the data "
            "changed after `If-Unmodified-Since`."
        ),
        429: problem_response_doc("Rate limit exceeded; retry after `Retry-After` seconds."),
        500: problem_response_doc("Server error; nothing internal is disclosed."),
    }
    if not_found:
        out[404] = problem_response_doc("No resource with this id.")
    return out
