"""`citations?q=` through the trigram index: the same quotes as the plain ILIKE, on both engines."""

import pytest
from sqlalchemy import select, text
from sqlmodel import Session, col

from app import migrate
from app.db import read_session
from app.models.base import table_of
from app.resources._types import FastPage
from app.resources.citations import queries
from app.resources.citations.models import Citation
from app.resources.citations.queries import CitationFilters, list_query, rare_substring
from app.resources.registry import BY_TYPE
from app.services.dataset import Serving, Total
from app.services.listing import list_documents
from tests.conftest import Database
from tests.helpers import captured, explain

# Case, a phrase across words, short texts the index cannot serve, LIKE's own wildcards and
# escape character, a double quote (FTS5's phrase delimiter), non-ASCII, and no match at all.
QUERIES = [
    "moon",
    "MOON",
    "research station",
    "Congress approves",
    "brazil",
    "mo",
    "a",
    "%",
    "_",
    "/",
    "100%",
    'said "',
    "’s",
    "é",
    "zzzq",
]


def _fast(session: Session, filters: CitationFilters) -> FastPage | None:
    return rare_substring(
        filters, stated_only=False, keys=[], connection=session.connection(), sort="id", cursor=None
    )


def _indexed(session: Session, q: str) -> list[str]:
    """The quotes the list finds, by whichever way it takes."""
    filters = CitationFilters(q=q)
    fast = _fast(session, filters)
    query = fast[0] if fast is not None else list_query(filters, stated_only=False)[0]
    return sorted(session.execute(query).scalars())


def _plain(session: Session, q: str) -> list[str]:
    query = select(col(Citation.id)).where(col(Citation.exact).icontains(q, autoescape=True))
    return sorted(session.execute(query).scalars())


def _found(db: Database) -> dict[str, list[str]]:
    with Session(db.engine) as session:
        found = {q: _indexed(session, q) for q in QUERIES}
        assert found == {q: _plain(session, q) for q in QUERIES}
    return found


def test_the_index_finds_what_the_like_finds(seeded_db: Database) -> None:
    found = _found(seeded_db)
    # Not vacuous: the seed's quotes hold most of these texts, some many times.
    assert {q: len(ids) for q, ids in found.items()} == {
        **{"moon": 17, "MOON": 17, "research station": 9, "Congress approves": 6, "brazil": 2},
        **{"mo": 51, "a": 122, "%": 0, "_": 0, "/": 2, "100%": 0, 'said "': 0, "’s": 21},
        **{"é": 0, "zzzq": 0},
    }


def test_the_index_follows_every_change_to_a_quote(seeded_db: Database) -> None:
    with Session(seeded_db.engine) as session, session.begin():
        ids = list(session.execute(select(col(Citation.id)).order_by(col(Citation.id))).scalars())
        changed, removed, copied = ids[0], ids[1], ids[2]
        session.execute(
            text("UPDATE citation SET exact = 'A zzzq marker' WHERE id = :id"), {"id": changed}
        )
        session.execute(text("DELETE FROM citation WHERE id = :id"), {"id": removed})
        names = [c.name for c in table_of(Citation).columns if c.name not in ("id", "position")]
        columns = ", ".join(f'"{name}"' for name in names)
        session.execute(
            text(
                f"INSERT INTO citation (id, position, {columns}) SELECT 'zz-copy', 99, {columns} "
                "FROM citation WHERE id = :id"
            ),
            {"id": copied},
        )
        session.execute(
            text("UPDATE citation SET exact = exact || ' zzzq' WHERE id = 'zz-copy'"), {}
        )
    found = _found(seeded_db)
    assert found["zzzq"] == sorted([changed, "zz-copy"])
    with Session(seeded_db.engine) as session:
        assert removed not in _indexed(session, "moon") + _indexed(session, "the")


def _plan(db: Database, q: str) -> str:
    with captured(db.engine) as statements, Session(db.engine) as session:
        _indexed(session, q)
    return explain(db.engine, *statements[-1])


def test_the_substring_filter_asks_the_trigram_index(seeded_db: Database) -> None:
    plan = _plan(seeded_db, "research station")
    native = {"sqlite": "SCAN citation_fts VIRTUAL TABLE", "postgresql": "ix_citation_exact_trgm"}
    assert native[seeded_db.kind] in plan, plan


@pytest.mark.parametrize("q", ["mo", "a"])
def test_text_shorter_than_a_trigram_is_not_asked_of_the_index(seeded_db: Database, q: str) -> None:
    with Session(seeded_db.engine) as session:
        fast = _fast(session, CitationFilters(q=q))
    assert fast is None  # on either engine: the plain LIKE (PostgreSQL's GIN index scans it)
    assert "citation_fts" not in _plan(seeded_db, q)


def test_text_with_many_candidates_is_read_in_order(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if seeded_db.kind == "postgresql":  # the planner weighs the trigram index itself
        with Session(seeded_db.engine) as session:
            filters = CitationFilters(q="moon")
            assert _fast(session, filters) is None
        assert "ix_citation_exact_trgm" in _plan(seeded_db, "moon")
        return
    assert "citation_fts" in _plan(seeded_db, "moon")
    monkeypatch.setattr(queries, "RARE", 17)  # "moon": 17 quotes, as many candidates
    assert "citation_fts" not in _plan(seeded_db, "moon")
    monkeypatch.setattr(queries, "RARE", 18)
    assert "citation_fts" in _plan(seeded_db, "moon")


def test_the_migration_indexes_quotes_already_stored(seeded_db: Database) -> None:
    before = _found(seeded_db)
    migrate.downgrade(seeded_db.url, "3f8a1c2d9e47")
    with seeded_db.engine.connect() as conn:
        native = {
            "sqlite": "SELECT count(*) FROM sqlite_master WHERE name LIKE 'citation_fts%'",
            "postgresql": "SELECT count(*) FROM pg_indexes WHERE indexname = "
            "'ix_citation_exact_trgm'",
        }[seeded_db.kind]
        assert conn.execute(text(native)).scalar_one() == 0
    migrate.upgrade(seeded_db.url)
    assert _found(seeded_db) == before


def _total(db: Database, q: str, limit: int) -> Total:
    """The total the list endpoint gives for q, counting up to `limit` rows."""
    with read_session(db.engine) as session:
        _, page = list_documents(
            connection=session.connection(),
            resource=BY_TYPE["citation"],
            filters=CitationFilters(q=q),
            stated_only=False,
            sort="id",
            limit=1,
            cursor=None,
            serving=Serving(0, {}, limit),
        )
    return page.total


@pytest.mark.parametrize("q", ["moon", "research station", "’s", "a", "%", "zzzq"])
def test_a_bounded_count_of_q_is_the_exact_count_bounded(seeded_db: Database, q: str) -> None:
    """The total is the exact count within the bound, and "at least the bound" past it, at
    either side of the edge (PostgreSQL's planner reads a common q's bound in a sequential
    scan that stops at it, a rare one's through the trigram index)."""
    n = len(_found(seeded_db)[q])
    for limit in sorted({1, 3, max(n - 1, 1), max(n, 1), n + 1, 500}):
        expected = Total(n) if n <= limit else Total(limit, exact=False)
        assert _total(seeded_db, q, limit) == expected, (q, limit)
