"""Citation documents: a quote as a W3C Web Annotation target, with whose words it carries."""

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from app.models.public import TextPositionSelector, TextQuoteSelector
from app.models.support import ClaimSupport
from app.resources._types import Built
from app.resources.attributions.models import Attribution, AttributionPublic
from app.resources.citations.models import Citation, CitationPublic
from app.resources.reads import key, subject_keys
from app.services.refs import in_order, refs, support_for, url_for

__all__ = ["build_citations"]


def build_citations(session: Session, ids: list[str]) -> list[Built]:
    rows = {
        c.id: c
        for c in session.execute(select(Citation).where(col(Citation.id).in_(ids))).scalars()
    }
    attribution_ids = {c.attribution_id for c in rows.values()}
    attributions = {
        a.id: a
        for a in session.execute(
            select(Attribution).where(col(Attribution.id).in_(attribution_ids))
        ).scalars()
    }
    bases = {
        (s.subject_type, s.subject_id, s.claim): s.basis
        for s in session.execute(
            select(ClaimSupport).where(
                tuple_(
                    col(ClaimSupport.subject_type),
                    col(ClaimSupport.subject_id),
                    col(ClaimSupport.claim),
                ).in_([(c.subject_type, c.subject_id, c.claim) for c in rows.values()])
            )
        ).scalars()
    }
    described = support_for(session=session, subject_type="attribution", ids=sorted(attributions))
    wanted = {(c.subject_type, c.subject_id) for c in rows.values()}
    wanted |= {("source", c.source_id) for c in rows.values()}
    wanted |= {
        ("agency", a.speaker_agency_id) for a in attributions.values() if a.speaker_agency_id
    }
    named = refs(session=session, wanted=wanted)
    out = []
    for c in in_order(ids, rows):
        a = attributions[c.attribution_id]
        deps = {
            key("citation", "id", c.id),
            key("attribution", "id", a.id),
            *subject_keys(c.subject_type, c.subject_id),
            *subject_keys("attribution", a.id),
            *named.deps(
                (c.subject_type, c.subject_id),
                ("source", c.source_id),
                ("agency", a.speaker_agency_id),
            ),
        }
        source_url = url_for("source", c.source_id)
        document = CitationPublic(
            id=c.id,
            url=url_for("citation", c.id),
            subject=named[(c.subject_type, c.subject_id)],
            claim=c.claim,
            source=named[("source", c.source_id)],
            attribution=AttributionPublic(
                id=a.id,
                label=a.label,
                description=a.description,
                speaker=named[("agency", a.speaker_agency_id)] if a.speaker_agency_id else None,
                reported_by=a.reported_by,
                basis=described[a.id]["basis"],
                claims=described[a.id]["claims"],
            ),
            exact=c.exact,
            prefix=c.prefix,
            suffix=c.suffix,
            start=c.start,
            end=c.end,
            display=c.display,
            basis=bases[(c.subject_type, c.subject_id, c.claim)],
            selectors=[
                TextQuoteSelector(
                    type="TextQuoteSelector", exact=c.exact, prefix=c.prefix, suffix=c.suffix
                ),
                TextPositionSelector(type="TextPositionSelector", start=c.start, end=c.end),
            ],
            source_text_url=f"{source_url}/text?start={c.start}&end={c.end}",
        )
        out.append(Built(c.id, document, frozenset(deps)))
    return out
