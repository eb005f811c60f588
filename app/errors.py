"""RFC 9457 problem details for every 4xx and 5xx, and the handlers that produce them."""

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.services.paging import InvalidInputError

PROBLEM_MEDIA_TYPE = "application/problem+json"
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
        "instance": instance,
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


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": _location(tuple(err["loc"])), "message": str(err["msg"])}
        for err in exc.errors()
    ]
    fields = ", ".join(e["location"] for e in errors)
    problem = ProblemError(
        400, f"Invalid parameter(s): {fields}.", kind="invalid-parameter", errors=errors
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
