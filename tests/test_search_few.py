"""A first page served at a dataset version counts the matches first: when they are no more
than GATHER_BELOW, each tier is gathered at once instead of walked (app/services/search.py).
The hits are those the walks give; the count is the one the route then reads."""

from typing import Any

import pytest
from sqlmodel import Session

from app.services import search as search_module
from app.services import search_walk
from app.services.dataset import TOTAL_LIMIT, Serving, current_version
from app.services.search import count, search
from tests.conftest import Database

WORDS = ["moon", "also", "roscosmos", "lunar research"]


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The walks asked, in a seed that counts as big."""
    monkeypatch.setattr(search_walk, "INDEX_BELOW", 0)
    asked: list[dict[str, Any]] = []
    real = search_walk.walk

    def spy(**kwargs: Any) -> list[search_walk.Walked] | None:
        asked.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(search_module, "walk", spy)
    return asked


@pytest.mark.parametrize("word", WORDS)
def test_few_matches_are_gathered_at_once_and_more_are_walked(
    seeded_db: Database, walks: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    with Session(seeded_db.engine) as session:
        # No version: walked, as before.
        walked = search(connection=session.connection(), q=word, limit=5)
        assert walks
        matches = count(connection=session.connection(), q=word).value
        version = current_version(session=session)

        def served(below: int) -> list[search_module.SearchHit]:
            walks.clear()
            monkeypatch.setattr(search_walk, "GATHER_BELOW", below)
            serving = Serving(version, {}, TOTAL_LIMIT)
            hits = search(connection=session.connection(), q=word, limit=5, serving=serving)
            # The count the route reads next is already kept for the version.
            assert serving.counts[("search", tuple(word.split()), None, False)].value == matches
            return hits

        assert (served(matches), walks) == (walked, [])
        assert served(matches - 1) == walked
        assert walks


def test_a_later_page_is_walked_as_before(seeded_db: Database, walks: list[dict[str, Any]]) -> None:
    """Its total comes with its cursor: counting first would be a count it does not need."""
    with Session(seeded_db.engine) as session:
        first = search(connection=session.connection(), q="moon", limit=3)
        serving = Serving(current_version(session=session), {}, TOTAL_LIMIT)
        walks.clear()
        after = (first[-1].score, first[-1].type, first[-1].id)
        search(connection=session.connection(), q="moon", limit=3, after=after, serving=serving)
    assert walks
    assert serving.counts == {("search rows",): serving.counts[("search rows",)]}
