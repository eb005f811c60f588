"""Events by overlap with a date range, read in date order through ix_event_span.

An event's stated date is a span [date_lower, date_upper]; `from`/`to` keep the spans that
overlap the range asked. No B-tree in date order bounds that: a span that began long before
`from` may still reach into it, so the general query read every event before `from` (1.4 s for
`from=2025&to=2025` at a million events). Spans are therefore indexed by their length class
beside their date: a class holds spans shorter than its bound (a day, a month, a year, a
decade, a century), so its overlapping spans begin at most that long before `from`, a bounded
index range. Longer spans and spans open at one side (few) make one class each. One arm per
class, each in date order, merged: both engines read a page as a merge of index ranges.
With one or two kinds asked, each kind's events of a class are one range of ix_event_kind_span,
which leads with the kind: a rare kind is then read row for row, not found among every event
of the range.
"""

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, literal, or_, select, tuple_, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from app.models.base import table_of
from app.resources._types import FastPage
from app.resources.events.models import Event
from app.services.paging import SortKey

__all__ = [
    "BOUNDS",
    "BY_KIND",
    "LONG",
    "OPEN",
    "SPAN_CLASS_SQL",
    "UNDATED",
    "SpanClass",
    "overlap_arms",
]

# Class c holds the bounded spans with date_upper - date_lower < BOUNDS[c] days.
BOUNDS = (1, 32, 367, 3654, 36526)
LONG = 8  # bounded, a century or longer
OPEN = 9  # open at one side ("by the end of the 2020s")
# Never read by a range; apart, so that no arm steps over them (their date_sort is the last day).
UNDATED = 10
# Up to this many kinds asked, an arm per kind and class (ix_event_kind_span); more kinds hold
# many events, and their arms would multiply.
BY_KIND = 2


def _class_sql(days: str) -> str:
    whens = " ".join(f"WHEN {days} < {bound} THEN {c}" for c, bound in enumerate(BOUNDS))
    return (
        f"CASE WHEN date_edtf IS NULL THEN {UNDATED}"
        f" WHEN date_lower IS NULL OR date_upper IS NULL THEN {OPEN} {whens} ELSE {LONG} END"
    )


# The index expression (migration a31d248d6073) and the query's, written once: a planner uses
# an expression index only for the very same expression.
SPAN_CLASS_SQL = {
    "sqlite": _class_sql("julianday(date_upper) - julianday(date_lower)"),
    "postgresql": _class_sql("(date_upper - date_lower)"),
}


class SpanClass(FunctionElement[int]):
    """The length class of an event's span, as ix_event_span indexes it."""

    type = Integer()
    inherit_cache = True
    name = "span_class"


@compiles(SpanClass)
def _span_class(element: SpanClass, compiler: SQLCompiler, **kw: Any) -> str:
    del element, kw
    return f"({SPAN_CLASS_SQL[compiler.dialect.name]})"


def overlap_arms(
    query: Select[Any],
    *,
    start: dt.date | None,
    end: dt.date | None,
    keys: list[SortKey],
    dialect: str,
    kinds: Sequence[str] = (),
    after: Sequence[Any] | None = None,
) -> FastPage | None:
    """Events of `query` (no date filter yet) whose span overlaps [start, end], as a merge of
    one index range per class (and per kind of `kinds`, when given: `query` then has no kind
    filter of its own), or None. Only for sort=date (either way), each arm being read in the
    order of the page; `after` is the cursor's (date, id), the page starting past it.
    """
    if not (len(keys) == 1 and keys[0].name == "date"):
        return None
    # Core columns, and one where() per arm: the ORM's attribute operators and a copy of the
    # statement per clause made the building cost more than the database's reading.
    event = table_of(Event).c
    lower, upper, sort = event.date_lower, event.date_upper, event.date_sort
    columns = (sort, event.id)
    descending = keys[0].descending
    order = [c.desc() for c in columns] if descending else list(columns)
    selected = query.with_only_columns(*columns)
    arms = []
    each: Sequence[str | None] = kinds or [None]
    for kind, c in itertools.product(each, (*range(len(BOUNDS)), LONG, OPEN)):
        where: list[ColumnElement[bool]] = [SpanClass() == c]
        if kind is not None:
            where.append(event.kind == kind)
        first = last = None  # the arm's index range in date_sort, where a bound gives one
        if c == OPEN:  # the general query's test, on few rows
            if start is not None:
                where.append(or_(upper.is_(None), upper >= start))
            if end is not None:
                where.append(or_(lower.is_(None), lower <= end))
        else:
            # Both bounds are known, and date_sort is the first day (models.common.sort_date):
            # the index holds all the test needs. A class's span begins at most its bound
            # before `from`, which bounds the index range from below.
            if start is not None:
                where.append(upper >= start)
                if c < len(BOUNDS) and start.toordinal() > BOUNDS[c]:
                    first = start - dt.timedelta(days=BOUNDS[c])
            last = end
        if after is not None:
            # The cursor in the arm itself, unless the date bound on its side is as tight:
            # SQLite starts an index range at one bound only, and with both it took the date's,
            # reading every row of the class before the cursor (a deep page of a range at a
            # million events: 5-10 ms), or left ix_event_kind_span for ix_event_span.
            cursor = tuple_(*(literal(v, k.type) for v, k in zip(after, columns, strict=True)))
            if descending and (last is None or after[0] <= last):
                last = None  # (date, id) < cursor holds date <= the cursor's date <= end
                where.append(tuple_(*columns) < cursor)
            elif not descending and (first is None or after[0] > first):
                first = None  # only an index bound: upper >= start decides
                where.append(tuple_(*columns) > cursor)
            # Otherwise every row within the date bound lies past the cursor already.
        if first is not None:
            where.append(sort > first)
        if last is not None:
            where.append(sort <= last)
        arm = selected.where(*where)
        if dialect == "postgresql":
            # PostgreSQL merges the arms (Merge Append) only if each is planned in the page's
            # order; SQLite merges them by itself, and takes no ORDER BY inside a compound.
            arm = arm.order_by(*order)
        arms.append(arm)
    spans = union_all(*arms).subquery("spans")

    def whole() -> Select[Any]:
        found = overlap_arms(query, start=start, end=end, keys=keys, dialect=dialect, kinds=kinds)
        assert found is not None  # the same keys that made this page's
        return found.query

    return FastPage(
        select(spans.c.id),
        [SortKey(keys[0].name, spans.c.date_sort, keys[0].descending)],
        spans.c.id,
        whole=None if after is None else whole,
    )
