"""What every route shares: parameters, guards, JSON bytes, pages, documented error responses."""

import functools
from collections import Counter
from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin
from urllib.parse import parse_qsl, quote, urlencode

import orjson
from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIRouter
from pydantic import BaseModel, create_model
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, ProblemError
from app.middleware.negotiation import accepts
from app.models.public import Page, Problem
from app.resources._types import Resource
from app.services.basis import stated_view
from app.services.paging import InvalidInputError, PageResult


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


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


def _list_names(dependant: Dependant) -> frozenset[str]:
    """The query parameters of an operation that take several values."""
    names = set()
    for field in dependant.query_params:
        annotation = field.field_info.annotation
        members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
        if any(get_origin(member) is list for member in (annotation, *members)):
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _list_names(sub)
    return frozenset(names)


def _normalize_query(scope: Scope, *, lists: frozenset[str], known: frozenset[str]) -> None:
    """Accept both forms of a multi-valued parameter and refuse a repeated single-valued one.

    `x=a,b` (OpenAPI's `explode: false`, what generated clients send) becomes `x=a&x=b`, which
    is how FastAPI reads a list (an empty value is an empty id, refused: an array has at least
    one item, since `x=` would mean [] and [""] alike); a single-valued parameter given twice is
    a 400 that names it, where FastAPI would silently keep the last value.
    """
    query: bytes = scope["query_string"]
    if b"&" not in query and b"," not in query and b"%" not in query:
        return  # one parameter at most, and no comma, even encoded: nothing to do
    raw = query.decode("latin-1")
    pairs = parse_qsl(raw, keep_blank_values=True)
    counts = Counter(name for name, _ in pairs)
    # Unknown names are the guard's to refuse, naming what is allowed.
    repeated = sorted(
        name for name, n in counts.items() if n > 1 and name in known and name not in lists
    )
    if repeated:
        raise InvalidInputError(
            f"Parameter(s) given more than once: {', '.join(repeated)}; each takes one value.",
            field=f"query.{repeated[0]}",
            kind="invalid-parameter",
        )
    if not any(name in lists and "," in value for name, value in pairs):
        return
    flat = [
        (name, part)
        for name, value in pairs
        for part in (value.split(",") if name in lists else [value])
    ]
    scope["query_string"] = urlencode(flat, quote_via=quote).encode("latin-1")


class ApiRoute(APIRoute):
    """Every operation's route: query parameters normalized before FastAPI reads them.

    Done on the ASGI scope in `handle`, before the route builds its `Request`, so nothing has
    read the query string yet and no cached copy of it needs resetting.
    """

    _names: tuple[frozenset[str], frozenset[str]] | None = None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._names is None:
            self._names = (_list_names(self.dependant), _query_names(self.dependant))
        lists, known = self._names
        _normalize_query(scope, lists=lists, known=known)
        await super().handle(scope, receive, send)


# Kept on the route object itself (routes are unhashable): a table keyed by id() would hand a
# later app's route, given a dropped one's id, the wrong names.
_ALLOWED_ATTR = "_spacefacts_allowed_query"


async def guard(request: Request) -> None:
    """Refuse parameters the operation does not define, and media types it cannot produce."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed: frozenset[str] | None = getattr(route, _ALLOWED_ATTR, None)
    if allowed is None:
        allowed = _query_names(route.dependant)
        setattr(route, _ALLOWED_ATTR, allowed)
    # Names as the client percent-encoded them: a name may hold NUL or control characters.
    unknown = sorted(quote(name, safe="-_.~") for name in set(request.query_params) - allowed)
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
    # A response class may offer alternatives (`media_types`, its default first).
    offered = getattr(route.response_class, "media_types", None) or (media_type,)
    accept = request.headers.get("accept")
    # A client that takes problems only (application/problem+json) still learns of a 400 or a
    # 404; if the answer would be a 200, the cache layer turns it into the 406.
    if not any(accepts(accept, m) for m in offered) and not accepts(accept, PROBLEM_MEDIA_TYPE):
        raise ProblemError(406, f"This resource is only available as {' or '.join(offered)}.")


Guard = Depends(guard)


def page_response(
    request: Request, items: list[bytes], page: PageResult, limit: int, *, stated: bool = False
) -> JSONBytes:
    """The page envelope around items already serialized (stored documents), as JSON bytes."""
    if stated:
        items = [orjson.dumps(stated_view(orjson.loads(item))) for item in items]
    total = page.total
    relation = "eq" if total.exact else "gte"
    tail = orjson.dumps(
        {
            "next_cursor": page.next_cursor,
            "limit": limit,
            "total": total.value,
            "total_relation": relation,
        }
    )
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


def once_per_resource(
    build: Callable[[Resource], APIRouter],
) -> Callable[[Resource], APIRouter]:
    """`build`, made once per process and resource, like the module-level routers: every app
    includes the same routes (nothing in them depends on an app's settings), and building them
    is most of an app's construction cost. Keyed by the resource's type, and valid only for the
    very object it was built from (a Resource holds dicts: it is not hashable)."""
    built: dict[str, tuple[Resource, APIRouter]] = {}

    @functools.wraps(build)
    def router(resource: Resource) -> APIRouter:
        held = built.get(resource.type)
        if held is None or held[0] is not resource:
            held = built[resource.type] = (resource, build(resource))
        return held[1]

    return router
