"""RFC 9457 problem details for every 4xx and 5xx, and the handlers that produce them."""

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.services.paging import InvalidInputError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PATH_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 pchar and "/", less "%": a decoded "%" is data
log = logging.getLogger("spacefacts.errors")

# type URI slug -> what it means; served at /problems/{slug}.
PROBLEM_TYPES: dict[str, str] = {
    "bad-request": "The request could not be understood.",
    "invalid-parameter": "A query or path parameter is missing, malformed or out of range.",
    "unknown-parameter": "The request used a query parameter this operation does not define.",
    "invalid-cursor": "The pagination cursor is malformed or belongs to another ordering.",
    "not-found": "No resource exists at this URL.",
    "cors-refused": "A CORS preflight asked for a method or request header this API does not "
    "allow; the detail names them and lists what is allowed.",
    "method-not-allowed": "This resource does not support the method; see the Allow header.",
    "not-acceptable": "None of the media types in the Accept header can be served.",
    "precondition-failed": "An If-Match or If-Unmodified-Since precondition is false: the "
    "representation is not the one the client holds.",
    "rate-limited": "Too many requests from this client; retry after Retry-After seconds.",
    "internal-error": "The server failed; the problem is logged and nothing internal is shown.",
    "service-unavailable": "The database is unavailable or not yet migrated.",
}
STATUS_TYPES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    412: "precondition-failed",
    429: "rate-limited",
    500: "internal-error",
    503: "service-unavailable",
}


class ProblemError(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or STATUS_TYPES.get(status, "bad-request")
        self.errors = errors
        self.headers = headers or {}


def problem_body(
    *, status: int, kind: str, detail: str, instance: str, errors: list[dict[str, str]] | None
) -> bytes:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        # A URI reference (RFC 9457): the decoded path percent-encoded again, so a path that
        # held spaces, controls or non-ASCII characters is still one.
        "instance": quote(instance, safe=PATH_SAFE),
    }
    if errors is not None:
        body["errors"] = errors
    return orjson.dumps(body)


def problem_response(exc: ProblemError, path: str) -> Response:
    body = problem_body(
        status=exc.status, kind=exc.kind, detail=exc.detail, instance=path, errors=exc.errors
    )
    headers = {"Cache-Control": "no-store", **exc.headers}
    return Response(body, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.url.path)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette lists the route's methods; HEAD is served wherever GET is.
        methods = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        headers["Allow"] = ", ".join(methods)
        detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}."
    elif exc.status_code == 404:
        detail = f"Nothing exists at {request.url.path}."
    else:
        detail = str(exc.detail)
    problem = ProblemError(exc.status_code, detail, headers=headers)
    return problem_response(problem, request.url.path)


IDS = "one or more ids (letters, digits, `-` and `_`), comma-separated or repeated"
DAY = "a date such as 2025-03-01"
# The accepted form of each parameter, in the API's words (the validator's are its internals).
FORMS: dict[str, str] = {
    "limit": "a whole number from 1 to 200",
    "cursor": "the `next_cursor` of a previous page, unchanged",
    "sort": "comma-separated fields this collection sorts by (see its documentation), "
    "each optionally preceded by `-` for descending",
    "q": "text of 1 to 200 characters",
    "from": f"{DAY}, a month such as 2025-03, or a year such as 2025",
    "to": f"{DAY}, a month such as 2025-03, or a year such as 2025",
    "as_of": DAY,
    "active_on": DAY,
    "include_undated": "true or false",
    "start": "a whole number of code points from 0 to 1000000000",
    "end": "a whole number of code points from 0 to 1000000000",
    "code": "an ISO 3166-1 alpha-2 code in capitals, such as CN",
}
for _name in ("agency", "country", "program", "party", "agreement", "entity", "source"):
    FORMS[_name] = IDS
for _name in ("attribution", "jurisdiction", "restricted_party", "counterpart"):
    FORMS[_name] = IDS


def _form(where: str, name: str, errors: list[dict[str, Any]]) -> str:
    """What a parameter must be, said as the API documents it."""
    expected = [str(e["ctx"]["expected"]) for e in errors if e["type"] == "enum"]
    if expected:
        # A list's items fail at (where, name, index): the filter takes several values.
        listed = any(len(e["loc"]) > 2 and isinstance(e["loc"][2], int) for e in errors)
        return f"one of {expected[0]}" + (" (several: comma-separated or repeated)" * listed)
    if where == "path" and name == "kind":
        return "a problem type slug such as not-found"
    if name in FORMS:
        return FORMS[name]
    if where == "path":
        return "an id of lowercase letters, digits and hyphens, such as ilrs"
    return "as its documentation describes"


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # One message per parameter: a union (from, to) fails once per member, a list per item.
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for err in exc.errors():
        where, name = (str(part) for part in (*err["loc"], "", "")[:2])
        grouped.setdefault((where, name), []).append(err)
    errors = []
    for (where, name), errs in grouped.items():
        if any(e["type"] == "missing" for e in errs):
            message = f"`{name}` is required: {_form(where, name, errs)}."
        else:
            message = f"`{name}` must be {_form(where, name, errs)}."
        errors.append({"location": f"{where}.{name}", "message": message})
    problem = ProblemError(
        400,
        " ".join(e["message"] for e in errors),
        kind="invalid-parameter",
        errors=errors,
    )
    return problem_response(problem, request.url.path)


async def _invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInputError)
    errors = [{"location": exc.field, "message": str(exc)}] if exc.field else None
    return problem_response(
        ProblemError(400, str(exc), kind=exc.kind, errors=errors), request.url.path
    )


async def _unhandled(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = ProblemError(500, "The server failed to answer this request; it has been logged.")
    return problem_response(problem, request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(Exception, _unhandled)
