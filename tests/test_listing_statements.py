"""A list asked again runs the statement built the first time, and reads the rows of now."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, update
from sqlmodel import col

from app.resources.citations.models import Citation
from app.resources.registry import BY_TYPE
from app.services import listing
from app.services.listing import list_documents
from tests.conftest import Database

CITATIONS = BY_TYPE["citation"]


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    listing._first.cache_clear()
    listing._listed.cache_clear()
    yield
    listing._first.cache_clear()
    listing._listed.cache_clear()


def _page(connection: Connection, *attributions: str, limit: int = 3) -> list[str]:
    items, _ = list_documents(
        connection=connection,
        resource=CITATIONS,
        filters=CITATIONS.filters(attribution=list(attributions)),  # type: ignore[misc]
        stated_only=False,
        sort=None,
        limit=limit,
        cursor=None,
        serving=None,
    )
    return [item.decode() for item in items]


def _built() -> int:
    return listing._first.cache_info().misses


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
