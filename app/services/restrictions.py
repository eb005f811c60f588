"""Legal restrictions on who may work with whom."""

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.models import Restriction, RestrictionParty
from app.models.common import edtf_bounds
from app.services.basis import exclude_inferred
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from app.services.refs import Json, date_json, refs, support_for, url_for

SORTS: dict[str, Any] = {"id": col(Restriction.id), "name": col(Restriction.name)}


def list_restrictions(
    *,
    session: Session,
    jurisdiction: list[str],
    restricted_party: list[str],
    counterpart: list[str],
    active_on: dt.date | None,
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Restrictions matching every filter given.

    `active_on` keeps restrictions that may be in force on that day: their start's earliest
    possible day is on or before it (no restriction in the data has a stated end).
    """
    query = select(col(Restriction.id))
    claims: list[str] = []  # the claims the filters read: stated ones only, with basis=stated
    if jurisdiction:
        claims.append("jurisdiction")
        query = query.where(col(Restriction.jurisdiction_code).in_(jurisdiction))
    if counterpart:
        claims.append("counterpart")
        query = query.where(col(Restriction.counterpart_country_code).in_(counterpart))
    if restricted_party:
        claims.append("restricted_parties")
        bound = select(col(RestrictionParty.restriction_id)).where(
            col(RestrictionParty.agency_id).in_(restricted_party)
        )
        query = query.where(col(Restriction.id).in_(bound))
    if active_on is not None:
        claims.append("since")
        query = query.where(col(Restriction.since_lower) <= active_on)
    if stated_only:
        query = exclude_inferred(
            query, subject_type="restriction", id_column=col(Restriction.id), claims=claims
        )
    canonical, keys = parse_sort(sort, allowed=SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Restriction.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="restriction", ids=page.keys), page


def read_restriction(*, session: Session, restriction_id: str) -> bytes | None:
    return read_document(session=session, kind="restriction", ident=restriction_id)


def hydrate_restrictions(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
    rows = {
        r.id: r
        for r in session.execute(select(Restriction).where(col(Restriction.id).in_(ids))).scalars()
    }
    parties: dict[str, list[str]] = defaultdict(list)
    for restriction_id, agency_id in session.execute(
        select(col(RestrictionParty.restriction_id), col(RestrictionParty.agency_id))
        .where(col(RestrictionParty.restriction_id).in_(ids))
        .order_by(col(RestrictionParty.agency_id))
    ):
        parties[restriction_id].append(agency_id)
    wanted: set[tuple[str, str]] = set()
    for r in rows.values():
        wanted.add(("country", r.jurisdiction_code))
        wanted |= {("agency", a) for a in parties[r.id]}
        if r.counterpart_country_code:
            wanted.add(("country", r.counterpart_country_code))
        if r.lifting_agency_id:
            wanted.add(("agency", r.lifting_agency_id))
        if r.effect_program_id:
            wanted.add(("program", r.effect_program_id))
    named = refs(session=session, wanted=wanted)
    cited = support_for(session=session, subject_type="restriction", ids=ids)

    def ref(kind: str, ident: str | None) -> Json | None:
        return named[(kind, ident)] if ident else None

    out = []
    for r in (rows.get(i) for i in ids):
        if r is None:
            continue
        lower, upper = edtf_bounds(r.since_edtf)
        out.append(
            {
                "id": r.id,
                "url": url_for("restriction", r.id),
                "name": r.name,
                "jurisdiction": named[("country", r.jurisdiction_code)],
                "since": date_json(r.since_edtf, r.since_phrase, lower, upper),
                "restricted_parties": [named[("agency", a)] for a in parties[r.id]],
                "counterpart": ref("country", r.counterpart_country_code),
                "counterpart_phrase": r.counterpart_phrase,
                "scope": r.scope,
                "lifts_when": r.lifts_when,
                "lifting_agency": ref("agency", r.lifting_agency_id),
                "effect_program": ref("program", r.effect_program_id),
                "effect": r.effect,
                **cited[r.id],
            }
        )
    return out
