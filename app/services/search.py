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
too sparse for that is gathered through its own index. Served at a dataset version, a first
page counts the matches first (the count the route needs, kept for the version): when they are
few, each tier is gathered at once, without the walks that would give up. On SQLite a count
first streams the last token taken whole, which settles a lower bound without the prefix
query's gathering.
Snippets: app/services/search_snippets.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from app.services import search_walk
from app.services.dataset import Serving, Total
from app.services.search_count import count_matches
from app.services.search_index import text_terms
from app.services.search_snippets import snippet
from app.services.search_sql import (
    TYPE_ORDER,
    Tier,
    page_statement,
    page_values,
    tier_of,
    tiers,
)
from app.services.search_walk import known_small, rows_of, small, walk

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
    connection: Connection,
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
    if small(connection=connection, serving=serving):
        return _gathered(
            connection=connection,
            tokens=tokens,
            types=checked,
            after=after,
            limit=limit,
            stated_only=stated_only,
            tier=None,
        )
    few = (
        after is None
        and serving is not None
        and _few(
            connection=connection,
            tokens=tokens,
            types=checked,
            stated_only=stated_only,
            serving=serving,
        )
    )
    hits: list[SearchHit] = []
    for tier, tier_types, narrow in tiers(checked):
        start = after if after is not None and tier_of(after[1]) == tier else None
        if after is not None and start is None and tier == "entities":
            continue  # the position is past every hit of this tier
        wanted = limit - len(hits)
        walked = None
        if not few:
            walked = walk(
                connection=connection,
                tokens=tokens,
                order=TYPE_ORDER,
                types=tier_types,
                limit=wanted,
                after=start,
                stated_only=stated_only,
            )
        if walked is None:
            # The tier's own index holds its rows alone: narrowed only if fewer types are asked.
            hits += _gathered(
                connection=connection,
                tokens=tokens,
                types=narrow,
                after=start,
                limit=wanted,
                stated_only=stated_only,
                tier=tier,
            )
        else:
            texts = rows_of(connection=connection, hits=walked)
            hits += [
                _hit(h.type, h.id, *texts[(h.type, h.id)], h.score, h.basis, tokens) for h in walked
            ]
        if len(hits) == limit:
            break
    return hits


def _few(
    *,
    connection: Connection,
    tokens: list[str],
    types: list[str] | None,
    stated_only: bool,
    serving: Serving,
) -> bool:
    """Whether the query has so few matches that each tier is best gathered at once."""
    total = _served_count(
        connection=connection, tokens=tokens, types=types, stated_only=stated_only, serving=serving
    )
    return total.exact and total.value <= search_walk.GATHER_BELOW


def _gathered(
    *,
    connection: Connection,
    tokens: list[str],
    types: list[str] | None,
    after: tuple[int, str, str] | None,
    limit: int,
    stated_only: bool,
    tier: Tier | None,
) -> list[SearchHit]:
    """Every match gathered through a full-text index, then ranked: cheap while they are few."""
    dialect = connection.dialect.name
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
        for r in connection.execute(query, values).mappings()
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
    connection: Connection,
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
        return count_matches(
            connection=connection,
            tokens=tokens,
            types=checked,
            stated_only=stated_only,
            limit=limit,
        )
    return _served_count(
        connection=connection,
        tokens=tokens,
        types=checked,
        stated_only=stated_only,
        serving=serving,
    )


def _served_count(
    *,
    connection: Connection,
    tokens: list[str],
    types: list[str] | None,
    stated_only: bool,
    serving: Serving,
) -> Total:
    """The count of tokens' matches at `serving`'s version: made once, then kept."""
    key = ("search", tuple(tokens), tuple(types) if types else None, stated_only)
    if (known := serving.counts.get(key)) is None:
        known = serving.counts[key] = count_matches(
            connection=connection,
            tokens=tokens,
            types=types,
            stated_only=stated_only,
            limit=serving.total_limit,
        )
    return known
