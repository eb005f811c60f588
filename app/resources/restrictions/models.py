"""The restriction table, with the parties it binds, and their schemas."""

import datetime as dt

from sqlalchemy import Index
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import MAX_PARTS, EdtfStr, ShortText, Slug, Text
from app.models.public import (
    PARAPHRASE,
    CitationList,
    DatePublic,
    IdOut,
    NameOut,
    Ref,
    RefList,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import (
    Citations,
)


class RestrictionBase(SQLModel):
    name: ShortText
    jurisdiction_code: str = Field(
        foreign_key="country.code", max_length=2, index=True, ondelete="RESTRICT"
    )
    since_edtf: EdtfStr | None = Field(default=None, max_length=64)
    since_phrase: ShortText | None = Field(default=None, max_length=500)
    counterpart_country_code: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, index=True, ondelete="RESTRICT"
    )
    counterpart_phrase: ShortText | None = Field(default=None, max_length=500)
    scope: Text | None = Field(default=None, sa_type=SAText)
    lifts_when: Text | None = Field(default=None, sa_type=SAText)
    lifting_agency_id: str | None = Field(
        default=None, foreign_key="agency.id", max_length=100, ondelete="RESTRICT"
    )
    effect_program_id: str | None = Field(
        default=None, foreign_key="program.id", max_length=100, index=True, ondelete="RESTRICT"
    )
    effect: Text | None = Field(default=None, sa_type=SAText)


class Restriction(RestrictionBase, table=True):
    __tablename__ = "restriction"
    __table_args__ = (
        Index("ix_restriction_since", "since_lower", "id"),
        Index("ix_restriction_name", "name", "id"),
    )

    id: str = Field(primary_key=True, max_length=100)
    since_lower: dt.date | None = None


class RestrictionParty(SQLModel, table=True):
    """An agency bound by a restriction; backed by the restriction's `restricted_parties` claim."""

    __tablename__ = "restriction_party"

    restriction_id: str = Field(
        foreign_key="restriction.id", primary_key=True, max_length=100, ondelete="CASCADE"
    )
    agency_id: str = Field(
        foreign_key="agency.id", primary_key=True, max_length=100, index=True, ondelete="RESTRICT"
    )


class RestrictionCreate(RestrictionBase):
    id: Slug
    restricted_parties: list[Slug] = Field(max_length=MAX_PARTS)
    citations: Citations


class RestrictionPublic(Supported):
    id: IdOut
    url: UrlOut
    name: NameOut
    jurisdiction: Ref | None = Field(description="null with `basis=stated` if inferred")
    since: DatePublic
    restricted_parties: RefList
    counterpart: Ref | None
    counterpart_phrase: NameOut | None
    scope: TextOut | None = Field(description=PARAPHRASE)
    lifts_when: TextOut | None = Field(description=PARAPHRASE)
    lifting_agency: Ref | None
    effect_program: Ref | None
    effect: TextOut | None = Field(description=PARAPHRASE)
    citations: CitationList
