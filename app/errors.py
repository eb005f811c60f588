"""RFC 9457 problem details for every 4xx and 5xx, and the handlers that produce them."""

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app import logs
from app.db_errors import DATABASE_UNAVAILABLE, RETRY_AFTER
from app.pointers import body_pointer, shown
from app.services.paging import InvalidInputError

PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_TEXT = 10_000  # and on `detail` and each error's `message`
PATH_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3986 pchar and "/", less "%": a decoded "%" is data
MAX_ERRORS = 100  # entries of `errors` in one problem (the Problem schema's bound)
MAX_MESSAGE = 1000  # characters of one entry's message

# type URI slug -> what it means; served at /problems/{slug}.
PROBLEM_TYPES: dict[str, str] = {
    "bad-request": "The request could not be understood: malformed HTTP, or a request line "
    "and headers over 16 KiB (the connection is then closed).",
    "invalid-parameter": "A query or path parameter is missing, malformed or out of range.",
    "unknown-parameter": "The request used a query parameter this operation does not define.",
    "invalid-cursor": "The pagination cursor is malformed or belongs to another ordering.",
    "unauthorized": "The operation needs an API key (`Authorization: Bearer <key>`) and none "
    "was sent, or the key sent is unknown or revoked; see the WWW-Authenticate header.",
    "forbidden": "The API key is valid but lacks the scope this operation needs; "
    "the WWW-Authenticate header names it.",
    "not-found": "No resource exists at this URL.",
    "deleted": "The entity was deleted: the detail says when and by whom, and the `Link` "
    "header (rel=version-history) points at its revisions. An admin can restore it.",
    "conflict": "The write conflicts with what is stored: the id is taken, the same source "
    "text is stored already (see `Location`), the entity is not deleted, or another entity "
    "still names the one being deleted.",
    "precondition-required": "A PATCH or DELETE must send `If-Match` with the ETag of the "
    "entity as the client read it.",
    "cors-refused": "A CORS preflight asked for a method or request header this API does not "
    "allow; the detail names them and lists what is allowed.",
    "method-not-allowed": "This resource does not support the method; see the Allow header.",
    "not-acceptable": "None of the media types in the Accept header can be served.",
    "precondition-failed": "An If-Match or If-Unmodified-Since precondition is false: the "
    "representation is not the one the client holds.",
    "payload-too-large": "The request body is larger than the API accepts (1 MiB).",
    "unsupported-media-type": "The request body is not JSON: send `Content-Type: "
    "application/json` (or, for PATCH, `application/merge-patch+json`); the Accept-Post or "
    "Accept-Patch header lists what the operation takes.",
    "invalid-body": "The request body is not a well-formed JSON document: invalid UTF-8, "
    "malformed JSON, a number out of range, or an object with the same key twice; the detail "
    "says what and where.",
    "unprocessable": "The request body is JSON but does not describe a valid change; each entry "
    "of `errors` points at the member at fault with a JSON Pointer (RFC 6901).",
    "rate-limited": "Too many requests from this client; retry after Retry-After seconds.",
    "internal-error": "The server failed; the problem is logged and nothing internal is shown.",
    "service-unavailable": "The database is unavailable, not yet migrated, or holds no data "
    "yet; the detail says which.",
    "too-many-streams": "This server process holds as many live streams (/v1/stream) as it "
    "takes; retry after Retry-After seconds.",
    "request-timeout": "The request line and headers, or the body, did not arrive in time "
    "(5 and 30 seconds by default); the connection is closed.",
    "headers-too-large": "The request has more header fields than the API reads (100).",
    "overloaded": "This server process has as many connections or requests in progress as it "
    "takes; retry after Retry-After seconds.",
}
STATUS_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    428: "precondition-required",
    413: "payload-too-large",
    408: "request-timeout",
    415: "unsupported-media-type",
    431: "headers-too-large",
    422: "unprocessable",
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
        # Details and errors may quote the client's own input: each is kept within the
        # Problem schema's bounds (no NUL, bounded lengths, at most MAX_ERRORS entries).
        "detail": shown(detail, MAX_TEXT),
        # A URI reference (RFC 9457): the decoded path percent-encoded again, so a path that
        # held spaces, controls or non-ASCII characters is still one.
        "instance": quote(instance, safe=PATH_SAFE),
    }
    if errors is not None:
        body["errors"] = [
            {"location": shown(e["location"]), "message": shown(e["message"], MAX_TEXT)}
            for e in errors[:MAX_ERRORS]
        ]
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
        # Starlette lists the methods of the first route that matched the path; several
        # routes share a path (a list and its create), so every method is tried on every
        # route. HEAD is served wherever GET is.
        methods = [
            method
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if any(
                route.matches({**request.scope, "method": method})[0] is Match.FULL
                for route in request.app.routes
            )
        ]
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
    "collection": "the name of a collection, such as agencies",
    "since": "an RFC 3339 date-time with its offset, such as 2026-12-01T00:00:00Z",
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


