"""Sorting, keyset pagination and counting, shared by every collection.

A cursor is the sort key of the last row of a page, base64url-encoded with the sort it belongs
to, so the next page is `WHERE (sort key) > (cursor)`: every page costs the same as the first.
"""

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    tuple_,
)

from app.services.dataset import Serving, Total


class InvalidInputError(ValueError):
    """A request parameter the service cannot honour; `kind` names the problem type."""

    def __init__(self, message: str, *, kind: str = "invalid-parameter", field: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field


@dataclass(frozen=True)
class SortKey:
    name: str
    column: Any
    descending: bool


@dataclass(frozen=True)
class PageResult:
    keys: list[Any]  # primary keys of the rows on this page, in order
    next_cursor: str | None
    total: Total


def parse_sort(
    sort: str | None, *, allowed: Mapping[str, ColumnElement[Any]], default: str
) -> tuple[str, list[SortKey]]:
    """`sort=name,-date` into sort keys; the canonical string is part of every cursor."""
    spec = sort or default
    keys: list[SortKey] = []
    for part in spec.split(","):
        field = part.strip()
        descending = field.startswith("-")
        name = field.removeprefix("-")
        if name not in allowed:
            raise InvalidInputError(
                f"Cannot sort by {name!r}; allowed: {', '.join(sorted(allowed))} "
                "(prefix with - for descending).",
                field="query.sort",
            )
        if any(k.name == name for k in keys):
            continue  # a field already sorted by decides nothing more: its first mention wins
        keys.append(SortKey(name, allowed[name], descending))
    canonical = ",".join(("-" if k.descending else "") + k.name for k in keys)
    return canonical, keys


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _decode(value: Any, column: ColumnElement[Any]) -> Any:
    # Type by the column's SQL type: SQLModel's AutoString reports `object` as its Python type.
    if isinstance(column.type, Date):
        if not isinstance(value, str):
            raise ValueError("date expected")
        return dt.date.fromisoformat(value)
    expected = int if isinstance(column.type, Integer) else str
    if type(value) is not expected:
        raise ValueError(f"{expected.__name__} expected")
    # Values PostgreSQL would refuse with an error rather than compare: NUL, beyond 64 bits.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL in cursor")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise ValueError("integer out of range")
    return value


def encode_cursor(
    sort: str, values: Sequence[Any], *, total: Total | None = None, version: int | None = None
) -> str:
    """The cursor after `values`; it carries the total counted at `version`, when known."""
    data: dict[str, Any] = {"s": sort, "k": [_encode(v) for v in values]}
    if total is not None and version is not None:
        data["t"], data["v"] = total.value, version
        if not total.exact:
            data["g"] = 1  # a lower bound
    return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()


def _load(cursor: str, problem: InvalidInputError) -> dict[str, Any]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise problem from exc
    if not isinstance(data, dict):
        raise problem
    return data


def carried_total(data: dict[str, Any], serving: Serving | None) -> Total | None:
    """The total a cursor carries, if it was counted at the dataset version being served.

    Later pages of a walk then cost one keyset query each: no COUNT on every page, and no
    state a second worker would not have. A cursor from an older version is counted again.
    """
    version = serving.version if serving is not None else None
    total = data.get("t")
    if version is None or data.get("v") != version or type(total) is not int or total < 0:
        return None
    bound = data.get("g")
    if bound not in (None, 1) or (bound == 1 and (serving is None or total != serving.total_limit)):
        return None  # counted under another limit: count again
    return Total(total, exact=bound is None)


def decode_cursor(
    cursor: str, sort: str, columns: Sequence[ColumnElement[Any]], serving: Serving | None
) -> tuple[list[Any], Total | None]:
    """The sort values after which the next page starts, and the total the cursor carries."""
    problem = InvalidInputError(
        "The cursor is malformed or was made for another sort; start again without it.",
        kind="invalid-cursor",
        field="query.cursor",
    )
    data = _load(cursor, problem)
    values = data.get("k")
    if data.get("s") != sort or not isinstance(values, list) or len(values) != len(columns):
        raise problem
    try:
        decoded = [_decode(v, c) for v, c in zip(values, columns, strict=True)]
    except (ValueError, TypeError) as exc:
        raise problem from exc
    return decoded, carried_total(data, serving)


def decode_plain_cursor(
    cursor: str, sort: str, kinds: Sequence[type], serving: Serving | None
) -> tuple[list[Any], Total | None]:
    """Decode a cursor whose values are plain ints and strings (not table columns)."""
    problem = InvalidInputError(
        "The cursor is malformed or belongs to another query; start again without it.",
        kind="invalid-cursor",
        field="query.cursor",
    )
    data = _load(cursor, problem)
    values = data.get("k")
    if data.get("s") != sort or not isinstance(values, list) or len(values) != len(kinds):
        raise problem
    for value, kind in zip(values, kinds, strict=True):
        if type(value) is not kind or (isinstance(value, str) and "\x00" in value):
            raise problem
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise problem
    return values, carried_total(data, serving)


def _after(keys: Sequence[SortKey]) -> ColumnElement[bool]:
    """Rows strictly after the cursor's values in the order of `keys`, for any mix of
    directions. The values are bound at execution, as `after_0`, `after_1`, ... (`_bound`)."""
    columns = [k.column for k in keys]
    values = [bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(columns)]
    if all(k.descending == keys[0].descending for k in keys):
        # One direction: a row-value comparison, which both engines read as an index range
        # starting at the cursor, however few distinct values the first key has.
        row, cursor = tuple_(*columns), tuple_(*values)
        return row < cursor if keys[0].descending else row > cursor
    clauses = []
    for i, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal, step))
    first = keys[0]
    # Implied by the OR, but only a plain range lets the database start reading the index at
    # the cursor; without it a deep page of a two-key sort read every row before it.
    bound = first.column <= values[0] if first.descending else first.column >= values[0]
    return and_(bound, or_(*clauses))


