"""Types and helpers shared by every model family."""

import datetime as dt
import functools
import time
from enum import StrEnum
from typing import Annotated

import edtf
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
# A date-less row sorts after every dated one; the sentinel keeps the column NOT NULL so that
# (date_sort, id) stays a total order usable by keyset pagination.
UNDATED_SORT = dt.date(9999, 12, 31)
MAX_BIGINT = 2**63 - 1
MAX_PARTS = 100  # items of one list in a write body (quotes of a claim, parties, locations)


class Basis(StrEnum):
    """How a claim is known: its quote says it (`stated`), or curators inferred it from quotes."""

    stated = "stated"
    inferred = "inferred"


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time in UTC: SQLite hands back naive datetimes (written as UTC), PostgreSQL
    aware ones in the session's time zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _date_text(value: object) -> object:
    # The schema says an ISO 8601 date: pydantic would also take a number of seconds.
    if value is not None and not isinstance(value, str | dt.date):
        raise ValueError("a date is written as text, such as 2025-03-01")
    return value


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here gives one clear error on both engines.
    if "\x00" in value:
        raise ValueError("NUL characters (U+0000) are not allowed in text")
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
# Any row's client-facing id: a slug, or a country's ISO code.
EntityId = Annotated[
    str, StringConstraints(max_length=100, pattern=r"^(?:[A-Z]{2}|[a-z0-9]+(?:-[a-z0-9]+)*)$")
]
CountryCode = Annotated[str, StringConstraints(max_length=2, pattern=COUNTRY_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000), AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_no_nul)]
Count = Annotated[int, Field(ge=0, le=MAX_BIGINT, json_schema_extra={"format": "int64"})]
IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]


def _valid_edtf(value: str) -> str:
    try:
        edtf.parse_edtf(value)
    except Exception as exc:  # the edtf parser raises several unrelated exception types
        raise ValueError(f"not a valid EDTF date or span: {value!r}") from exc
    return value


EdtfStr = Annotated[str, StringConstraints(max_length=64), AfterValidator(_valid_edtf)]


def _to_date(value: object) -> dt.date | None:
    if isinstance(value, time.struct_time):
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None  # an open end (-inf/+inf) has no bound


@functools.lru_cache(maxsize=4096)
def edtf_bounds(value: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest calendar days an EDTF value can mean (None where it is open).

    An approximate or uncertain value widens by the edtf library's padding (a year for a
    year): "by the mid-2020s" (`../2025~`) may still mean 2026, not 2027.
    """
    # Cached: the edtf library's parser takes about 12 ms a value, and every `from`/`to` of a
    # request and every dated row written asks for the bounds of a handful of values.
    if value is None:
        return None, None
    parsed = edtf.parse_edtf(value)
    return _to_date(parsed.lower_fuzzy()), _to_date(parsed.upper_fuzzy())


def sort_date(lower: dt.date | None, upper: dt.date | None) -> dt.date:
    """Where a row sits on the timeline: its earliest day, else its latest, else last."""
    return lower or upper or UNDATED_SORT
