"""A source's verbatim text, or a span of it."""

from sqlalchemy import select
from sqlmodel import Session, col

from app.resources.sources.models import Source

__all__ = ["source_text"]


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
