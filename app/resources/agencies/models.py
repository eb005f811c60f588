"""The agency table and its schemas."""

from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import ShortText, Slug, Text
from app.models.public import (
    PARAPHRASE,
    CitationList,
    IdOut,
    LinkRefList,
    NameOut,
    Ref,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import (
    Citations,
)


class AgencyKind(StrEnum):
    space_agency = "space_agency"
    government_office = "government_office"
    legislature = "legislature"


class AgencyBase(SQLModel):
    name: ShortText
    acronym: ShortText | None = None
    country_code: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, index=True, ondelete="RESTRICT"
    )
    kind: AgencyKind | None = Field(default=None, sa_type=String(32), index=True)
    description: Text | None = Field(default=None, sa_type=SAText)


class Agency(AgencyBase, table=True):
    __tablename__ = "agency"
    __table_args__ = (Index("ix_agency_name", "name", "id"),)

    id: str = Field(primary_key=True, max_length=100)


class AgencyCreate(AgencyBase):
    id: Slug
    citations: Citations


class AgencyPublic(Supported):
    id: IdOut
    url: UrlOut
    name: NameOut
    acronym: NameOut | None
    kind: AgencyKind | None = Field(description="null where the source does not say")
    description: TextOut | None = Field(description=PARAPHRASE)
    country: Ref | None
    programs: LinkRefList = Field(description="programs the agency takes part in")
    citations: CitationList
