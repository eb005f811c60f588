"""Curators' writes of every writable resource, made from its spec: create, update (JSON Merge
Patch), delete, restore, and the revisions of an entity."""

import copy
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, create_model
from pydantic_core import PydanticUndefined
from sqlmodel import Session

from app.auth import AdminCaller, Caller, WriteCaller
from app.db import Db
from app.deps import DbDep
from app.errors import ProblemError
from app.models.support import ClaimSpec
from app.resources._types import Resource
from app.resources.sources.models import SourceCreate, SourcePublic
from app.routes.bodies import WriteRoute
from app.routes.common import Guard, JSONBytes, problem_response_doc, responses
from app.routes.params import Limit
from app.services.curate import (
    create_entity,
    delete_entity,
    restore_entity,
    update_entity,
)
from app.services.curate_sources import create_source
from app.services.history import RevisionPage, list_revisions
from app.services.refusals import CurateError, Written

__all__ = ["source_router", "write_router"]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description="The ETag of the entity as you read it (required): a stale one is a 412.",
    ),
]
Prefer = Annotated[
    str | None,
    Header(
        max_length=200,
        description="`return=minimal` for an empty answer, `return=representation` (the "
        "default) for the entity's document.",
    ),
]


def _problem(exc: CurateError) -> ProblemError:
    return ProblemError(
        exc.status, exc.detail, kind=exc.kind, errors=exc.errors or None, headers=exc.headers
    )


def _actor(caller: Caller) -> str:
    return f"key:{caller.name}"


def _minimal(prefer: str | None) -> bool:
    tokens = {t.strip().lower() for t in (prefer or "").replace(";", ",").split(",")}
    return "return=minimal" in tokens


def _answer(
    written: Written, *, status: int, prefer: str | None, location: str | None = None
) -> Response:
    headers = {"Cache-Control": "no-store"}
    if written.etag is not None:
        headers["ETag"] = written.etag
    if location is not None:
        headers["Location"] = location
    if prefer is not None and "return=" in prefer:
        headers["Preference-Applied"] = (
            "return=minimal" if _minimal(prefer) else "return=representation"
        )
    if _minimal(prefer) or written.document is None:
        return Response(status_code=204 if status == 200 else status, headers=headers)
    return JSONBytes(written.document, status_code=status, headers=headers)


async def _run(db: Db, fn: Callable[[Session], Written]) -> Written:
    try:
        result: Written = await db.write(fn)
    except CurateError as exc:
        raise _problem(exc) from exc
    return result


def _patch_model(resource: Resource) -> type[BaseModel]:
    """The merge patch's schema: every field of the write schema, none required."""
    create = resource.seed[0].model
    fields: dict[str, Any] = {}
    for field, info in create.model_fields.items():
        annotation: Any = info.annotation
        if field == "citations":
            annotation = dict[str, ClaimSpec | None]  # null removes a claim's citations
        # The field's own bounds and validators stay, on the value (null is the merge
        # patch's "remove"); only its default goes.
        bounds = copy.copy(info)
        bounds.default, bounds.default_factory = PydanticUndefined, None
        fields[field] = (Annotated[annotation, bounds] | None, None)
    name = create.__name__.removesuffix("Create") + "Patch"
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    docs = {
        401: "No key, or an unknown or revoked one (see `WWW-Authenticate`).",
        403: "The key lacks the scope this operation needs.",
        404: "No such entity (or it was deleted: the problem says when, and links its history).",
        409: "The id is taken, the entity is not deleted, or another entity still names it.",
        412: "If-Match names a version of the entity that is no longer current.",
        413: "The body is over 1 MiB.",
        415: "The body is not JSON.",
        422: "The body breaks a rule: `errors[].location` is a JSON Pointer into it.",
        428: "If-Match is missing.",
        429: "Too many writes with this key, or failed authentications from this client.",
    }
    return {c: problem_response_doc(docs[c]) for c in codes}


def source_router() -> APIRouter:
    """`POST /v1/sources`: a new source document."""
    router = APIRouter(
        prefix="/v1/sources", tags=["sources"], dependencies=[Guard], route_class=WriteRoute
    )

    async def create_source_(
        db: DbDep, caller: WriteCaller, body: SourceCreate, prefer: Prefer = None
    ) -> Response:
        written = await _run(db, lambda s: create_source(s, body=body, actor=_actor(caller)))
        location = f"/v1/sources/{body.id}"
        return _answer(written, status=201, prefer=prefer, location=location)

    create_source_.__doc__ = "Store a new source document; its text never changes after."
    router.add_api_route(
        "",
        create_source_,
        methods=["POST"],
        name="create_source",
        summary="Create a source",
        status_code=201,
        response_model=SourcePublic,
        response_class=JSONBytes,
        responses=_errors(401, 403, 409, 413, 415, 422, 429),
    )
    return router


