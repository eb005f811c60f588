"""Attribution documents: whose words a quote carries, its own citations, and its quotes."""

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.resources._types import Built
from app.resources.attributions.models import Attribution, AttributionDetailPublic
from app.resources.citations.models import Citation
from app.resources.reads import key, subject_keys
from app.services.refs import collection_url, in_order, refs, support_for, url_for

__all__ = ["build_attributions"]


def build_attributions(session: Session, ids: list[str]) -> list[Built]:
    rows = {
        a.id: a
        for a in session.execute(select(Attribution).where(col(Attribution.id).in_(ids))).scalars()
    }
    quotes = Counter(
        dict(
            session.execute(
                select(col(Citation.attribution_id), func.count())
                .where(col(Citation.attribution_id).in_(ids))
                .group_by(col(Citation.attribution_id))
            ).all()
        )
    )
    named = refs(
        session=session,
        wanted={("agency", a.speaker_agency_id) for a in rows.values() if a.speaker_agency_id},
    )
    cited = support_for(session=session, subject_type="attribution", ids=ids)
    out = []
    for a in in_order(ids, rows):
        deps = {
            key("attribution", "id", a.id),
            key("citation", "attribution_id", a.id),
            *subject_keys("attribution", a.id),
            *named.deps(("agency", a.speaker_agency_id)),
        }
        document = AttributionDetailPublic(
            id=a.id,
            url=url_for("attribution", a.id),
            label=a.label,
            description=a.description,
            speaker=named[("agency", a.speaker_agency_id)] if a.speaker_agency_id else None,
            reported_by=a.reported_by,
            quotes_url=f"{collection_url('citation')}?attribution={a.id}",
            quote_count=quotes[a.id],
            **cited[a.id],
        )
        out.append(Built(a.id, document, frozenset(deps)))
    return out
