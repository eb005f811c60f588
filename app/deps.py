"""FastAPI dependencies, as Annotated aliases: the session, the dataset version served, the
basis asked for, and one get-or-404 per resource (made from the registry)."""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from sqlmodel import Session

from app.db import Db, get_db, get_session
from app.errors import ProblemError
from app.resources._types import Resource
from app.resources.registry import BY_TYPE
from app.services.basis import stated_document
from app.services.curate import gone
from app.services.dataset import Serving
from app.services.listing import read_one

__all__ = [
    "AgreementDep",
    "BasisView",
    "DbDep",
    "Document",
    "Reading",
    "ReadingDep",
    "SessionDep",
    "SourceDep",
    "StatedReadingDep",
    "document_of",
    "find_document",
    "id_parameters",
]

SessionDep = Annotated[Session, Depends(get_session)]
DbDep = Annotated[Db, Depends(get_db)]
Document = bytes  # the stored JSON document, served as it is


async def get_serving(request: Request) -> Serving | None:
    """The dataset version this request is served at, as the HTTP cache layer set it."""
    state: dict[str, Any] = request.scope.get("state") or {}
    serving: Serving | None = state.get("serving")
    return serving


class BasisView(StrEnum):
    """Which values to serve: all of them, each with its basis, or stated ones only."""

    all = "all"
    stated = "stated"


BasisParam = Annotated[
    BasisView,
    Query(
        description="`stated` serves only what the sources state: inferred values are "
        "null (or left out of lists), and rows, links and quotes that exist only as "
        "premises of an inference are left out. `all` (the default) serves every value "
        "with its basis."
    ),
]


@dataclass(frozen=True, slots=True)
class Reading:
    """What a read operation takes from its request: where it reads, the dataset version it
    is served at, and whether it serves stated values only."""

    db: Db
    serving: Serving | None
    stated: bool


# One dependency instead of three (the Db, the version, the basis): FastAPI solves every
# dependency anew on each request, so a read asks for one.
async def get_reading(request: Request) -> Reading:
    """A read of a collection that has no `basis` parameter."""
    return Reading(await get_db(request), await get_serving(request), False)


async def get_stated_reading(request: Request, basis: BasisParam = BasisView.all) -> Reading:
    """A read that serves every value with its basis, or stated values only (`basis`)."""
    stated = basis is BasisView.stated
    return Reading(await get_db(request), await get_serving(request), stated)


ReadingDep = Annotated[Reading, Depends(get_reading)]
StatedReadingDep = Annotated[Reading, Depends(get_stated_reading)]


def _found(resource: Resource, ident: str, document: Document | None, stated: bool) -> Document:
    kind = resource.type
    if document is None:
        raise ProblemError(404, f"No {kind} with id {ident!r}.")
    if not stated:
        return document
    view = stated_document(document)
    if view is None:
        raise ProblemError(
            404,
            f"The {kind} {ident!r} exists only through an inference; `basis=stated` leaves it "
            "out. Ask without `basis` to see it with its premises and reasoning.",
        )
    return view


def id_parameters(resource: Resource) -> list[inspect.Parameter]:
    """The parameters of a read of one entity: the read's context, and the id in the path
    (FastAPI reads them from the signature: the path parameter takes its name)."""
    ident = Annotated[
        str,
        # The example is a real id from the seed: docs and generated tests reach a real row.
        Path(
            pattern=resource.id_pattern,
            max_length=resource.id_max_length,
            description="ISO 3166-1 alpha-2 code, e.g. `CN`."
            if resource.type == "country"
            else "The resource's stable id.",
            examples=[resource.example_id],
        ),
    ]
    keyword = inspect.Parameter.KEYWORD_ONLY
    context = StatedReadingDep if resource.stated_filter else ReadingDep
    return [
        inspect.Parameter("reading", keyword, annotation=context),
        inspect.Parameter(resource.path_param, keyword, annotation=ident),
    ]


async def find_document(*, resource: Resource, reading: Reading, ident: str) -> Document:
    """The stored document of `ident`, or the 404 problem that says why there is none."""
    db = reading.db
    found = await db.read(lambda c: read_one(connection=c, resource=resource, ident=ident))
    if found is None:
        # Only a miss pays for the look in the tombstones: a deleted entity's 404 says when.
        refusal = await db.run(lambda s: gone(s, resource, ident))
        raise ProblemError(404, refusal.detail, kind=refusal.kind, headers=refusal.headers)
    return _found(resource, ident, found, reading.stated)


def document_of(resource: Resource) -> Callable[..., Awaitable[Document]]:
    """The get-or-404 dependency of a resource: its stored document, by the id in the path."""

    async def document(**given: Any) -> Document:
        return await find_document(
            resource=resource, reading=given["reading"], ident=given[resource.path_param]
        )

    parameters = id_parameters(resource)
    document.__signature__ = inspect.Signature(parameters, return_annotation=Document)  # type: ignore[attr-defined]
    document.__name__ = f"{resource.type}_or_404"
    return document


AgreementDep = Annotated[Document, Depends(document_of(BY_TYPE["agreement"]))]
SourceDep = Annotated[Document, Depends(document_of(BY_TYPE["source"]))]
