"""Sources, the citations that anchor facts in them, whose words a quote carries, and versions."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import model_validator
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models import base as _base  # noqa: F401  (the naming convention must exist first)
from app.models.common import Basis, Count, ShortText, Slug, Text
from app.models.public import (
    CitationList,
    DateOut,
    IdOut,
    Int64Out,
    NameOut,
    Ref,
    Sha256Out,
    Supported,
    TextOut,
    TextPositionSelector,
    TextQuoteSelector,
    TokenOut,
    UrlOut,
)

CONTEXT_LENGTH = 32  # code points of prefix and suffix kept with every quote


class SubjectType(StrEnum):
    """The kinds of row a citation can support."""

    attribution = "attribution"
    country = "country"
    agency = "agency"
    program = "program"
    program_objective = "program_objective"
    program_participant = "program_participant"
    agreement = "agreement"
    signatory = "signatory"
    reported_count = "reported_count"
    restriction = "restriction"
    event = "event"


class SourceBase(SQLModel):
    title: ShortText
    publisher: ShortText | None = None
    author: ShortText | None = None
    url: ShortText | None = None
    published_edtf: str | None = Field(default=None, max_length=64)
    retrieved_on: dt.date | None = None
    language: str = Field(max_length=35, description="BCP 47 language tag")
    media_type: str = Field(max_length=100)
    description: Text | None = Field(default=None, sa_type=SAText)


class Source(SourceBase, table=True):
    __tablename__ = "source"
    __table_args__ = (Index("ix_source_title", "title", "id"),)

    id: str = Field(primary_key=True, max_length=100)
    text: str = Field(sa_type=SAText)
    sha256: str = Field(max_length=64, min_length=64)
    length: int = Field(sa_type=BigInteger, description="length of text in Unicode code points")


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


class ClaimSupport(SQLModel, table=True):
    """The basis of one claim of one row; its citations are its quotes (or premises)."""

    __tablename__ = "claim_support"
    __table_args__ = (
        CheckConstraint("basis = 'stated' OR reasoning IS NOT NULL", name="inferred_has_reasoning"),
        # basis=stated lists leave out rows whose existence is inferred: an index lookup.
        Index("ix_claim_support_basis", "subject_type", "claim", "basis", "subject_id"),
    )

    subject_type: str = Field(primary_key=True, max_length=32)
    subject_id: str = Field(primary_key=True, max_length=100)
    claim: str = Field(primary_key=True, max_length=64)
    basis: Basis = Field(sa_type=String(16))
    reasoning: str | None = Field(default=None, sa_type=SAText)
    convention: str | None = Field(default=None, sa_type=SAText)
    descriptive: bool = Field(
        default=False, description="a name the curators gave, in the source's words"
    )


class DatasetVersion(SQLModel, table=True):
    """One row per change to the data; the newest row is the version that caches key on."""

    __tablename__ = "dataset_version"

    version: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    created_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    origin: str = Field(sa_type=String(32), description="what made the change, e.g. 'seed'")
    seed_digest: str | None = Field(default=None, max_length=64)
    summary: str = Field(sa_type=SAText, description="what changed, as JSON counts per table")


class QuoteSpec(SQLModel):
    """How seed files and (later) curators name a quote: its exact text, never its offsets."""

    @model_validator(mode="before")
    @classmethod
    def _bare_string(cls, data: Any) -> Any:
        # A bare string is shorthand for {quote: <string>}.
        return {"quote": data} if isinstance(data, str) else data

    quote: Text
    occurrence: Count | None = Field(
        default=None, ge=1, description="which occurrence (1-based), only if the text repeats"
    )
    attribution: Slug | None = None
    source: Slug | None = None
    display: Text | None = None


class ClaimSpec(SQLModel):
    """How a seed file (and later a curator) supports one claim: its quotes and their basis.

    `stated`: each quote says the value. `inferred`: the quotes are premises from which the
    value follows, as `reasoning` says in one sentence; two premises at least, or one and a
    named `convention`. `descriptive`: a name-like value the source does not give (an untitled
    memorandum), written by the curators and marked as such.
    """

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, data: Any) -> Any:
        # A bare list of quotes is shorthand for a stated claim.
        return {"quotes": data} if isinstance(data, list) else data

    quotes: list[QuoteSpec] = Field(default_factory=list)
    basis: Basis = Basis.stated
    reasoning: Text | None = None
    convention: Text | None = None
    descriptive: bool = False


Citations = dict[str, ClaimSpec]


class AttributionCreate(AttributionBase):
    id: Slug
    citations: Citations


class SourcePublic(SQLModel):
    id: IdOut
    url: UrlOut
    title: NameOut
    publisher: NameOut | None
    author: NameOut | None
    original_url: NameOut | None = Field(description="where the source was published, if known")
    published: NameOut | None = Field(description="EDTF publication date, if known")
    retrieved_on: DateOut | None
    language: NameOut
    media_type: NameOut
    description: TextOut | None
    sha256: Sha256Out = Field(description="SHA-256 of the text's UTF-8 bytes")
    length: Int64Out = Field(description="length of the text in Unicode code points")
    text_url: UrlOut
    citation_count: Int64Out


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
