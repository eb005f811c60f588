"""Source documents: metadata, hash, length and how many quotes cite the source."""

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models.base import table_of
from app.resources._types import Built
from app.resources.citations.models import Citation
from app.resources.reads import key
from app.resources.sources.models import Source, SourcePublic
from app.services.refs import in_order, url_for

__all__ = ["build_sources"]


def build_sources(session: Session, ids: list[str]) -> list[Built]:
    columns = [c for c in table_of(Source).columns if c.name != "text"]
    rows = {r.id: r for r in session.execute(select(*columns).where(col(Source.id).in_(ids)))}
    counts = Counter(
        dict(
            session.execute(
                select(col(Citation.source_id), func.count())
                .where(col(Citation.source_id).in_(ids))
                .group_by(col(Citation.source_id))
            ).all()
        )
    )
    out = []
    for s in in_order(ids, rows):
        document = SourcePublic(
            id=s.id,
            url=url_for("source", s.id),
            title=s.title,
            publisher=s.publisher,
            author=s.author,
            original_url=s.url,
            published=s.published_edtf,
            retrieved_on=s.retrieved_on,
            language=s.language,
            media_type=s.media_type,
            description=s.description,
            sha256=s.sha256,
            length=s.length,
            text_url=f"{url_for('source', s.id)}/text",
            citation_count=counts[s.id],
        )
        deps = frozenset({key("source", "id", s.id), key("citation", "source_id", s.id)})
        out.append(Built(s.id, document, deps))
    return out
