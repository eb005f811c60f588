"""Query parameters every collection shares: ids and enums with several values, days, pages."""

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from pydantic import BeforeValidator, StringConstraints

__all__ = [
    "MAX_VALUES",
    "TEXT_PATTERN",
    "Cursor",
    "Day",
    "IdItem",
    "Instant",
    "Limit",
    "enum_param",
    "ids_param",
    "sort_param",
    "values",
]

# Free text may be anything but NUL (which PostgreSQL cannot hold or compare).
TEXT_PATTERN = r"^[^\x00]*$"
T = TypeVar("T")
# One id in a multi-valued filter: a slug, or a country's ISO code.
IdItem = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}$", max_length=100)]
MAX_VALUES = 50  # values one multi-valued filter may take
SEVERAL = (
    " Several values mean OR, sent either way: comma-separated (`a,b`) or repeated (`x=a&x=b`)."
)


def values(given: Sequence[T] | None) -> list[T]:
    """A multi-valued filter's values (none given: no filter)."""
    return list(given or [])


def ids_param(description: str) -> Any:
    """A filter on ids: an array of ids (OpenAPI: form style, not exploded)."""
    return Query(description=description + SEVERAL, min_length=1, max_length=MAX_VALUES)


def enum_param(description: str) -> Any:
    """A filter on an enum: an array of its values (OpenAPI: form style, not exploded)."""
    return Query(description=description + SEVERAL, min_length=1, max_length=MAX_VALUES)


Limit = Annotated[
    int,
    Query(
        ge=1, le=200, description="Items per page (1–200).", json_schema_extra={"format": "int32"}
    ),
]


def _iso_day(value: Any) -> Any:
    # pydantic would also read "0000" as a Unix timestamp (1970-01-01); a day is YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339(value: Any) -> Any:
    # pydantic would also read "0.5" as a Unix timestamp, or a bare day; the schema says
    # date-time, which is RFC 3339's: a day, a time and an offset.
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("an instant is written as RFC 3339, such as 2026-12-01T00:00:00Z")
    return value


Instant = Annotated[dt.datetime, BeforeValidator(_rfc3339)]
Cursor = Annotated[
    str | None,
    Query(
        max_length=1000,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque cursor from `next_cursor` of the previous page.",
    ),
]


def sort_param(allowed: list[str], default: str) -> Any:
    field = f"-?({'|'.join(allowed)})"
    return Query(
        max_length=200,
        pattern=f"^{field}(,{field}){{0,{len(allowed) - 1}}}$",
        description=f"Comma-separated fields, `-` for descending. Allowed: {', '.join(allowed)}. "
        f"Default: `{default}`; ties are broken by id.",
    )
