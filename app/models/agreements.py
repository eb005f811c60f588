"""Agreements, who signed them, and the parties a source counts without naming."""

from enum import StrEnum
from typing import Annotated

from sqlalchemy import BigInteger, CheckConstraint, Index, String
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models import base as _base  # noqa: F401
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
from app.models.sources import Citations


class AgreementKind(StrEnum):
    memorandum_of_understanding = "memorandum_of_understanding"
    accords = "accords"


class SignatoryStatus(StrEnum):
    signed = "signed"
    intends_to_sign = "intends_to_sign"
    counterparty = "counterparty"


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


class SignatoryBase(Dated):
    agreement_id: str = Field(foreign_key="agreement.id", max_length=100, ondelete="CASCADE")
    agency_id: str | None = Field(
        default=None, foreign_key="agency.id", max_length=100, ondelete="RESTRICT"
    )
    country_code: str | None = Field(
        default=None, foreign_key="country.code", max_length=2, ondelete="RESTRICT"
    )
    party_phrase: ShortText | None = Field(
        default=None, max_length=500, description="the source's own words for the party"
    )
    status: SignatoryStatus = Field(sa_type=String(32))


class Signatory(SignatoryBase, DateBounds, table=True):
    __tablename__ = "signatory"
    __table_args__ = (
        CheckConstraint("(agency_id IS NULL) <> (country_code IS NULL)", name="one_party"),
        # Every filter column leads an index that ends with the keyset of the default sort (id)
        # and one that ends with the keyset of sort=date (date_sort, id), so a filtered page is
        # a range read in order on both engines, whatever the table's size.
        Index("ix_signatory_agreement", "agreement_id", "id"),
        Index("ix_signatory_agreement_sort", "agreement_id", "date_sort", "id"),
        Index("ix_signatory_agency_id", "agency_id", "id"),
        Index("ix_signatory_agency_sort", "agency_id", "date_sort", "id"),
        Index("ix_signatory_country_code", "country_code", "id"),
        Index("ix_signatory_country_sort", "country_code", "date_sort", "id"),
        # as_of (status 'signed', date_upper or date_edtf) is read from the index in id order:
        # a (status, date_upper) range would instead sort every match before the first page.
        Index("ix_signatory_status", "status", "id", "date_upper", "date_edtf"),
        Index("ix_signatory_status_sort", "status", "date_sort", "id"),
        Index("ix_signatory_sort", "date_sort", "id"),
    )

    id: str = Field(primary_key=True, max_length=100)


class SignatoryCreate(SignatoryBase):
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


class SignatoryPublic(Supported):
    id: IdOut
    url: UrlOut
    agreement: Ref
    party: Ref | None = Field(
        description="the party as an entity; null with `basis=stated` where who it is was "
        "inferred (see `party_phrase` for the source's words)"
    )
    party_phrase: NameOut | None = Field(description="the source's own words for the party")
    status: SignatoryStatus
    date: DatePublic
    citations: CitationList
