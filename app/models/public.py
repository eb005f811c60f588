"""Response parts every resource shares: inline citations, references, dates, pages, problems."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from app.models.common import Basis

T = TypeVar("T")

# Bounds every response value keeps (the OWASP API4 rules ask for them, and tests validate every
# response against these models, so they are checked, not just declared).
NO_NUL = r"^[^\x00]*$"
MAX_BIGINT = 2**63 - 1
MAX_RELATED = 10_000
PARAPHRASE = (
    "The curators' paraphrase of this row's quotes for this field (see `claims`): it says no more "
    "than they do, keeps their qualifiers, and uses no name or acronym no source contains."
)  # nested lists; a relation that could outgrow this becomes a sub-resource

IdOut = Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")]
NameOut = Annotated[str, Field(max_length=500, pattern=NO_NUL)]
TextOut = Annotated[str, Field(max_length=10_000, pattern=NO_NUL)]
UrlOut = Annotated[str, Field(max_length=2048, pattern=r"^/[^\s\x00]*$")]
TokenOut = Annotated[str, Field(max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")]
Int64Out = Annotated[int, Field(ge=0, le=MAX_BIGINT, json_schema_extra={"format": "int64"})]
Sha256Out = Annotated[str, Field(max_length=64, pattern=r"^[0-9a-f]{64}$")]
DateOut = dt.date


class CitationInline(BaseModel):
    """The proof of one claim, carried inline so that no second request is needed to show it."""

    id: IdOut = Field(examples=["program-ilrs-locations-1"])
    claim: TokenOut = Field(description="the field this quote supports, or `row` for the whole row")
    exact: TextOut = Field(description="the quote, verbatim (W3C TextQuoteSelector `exact`)")
    display: TextOut | None = Field(description="a corrected reading of a typo, beside the quote")
    basis: Basis = Field(
        description="the basis of the claim this quote supports: `stated` (the quote says the "
        "value) or `inferred` (the quote is one premise of an inference; see `claims`)"
    )
    attribution: IdOut = Field(description="whose words these are; see /v1/citations/{id}")
    source: IdOut = Field(description="id of the source document")
    start: Int64Out = Field(
        description="start offset in Unicode code points (TextPositionSelector)"
    )
    end: Int64Out = Field(description="end offset in code points, exclusive")
    url: UrlOut


class ProblemType(StrEnum):
    """Every problem `type` the API sends; each URI explains itself (app/errors.py)."""

    bad_request = "/problems/bad-request"
    invalid_parameter = "/problems/invalid-parameter"
    unknown_parameter = "/problems/unknown-parameter"
    invalid_cursor = "/problems/invalid-cursor"
    unauthorized = "/problems/unauthorized"
    forbidden = "/problems/forbidden"
    not_found = "/problems/not-found"
    deleted = "/problems/deleted"
    conflict = "/problems/conflict"
    precondition_required = "/problems/precondition-required"
    cors_refused = "/problems/cors-refused"
    method_not_allowed = "/problems/method-not-allowed"
    not_acceptable = "/problems/not-acceptable"
    precondition_failed = "/problems/precondition-failed"
    payload_too_large = "/problems/payload-too-large"
    unsupported_media_type = "/problems/unsupported-media-type"
    invalid_body = "/problems/invalid-body"
    unprocessable = "/problems/unprocessable"
    rate_limited = "/problems/rate-limited"
    internal_error = "/problems/internal-error"
    service_unavailable = "/problems/service-unavailable"
    too_many_streams = "/problems/too-many-streams"
    request_timeout = "/problems/request-timeout"
    headers_too_large = "/problems/headers-too-large"
    overloaded = "/problems/overloaded"


class RefType(StrEnum):
    """The kinds of row a reference can point to."""

    program = "program"
    agency = "agency"
    country = "country"
    agreement = "agreement"
    signatory = "signatory"
    restriction = "restriction"
    event = "event"
    source = "source"
    citation = "citation"
    attribution = "attribution"
    reported_count = "reported_count"
    program_objective = "program_objective"
    program_participant = "program_participant"


class TotalRelation(StrEnum):
    """How `total` relates to the true count, as Elasticsearch's `hits.total.relation`."""

    eq = "eq"
    gte = "gte"


class SearchType(StrEnum):
    """What a search hit can be."""

    program = "program"
    agency = "agency"
    country = "country"
    agreement = "agreement"
    restriction = "restriction"
    event = "event"
    source = "source"
    citation = "citation"


class Ref(BaseModel):
    """A related row: enough to show it and to follow it."""

    type: RefType = Field(examples=["agency"])
    id: IdOut = Field(examples=["roscosmos"])
    name: TextOut = Field(examples=["Roscosmos"])
    url: UrlOut = Field(examples=["/v1/agencies/roscosmos"])


