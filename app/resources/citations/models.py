"""The citation table (a quote anchored in its source) and its schema."""

from typing import Annotated

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    UniqueConstraint,
)
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import Basis
from app.models.public import (
    IdOut,
    Int64Out,
    Ref,
    TextOut,
    TextPositionSelector,
    TextQuoteSelector,
    TokenOut,
    UrlOut,
)
from app.models.support import CONTEXT_LENGTH
from app.resources.attributions.models import AttributionPublic


class CitationBase(SQLModel):
    source_id: str = Field(foreign_key="source.id", max_length=100, ondelete="RESTRICT")
    attribution_id: str = Field(foreign_key="attribution.id", max_length=100, ondelete="RESTRICT")
    subject_type: str = Field(max_length=32)
    subject_id: str = Field(max_length=100)
    claim: str = Field(max_length=64, description="the field of the subject row the quote supports")
    position: int = Field(description="order of this quote among those supporting the claim")
    exact: str = Field(sa_type=SAText)
    prefix: str = Field(max_length=CONTEXT_LENGTH * 4)
    suffix: str = Field(max_length=CONTEXT_LENGTH * 4)
    start: int = Field(sa_type=BigInteger, description="start offset in code points, inclusive")
    end: int = Field(sa_type=BigInteger, description="end offset in code points, exclusive")
    display: str | None = Field(
        default=None, sa_type=SAText, description="a corrected reading shown beside the quote"
    )


class Citation(CitationBase, table=True):
    __tablename__ = "citation"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "claim", "position"),
        CheckConstraint('start >= 0 AND start < "end"', name="span"),
        Index("ix_citation_subject", "subject_type", "subject_id"),
        Index("ix_citation_source", "source_id", "id"),
        Index("ix_citation_source_start", "source_id", "start", "id"),
        Index("ix_citation_attribution_id", "attribution_id", "id"),
        Index("ix_citation_start", "start", "id"),
    )

    id: str = Field(primary_key=True, max_length=200)


class CitationPublic(SQLModel):
    """A W3C Web Annotation target: TextQuoteSelector and TextPositionSelector on a source."""

    id: IdOut
    url: UrlOut
    subject: Ref
    claim: TokenOut
    source: Ref
    attribution: AttributionPublic
    exact: TextOut
    prefix: TextOut
    suffix: TextOut
    start: Int64Out
    end: Int64Out
    display: TextOut | None
    basis: Basis = Field(description="the basis of the claim this quote supports")
    selectors: Annotated[
        list[TextQuoteSelector | TextPositionSelector], Field(max_length=2, min_length=2)
    ] = Field(
        description="the same anchor as W3C TextQuoteSelector and TextPositionSelector objects"
    )
    source_text_url: UrlOut = Field(description="the quoted span of the source text")
