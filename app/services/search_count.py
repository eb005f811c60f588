"""How many documents match a search, counted no further than a limit (both engines).

Types that all lie in one tier (app/services/search_sql.tiers) are counted through that tier's
index: "moon" among events is 7 matches in the index of the rows that are not citations, and
333,365 in the full one, where each would have to be looked up to learn its type.
"""

from typing import Any

from sqlalchemy import Connection, Select, column, literal_column, select, table

from app.models.search import FTS_TABLE, TIER_FTS_TABLES
from app.services.dataset import Total
from app.services.paging import counted
from app.services.search_sql import (
    DOC,
    Tier,
    fts5_query,
    match_values,
    matching,
    narrowed,
    tiers,
)
from app.services.search_walk import dense_count

__all__ = ["count_matches"]


def _tier_of_types(types: list[str] | None) -> tuple[Tier | None, list[str] | None]:
    """The tier holding every type asked, if one does, and the types still to narrow by."""
    asked = tiers(types)
    if types is None or len(asked) != 1:
        return None, types
    return asked[0].tier, asked[0].narrow


def count_matches(
    *,
    connection: Connection,
    tokens: list[str],
    types: list[str] | None,
    stated_only: bool,
    limit: int | None,
) -> Total:
    """The matches of `tokens` (at least one) among `types` (all if None), up to `limit`."""
    dialect = connection.dialect.name
    tier, narrow = _tier_of_types(types)
    if dialect != "sqlite":
        if limit is not None and types is None and not stated_only:
            dense = dense_count(connection=connection, tokens=tokens, limit=limit)
            if dense is not None:
                return dense
        matches, _ = matching(dialect, tier=tier)
        where = [matches, *narrowed(narrow, stated_only)]
        # Planned apart from the limit: told that a LIMIT would stop it early, PostgreSQL
        # scanned every row for a rare word (3.3 s at a million rows; the tsquery's estimate
        # is a guess). A materialized CTE is planned for all its rows and read only as far
        # as the count goes.
        found = select(DOC.c.id).where(*where).params(match_values(dialect, tokens))
        planned = found.cte("matches").prefix_with("MATERIALIZED")
        return counted(connection=connection, query=select(planned.c.id), limit=limit)

    name = TIER_FTS_TABLES[tier] if tier else FTS_TABLE

    def joined(expression: str) -> Select[Any]:
        # Joined from the FTS5 table, which hands its matches over one by one: counting stops
        # at `limit`. The IN (…) that search() filters by gathers every match first.
        fts = table(name, column("rowid"))
        match = literal_column(name).bool_op("MATCH")(expression)
        where = narrowed(narrow, stated_only)
        if not where:
            # Every search row has its one row in the FTS5 table of all and in its tier's
            # (the triggers keep them in step): with nothing to narrow by, the FTS5 index
            # alone counts, without a lookup per match.
            return select(fts.c.rowid).where(match)
        rows = fts.join(DOC, DOC.c.fts_rowid == fts.c.rowid)
        return select(DOC.c.id).select_from(rows).where(match, *where)

    if limit is not None:
        # A prefix query gathers every term it covers before handing over the first match
        # (150 ms for "the"* at a million rows); the last token taken whole is streamed, and
        # its matches are some of the prefix's. Enough of them settle a lower bound.
        whole = fts5_query(tokens, prefix=False)
        bound = counted(connection=connection, query=joined(whole), limit=limit)
        if not bound.exact:
            return bound
    return counted(connection=connection, query=joined(fts5_query(tokens)), limit=limit)
