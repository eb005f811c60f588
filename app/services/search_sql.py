"""The SQL of search through the full-text index, on both engines (app/services/search).

Every value is bound at execution: the match expression, types, position and limit. So a page's
statement is built once per shape (dialect, types or not, stated only or not, first page or
not) and only executed afterwards; on a small table building it took longer than running it.
"""

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from app.models.base import table_of
from app.models.search import FTS_TABLE, TIER_FTS_TABLES, SearchDocument

__all__ = [
    "CITATION",
    "DOC",
    "TYPE_ORDER",
    "Tier",
    "TierAsked",
    "by_code_point",
    "fts5_query",
    "match_values",
    "matching",
    "narrowed",
    "page_statement",
    "page_values",
    "tier_of",
    "tiers",
]

TYPE_ORDER = (
    "program",
    "agency",
    "country",
    "agreement",
    "restriction",
    "event",
    "source",
    "citation",
)

# Citations rank last, and their titles (labels) are never searched, so they never score 2.
# They and the other rows are two tiers, each with a full-text index of its own (migration
# a5ba4687325d).
CITATION = "citation"
Tier = Literal["entities", "citations"]

DOC = table_of(SearchDocument)


def tier_of(type_: str) -> Tier:
    return "citations" if type_ == CITATION else "entities"


class TierAsked(NamedTuple):
    tier: Tier
    types: list[str]  # the types asked that lie in the tier, in rank order
    narrow: list[str] | None  # the same, or None when they are all the tier holds


def tiers(types: Sequence[str] | None) -> list[TierAsked]:
    """The tiers a search reads apart, in rank order, each with the types asked of it: the
    rows that are not citations, then the citations. With one index for both, a word common
    in one tier and rare in the other was gathered whole from it whenever the walk gave up
    in the rare one's segments ("moon" at 1M rows: 333,358 matches, 7 of them not quotes)."""
    found: dict[Tier, list[str]] = {"entities": [], "citations": []}
    whole: dict[Tier, list[str]] = {"entities": [], "citations": []}
    for type_ in TYPE_ORDER:
        whole[tier_of(type_)].append(type_)
        if types is None or type_ in types:
            found[tier_of(type_)].append(type_)
    return [
        TierAsked(tier, asked, None if asked == whole[tier] else asked)
        for tier, asked in found.items()
        if asked
    ]


def by_code_point(dialect: str, column: ColumnElement[str]) -> ColumnElement[str]:
    """`column` compared in code-point order, the order hits rank in: PostgreSQL would compare
    by the database's collation otherwise (SQLite's BINARY already is code-point order)."""
    return column.collate("C") if dialect == "postgresql" else column


def fts5_query(tokens: list[str], *, prefix: bool = True) -> str:
    """Every token as an FTS5 phrase, the last also as a prefix unless `prefix` is false."""
    phrases = ['"' + token.replace('"', '""') + '"' for token in tokens]
    return " AND ".join(phrases) + ("*" if prefix else "")


def _tsquery(tokens: list[str]) -> str:
    # Quoted lexemes are taken verbatim by the tsquery input syntax: no parser, no dictionary.
    lexemes = ["'" + token.replace("\\", "\\\\").replace("'", "''") + "'" for token in tokens]
    return " & ".join(lexemes) + ":*"


def match_values(dialect: str, tokens: list[str]) -> dict[str, str]:
    """The values `matching` binds: the match expression of the tokens, for the document and
    (on SQLite, where it is another expression) for its title."""
    if dialect == "sqlite":
        query = fts5_query(tokens)
        return {"match": query, "title_match": f"{{title}} : ({query})"}
    if dialect == "postgresql":
        return {"match": _tsquery(tokens)}
    raise NotImplementedError(f"search does not support the {dialect} dialect")


