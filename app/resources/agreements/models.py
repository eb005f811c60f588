"""The agreement table, with the counts it reports, and their schemas."""

from enum import StrEnum
from typing import Annotated

from sqlalchemy import BigInteger, CheckConstraint, Index, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import Count, ShortText, Slug, Text
from app.models.dates import DateBounds, Dated
from app.models.public import (
    MAX_RELATED,
    PARAPHRASE,
    CitationList,
    DatePublic,
    IdOut,
    Int64Out,
    NameOut,
    Ref,
    Supported,
    TextOut,
    UrlOut,
)
from app.models.support import (
    Citations,
)


class AgreementKind(StrEnum):
    memorandum_of_understanding = "memorandum_of_understanding"
    accords = "accords"


class AgreementBase(Dated):
    name: ShortText
    kind: AgreementKind = Field(sa_type=String(40), index=True)
    program_id: str | None = Field(
        default=None, foreign_key="program.id", max_length=100, index=True, ondelete="RESTRICT"
    )
    purpose: Text | None = Field(default=None, sa_type=SAText)
    effect: Text | None = Field(default=None, sa_type=SAText)


class Agreement(AgreementBase, DateBounds, table=True):
    __tablename__ = "agreement"
    __table_args__ = (
        Index("ix_agreement_name", "name", "id"),
        Index("ix_agreement_sort", "date_sort", "id"),
    )

    id: str = Field(primary_key=True, max_length=100)


class AgreementCreate(AgreementBase):
    id: Slug
    citations: Citations


class ReportedCountBase(SQLModel):
    """Parties a source counts ("Eight other countries") or mentions without naming any."""

    agreement_id: str | None = Field(
        default=None, foreign_key="agreement.id", max_length=100, index=True, ondelete="CASCADE"
    )
    program_id: str | None = Field(
        default=None, foreign_key="program.id", max_length=100, index=True, ondelete="CASCADE"
    )
    relation: str = Field(max_length=32, description="signed (agreement) or participant (program)")
    party_kind: str = Field(max_length=32, description="what the parties are, e.g. country")
    count: Count | None = Field(
        default=None, sa_type=BigInteger, description="null when the source gives no number"
    )
    phrase: ShortText = Field(description="the source's own words for the group")
    excludes_country_code: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, ondelete="RESTRICT"
    )


class ReportedCount(ReportedCountBase, table=True):
    __tablename__ = "reported_count"
    __table_args__ = (
        CheckConstraint("(agreement_id IS NULL) <> (program_id IS NULL)", name="one_subject"),
    )

    id: str = Field(primary_key=True, max_length=100)


class ReportedCountCreate(ReportedCountBase):
    id: Slug
    citations: Citations


class ReportedCountPublic(Supported):
    """Parties the source counts or mentions without naming; no names are invented for them."""

    id: IdOut
    relation: NameOut
    party_kind: NameOut
    count: Int64Out | None = Field(description="null when the source gives no number")
    phrase: NameOut
    excludes: Ref | None = Field(description="the party the group is 'other' than")
    citations: CitationList


class AgreementPublic(Supported):
    id: IdOut
    url: UrlOut
    name: NameOut
    kind: AgreementKind
    program: Ref | None
    date: DatePublic
    purpose: TextOut | None = Field(description=PARAPHRASE)
    effect: TextOut | None = Field(description=PARAPHRASE)
    signatories_url: UrlOut
    reported_counts: Annotated[list[ReportedCountPublic], Field(max_length=MAX_RELATED)]
    citations: CitationList
