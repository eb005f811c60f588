"""What supports a claim: its subject types, its basis (claim_support) and how seed files and
curators name its quotes."""

from enum import StrEnum
from typing import Annotated

from pydantic import StrictBool, model_validator
from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
)
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from app.models.common import MAX_PARTS, Basis, Slug, Text

_INT64 = {"json_schema_extra": {"format": "int64"}}
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


class QuoteSpec(SQLModel):
    """How seed files and (later) curators name a quote: its exact text, never its offsets."""

    quote: Text
    occurrence: Annotated[int, Field(ge=1, le=10**9, schema_extra=_INT64)] | None = Field(
        default=None, description="which occurrence (1-based), only if the text repeats"
    )
    start: Annotated[int, Field(ge=0, le=10**9, schema_extra=_INT64)] | None = Field(
        default=None,
        description="where the quote starts, in code points: the text there must be the quote",
    )
    end: Annotated[int, Field(ge=1, le=10**9, schema_extra=_INT64)] | None = Field(
        default=None,
        description="where the quote ends (exclusive); if given, `end - start` is its length",
    )
    attribution: Slug | None = None
    source: Slug | None = None
    display: Text | None = None

    @model_validator(mode="after")
    def _span(self) -> "QuoteSpec":
        if self.end is not None and self.start is None:
            raise ValueError("end is given without start")
        if self.start is not None and self.occurrence is not None:
            raise ValueError("give start or occurrence, not both")
        if (
            self.start is not None
            and self.end is not None
            and self.end - self.start != len(self.quote)
        ):
            raise ValueError(
                f"end - start is {self.end - self.start}, the quote has {len(self.quote)} "
                "code points"
            )
        return self


class ClaimSpec(SQLModel):
    """How a seed file (and later a curator) supports one claim: its quotes and their basis.

    `stated`: each quote says the value. `inferred`: the quotes are premises from which the
    value follows, as `reasoning` says in one sentence; two premises at least, or one and a
    named `convention`. `descriptive`: a name-like value the source does not give (an untitled
    memorandum), written by the curators and marked as such.
    """

    quotes: list[QuoteSpec] = Field(default_factory=list, max_length=MAX_PARTS)
    basis: Basis = Basis.stated
    reasoning: Text | None = None
    convention: Text | None = None
    # Strict: the schema says boolean, and a JSON 0 or "no" is no boolean.
    descriptive: StrictBool = False


Citations = dict[str, ClaimSpec]
