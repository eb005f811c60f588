"""Full-text search over every entity and citation quote: one service, the same on both engines.

Matching: `tokenize` turns q into terms exactly as the index was made (app/services/search_index);
a document matches when every token is one of its terms, title and body together, and the last
token also matches as a prefix ("moo" finds moon). SQLite asks FTS5 (`"lunar" AND "moo"*`),
PostgreSQL a GIN-indexed tsvector (`'lunar' & 'moo':*`); both only look up the stored terms, so
their hits agree.

Ranking: score 2 when every token matches the title (a citation's title is a label, never
matched), else 1. Hits sort by score descending, then by type (program, agency, country,
agreement, restriction, event, source, citation), then by id in code-point order (PostgreSQL
compares with COLLATE "C", as SQLite's BINARY does). (score, type, id) is the keyset of `after`.

In a table of more than a few rows, a page is read in rank order instead, in two tiers: the rows
that are not citations, then the citations (app/services/search_walk); a tier whose matches are
too sparse for that is gathered through its own index. On SQLite a count first streams the last
token taken whole, which settles a lower bound without the prefix query's gathering.
Snippets: app/services/search_snippets.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, column, literal_column, select, table
from sqlmodel import Session

from app.models.search import FTS_TABLE
from app.services.dataset import Serving, Total
from app.services.paging import counted
from app.services.search_index import text_terms
from app.services.search_snippets import snippet
from app.services.search_sql import (
    CITATION,
    DOC,
    TYPE_ORDER,
    Tier,
    fts5_query,
    match_values,
    matching,
    narrowed,
    page_statement,
    page_values,
)
from app.services.search_walk import dense_count, known_small, rows_of, small, walk

__all__ = [
    "MAX_QUERY_LENGTH",
    "TYPE_ORDER",
    "SearchHit",
    "count",
    "known_small",
    "search",
    "small",
    "tokenize",
]

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: str
    title: str
    snippet: str
    score: int
    basis: str


def tokenize(q: str) -> list[str]:
    """The terms of a query, or ValueError for one that cannot be searched."""
    if "\x00" in q:
        raise ValueError("the query contains a NUL character")
    if len(q) > MAX_QUERY_LENGTH:
        raise ValueError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    # A query of punctuation alone has no terms: it is valid and matches nothing.
    return text_terms(q)


def _checked_types(types: Sequence[str] | None) -> list[str] | None:
    if types is None:
        return None
    unknown = sorted(set(types) - set(TYPE_ORDER))
    if unknown:
        raise ValueError(f"unknown type(s) {', '.join(unknown)}; known: {', '.join(TYPE_ORDER)}")
    return list(types)


def search(
    *,
    session: Session,
    q: str,
    types: Sequence[str] | None = None,
    limit: int = 50,
    after: tuple[int, str, str] | None = None,
    stated_only: bool = False,
    serving: Serving | None = None,
) -> list[SearchHit]:
    """Hits for q in rank order; `after` is (score, type, id) of the last hit already shown.
    With `serving`, the table's size is probed once per dataset version."""
    tokens = tokenize(q)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if not tokens:
        return []
    checked = _checked_types(types)
    if after is not None and (after[0] not in (1, 2) or after[1] not in TYPE_ORDER):
        raise ValueError(f"not a search position: {after!r}")
    if small(session=session, serving=serving):
        return _gathered(session, tokens, checked, after, limit, stated_only, tier=None)
    hits: list[SearchHit] = []
    for tier, tier_types in _tiers(checked):
        start = after if after is not None and _tier_of(after[1]) == tier else None
        if after is not None and start is None and tier == "entities":
            continue  # the position is past every hit of this tier
        wanted = limit - len(hits)
        walked = walk(
            session=session,
            tokens=tokens,
            order=TYPE_ORDER,
            types=tier_types,
            limit=wanted,
            after=start,
            stated_only=stated_only,
        )
        if walked is None:
            # The tier's own index holds its rows alone: narrowed only if fewer types are asked.
            narrow = None if checked is None or tier == "citations" else tier_types
            hits += _gathered(session, tokens, narrow, start, wanted, stated_only, tier=tier)
        else:
            texts = rows_of(session=session, hits=walked)
            hits += [
                _hit(h.type, h.id, *texts[(h.type, h.id)], h.score, h.basis, tokens) for h in walked
            ]
        if len(hits) == limit:
            break
    return hits


def _tier_of(type_: str) -> Tier:
    return "citations" if type_ == CITATION else "entities"