def _terms_vector(terms: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.array_to_tsvector(func.string_to_array(terms, literal_column("' '")))


def matching(
    dialect: str, *, tier: Tier | None = None
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether a document matches, and whether its title alone does; `match_values` bound.
    With a `tier`, through the index of its rows, and only those."""
    if dialect == "sqlite":
        fts = table(TIER_FTS_TABLES[tier] if tier else FTS_TABLE, column("rowid"))

        def found(name: str) -> ColumnElement[bool]:
            match = literal_column(fts.name).bool_op("MATCH")(bindparam(name, type_=String))
            # By rowid: FTS5 hands its matches' rowids over from its index alone, where each
            # doc_id is a lookup in its content table (11 of 19 ms for 1,000 matches).
            return DOC.c.fts_rowid.in_(select(fts.c.rowid).where(match))

        return found("match"), found("title_match")
    if dialect == "postgresql":
        tsquery = cast(bindparam("match", type_=String), TSQUERY)
        # The same expression as the GIN index in the migration, or the planner cannot use it.
        document = _terms_vector(DOC.c.title_terms).op("||")(_terms_vector(DOC.c.body_terms))
        title = _terms_vector(DOC.c.title_terms)
        matches: ColumnElement[bool] = document.bool_op("@@")(tsquery)
        if tier:
            # The partial index's predicate, which the planner must prove: with a literal.
            citation: ColumnElement[str] = literal_column(f"'{CITATION}'")
            rows = DOC.c.entity_type
            matches = and_(matches, rows == citation if tier == "citations" else rows != citation)
        return matches, title.bool_op("@@")(tsquery)
    raise NotImplementedError(f"search does not support the {dialect} dialect")


def narrowed(
    types: Sequence[str] | BindParameter[Any] | None, stated_only: bool
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if types is not None:
        where.append(DOC.c.entity_type.in_(types))
    if stated_only:
        where.append(DOC.c.basis == "stated")
    return where


def _ranked(dialect: str, typed: bool, stated_only: bool, tier: Tier | None) -> Subquery:
    matches, title_matches = matching(dialect, tier=tier)
    types: BindParameter[str] | None = bindparam("types", expanding=True) if typed else None
    type_rank = case({name: rank for rank, name in enumerate(TYPE_ORDER)}, value=DOC.c.entity_type)
    return (
        select(
            DOC.c.entity_type,
            DOC.c.entity_id,
            DOC.c.title,
            DOC.c.body,
            DOC.c.basis,
            case((title_matches, 2), else_=1).label("score"),
            type_rank.label("type_rank"),
        )
        .where(matches, *narrowed(types, stated_only))
        .subquery("ranked")
    )


def _after(ranked: Subquery, entity_id: ColumnElement[str]) -> ColumnElement[bool]:
    """After the position bound as `after_score`, `after_rank` (its type's) and `after_id`."""
    score: BindParameter[int] = bindparam("after_score")
    rank: BindParameter[int] = bindparam("after_rank")
    return or_(
        ranked.c.score < score,
        and_(
            ranked.c.score == score,
            or_(
                ranked.c.type_rank > rank,
                and_(ranked.c.type_rank == rank, entity_id > bindparam("after_id")),
            ),
        ),
    )


@functools.cache
def page_statement(
    dialect: str, *, typed: bool, stated_only: bool, paged: bool, tier: Tier | None = None
) -> Select[Any]:
    """A page of hits in rank order: `match_values`, `limit`, and `types` when typed, and the
    `after_*` position when paged, bound at execution. With a `tier`, of its rows, through
    its own index."""
    ranked = _ranked(dialect, typed, stated_only, tier)
    entity_id = by_code_point(dialect, ranked.c.entity_id)
    query = select(ranked).order_by(ranked.c.score.desc(), ranked.c.type_rank, entity_id)
    if paged:
        query = query.where(_after(ranked, entity_id))
    return query.limit(bindparam("limit"))


def page_values(
    *,
    dialect: str,
    tokens: list[str],
    types: Sequence[str] | None,
    after: tuple[int, str, str] | None,
    limit: int,
) -> Mapping[str, object]:
    """What `page_statement` binds for one page."""
    values: dict[str, object] = {**match_values(dialect, tokens), "limit": limit}
    if types is not None:
        values["types"] = list(types)
    if after is not None:
        score, type_, id_ = after
        values |= {"after_score": score, "after_rank": TYPE_ORDER.index(type_), "after_id": id_}
    return values