def _bound(values: Sequence[Any]) -> dict[str, Any]:
    """The cursor's values, as `_after` binds them."""
    return {f"after_{i}": value for i, value in enumerate(values)}


def _order(keys: list[SortKey], id_column: Any) -> list[SortKey]:
    """The keys a page is ordered by: the sort's, then the id (unless the sort has it)."""
    if any(k.column is id_column for k in keys):
        return list(keys)
    return [*keys, SortKey("id", id_column, keys[-1].descending if keys else False)]


def _ordered(query: Select[Any], order: list[SortKey]) -> Select[Any]:
    columns = [k.column for k in order]
    return query.with_only_columns(*columns).order_by(
        *(c.desc() if k.descending else c.asc() for k, c in zip(order, columns, strict=True))
    )


class PageStatements(NamedTuple):
    """The statements `keyset_page` runs for one query, sort and page size: the first page's,
    and a later page's (the cursor's values bound at execution). A caller may keep them."""

    first: Select[Any]
    later: Select[Any]


def page_statements(
    *, query: Select[Any], keys: list[SortKey], id_column: Any, limit: int
) -> PageStatements:
    """The statements of the pages of `query` in the order of keys + id, `limit` rows each."""
    order = _order(keys, id_column)
    ordered = _ordered(query, order)
    return PageStatements(ordered.limit(limit + 1), ordered.where(_after(order)).limit(limit + 1))


def keyset_page(
    *,
    connection: Connection,
    query: Select[Any],
    sort: str,
    keys: list[SortKey],
    id_column: Any,
    limit: int,
    cursor: str | None,
    serving: Serving | None,
    whole: Callable[[], Select[Any]] | None = None,
    statements: PageStatements | None = None,
) -> PageResult:
    """One page of `query` (which selects the rows to list) in the order of keys + id.

    `serving` is the dataset version the request is served at, with the counts already made
    at it; without it (the CLI, a test) every first page counts afresh. With `whole`, `query`
    starts past the cursor already, and `whole()` is the query of the whole list, counted.
    `statements` are `page_statements` of the same arguments, kept by the caller.
    """
    order = _order(keys, id_column)
    columns = [k.column for k in order]
    total = None
    bound: dict[str, Any] = {}
    if cursor is None:
        page_query = statements.first if statements else _ordered(query, order).limit(limit + 1)
    else:
        after, total = decode_cursor(cursor, sort, columns, serving)
        if whole is not None:
            page_query = _ordered(query, order).limit(limit + 1)
        else:
            bound = _bound(after)
            page_query = (
                statements.later
                if statements
                else _ordered(query, order).where(_after(order)).limit(limit + 1)
            )
    # Core, not the ORM: these rows are plain values, and the ORM layer doubled the cost.
    rows = connection.execute(page_query, bound).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if total is None:
        if cursor is None and not more:
            total = Total(len(rows))  # a first page that holds every row has counted them
        else:
            counted_query = whole() if whole is not None else query
            total = count(connection=connection, query=counted_query, serving=serving)
    next_cursor = None
    if more and rows:
        version = serving.version if serving is not None else None
        next_cursor = encode_cursor(sort, list(rows[-1]), total=total, version=version)
    position = columns.index(id_column)
    return PageResult([row[position] for row in rows], next_cursor, total)


def count(*, connection: Connection, query: Select[Any], serving: Serving | None) -> Total:
    """Rows `query` selects, up to the serving's limit, once per dataset version (`Serving`).

    At a million rows a COUNT over a common filter costs tens to hundreds of milliseconds, the
    page itself about one. So counting stops past `total_limit` rows, and the total is then a
    lower bound (Elasticsearch's `"relation": "gte"`); counted once, the rest of that
    version's first pages cost only their page. Without a serving (the CLI), it is exact.
    """
    state = serving
    key = _count_key(query) if state is not None else None
    if state is not None and key is not None and (known := state.counts.get(key)) is not None:
        return known
    total = counted(connection=connection, query=query, limit=state.total_limit if state else None)
    if state is not None and key is not None:
        state.counts[key] = total
    return total


def counted(*, connection: Connection, query: Select[Any], limit: int | None) -> Total:
    """Rows `query` selects, read no further than `limit` + 1 of them."""
    rows = query.order_by(None)
    if limit is not None:
        rows = rows.limit(limit + 1)
    n = int(connection.execute(select(func.count()).select_from(rows.subquery())).scalar_one())
    return Total(limit, exact=False) if limit is not None and n > limit else Total(n)


def _count_key(query: Select[Any]) -> Hashable | None:
    """The statement's structure and every value bound into it."""
    cache_key = query._generate_cache_key()
    if cache_key is None:  # pragma: no cover - every statement the services build has one
        return None
    values = tuple(_hashable(b.effective_value) for b in cache_key.bindparams)
    return (cache_key.key, values)


def _hashable(value: Any) -> Hashable:
    return tuple(value) if isinstance(value, list) else value
