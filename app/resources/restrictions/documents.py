"""Restriction documents: whom it binds, since when, what lifts it, what it does."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from app.models.common import edtf_bounds
from app.models.public import Ref
from app.resources._types import Built
from app.resources.reads import key, subject_keys
from app.resources.restrictions.models import Restriction, RestrictionParty, RestrictionPublic
from app.services.refs import date_json, in_order, refs, support_for, url_for

__all__ = ["build_restrictions"]


def build_restrictions(session: Session, ids: list[str]) -> list[Built]:
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

    def ref(kind: str, ident: str | None) -> Ref | None:
        return named[(kind, ident)] if ident else None

    out = []
    for r in in_order(ids, rows):
        deps = {
            key("restriction", "id", r.id),
            key("restriction_party", "restriction_id", r.id),
            *subject_keys("restriction", r.id),
            *named.deps(
                ("country", r.jurisdiction_code),
                ("country", r.counterpart_country_code),
                ("agency", r.lifting_agency_id),
                ("program", r.effect_program_id),
                *(("agency", a) for a in parties[r.id]),
            ),
        }
        lower, upper = edtf_bounds(r.since_edtf)
        document = RestrictionPublic(
            id=r.id,
            url=url_for("restriction", r.id),
            name=r.name,
            jurisdiction=named[("country", r.jurisdiction_code)],
            since=date_json(r.since_edtf, r.since_phrase, lower, upper),
            restricted_parties=[named[("agency", a)] for a in parties[r.id]],
            counterpart=ref("country", r.counterpart_country_code),
            counterpart_phrase=r.counterpart_phrase,
            scope=r.scope,
            lifts_when=r.lifts_when,
            lifting_agency=ref("agency", r.lifting_agency_id),
            effect_program=ref("program", r.effect_program_id),
            effect=r.effect,
            **cited[r.id],
        )
        out.append(Built(r.id, document, frozenset(deps)))
    return out
