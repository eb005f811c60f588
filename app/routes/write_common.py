"""What every curator's write operation shares: its headers, how it answers, how a refusal
becomes a problem, and the merge patch schema made from a write schema."""

import copy
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel, ConfigDict, create_model
from pydantic_core import PydanticUndefined
from sqlmodel import Session

from app.auth import Caller
from app.db import Db
from app.errors import ProblemError
from app.models.support import ClaimSpec
from app.routes.common import JSONBytes, problem_response_doc
from app.services.refusals import CurateError, Written

__all__ = [
    "IfMatch",
    "Prefer",
    "actor_of",
    "answer",
    "patch_model",
    "problem_of",
    "run_write",
    "write_responses",
]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        pattern=r"^[\x20-\x7e]*$",
        description="The ETag of the entity as you read it (required): a stale one is a 412.",
    ),
]
Prefer = Annotated[
    str | None,
    Header(
        max_length=200,
        pattern=r"^[\x20-\x7e]*$",
        description="`return=minimal` for an empty answer, `return=representation` (the "
        "default) for the entity's document.",
    ),
]


def problem_of(exc: CurateError) -> ProblemError:
    return ProblemError(
        exc.status, exc.detail, kind=exc.kind, errors=exc.errors or None, headers=exc.headers
    )


def actor_of(caller: Caller) -> str:
    return f"key:{caller.name}"


def _minimal(prefer: str | None) -> bool:
    tokens = {t.strip().lower() for t in (prefer or "").replace(";", ",").split(",")}
    return "return=minimal" in tokens


def answer(
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


async def run_write(db: Db, fn: Callable[[Session], Written]) -> Written:
    try:
        result: Written = await db.write(fn)
    except CurateError as exc:
        raise problem_of(exc) from exc
    return result


def patch_model(create: type[BaseModel], name: str) -> type[BaseModel]:
    """The merge patch's schema, `name`: every field of the write schema, none required."""
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
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


def write_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
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
