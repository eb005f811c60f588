"""The attribution table (whose words a quote carries) and its schemas."""

from sqlalchemy import (
    Index,
)
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import ShortText, Slug, Text
from app.models.public import (
    CitationList,
    IdOut,
    Int64Out,
    NameOut,
    Ref,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import Citations


class AttributionBase(SQLModel):
    label: ShortText
    description: Text | None = Field(default=None, sa_type=SAText)
    speaker_agency_id: str | None = Field(
        default=None, foreign_key="agency.id", max_length=100, ondelete="RESTRICT"
    )
    reported_by: ShortText | None = Field(default=None, max_length=500)


class Attribution(AttributionBase, table=True):
    __tablename__ = "attribution"
    __table_args__ = (
        Index("ix_attribution_label", "label", "id"),
        Index("ix_attribution_speaker", "speaker_agency_id", "id"),
    )

    id: str = Field(primary_key=True, max_length=100)


class AttributionCreate(AttributionBase):
    id: Slug
    citations: Citations


class AttributionPublic(Supported):
    """Whose words a quote carries. `label` is the curators' description, never a name the
    source gives (its `label` claim says `descriptive`)."""

    id: IdOut
    label: NameOut
    description: TextOut | None
    speaker: Ref | None
    reported_by: TextOut | None


class AttributionDetailPublic(AttributionPublic):
    """An attribution as its own resource: the quotes that back its label, speaker and
    reporter (`citations`), and the quotes it covers (`quotes_url`)."""

    url: UrlOut
    citations: CitationList
    quotes_url: UrlOut = Field(description="the citations whose words these are")
    quote_count: Int64Out = Field(description="how many citations carry these words")
