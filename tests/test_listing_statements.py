"""A list asked again runs the statement built the first time, and reads the rows of now."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, update
from sqlmodel import col

from app.resources.citations.models import Citation
from app.resources.citations.queries import CitationFilters
from app.resources.registry import BY_TYPE
from app.services import listing
from app.services.listing import list_documents
from tests.conftest import Database

CITATIONS = BY_TYPE["citation"]


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    listing._pages.cache_clear()
    listing._listed.cache_clear()
    yield
    listing._pages.cache_clear()
    listing._listed.cache_clear()


def _page(connection: Connection, *attributions: str, limit: int = 3) -> list[str]:
    items, _ = list_documents(
        connection=connection,
        resource=CITATIONS,
        filters=CitationFilters(attribution=list(attributions)),
        stated_only=False,
        sort=None,
        limit=limit,
        cursor=None,
        serving=None,
    )
    return [item.decode() for item in items]


def _built() -> int:
    return listing._pages.cache_info().misses


def test_an_equal_list_reuses_its_statement_and_reads_rows_anew(seeded_db: Database) -> None:
    with seeded_db.engine.connect() as connection:
        first = _page(connection, "cnsa-announcement")
        assert len(first) == 3
        assert _built() == 1
        assert _page(connection, "cnsa-announcement") == first
        assert _built() == 1  # equal filters, made anew by the request: the same statement
        # Other values, another order of values, another page size: statements of their own.
        other = _page(connection, "cnn-report")
        assert other
        assert set(other).isdisjoint(first)
        assert _built() == 2
        both = _page(connection, "cnsa-announcement", "cnn-report")
        _page(connection, "cnn-report", "cnsa-announcement")
        _page(connection, "cnsa-announcement", limit=2)
        assert _built() == 5
        assert set(both) <= set(first) | set(other) | set(_page(connection, limit=50))
    gone = first[0].split('"id":"', 1)[1].split('"', 1)[0]
    with seeded_db.engine.begin() as connection:
        connection.execute(
            update(Citation).where(col(Citation.id) == gone).values(attribution_id="article")
        )
    with seeded_db.engine.connect() as connection:
        again = _page(connection, "cnsa-announcement")
    assert _built() == 6  # the first five and the whole list's: none made anew
    assert again[:2] == first[1:]
    assert gone not in "".join(again)


@pytest.mark.parametrize("sort", ["id", "-start", "source,-start"])
def test_a_later_page_binds_its_cursor_into_the_kept_statement(
    seeded_db: Database, sort: str
) -> None:
    """Pages of one list, in one and in mixed directions, walk the whole list once in order;
    every page of a size runs that size's statement."""
    with seeded_db.engine.connect() as connection:

        def page(limit: int, cursor: str | None) -> tuple[list[bytes], str | None]:
            items, found = list_documents(
                connection=connection,
                resource=CITATIONS,
                filters=CitationFilters(),
                stated_only=False,
                sort=sort,
                limit=limit,
                cursor=cursor,
                serving=None,
            )
            return items, found.next_cursor

        whole, _ = page(200, None)
        walked, cursor = page(7, None)
        for _ in whole:  # at most as many pages as rows, whatever goes wrong
            if cursor is None:
                break
            items, cursor = page(7, cursor)
            walked += items
    assert len(whole) > 100
    assert walked == whole
    assert _built() == 2  # one kept pair for each page size
