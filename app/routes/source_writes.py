"""`POST /v1/sources` (a new source document) and `PATCH /v1/sources/{id}` (its metadata; its
text never changes)."""

from typing import Annotated

from fastapi import Body, Path, Response

from app.auth import WriteCaller
from app.deps import DbDep
from app.resources.sources.models import SourceBase, SourceCreate, SourcePublic
from app.routes.bodies import WriteRoute
from app.routes.common import Guard, JSONBytes
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
from app.services.curate_sources import create_source, update_source

__all__ = ["router"]

router = Router(
    prefix="/v1/sources", tags=["sources"], dependencies=[Guard], route_class=WriteRoute
)
SourcePatch = patch_model(SourceBase, "SourcePatch")
SourceId = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        max_length=100,
        examples=["russia-china-moon-article"],
        description="The source's stable id.",
    ),
]


@router.post(
    "",
    summary="Create a source",
    status_code=201,
    response_model=SourcePublic,
    response_class=JSONBytes,
    responses=write_responses(401, 403, 409, 413, 415, 422, 429),
)
async def create_source_(
    db: DbDep, caller: WriteCaller, body: SourceCreate, prefer: Prefer = None
) -> Response:
    """Store a new source document; its text never changes after."""
    written = await run_write(db, lambda s: create_source(s, body=body, actor=actor_of(caller)))
    return answer(written, status=201, prefer=prefer, location=f"/v1/sources/{body.id}")


@router.patch(
    "/{source_id}",
    summary="Update a source's metadata",
    response_model=SourcePublic,
    response_class=JSONBytes,
    responses=write_responses(401, 403, 404, 412, 413, 415, 422, 428, 429),
)
async def update_source_(
    db: DbDep,
    caller: WriteCaller,
    source_id: SourceId,
    body: Annotated[SourcePatch, Body(media_type="application/merge-patch+json")],  # type: ignore[valid-type]
    if_match: IfMatch = None,
    prefer: Prefer = None,
) -> Response:
    """Change a source's metadata with a JSON Merge Patch; its text is not part of it."""
    patch = body.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
    written = await run_write(
        db,
        lambda s: update_source(
            s, ident=source_id, patch=patch, if_match=if_match, actor=actor_of(caller)
        ),
    )
    return answer(written, status=200, prefer=prefer)
