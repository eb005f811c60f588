"""Search hits read in rank order, for a query many documents match (both engines).

Hits rank by score (2 when the title matches), then type, then id: an order that, within one
score, is the order of the search rows' primary key ('<type>:<id>'). So instead of gathering
every match and sorting them (4.2 s for "lunar", in 933,349 of 2,000,149 rows), the rows of each
(score, type) segment are read in key order and tested one by one, until a page is full. That
costs little while matches are dense, and without limit when they are sparse: past
WALK_BUDGET rows read the walk gives up, and the caller gathers the matches through the
full-text index instead (cheap, since they are then few). The caller walks each tier apart
(app/services/search_sql.tiers), with a budget each, and gathers through the tier's own
index: sparse in one tier says nothing of the other. A table of fewer than INDEX_BELOW
rows goes to the index at once: it cannot gather more matches than the walk's budget, and its
one query beats the walk's one per segment. Such a table is probed once per dataset version;
a search in it is short whatever the query, so the route runs it on the event loop (`small`).

The test is the one both engines' indexes make: every token is one of the document's terms,
title and body together, and the last also as a prefix; score 2 when the title alone passes.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
)

from app.services.dataset import Serving, Total
from app.services.search_sql import CITATION, DOC, by_code_point

__all__ = [
    "COUNT_SCANS",
    "GATHER_BELOW",
    "INDEX_BELOW",
    "WALK_BUDGET",
    "Walked",
    "dense_count",
    "known_small",
    "rows_of",
    "small",
    "walk",
]

WALK_BUDGET = 1000  # rows read, over every segment asked, before the full-text index is
INDEX_BELOW = WALK_BUDGET  # search rows
# Matches: a first page of a query with no more than this many goes to the tiers' indexes at
# once. Its walk would read a budget of rows in each tier and give up.
GATHER_BELOW = WALK_BUDGET
FIRST_CHUNK = 32  # rows read at first; each further read of a segment doubles, up to CHUNK
CHUNK = 512
# Rows a bounded count reads in key order before asking the index: a short read first, then a
# longer one only if the density the short one saw could settle the bound within it.
COUNT_SCANS = (2_000, 20_000)


@dataclass(frozen=True)
class Walked:
    score: int
    type: str
    id: str
    basis: str


def _holds(dialect: str, terms: ColumnElement[str], n: int) -> ColumnElement[bool]:
    """Every token is one of the space-separated terms, the last also as a prefix.

    Tokens are bound as " t " (whole) and " p" (prefix): `w0`…, then `prefix`.
    """
    position = func.strpos if dialect == "postgresql" else func.instr
    spaced = literal(" ") + terms + literal(" ")
    tests = [position(spaced, bindparam(f"w{i}")) > 0 for i in range(n - 1)]
    return and_(*tests, position(spaced, bindparam("prefix")) > 0)


@functools.cache
def _chunk(dialect: str, n: int) -> Select[Any]:
    """The next `size` rows of a segment after `start`, each with its score (0: no match),
    for a query of n tokens. Built once: building it took longer than running it.

    The test runs in the database: only keys and scores come back, not the terms. Keys are
    compared by code point: on PostgreSQL through COLLATE "C" and its index of that order.
    """
    key = by_code_point(dialect, DOC.c.id)
    rows = (
        select(DOC.c.id, DOC.c.entity_id, DOC.c.basis, DOC.c.title_terms, DOC.c.body_terms)
        .where(key > bindparam("start"), key < bindparam("end"))
        .order_by(key)
        .limit(bindparam("size"))
        .subquery()
    )
    document = rows.c.title_terms + literal(" ") + rows.c.body_terms
    title = _holds(dialect, rows.c.title_terms, n)
    found = case((title, 2), (_holds(dialect, document, n), 1), else_=0)
    return select(rows.c.id, rows.c.entity_id, rows.c.basis, found.label("found")).order_by(
        by_code_point(dialect, rows.c.id)
    )


def _tokens(tokens: list[str]) -> dict[str, str]:
    """What `_holds` binds for the tokens."""
    bound = {f"w{i}": f" {token} " for i, token in enumerate(tokens[:-1])}
    bound["prefix"] = f" {tokens[-1]}"
    return bound


@functools.cache
def _dense(dialect: str, n: int) -> Select[Any]:
    """How many of the first `rows` rows in key order match, no further than `enough`."""
    key = by_code_point(dialect, DOC.c.id)
    rows = select(DOC.c.title_terms, DOC.c.body_terms).order_by(key).limit(bindparam("rows"))
    first = rows.subquery()
    document = first.c.title_terms + literal(" ") + first.c.body_terms
    found = (
        select(literal(1))
        .select_from(first)
        .where(_holds(dialect, document, n))
        .limit(bindparam("enough"))
    )
    return select(func.count()).select_from(found.subquery())


def dense_count(*, connection: Connection, tokens: list[str], limit: int) -> Total | None:
    """ "At least `limit`" when more than `limit` of the first rows in key order match, or None.

    A common word settles its bound within a few thousand rows read in key order, and stops
    there; a GIN index counting the same bound builds the bitmap of every match first (88 ms
    for "lunar" at a million rows). A rarer word falls through to the index, whose count
    is then short.
    """
    statement = _dense(connection.dialect.name, len(tokens))
    values = {**_tokens(tokens), "enough": limit + 1}
    for rows in COUNT_SCANS:
        found = connection.execute(statement, {**values, "rows": rows}).scalar_one()
        if found > limit:
            return Total(limit, exact=False)
        if found * COUNT_SCANS[-1] <= limit * rows:
            break  # as dense as this, not even the longest read would settle it
    return None


# A bounded count: a table of INDEX_BELOW rows or more is read no further than that.
_SIZE = select(func.count()).select_from(select(DOC.c.id).limit(bindparam("below")).subquery())
_SIZE_KEY = ("search rows",)  # in Serving.counts, beside the totals


def _known(serving: Serving | None) -> Total | None:
    return serving.counts.get(_SIZE_KEY) if serving is not None else None


def small(*, connection: Connection, serving: Serving | None) -> bool:
    """Whether the search table holds fewer than INDEX_BELOW rows: probed once per version."""
    known = _known(serving)
    if known is None:
        known = Total(connection.execute(_SIZE, {"below": INDEX_BELOW}).scalar_one())
        if serving is not None:
            serving.counts[_SIZE_KEY] = known
    return known.value < INDEX_BELOW


def known_small(serving: Serving | None) -> bool | None:
    """Whether a search served at `serving` runs in a small table (see `small`); None until
    `small` has probed it at this version."""
    known = _known(serving)
    return None if known is None else known.value < INDEX_BELOW


def walk(
    *,
    connection: Connection,
    tokens: list[str],
    order: Sequence[str],
    types: Sequence[str] | None,
    limit: int,
    after: tuple[int, str, str] | None,
    stated_only: bool,
) -> list[Walked] | None:
    """Up to `limit` hits after `after`, in rank order (types ranked by `order`), or None once
    WALK_BUDGET rows are read. `after` is a valid position (score, type, id)."""
    hits: list[Walked] = []
    statement = _chunk(connection.dialect.name, len(tokens))
    bound = _tokens(tokens)
    read = 0
    for score in (2, 1):
        for type_ in order:
            if (types is not None and type_ not in types) or (score, type_) == (2, CITATION):
                continue  # a citation's title is never searched: it never scores 2
            start = f"{type_}:"
            if after is not None:
                if (-score, order.index(type_)) < (-after[0], order.index(after[1])):
                    continue
                if (score, type_) == after[:2]:
                    start = f"{type_}:{after[2]}"
            size = FIRST_CHUNK
            while True:
                if read >= WALK_BUDGET:
                    return None
                page = {"start": start, "end": f"{type_};", "size": size}
                rows = connection.execute(statement, {**bound, **page}).all()
                for row in rows:
                    if row.found == score and not (stated_only and row.basis != "stated"):
                        hits.append(Walked(score, type_, row.entity_id, row.basis))
                        if len(hits) == limit:
                            return hits
                read += len(rows)
                if len(rows) < size:
                    break  # the segment is read whole
                start, size = rows[-1].id, min(size * 2, CHUNK)
    return hits


def rows_of(
    *, connection: Connection, hits: list[Walked]
) -> dict[tuple[str, str], tuple[str, str]]:
    """The title and body of each hit, for its snippet."""
    if not hits:
        return {}
    keys = [f"{h.type}:{h.id}" for h in hits]  # the primary key: each one an index lookup
    query = select(DOC.c.entity_type, DOC.c.entity_id, DOC.c.title, DOC.c.body).where(
        DOC.c.id.in_(keys)
    )
    return {(r.entity_type, r.entity_id): (r.title, r.body) for r in connection.execute(query)}