class LinkRef(Ref):
    """A related row listed because another row's claim names this one (e.g. an agency's
    programs, from the programs' participants); `basis` is that claim's basis."""

    basis: Basis


class ClaimPublic(BaseModel):
    """How one claim of a row is known, and which of the row's fields it covers."""

    claim: TokenOut = Field(description="the claim's name; `row` is the row's existence")
    fields: Annotated[list[TokenOut], Field(max_length=10)] = Field(
        description="the fields of this object whose values the claim covers"
    )
    basis: Basis = Field(
        description="`stated`: each cited quote says the value. `inferred`: the value follows "
        "from the cited quotes (premises), as `reasoning` explains"
    )
    reasoning: TextOut | None = Field(description="why an inferred value follows; null if stated")
    convention: TextOut | None = Field(
        description="a named convention an inference rests on besides its premises, if any"
    )
    descriptive: bool = Field(
        description="true for a name the source does not give: the curators' description"
    )
    citations: Annotated[list[IdOut], Field(max_length=100)] = Field(
        description="ids of the quotes (in `citations`) that state the value or are its premises"
    )


class Supported(SQLModel):
    """What every fact-bearing object carries: its row's basis and the basis of each claim."""

    basis: Basis = Field(
        description="`inferred` when the row exists only through an inference, else `stated`"
    )
    claims: Annotated[list[ClaimPublic], Field(max_length=100)]


class DatePublic(BaseModel):
    """A date as the source states it. `edtf` is null where the source gives no resolvable date."""

    edtf: Annotated[str, Field(max_length=64, pattern=NO_NUL)] | None = Field(
        description="Extended Date/Time Format (ISO 8601-2) value"
    )
    phrase: NameOut | None = Field(description="the source's own words, e.g. 'This past Tuesday'")
    lower: DateOut | None = Field(description="earliest day the EDTF value can mean")
    upper: DateOut | None = Field(description="latest day the EDTF value can mean")


class Page(BaseModel, Generic[T]):
    """One page of a collection. Follow `next_cursor` (or the `Link: rel="next"` header)."""

    items: list[T] = Field(max_length=200)
    next_cursor: Annotated[str, Field(max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")] | None = Field(
        description="opaque; null on the last page"
    )
    limit: int = Field(ge=1, le=200, json_schema_extra={"format": "int32"})
    total: Int64Out = Field(
        description="items in the whole filtered collection: exactly this many when "
        "`total_relation` is `eq`; at least this many when it is `gte` (counting stops at "
        "a limit the server sets, 1000 by default, so that no count grows with the data)"
    )
    total_relation: TotalRelation = Field(
        description="`eq`: `total` is exact; `gte`: `total` is a lower bound"
    )

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return f"{params[0].__name__.removesuffix('Public')}Page"


class ProblemFieldError(BaseModel):
    location: NameOut = Field(examples=["query.limit"])
    message: TextOut = Field(examples=["Input should be less than or equal to 200"])


class Problem(BaseModel):
    """An RFC 9457 problem detail, served as application/problem+json."""

    model_config = ConfigDict(title="Problem")

    type: ProblemType = Field(examples=["/problems/not-found"], description="explained at this URL")
    title: NameOut = Field(examples=["Not Found"])
    status: int = Field(examples=[404], ge=400, le=599, json_schema_extra={"format": "int32"})
    detail: TextOut = Field(examples=["No program with id 'apollo'."])
    instance: UrlOut = Field(examples=["/v1/programs/apollo"])
    errors: Annotated[list[ProblemFieldError], Field(max_length=100)] | None = None


class SearchHitPublic(BaseModel):
    """One search hit: what it is, where it lives, and the matching words in context."""

    type: SearchType = Field(examples=["citation"])
    id: IdOut = Field(examples=["program-ilrs-locations-1"])
    url: UrlOut = Field(examples=["/v1/citations/program-ilrs-locations-1"])
    title: TextOut
    snippet: TextOut = Field(description="text around the first match, matches in <mark>…</mark>")
    score: int = Field(
        ge=1,
        le=2,
        json_schema_extra={"format": "int32"},
        description="2 when every term is in the title, else 1",
    )
    basis: Basis = Field(
        description="`inferred` when the title or snippet repeats an inferred value, or the "
        "hit is a row or quote that exists only through an inference"
    )


CitationList = Annotated[list[CitationInline], Field(max_length=MAX_RELATED)]
RefList = Annotated[list[Ref], Field(max_length=MAX_RELATED)]
LinkRefList = Annotated[list[LinkRef], Field(max_length=MAX_RELATED)]


class TextQuoteSelector(BaseModel):
    type: Literal["TextQuoteSelector"]
    exact: TextOut
    prefix: TextOut
    suffix: TextOut


class TextPositionSelector(BaseModel):
    type: Literal["TextPositionSelector"]
    start: Int64Out
    end: Int64Out
