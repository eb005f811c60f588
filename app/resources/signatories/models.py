"""The signatory table and its schemas."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String
from sqlmodel import Field

from app.models.common import ShortText, Slug
from app.models.dates import DateBounds, Dated
from app.models.public import (
    CitationList,
    DatePublic,
    IdOut,
    NameOut,
    Ref,
    Supported,
    UrlOut,
)
from app.models.support import (
    Citations,
)


class SignatoryStatus(StrEnum):
    signed = "signed"
    intends_to_sign = "intends_to_sign"
    counterparty = "counterparty"


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
