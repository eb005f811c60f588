"""Agencies and countries."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Agency, Country, ProgramParticipant
from app.services.basis import exclude_inferred
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from app.services.refs import Json, claim_bases, link, refs, support_for, url_for

AGENCY_SORTS: dict[str, Any] = {"id": col(Agency.id), "name": col(Agency.name)}
COUNTRY_SORTS: dict[str, Any] = {"code": col(Country.code), "name": col(Country.name)}


def list_agencies(
    *,
    session: Session,
    country: list[str],
    kind: Sequence[str],
    program: list[str],
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Agencies matching every filter given (values within one filter are alternatives)."""
    query = select(col(Agency.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if country:
        claims.append("country")
        query = query.where(col(Agency.country_code).in_(country))
    if kind:
        claims.append("kind")
        query = query.where(col(Agency.kind).in_(kind))
    if program:
        taking_part = select(col(ProgramParticipant.agency_id)).where(
            col(ProgramParticipant.program_id).in_(program)
        )
        if stated_only:
            taking_part = exclude_inferred(
                taking_part,
                subject_type="program_participant",
                id_column=col(ProgramParticipant.id),
                claims=["party"],
            )
        query = query.where(col(Agency.id).in_(taking_part))
    if stated_only:
        query = exclude_inferred(
            query, subject_type="agency", id_column=col(Agency.id), claims=claims
        )
    canonical, keys = parse_sort(sort, allowed=AGENCY_SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Agency.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="agency", ids=page.keys), page


def read_agency(*, session: Session, agency_id: str) -> bytes | None:
    return read_document(session=session, kind="agency", ident=agency_id)


def hydrate_agencies(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
    agencies = {
        a.id: a for a in session.execute(select(Agency).where(col(Agency.id).in_(ids))).scalars()
    }
    programs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for participant_id, agency_id, program_id in session.execute(
        select(
            col(ProgramParticipant.id),
            col(ProgramParticipant.agency_id),
            col(ProgramParticipant.program_id),
        )
        .where(col(ProgramParticipant.agency_id).in_(ids))
        .order_by(col(ProgramParticipant.program_id))
    ):
        programs[agency_id].append((participant_id, program_id))
    taking_part = claim_bases(
        session=session,
        subject_type="program_participant",
        claim="party",
        ids=[pp for group in programs.values() for pp, _ in group],
    )
    wanted = {("program", p) for group in programs.values() for _, p in group}
    wanted |= {("country", a.country_code) for a in agencies.values() if a.country_code}
    named = refs(session=session, wanted=wanted)
    cited = support_for(session=session, subject_type="agency", ids=ids)
    return [
        {
            "id": a.id,
            "url": url_for("agency", a.id),
            "name": a.name,
            "acronym": a.acronym,
            "kind": a.kind,
            "description": a.description,
            "country": named[("country", a.country_code)] if a.country_code else None,
            "programs": [link(named[("program", p)], taking_part[pp]) for pp, p in programs[a.id]],
            **cited[a.id],
        }
        for a in (agencies.get(i) for i in ids)
        if a is not None
    ]


def list_countries(
    *,
    session: Session,
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    query = select(col(Country.code))
    if stated_only:
        query = exclude_inferred(query, subject_type="country", id_column=col(Country.code))
    canonical, keys = parse_sort(sort, allowed=COUNTRY_SORTS, default="code")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Country.code),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="country", ids=page.keys), page


def read_country(*, session: Session, code: str) -> bytes | None:
    return read_document(session=session, kind="country", ident=code)


def hydrate_countries(*, session: Session, codes: list[str]) -> list[Json]:
    if not codes:
        return []
    countries = {
        c.code: c
        for c in session.execute(select(Country).where(col(Country.code).in_(codes))).scalars()
    }
    agencies: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for agency_id, name, code in session.execute(
        select(col(Agency.id), col(Agency.name), col(Agency.country_code))
        .where(col(Agency.country_code).in_(codes))
        .order_by(col(Agency.id))
    ):
        agencies[code].append((agency_id, name))
    of_country = claim_bases(
        session=session,
        subject_type="agency",
        claim="country",
        ids=[a for group in agencies.values() for a, _ in group],
    )
    cited = support_for(session=session, subject_type="country", ids=codes)
    return [
        {
            "code": c.code,
            "url": url_for("country", c.code),
            "name": c.name,
            "agencies": [
                link(
                    {"type": "agency", "id": a, "name": name, "url": url_for("agency", a)},
                    of_country[a],
                )
                for a, name in agencies[c.code]
            ],
            **cited[c.code],
        }
        for c in (countries.get(code) for code in codes)
        if c is not None
    ]
