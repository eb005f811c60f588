"""Listing citations: sorts, filters and the query they make."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import Connection, Select, column, func, literal_column, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from app.models.common import Basis
from app.models.search import CITATION_FTS_KEY, CITATION_FTS_TABLE
from app.models.support import ClaimSupport
from app.resources._types import FastPage, Filtered
from app.resources.citations.models import Citation
from app.routes.params import TEXT_PATTERN, IdItem, ids_param, values
from app.services.paging import SortKey

__all__ = [
    "SORT_COLUMNS",
    "CitationFilters",
    "CitationSort",
    "MayContain",
    "list_query",
    "rare_substring",
]

# The trigram index knows no shorter text: SQLite's matches nothing shorter, so q under three
# characters is left to the LIKE alone (a scan on SQLite, the GIN index's full scan on PostgreSQL).
TRIGRAM = 3
# Up to this many candidates, a page is read through the trigram index (the candidates sorted);
# past it, in the order asked with the LIKE on each row, which then finds a page's worth soon.
# Either way a page reads at most about this many rows (bench/scale.py measures both sides).
RARE = 5000


class CitationSort(StrEnum):
    id = "id"
    start = "start"
    source = "source"


SORT_COLUMNS: dict[str, Any] = {
    CitationSort.id: col(Citation.id),
    CitationSort.start: col(Citation.start),
    CitationSort.source: col(Citation.source_id),
}


@dataclass(frozen=True)
class CitationFilters:
    source: Annotated[list[IdItem] | None, ids_param("Citations quoting a source.")] = None
    attribution: Annotated[
        list[IdItem] | None,
        ids_param("Citations carrying someone's words, e.g. `cnsa-announcement`."),
    ] = None
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT_PATTERN,
            description="Case-insensitive text within the quote.",
        ),
    ] = None


class MayContain(FunctionElement[bool]):
    """Citations whose quote may hold the text: a superset of the ILIKE's, found by an index.

    On SQLite, the candidates of the FTS5 trigram table (it folds case at least as widely as
    LIKE, so no quote LIKE finds is missed); on PostgreSQL, true: the ILIKE beside it is served
    by its GIN trigram index as it stands. Either way the ILIKE decides what is listed.
    """

    # No Boolean type: SQLite would get `… = 1` after it, which its planner cannot see into.
    inherit_cache = True
    name = "MayContain"


@compiles(MayContain, "sqlite")
def _may_contain_sqlite(element: MayContain, compiler: SQLCompiler, **kw: Any) -> str:
    ident, phrase = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"{ident} IN (SELECT k.citation_id FROM {CITATION_FTS_KEY} AS k"
        f" JOIN {CITATION_FTS_TABLE} ON {CITATION_FTS_TABLE}.rowid = k.fts_rowid"
        f" WHERE {CITATION_FTS_TABLE} MATCH {phrase})"
    )


@compiles(MayContain)
def _may_contain_other(element: MayContain, compiler: SQLCompiler, **kw: Any) -> str:
    del element, compiler, kw
    return "1 = 1"


def _phrase(text: str) -> str:
    """text as one FTS5 phrase: every trigram of it, in order."""
    return '"' + text.replace('"', '""') + '"'


def list_query(filters: CitationFilters, *, stated_only: bool) -> Filtered:
    """Citations matching every filter given; `q` is a case-insensitive substring of the quote."""
    source, attribution = values(filters.source), values(filters.attribution)
    query = select(col(Citation.id))
    if source:
        query = query.where(col(Citation.source_id).in_(source))
    if attribution:
        query = query.where(col(Citation.attribution_id).in_(attribution))
    if filters.q:
        query = query.where(col(Citation.exact).icontains(filters.q, autoescape=True))
    if stated_only:
        # A premise of an inference supports no value by itself: left out, like the value.
        inferred = select(ClaimSupport.subject_id).where(  # type: ignore[call-overload]
            col(ClaimSupport.subject_type) == col(Citation.subject_type),
            col(ClaimSupport.subject_id) == col(Citation.subject_id),
            col(ClaimSupport.claim) == col(Citation.claim),
            col(ClaimSupport.basis) == Basis.inferred.value,
        )
        query = query.where(~inferred.exists())
    return query, []  # a citation is no claim's subject: nothing more to leave out


def _candidates(phrase: str) -> Select[Any]:
    fts = table(CITATION_FTS_TABLE, column("rowid"))
    return select(fts.c.rowid).where(literal_column(CITATION_FTS_TABLE).bool_op("MATCH")(phrase))


def rare_substring(
    filters: CitationFilters,
    *,
    stated_only: bool,
    keys: list[SortKey],
    connection: Connection,
    sort: str,
    cursor: str | None,
) -> FastPage | None:
    """The list through the trigram index, when q is rare enough for that to be fast, or None.

    SQLite's planner cannot tell how many quotes hold q: through the index it sorted every
    candidate (0.8 s for a phrase in 40% of a million quotes), in order it read every quote
    (0.3 s for a rare one). So the index is asked how many candidates it has, up to RARE
    (a bounded read), and answers only when it has fewer. PostgreSQL's planner decides alone.
    """
    del sort, cursor  # the same candidates whatever the page
    q = filters.q
    if not q or len(q) < TRIGRAM or connection.dialect.name != "sqlite":
        return None
    probe = select(func.count()).select_from(_candidates(_phrase(q)).limit(RARE).subquery())
    if connection.execute(probe).scalar_one() >= RARE:
        return None
    query, _ = list_query(filters, stated_only=stated_only)
    return FastPage(query.where(MayContain(col(Citation.id), _phrase(q))), keys, col(Citation.id))
