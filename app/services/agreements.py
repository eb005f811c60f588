"""Agreements and their signatories."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from app.models import Agreement, ReportedCount, Signatory
from app.services.basis import exclude_inferred
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from app.services.programs import reported_count_json
from app.services.refs import Json, date_json, refs, support_for, url_for

AGREEMENT_SORTS: dict[str, Any] = {
    "id": col(Agreement.id),
    "name": col(Agreement.name),
    "date": col(Agreement.date_sort),
}
SIGNATORY_SORTS: dict[str, Any] = {
    "id": col(Signatory.id),
    "date": col(Signatory.date_sort),
    "status": col(Signatory.status),
    "agreement": col(Signatory.agreement_id),
}


def list_agreements(
    *,
    session: Session,
    program: list[str],
    party: list[str],
    kind: Sequence[str],
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Agreements matching every filter given (values within one filter are alternatives)."""
    query = select(col(Agreement.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if program:
        claims.append("program")
        query = query.where(col(Agreement.program_id).in_(program))
    if kind:
        claims.append("kind")
        query = query.where(col(Agreement.kind).in_(kind))
    if party:
        parties = select(col(Signatory.agreement_id)).where(
            or_(col(Signatory.agency_id).in_(party), col(Signatory.country_code).in_(party))
        )
        if stated_only:
            parties = exclude_inferred(
                parties, subject_type="signatory", id_column=col(Signatory.id), claims=["party"]
            )
        query = query.where(col(Agreement.id).in_(parties))
    if stated_only:
        query = exclude_inferred(
            query, subject_type="agreement", id_column=col(Agreement.id), claims=claims
        )
    canonical, keys = parse_sort(sort, allowed=AGREEMENT_SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Agreement.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="agreement", ids=page.keys), page


def read_agreement(*, session: Session, agreement_id: str) -> bytes | None:
    return read_document(session=session, kind="agreement", ident=agreement_id)


def hydrate_agreements(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
    rows = {
        a.id: a
        for a in session.execute(select(Agreement).where(col(Agreement.id).in_(ids))).scalars()
    }
    counts: dict[str, list[ReportedCount]] = defaultdict(list)
    for c in session.execute(
        select(ReportedCount)
        .where(col(ReportedCount.agreement_id).in_(ids))
        .order_by(col(ReportedCount.id))
    ).scalars():
        counts[c.agreement_id or ""].append(c)
    all_counts = [c for group in counts.values() for c in group]
    wanted = {("program", a.program_id) for a in rows.values() if a.program_id}
    wanted |= {("country", c.excludes_country_code) for c in all_counts if c.excludes_country_code}
    named = refs(session=session, wanted=wanted)
    cited = support_for(session=session, subject_type="agreement", ids=ids)
    cited_counts = support_for(
        session=session, subject_type="reported_count", ids=[c.id for c in all_counts]
    )
    return [
        {
            "id": a.id,
            "url": url_for("agreement", a.id),
            "name": a.name,
            "kind": a.kind,
            "program": named[("program", a.program_id)] if a.program_id else None,
            "date": date_json(a.date_edtf, a.date_phrase, a.date_lower, a.date_upper),
            "purpose": a.purpose,
            "effect": a.effect,
            "signatories_url": f"{url_for('agreement', a.id)}/signatories",
            "reported_counts": [reported_count_json(c, named, cited_counts) for c in counts[a.id]],
            **cited[a.id],
        }
        for a in (rows.get(i) for i in ids)
        if a is not None
    ]


def list_signatories(
    *,
    session: Session,
    agreement: list[str],
    program: list[str],
    country: list[str],
    agency: list[str],
    status: Sequence[str],
    as_of: Any,
    include_undated: bool,
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Signatories matching every filter given.

    `as_of` keeps parties that signed on or before that day: status `signed` and a stated date
    whose latest possible day is on or before it. A signature whose date the source leaves
    open ("This past Tuesday") cannot be placed before any day, so it is left out unless
    `include_undated` is true.
    """
    query = select(col(Signatory.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if agreement:
        claims.append("agreement")
        query = query.where(col(Signatory.agreement_id).in_(agreement))
    if program:
        claims.append("agreement")
        in_program = select(col(Agreement.id)).where(col(Agreement.program_id).in_(program))
        if stated_only:
            in_program = exclude_inferred(
                in_program,
                subject_type="agreement",
                id_column=col(Agreement.id),
                claims=["program"],
            )
        query = query.where(col(Signatory.agreement_id).in_(in_program))
    if country:
        claims.append("party")
        query = query.where(col(Signatory.country_code).in_(country))
    if agency:
        claims.append("party")
        query = query.where(col(Signatory.agency_id).in_(agency))
    if status:
        claims.append("status")
        query = query.where(col(Signatory.status).in_(status))
    if as_of is not None:
        claims += ["status", "date"]
        dated = col(Signatory.date_upper) <= as_of
        undated = col(Signatory.date_edtf).is_(None)
        query = query.where(col(Signatory.status) == "signed").where(
            or_(dated, undated) if include_undated else dated
        )
    if stated_only:
        query = exclude_inferred(
            query, subject_type="signatory", id_column=col(Signatory.id), claims=claims
        )
    canonical, keys = parse_sort(sort, allowed=SIGNATORY_SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Signatory.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="signatory", ids=page.keys), page


def read_signatory(*, session: Session, signatory_id: str) -> bytes | None:
    return read_document(session=session, kind="signatory", ident=signatory_id)


def hydrate_signatories(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
    rows = {
        s.id: s
        for s in session.execute(select(Signatory).where(col(Signatory.id).in_(ids))).scalars()
    }
    wanted = {("agreement", s.agreement_id) for s in rows.values()}
    wanted |= {_party(s) for s in rows.values()}
    named = refs(session=session, wanted=wanted)
    cited = support_for(session=session, subject_type="signatory", ids=ids)
    return [
        {
            "id": s.id,
            "url": url_for("signatory", s.id),
            "agreement": named[("agreement", s.agreement_id)],
            "party": named[_party(s)],
            "party_phrase": s.party_phrase,
            "status": s.status,
            "date": date_json(s.date_edtf, s.date_phrase, s.date_lower, s.date_upper),
            **cited[s.id],
        }
        for s in (rows.get(i) for i in ids)
        if s is not None
    ]


def _party(row: Signatory) -> tuple[str, str]:
    if row.agency_id:
        return ("agency", row.agency_id)
    return ("country", row.country_code or "")
