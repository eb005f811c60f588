"""Dates as a source states them, and the bounds derived from them for sorting and filtering."""

import datetime as dt

from sqlmodel import Field, SQLModel

from app.models.common import EdtfStr, ShortText


class Dated(SQLModel):
    """A date as the source states it: EDTF where it gives one, its own words always."""

    date_edtf: EdtfStr | None = Field(default=None, max_length=64)
    date_phrase: ShortText | None = Field(default=None, max_length=500)


class DateBounds(SQLModel):
    """Derived from date_edtf by the service; never written by hand."""

    date_lower: dt.date | None = None
    date_upper: dt.date | None = None
    date_sort: dt.date