def _tiers(checked: list[str] | None) -> list[tuple[Tier, list[str]]]:
    """The tiers read apart, in rank order, each with the types asked of it: the rows that are
    not citations, then the citations (see the migration a5ba4687325d). With one index for
    both, a word common in one tier and rare in the other was gathered whole from the index
    whenever the walk gave up in the rare one's segments."""
    tiers: dict[Tier, list[str]] = {"entities": [], "citations": []}
    for type_ in TYPE_ORDER:
        if checked is None or type_ in checked:
            tiers[_tier_of(type_)].append(type_)
    return [(tier, types) for tier, types in tiers.items() if types]


def _gathered(
    session: Session,
    tokens: list[str],
    types: list[str] | None,
    after: tuple[int, str, str] | None,
    limit: int,
    stated_only: bool,
    *,
    tier: Tier | None,
) -> list[SearchHit]:
    """Every match gathered through a full-text index, then ranked: cheap while they are few."""
    dialect = session.get_bind().dialect.name
    query = page_statement(
        dialect,
        typed=types is not None,
        stated_only=stated_only,
        paged=after is not None,
        tier=tier,
    )
    values = page_values(dialect=dialect, tokens=tokens, types=types, after=after, limit=limit)
    return [
        _hit(
            r["entity_type"], r["entity_id"], r["title"], r["body"], r["score"], r["basis"], tokens
        )
        for r in session.execute(query, values).mappings()
    ]


def _hit(
    type_: str, id_: str, title: str, body: str, score: int, basis: str, tokens: list[str]
) -> SearchHit:
    return SearchHit(
        type=type_,
        id=id_,
        title=title,
        snippet=snippet(title=title, body=body, tokens=tokens),
        score=int(score),
        basis=basis,
    )


def count(
    *,
    session: Session,
    q: str,
    types: Sequence[str] | None = None,
    stated_only: bool = False,
    limit: int | None = None,
    serving: Serving | None = None,
) -> Total:
    """How many hits search would return for q over all pages, counted no further than `limit`;
    with `serving`, no further than its limit and once per dataset version, as list totals."""
    tokens = tokenize(q)
    if not tokens:
        return Total(0)
    checked = _checked_types(types)
    if serving is None:
        return _count(session, tokens, checked, stated_only, limit)
    key = ("search", tuple(tokens), tuple(checked) if checked else None, stated_only)
    if (known := serving.counts.get(key)) is None:
        known = serving.counts[key] = _count(
            session, tokens, checked, stated_only, serving.total_limit
        )
    return known


def _count(
    session: Session,
    tokens: list[str],
    checked: list[str] | None,
    stated_only: bool,
    limit: int | None,
) -> Total:
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        if limit is not None and not checked and not stated_only:
            dense = dense_count(session=session, tokens=tokens, limit=limit)
            if dense is not None:
                return dense
        matches, _ = matching(dialect)
        where = [matches, *narrowed(checked, stated_only)]
        # Planned apart from the limit: told that a LIMIT would stop it early, PostgreSQL
        # scanned every row for a rare word (3.3 s at a million rows; the tsquery's estimate
        # is a guess). A materialized CTE is planned for all its rows and read only as far
        # as the count goes.
        found = select(DOC.c.id).where(*where).params(match_values(dialect, tokens))
        planned = found.cte("matches").prefix_with("MATERIALIZED")
        return counted(session=session, query=select(planned.c.id), limit=limit)

    def joined(expression: str) -> Select[Any]:
        # Joined from the FTS5 table, which hands its matches over one by one: counting stops
        # at `limit`. The IN (…) that search() filters by gathers every match first.
        fts = table(FTS_TABLE, column("rowid"))
        match = literal_column(FTS_TABLE).bool_op("MATCH")(expression)
        where = narrowed(checked, stated_only)
        if not where:
            # Every search row has its one FTS5 row (the triggers keep them in step): with
            # nothing to narrow by, the FTS5 index alone counts, without a lookup per match.
            return select(fts.c.rowid).where(match)
        rows = fts.join(DOC, DOC.c.fts_rowid == fts.c.rowid)
        return select(DOC.c.id).select_from(rows).where(match, *where)

    if limit is not None:
        # A prefix query gathers every term it covers before handing over the first match
        # (150 ms for "the"* at a million rows); the last token taken whole is streamed, and
        # its matches are some of the prefix's. Enough of them settle a lower bound.
        whole = fts5_query(tokens, prefix=False)
        bound = counted(session=session, query=joined(whole), limit=limit)
        if not bound.exact:
            return bound
    return counted(session=session, query=joined(fts5_query(tokens)), limit=limit)
