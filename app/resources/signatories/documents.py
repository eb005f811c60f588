"""Signatory documents: one party to one agreement, its status and date as stated."""

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources._types import Built
from app.resources.programs.documents import party
from app.resources.reads import key, subject_keys
from app.resources.signatories.models import Signatory, SignatoryPublic
from app.services.refs import date_json, in_order, refs, support_for, url_for

__all__ = ["build_signatories"]


def build_signatories(session: Session, ids: list[str]) -> list[Built]:
    rows = {
        s.id: s
        for s in session.execute(select(Signatory).where(col(Signatory.id).in_(ids))).scalars()
    }
    wanted = {("agreement", s.agreement_id) for s in rows.values()}
    wanted |= {party(s) for s in rows.values()}
    named = refs(session=session, wanted=wanted)
    cited = support_for(session=session, subject_type="signatory", ids=ids)
    out = []
    for s in in_order(ids, rows):
        deps = {
            key("signatory", "id", s.id),
            *subject_keys("signatory", s.id),
            *named.deps(("agreement", s.agreement_id), party(s)),
        }
        document = SignatoryPublic(
            id=s.id,
            url=url_for("signatory", s.id),
            agreement=named[("agreement", s.agreement_id)],
            party=named[party(s)],
            party_phrase=s.party_phrase,
            status=s.status,
            date=date_json(s.date_edtf, s.date_phrase, s.date_lower, s.date_upper),
            **cited[s.id],
        )
        out.append(Built(s.id, document, frozenset(deps)))
    return out
