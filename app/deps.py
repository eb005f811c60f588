"""FastAPI dependencies, as Annotated aliases: the session, and one get-or-404 per path id."""

from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Path, Query
from sqlmodel import Session

from app.db import Db, get_db, get_session
from app.errors import ProblemError
from app.models.common import COUNTRY_PATTERN, SLUG_PATTERN
from app.services import agencies, agreements, events, programs, restrictions, sources
from app.services.basis import stated_document

SessionDep = Annotated[Session, Depends(get_session)]
DbDep = Annotated[Db, Depends(get_db)]
Document = bytes  # the stored JSON document, served as it is


def _slug(example: str, *, max_length: int = 100) -> Any:
    # The example is a real id from the seed: docs and generated tests reach a real row with it.
    return Path(
        pattern=SLUG_PATTERN,
        max_length=max_length,
        description="The resource's stable id.",
        examples=[example],
    )


ProgramId = Annotated[str, _slug("ilrs")]
AgencyId = Annotated[str, _slug("roscosmos")]
AgreementId = Annotated[str, _slug("artemis-accords")]
SignatoryId = Annotated[str, _slug("artemis-accords-brazil")]
RestrictionId = Annotated[str, _slug("us-nasa-ostp-china-ban")]
EventId = Annotated[str, _slug("ilrs-mou-signed")]
SourceId = Annotated[str, _slug("russia-china-moon-article")]
CitationId = Annotated[str, _slug("program-ilrs-locations-1", max_length=200)]

CodePath = Path(
    pattern=COUNTRY_PATTERN,
    max_length=2,
    description="ISO 3166-1 alpha-2 code, e.g. `CN`.",
    examples=["CN"],
)


class BasisView(StrEnum):
    """Which values to serve: all of them, each with its basis, or stated ones only."""

    all = "all"
    stated = "stated"


async def stated_only(
    basis: Annotated[
        BasisView,
        Query(
            description="`stated` serves only what the sources state: inferred values are "
            "null (or left out of lists), and rows, links and quotes that exist only as "
            "premises of an inference are left out. `all` (the default) serves every value "
            "with its basis."
        ),
    ] = BasisView.all,
) -> bool:
    """True when the client asks for stated values only (`basis=stated`)."""
    return basis is BasisView.stated


StatedOnly = Annotated[bool, Depends(stated_only)]


def _found(kind: str, ident: str, document: Document | None, stated: bool = False) -> Document:
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


async def program_or_404(db: DbDep, program_id: ProgramId, stated: StatedOnly) -> Document:
    return _found(
        "program",
        program_id,
        await db.run(lambda session: programs.read_program(session=session, program_id=program_id)),
        stated,
    )


async def agency_or_404(db: DbDep, agency_id: AgencyId, stated: StatedOnly) -> Document:
    return _found(
        "agency",
        agency_id,
        await db.run(lambda session: agencies.read_agency(session=session, agency_id=agency_id)),
        stated,
    )


async def country_or_404(db: DbDep, code: Annotated[str, CodePath], stated: StatedOnly) -> Document:
    return _found(
        "country",
        code,
        await db.run(lambda session: agencies.read_country(session=session, code=code)),
        stated,
    )


async def agreement_or_404(db: DbDep, agreement_id: AgreementId, stated: StatedOnly) -> Document:
    found = await db.run(
        lambda session: agreements.read_agreement(session=session, agreement_id=agreement_id)
    )
    return _found("agreement", agreement_id, found, stated)


async def signatory_or_404(db: DbDep, signatory_id: SignatoryId, stated: StatedOnly) -> Document:
    found = await db.run(
        lambda session: agreements.read_signatory(session=session, signatory_id=signatory_id)
    )
    return _found("signatory", signatory_id, found, stated)


async def restriction_or_404(
    db: DbDep, restriction_id: RestrictionId, stated: StatedOnly
) -> Document:
    found = await db.run(
        lambda session: restrictions.read_restriction(
            session=session, restriction_id=restriction_id
        )
    )
    return _found("restriction", restriction_id, found, stated)


async def event_or_404(db: DbDep, event_id: EventId, stated: StatedOnly) -> Document:
    return _found(
        "event",
        event_id,
        await db.run(lambda session: events.read_event(session=session, event_id=event_id)),
        stated,
    )


async def source_or_404(db: DbDep, source_id: SourceId) -> Document:
    return _found(
        "source",
        source_id,
        await db.run(lambda session: sources.read_source(session=session, source_id=source_id)),
    )


async def citation_or_404(
    db: DbDep,
    citation_id: CitationId,
    stated: StatedOnly,
) -> Document:
    found = await db.run(
        lambda session: sources.read_citation(session=session, citation_id=citation_id)
    )
    return _found("citation", citation_id, found, stated)


ProgramDep = Annotated[Document, Depends(program_or_404)]
AgencyDep = Annotated[Document, Depends(agency_or_404)]
CountryDep = Annotated[Document, Depends(country_or_404)]
AgreementDep = Annotated[Document, Depends(agreement_or_404)]
SignatoryDep = Annotated[Document, Depends(signatory_or_404)]
RestrictionDep = Annotated[Document, Depends(restriction_or_404)]
EventDep = Annotated[Document, Depends(event_or_404)]
SourceDep = Annotated[Document, Depends(source_or_404)]
CitationDep = Annotated[Document, Depends(citation_or_404)]
