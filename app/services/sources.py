"""Sources, their verbatim text, and the citations anchored in them."""

from collections import Counter
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlmodel import Session, col

from app.models import Attribution, Citation, ClaimSupport, Source
from app.models.common import Basis
from app.services.documents import read_document, read_documents
from app.services.paging import PageResult, keyset_page, parse_sort
from app.services.refs import Json, refs, support_for, url_for

SOURCE_SORTS: dict[str, Any] = {"id": col(Source.id), "title": col(Source.title)}
CITATION_SORTS: dict[str, Any] = {
    "id": col(Citation.id),
    "start": col(Citation.start),
    "source": col(Citation.source_id),
}


def list_sources(
    *, session: Session, sort: str | None, limit: int, cursor: str | None
) -> tuple[list[bytes], PageResult]:
    canonical, keys = parse_sort(sort, allowed=SOURCE_SORTS, default="id")
    page = keyset_page(
        session=session,
        query=select(col(Source.id)),
        sort=canonical,
        keys=keys,
        id_column=col(Source.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="source", ids=page.keys), page


def read_source(*, session: Session, source_id: str) -> bytes | None:
    return read_document(session=session, kind="source", ident=source_id)


def hydrate_sources(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
    columns = [c for c in Source.__table__.columns if c.name != "text"]  # type: ignore[attr-defined]
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
    return [
        {
            "id": s.id,
            "url": url_for("source", s.id),
            "title": s.title,
            "publisher": s.publisher,
            "author": s.author,
            "original_url": s.url,
            "published": s.published_edtf,
            "retrieved_on": s.retrieved_on,
            "language": s.language,
            "media_type": s.media_type,
            "description": s.description,
            "sha256": s.sha256,
            "length": s.length,
            "text_url": f"{url_for('source', s.id)}/text",
            "citation_count": counts[s.id],
        }
        for s in (rows.get(i) for i in ids)
        if s is not None
    ]


def source_text(
    *, session: Session, source_id: str, start: int | None, end: int | None
) -> str | None:
    """The verbatim text, or the span [start, end) of it in code points; None if no source.

    Offsets work as slices do: past the end they stop at the end, and start >= end is empty.
    """
    text: str | None = session.execute(
        select(col(Source.text)).where(col(Source.id) == source_id)
    ).scalar()
    if text is None:
        return None
    return text[start or 0 : len(text) if end is None else end]


def list_citations(
    *,
    session: Session,
    source: list[str],
    attribution: list[str],
    q: str | None,
    sort: str | None,
    limit: int,
    cursor: str | None,
    stated_only: bool = False,
) -> tuple[list[bytes], PageResult]:
    """Citations matching every filter given; `q` is a case-insensitive substring of the quote."""
    query = select(col(Citation.id))
    if source:
        query = query.where(col(Citation.source_id).in_(source))
    if attribution:
        query = query.where(col(Citation.attribution_id).in_(attribution))
    if q:
        query = query.where(col(Citation.exact).icontains(q, autoescape=True))
    if stated_only:
        # A premise of an inference supports no value by itself: left out, like the value.
        inferred = select(ClaimSupport.subject_id).where(  # type: ignore[call-overload]
            col(ClaimSupport.subject_type) == col(Citation.subject_type),
            col(ClaimSupport.subject_id) == col(Citation.subject_id),
            col(ClaimSupport.claim) == col(Citation.claim),
            col(ClaimSupport.basis) == Basis.inferred.value,
        )
        query = query.where(~inferred.exists())
    canonical, keys = parse_sort(sort, allowed=CITATION_SORTS, default="id")
    page = keyset_page(
        session=session,
        query=query,
        sort=canonical,
        keys=keys,
        id_column=col(Citation.id),
        limit=limit,
        cursor=cursor,
    )
    return read_documents(session=session, kind="citation", ids=page.keys), page


def read_citation(*, session: Session, citation_id: str) -> bytes | None:
    return read_document(session=session, kind="citation", ident=citation_id)


def hydrate_citations(*, session: Session, ids: list[str]) -> list[Json]:
    if not ids:
        return []
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
    for c in (rows.get(i) for i in ids):
        if c is None:
            continue
        a = attributions[c.attribution_id]
        source_url = url_for("source", c.source_id)
        out.append(
            {
                "id": c.id,
                "url": url_for("citation", c.id),
                "subject": named[(c.subject_type, c.subject_id)],
                "claim": c.claim,
                "source": named[("source", c.source_id)],
                "attribution": {
                    "id": a.id,
                    "label": a.label,
                    "description": a.description,
                    "speaker": named[("agency", a.speaker_agency_id)]
                    if a.speaker_agency_id
                    else None,
                    "reported_by": a.reported_by,
                    "basis": described[a.id]["basis"],
                    "claims": described[a.id]["claims"],
                },
                "exact": c.exact,
                "prefix": c.prefix,
                "suffix": c.suffix,
                "start": c.start,
                "end": c.end,
                "display": c.display,
                "basis": bases[(c.subject_type, c.subject_id, c.claim)],
                "selectors": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": c.exact,
                        "prefix": c.prefix,
                        "suffix": c.suffix,
                    },
                    {"type": "TextPositionSelector", "start": c.start, "end": c.end},
                ],
                "source_text_url": f"{source_url}/text?start={c.start}&end={c.end}",
            }
        )
    return out
