"""Agreement documents: the program, the date as stated, and the counts reported."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources._types import Built
from app.resources.agreements.models import Agreement, AgreementPublic, ReportedCount
from app.resources.programs.documents import reported_count_json
from app.resources.reads import key, subject_keys
from app.services.refs import date_json, in_order, refs, support_for, url_for

__all__ = ["build_agreements"]


def build_agreements(session: Session, ids: list[str]) -> list[Built]:
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
    out = []
    for a in in_order(ids, rows):
        deps = {
            key("agreement", "id", a.id),
            key("reported_count", "agreement_id", a.id),
            *subject_keys("agreement", a.id),
            *named.deps(("program", a.program_id)),
        }
        for c in counts[a.id]:
            deps |= subject_keys("reported_count", c.id)
            deps |= named.deps(("country", c.excludes_country_code))
        document = AgreementPublic(
            id=a.id,
            url=url_for("agreement", a.id),
            name=a.name,
            kind=a.kind,
            program=named[("program", a.program_id)] if a.program_id else None,
            date=date_json(a.date_edtf, a.date_phrase, a.date_lower, a.date_upper),
            purpose=a.purpose,
            effect=a.effect,
            signatories_url=f"{url_for('agreement', a.id)}/signatories",
            reported_counts=[reported_count_json(c, named, cited_counts) for c in counts[a.id]],
            **cited[a.id],
        )
        out.append(Built(a.id, document, frozenset(deps)))
    return out
