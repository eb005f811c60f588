"""Agency documents: the country, and the programs the agency takes part in."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources._types import Built
from app.resources.agencies.models import Agency, AgencyPublic
from app.resources.programs.models import ProgramParticipant
from app.resources.reads import key, subject_keys
from app.services.refs import claim_bases, in_order, link, refs, support_for, url_for

__all__ = ["build_agencies"]


def build_agencies(session: Session, ids: list[str]) -> list[Built]:
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
    out = []
    for a in in_order(ids, agencies):
        deps = {
            key("agency", "id", a.id),
            key("program_participant", "agency_id", a.id),
            *subject_keys("agency", a.id),
            *named.deps(("country", a.country_code)),
        }
        for pp, p in programs[a.id]:
            deps |= subject_keys("program_participant", pp) | named.deps(("program", p))
        document = AgencyPublic(
            id=a.id,
            url=url_for("agency", a.id),
            name=a.name,
            acronym=a.acronym,
            kind=a.kind,
            description=a.description,
            country=named[("country", a.country_code)] if a.country_code else None,
            programs=[link(named[("program", p)], taking_part[pp]) for pp, p in programs[a.id]],
            **cited[a.id],
        )
        out.append(Built(a.id, document, frozenset(deps)))
    return out
