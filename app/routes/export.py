"""`GET /v1/export`, the whole dataset as one JSON document (what `spacefacts import` reads), and
`GET /v1/export.csv`, one collection as a spreadsheet: both streamed from one snapshot of the
database. The response cache passes these paths by (they are too big to hold), so validators,
preconditions and the 406 are answered here, as the cache layer answers them elsewhere."""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Annotated

from fastapi import Query, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.db import read_engine
from app.errors import ProblemError
from app.middleware.conditional import validators
from app.middleware.negotiation import (
    accepts,
    etag_matches,
    etag_matches_strong,
    parse_http_date,
)
from app.models.public import NO_NUL
from app.routes.common import ApiRoute, Guard, JSONBytes, responses
from app.routes.router import Router
from app.services.dataset import VersionInfo, read_version_info
from app.services.export import ExportDocument, export_document, read_snapshot
from app.services.export_csv import ExportCollection, collection_csv

__all__ = ["PATHS", "router"]

router = Router(prefix="/v1", tags=["export"], dependencies=[Guard], route_class=ApiRoute)
PATHS = ("/v1/export", "/v1/export.csv")  # for the response cache to pass by


class ExportJSON(StreamingResponse):
    media_type = "application/json"


class ExportCSV(StreamingResponse):
    media_type = "text/csv"  # Starlette adds "; charset=utf-8"


def _modified_after(since: str | None, info: VersionInfo) -> bool | None:
    moment = parse_http_date(since) if since is not None else None
    if moment is None or info.created_at is None:
        return None
    return info.created_at.replace(microsecond=0) > moment


def _precondition(request: Request, etag: str, info: VersionInfo) -> bool:
    """True for a 304, a 412 problem for a false If-Match, as the cache layer decides them."""
    headers = request.headers
    if_match = headers.get("if-match")
    if if_match is not None:
        failed = not etag_matches_strong(if_match, etag)
    else:
        failed = _modified_after(headers.get("if-unmodified-since"), info) is True
    if failed:
        raise ProblemError(
            412,
            "The representation is not the one your If-Match or If-Unmodified-Since names.",
            kind="precondition-failed",
            headers={"ETag": etag},
        )
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    return _modified_after(headers.get("if-modified-since"), info) is False


def _closing(chunks: Iterator[bytes], stack: ExitStack) -> Iterator[bytes]:
    """The chunks, after an empty one; the snapshot ends with them (or when they are dropped)."""
    with stack:
        yield b""
        yield from chunks


def _streamed(
    request: Request,
    *,
    response: type[StreamingResponse],
    name: Callable[[int], str],
    filename: Callable[[int], str],
    body: Callable[[Session], Iterator[bytes]],
) -> Response:
    """The body `body` makes from one snapshot, with its validators, or a 304."""
    if not accepts(request.headers.get("accept"), str(response.media_type)):
        raise ProblemError(406, f"This resource is only available as {response.media_type}.")
    stack = ExitStack()
    try:
        session = stack.enter_context(read_snapshot(engine=read_engine(request)))
        info = read_version_info(session=session)
        etag = f'"{name(info.version)}"'
        private = request.headers.get("authorization") is not None
        headers = {k.decode(): v.decode() for k, v in validators(info, etag, private=private)}
        if _precondition(request, etag, info):
            stack.close()
            return Response(status_code=304, headers=headers)
        chunks = body(session)
    except BaseException:
        stack.close()
        raise
    headers["Content-Disposition"] = f'attachment; filename="{filename(info.version)}"'
    if request.scope.get("state", {}).get("head"):  # a HEAD (the cache layer marks it): no body
        stack.close()
        return response(iter(()), headers=headers)
    stream = _closing(chunks, stack)
    # Started here, so that a body never read (the client gone first) still ends the snapshot
    # when the generator is dropped.
    next(stream)
    return response(stream, headers=headers)


@router.get(
    "/export",
    name="export_json",
    summary="Export the whole dataset",
    response_class=JSONBytes,  # what OpenAPI shows; the answer streams (ExportJSON)
    response_model=None,
    responses={
        200: {
            "model": ExportDocument,
            "description": 'The dataset at the version in `ETag` (`"export-<version>"`), '
            "as an attachment.",
        },
        **responses(),
    },
)
def export_json(request: Request) -> Response:
    """Every source (with its text) and entity, one a line, as `spacefacts import` reads them."""
    return _streamed(
        request,
        response=ExportJSON,
        name=lambda version: f"export-{version}",
        filename=lambda version: f"spacefacts-{version}.json",
        body=lambda session: export_document(session=session),
    )


@router.get(
    "/export.csv",
    name="export_csv",
    summary="Export one collection as CSV",
    response_class=ExportCSV,
    response_model=None,
    responses={
        200: {
            "description": "RFC 4180 CSV in UTF-8: a header row, then a row per entity by id, "
            "flattened from its public document (objects as dotted columns, lists joined by "
            "`; `, citations as their count and their exact quotes joined by ` | `).",
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "maxLength": 2**31 - 1, "pattern": NO_NUL}
                }
            },
        },
        **responses(),
    },
)
def export_csv(
    request: Request,
    collection: Annotated[
        ExportCollection, Query(description="The collection to export, one row per entity.")
    ],
) -> Response:
    """One collection, a row per entity, for a spreadsheet; the JSON export carries more."""
    return _streamed(
        request,
        response=ExportCSV,
        name=lambda version: f"export-{version}-{collection.value}",
        filename=lambda version: f"spacefacts-{version}-{collection.value}.csv",
        body=lambda session: collection_csv(session=session, collection=collection.value),
    )