def _body_errors(errs: list[dict[str, Any]], body: Any) -> list[dict[str, str]]:
    """One entry per failed member of a JSON body, located by a JSON Pointer into it."""
    out: dict[str, str] = {}
    for err in errs:
        pointer = shown(body_pointer(err["loc"][1:], body))
        if err["type"] == "missing":
            message = "is required" if pointer else "a JSON body is required"
        elif err["type"] == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))  # the validator's words
        else:
            message = str(err["msg"])
        # One per member, the first failure: a union fails once for each of its members.
        out.setdefault(pointer, message[:MAX_MESSAGE])
    return [{"location": where, "message": message} for where, message in out.items()]


def _body_problem(errs: list[dict[str, Any]], body: Any) -> ProblemError:
    if any(e["type"] == "json_invalid" for e in errs):  # a body route that is no WriteRoute
        reason = next(str(e.get("ctx", {}).get("error", "")) for e in errs)
        return ProblemError(400, f"The body is not valid JSON: {reason}.", kind="invalid-body")
    errors = _body_errors(errs, body)
    listed = "; ".join(
        f"{e['location']}: {e['message']}" if e["location"] else e["message"] for e in errors[:3]
    )
    more = f" (and {len(errors) - 3} more)" * (len(errors) > 3)
    return ProblemError(
        422,
        f"The request body is not valid for this operation: {listed}{more}.",
        kind="unprocessable",
        errors=errors[:MAX_ERRORS],
    )


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    body_errs = [e for e in exc.errors() if e["loc"] and e["loc"][0] == "body"]
    params = [e for e in exc.errors() if not (e["loc"] and e["loc"][0] == "body")]
    if not params:
        return problem_response(_body_problem(body_errs, exc.body), request.url.path)
    # One message per parameter: a union (from, to) fails once per member, a list per item.
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for err in params:
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
        # A bad request line is answered first (400); what else is wrong in the body is listed.
        errors=errors + _body_errors(body_errs, exc.body) if body_errs else errors,
    )
    return problem_response(problem, request.url.path)


async def _invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInputError)
    errors = [{"location": exc.field, "message": str(exc)}] if exc.field else None
    return problem_response(
        ProblemError(400, str(exc), kind=exc.kind, errors=errors), request.url.path
    )


def _log_error(
    request: Request, exc: Exception, *, event: str = "unhandled_error", traceback: bool = True
) -> None:
    """One line to stderr, with the id the client got back in X-Request-ID (app/logs.py)."""
    route = request.scope.get("route")
    line = logs.error_line(
        exc=exc,
        request_id=logs.request_id(request.scope),
        method=request.method,
        path=request.url.path,
        route=getattr(route, "path", None),
        text=logs.writes_text(request.app.state.config.log_format),
        event=event,
        with_traceback=traceback,
    )
    logs.stderr(line)


async def _unhandled(request: Request, exc: Exception) -> Response:
    _log_error(request, exc)
    # Starlette raises it again after this answer; the outermost layer must not log it twice.
    logs.mark_logged(exc)
    problem = ProblemError(500, "The server failed to answer this request; it has been logged.")
    return problem_response(problem, request.url.path)


def database_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "The database is unavailable; retry after Retry-After seconds.",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    _log_error(request, exc, event="database_unavailable", traceback=False)
    return problem_response(database_unavailable(), request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(Exception, _unhandled)