def write_router(resource: Resource) -> APIRouter:
    """The write operations of one resource, and its revisions."""
    router = APIRouter(
        prefix=f"/v1/{resource.collection}",
        tags=[resource.collection],
        dependencies=[Guard],
        route_class=WriteRoute,
    )
    kind, collection = resource.type, resource.collection
    create = resource.seed[0].model
    patch_model = _patch_model(resource)
    ident = Annotated[
        str,
        Path(
            alias=resource.path_param,
            pattern=resource.id_pattern,
            max_length=resource.id_max_length,
            examples=[resource.example_id],
            description="ISO 3166-1 alpha-2 code, e.g. `CN`."
            if resource.type == "country"
            else "The resource's stable id.",
        ),
    ]
    body_doc = f"The {kind} with a citation for every filled claim; quotes are located in "
    body_doc += "their source by the server (give `start` where a quote repeats)."

    async def create_x(
        db: DbDep,
        caller: WriteCaller,
        body: Annotated[create, Body(description=body_doc)],  # type: ignore[valid-type]
        prefer: Prefer = None,
    ) -> Response:
        written = await _run(
            db,
            lambda s: create_entity(
                s, resource=resource, body=body, actor=_actor(caller), reason=None
            ),
        )
        key = str(getattr(body, resource.id_column.name))
        return _answer(written, status=201, prefer=prefer, location=f"/v1/{collection}/{key}")

    async def update_x(
        db: DbDep,
        caller: WriteCaller,
        entity_id: ident,
        body: Annotated[patch_model, Body(media_type="application/merge-patch+json")],  # type: ignore[valid-type]
        if_match: IfMatch = None,
        prefer: Prefer = None,
    ) -> Response:
        patch = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
        written = await _run(
            db,
            lambda s: update_entity(
                s,
                resource=resource,
                ident=entity_id,
                patch=patch,
                if_match=if_match,
                actor=_actor(caller),
                reason=None,
            ),
        )
        return _answer(written, status=200, prefer=prefer)

    async def delete_x(
        db: DbDep, caller: WriteCaller, entity_id: ident, if_match: IfMatch = None
    ) -> Response:
        await _run(
            db,
            lambda s: delete_entity(
                s,
                resource=resource,
                ident=entity_id,
                if_match=if_match,
                actor=_actor(caller),
                reason=None,
            ),
        )
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    async def restore_x(
        db: DbDep, caller: AdminCaller, entity_id: ident, prefer: Prefer = None
    ) -> Response:
        written = await _run(
            db,
            lambda s: restore_entity(
                s, resource=resource, ident=entity_id, actor=_actor(caller), reason=None
            ),
        )
        return _answer(written, status=200, prefer=prefer)

    async def list_x_revisions(
        request: Request,
        db: DbDep,
        entity_id: ident,
        limit: Limit = 50,
        cursor: Annotated[
            int | None,
            Query(
                ge=1,
                le=2**63 - 1,
                description="The `next_cursor` of the previous page.",
                json_schema_extra={"format": "int64"},
            ),
        ] = None,
    ) -> JSONBytes:
        items, next_cursor = await db.run(
            lambda s: list_revisions(
                session=s, entity_type=kind, entity_id=entity_id, limit=limit, cursor=cursor
            )
        )
        if not items and cursor is None:
            raise ProblemError(404, f"No {kind} with id {entity_id!r} has a history.")
        page = RevisionPage(
            items=items, next_cursor=str(next_cursor) if next_cursor else None, limit=limit
        )
        response = JSONBytes(page.model_dump(mode="json"))
        if next_cursor is not None:
            target = request.url.include_query_params(cursor=next_cursor)
            response.headers["Link"] = f'<{target.path}?{target.query}>; rel="next"'
        return response

    create_x.__doc__ = f"Create a {kind}, each filled claim proved by its quotes."
    update_x.__doc__ = f"Change a {kind} with a JSON Merge Patch of its write body."
    delete_x.__doc__ = f"Delete a {kind}: it leaves every read; an admin can restore it."
    restore_x.__doc__ = f"Bring back a deleted {kind} as it was."
    list_x_revisions.__doc__ = f"Every change to a {kind}, newest first."
    path = f"/{{{resource.path_param}}}"
    for fn, method, suffix, name, status, codes in (
        (create_x, "POST", "", f"create_{kind}", 201, (401, 403, 409, 413, 415, 422, 429)),
        (
            update_x,
            "PATCH",
            path,
            f"update_{kind}",
            200,
            (401, 403, 404, 409, 412, 413, 415, 422, 428, 429),
        ),
        (delete_x, "DELETE", path, f"delete_{kind}", 204, (401, 403, 404, 409, 412, 428, 429)),
        (
            restore_x,
            "POST",
            f"{path}/restore",
            f"restore_{kind}",
            200,
            (401, 403, 404, 409, 422, 429),
        ),
    ):
        router.add_api_route(
            suffix,
            fn,
            methods=[method],
            name=name,
            summary=(fn.__doc__ or "").split(",")[0].split(":")[0].rstrip("."),
            status_code=status,
            response_model=resource.public if status != 204 else None,
            response_class=JSONBytes if status != 204 else Response,
            responses=_errors(*codes),
        )
    router.add_api_route(
        f"{path}/revisions",
        list_x_revisions,
        methods=["GET"],
        name=f"list_{kind}_revisions",
        summary=f"List a {kind}'s revisions",
        response_model=RevisionPage,
        response_class=JSONBytes,
        responses=responses(not_found=True),
    )
    return router
