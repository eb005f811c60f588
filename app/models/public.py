"""Response parts every resource shares: inline citations, references, dates, pages, problems."""

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class CitationInline(BaseModel):
    """The proof of one claim, carried inline so that no second request is needed to show it."""

    id: str = Field(examples=["program-ilrs-locations-1"])
    claim: str = Field(description="the field this quote supports, or `row` for the whole row")
    exact: str = Field(description="the quote, verbatim (W3C TextQuoteSelector `exact`)")
    display: str | None = Field(description="a corrected reading of a typo, beside the quote")
    attribution: str = Field(description="whose words these are; see /v1/citations/{id}")
    source: str = Field(description="id of the source document")
    start: int = Field(description="start offset in Unicode code points (TextPositionSelector)")
    end: int = Field(description="end offset in code points, exclusive")
    url: str


class Ref(BaseModel):
    """A related row: enough to show it and to follow it."""

    type: str = Field(examples=["agency"])
    id: str = Field(examples=["roscosmos"])
    name: str = Field(examples=["Roscosmos"])
    url: str = Field(examples=["/v1/agencies/roscosmos"])


class DatePublic(BaseModel):
    """A date as the source states it. `edtf` is null where the source gives no resolvable date."""

    edtf: str | None = Field(description="Extended Date/Time Format (ISO 8601-2) value")
    phrase: str | None = Field(description="the source's own words, e.g. 'This past Tuesday'")
    lower: dt.date | None = Field(description="earliest day the EDTF value can mean")
    upper: dt.date | None = Field(description="latest day the EDTF value can mean")


class Page(BaseModel, Generic[T]):
    """One page of a collection. Follow `next_cursor` (or the `Link: rel="next"` header)."""

    items: list[T]
    next_cursor: str | None = Field(description="opaque; null on the last page")
    limit: int
    total: int = Field(description="items in the whole filtered collection")

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__.removesuffix('Public')}Page"


class ProblemFieldError(BaseModel):
    location: str = Field(examples=["query.limit"])
    message: str = Field(examples=["Input should be less than or equal to 200"])


class Problem(BaseModel):
    """An RFC 9457 problem detail, served as application/problem+json."""

    model_config = ConfigDict(title="Problem")

    type: str = Field(examples=["https://spacefacts.dev/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No program with id 'apollo'."])
    instance: str = Field(examples=["/v1/programs/apollo"])
    errors: list[ProblemFieldError] | None = None


class SearchHitPublic(BaseModel):
    """One search hit: what it is, where it lives, and the matching words in context."""

    type: str = Field(examples=["citation"])
    id: str = Field(examples=["program-ilrs-locations-1"])
    url: str = Field(examples=["/v1/citations/program-ilrs-locations-1"])
    title: str
    snippet: str = Field(description="text around the first match, matches in <mark>…</mark>")
    score: int = Field(description="2 when every term is in the title, else 1")
