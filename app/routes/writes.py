"""Curators' writes of every writable resource, made from its spec: create, update (JSON Merge
Patch), delete, restore, and the revisions of an entity."""

from typing import Annotated

from fastapi import Body, Path, Query, Request, Response

from app.auth import AdminCaller, WriteCaller
from app.deps import DbDep
from app.errors import ProblemError
from app.resources._types import Resource
from app.routes.bodies import WriteRoute
from app.routes.common import Guard, JSONBytes, once_per_resource, responses
from app.routes.params import Limit
from app.routes.router import Router
from app.routes.write_common import (
    IfMatch,
    Prefer,
    actor_of,
    answer,
    patch_model,
    run_write,
    write_responses,
)
from app.services.curate import (
    create_entity,
    delete_entity,
    restore_entity,
    update_entity,
)
from app.services.history import RevisionPage, list_revisions

__all__ = ["write_router"]


@once_per_resource
def write_router(resource: Resource) -> Router:
    """The write operations of one resource, and its revisions."""
    router = Router(
        prefix=f"/v1/{resource.collection}",
        tags=[resource.collection],
        dependencies=[Guard],
        route_class=WriteRoute,
    )
    kind, collection = resource.type, resource.collection
    create = resource.seed[0].model
    patch_schema = patch_model(create, create.__name__.removesuffix("Create") + "Patch")
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
        written = await run_write(
            db,
            lambda s: create_entity(
                s, resource=resource, body=body, actor=actor_of(caller), reason=None
            ),
        )
        key = str(getattr(body, resource.id_column.name))
        return answer(written, status=201, prefer=prefer, location=f"/v1/{collection}/{key}")

    async def update_x(
        db: DbDep,
        caller: WriteCaller,
        entity_id: ident,
        body: Annotated[patch_schema, Body(media_type="application/merge-patch+json")],  # type: ignore[valid-type]
        if_match: IfMatch = None,
        prefer: Prefer = None,
    ) -> Response:
        patch = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
        written = await run_write(
            db,
            lambda s: update_entity(
                s,
                resource=resource,
                ident=entity_id,
                patch=patch,
                if_match=if_match,
                actor=actor_of(caller),
                reason=None,
            ),
        )
        return answer(written, status=200, prefer=prefer)

    async def delete_x(
        db: DbDep, caller: WriteCaller, entity_id: ident, if_match: IfMatch = None
    ) -> Response:
        await run_write(
            db,
            lambda s: delete_entity(
                s,
                resource=resource,
                ident=entity_id,
                if_match=if_match,
                actor=actor_of(caller),
                reason=None,
            ),
        )
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    async def restore_x(
        db: DbDep, caller: AdminCaller, entity_id: ident, prefer: Prefer = None
    ) -> Response:
        written = await run_write(
            db,
            lambda s: restore_entity(
                s, resource=resource, ident=entity_id, actor=actor_of(caller), reason=None
            ),
        )
        return answer(written, status=200, prefer=prefer)

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
            responses=write_responses(*codes),
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
