"""/v1/search over HTTP: ranked hits, snippets, type filter, keyset pages, errors."""

from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from app.db import Db
from app.models.public import SearchHitPublic
from app.routes.common import page_of
from app.services import search_walk


@pytest.fixture
def api(read_api: TestClient) -> TestClient:
    """Every test here only reads: one app and seeded database per module and engine."""
    return read_api


def _hits(api: TestClient, url: str) -> list[tuple[str, str, int]]:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return [(h["type"], h["id"], h["score"]) for h in response.json()["items"]]


def test_hits_are_ranked_title_first_then_by_type(api: TestClient) -> None:
    assert _hits(api, "/v1/search?q=congress") == [
        ("agency", "congress", 2),
        ("event", "us-nasa-ostp-china-ban-in-force", 2),
        ("restriction", "us-nasa-ostp-china-ban", 1),
        ("citation", "agency-congress-country-2", 1),
        ("citation", "agency-congress-kind-2", 1),
        ("citation", "agency-congress-name-1", 1),
        ("citation", "event-us-nasa-ostp-china-ban-in-force-row-2", 1),
        ("citation", "restriction-us-nasa-ostp-china-ban-jurisdiction-2", 1),
        ("citation", "restriction-us-nasa-ostp-china-ban-lifts-when-1", 1),
    ]
    assert _hits(api, "/v1/search?q=brazil") == [
        ("country", "BR", 2),
        ("citation", "country-br-name-1", 1),
        ("citation", "signatory-artemis-accords-brazil-row-1", 1),
    ]


def test_hit_document(api: TestClient) -> None:
    body = api.get("/v1/search?q=congress&limit=1").json()
    page_of(SearchHitPublic).model_validate(body)
    assert body["items"] == [
        {
            "type": "agency",
            "id": "congress",
            "url": "/v1/agencies/congress",
            "title": "Congress",
            "snippet": "<mark>Congress</mark>",
            "score": 2,
            "basis": "stated",
        }
    ]
    assert body["total"] == 9
    for hit in api.get("/v1/search?q=lunar&limit=200").json()["items"]:
        assert api.get(hit["url"]).status_code == 200, hit["url"]
        assert "<mark>" in hit["snippet"]


def test_punctuation_alone_matches_nothing(api: TestClient) -> None:
    body = api.get("/v1/search?q=%21%3F_").json()
    assert (body["items"], body["total"], body["next_cursor"]) == ([], 0, None)


def test_type_filter_and_prefix(api: TestClient) -> None:
    assert _hits(api, "/v1/search?q=moo&type=program") == [
        ("program", "artemis", 1),
        ("program", "ilrs", 1),
    ]
    assert _hits(api, "/v1/search?q=zzz") == []


@pytest.mark.parametrize("q", ["lunar", "moon", "china", "the"])
def test_walking_search_pages_yields_each_hit_once(api: TestClient, q: str) -> None:
    def walk(limit: int) -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        url = f"/v1/search?q={q}&limit={limit}"
        while url:
            response = api.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            seen += [(h["type"], h["id"]) for h in body["items"]]
            link = response.headers.get("link")
            url = link[1 : link.index(">")] if link else ""
        return seen

    everything = walk(200)
    assert len(everything) == len(set(everything)) == api.get(f"/v1/search?q={q}").json()["total"]
    assert len(everything) > 2
    assert walk(1) == everything
    assert walk(2) == everything


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/v1/search", "invalid-parameter"),
        ("/v1/search?q=", "invalid-parameter"),
        ("/v1/search?q=%00", "invalid-parameter"),
        ("/v1/search?q=moon&type=planet", "invalid-parameter"),
        ("/v1/search?q=moon&limit=201", "invalid-parameter"),
        ("/v1/search?q=moon&cursor=abc", "invalid-cursor"),
        ("/v1/search?q=moon&qq=1", "unknown-parameter"),
    ],
)
def test_bad_searches_are_400_problems(api: TestClient, url: str, kind: str) -> None:
    response = api.get(url)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{kind}"


def test_a_cursor_outside_the_ranking_is_refused(api: TestClient) -> None:
    from app.services.paging import encode_cursor

    for values in ([3, "program", "x"], [1, "planet", "x"]):
        cursor = encode_cursor("search:moon:", values)
        response = api.get(f"/v1/search?q=moon&cursor={cursor}")
        assert response.status_code == 400
        assert response.json()["type"] == "/problems/invalid-cursor"


def test_a_cursor_from_another_query_is_refused(api: TestClient) -> None:
    cursor = api.get("/v1/search?q=lunar&limit=1").json()["next_cursor"]
    assert api.get(f"/v1/search?q=lunar&limit=1&cursor={cursor}").status_code == 200
    other = api.get(f"/v1/search?q=moon&limit=1&cursor={cursor}")
    assert other.status_code == 400
    assert other.json()["type"] == "/problems/invalid-cursor"


def test_a_search_in_a_small_table_runs_on_the_event_loop(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a version's search table is known to hold fewer than INDEX_BELOW rows, SQLite
    searches it on the loop (a thread hop cost more than the search); a bigger table, and
    PostgreSQL always, in a worker thread."""
    hops: list[str] = []
    hop = anyio.to_thread.run_sync

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        if fn is Db._connection_call:
            hops.append(args[0].dialect.name)
        return await hop(fn, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    # Page sizes no other test asks for: answers no cache holds yet.
    searches = ["/v1/search?q=lunar", "/v1/search?q=moon", "/v1/search?q=roscosmos"]
    for url in searches:
        assert api.get(f"{url}&limit=17").status_code == 200
    engine = api.app.state.db.routing.primary.dialect.name  # type: ignore[attr-defined]
    # On SQLite none hops, the first at this version included (it probes the size on the
    # loop); on PostgreSQL each does, and a first one's probe too.
    assert hops == [] if engine == "sqlite" else hops in ([engine] * 3, [engine] * 4)
    monkeypatch.setattr(search_walk, "INDEX_BELOW", 10)  # the seed's rows are more than that
    hops.clear()
    for url in searches:
        assert api.get(f"{url}&limit=7").status_code == 200
    assert hops == [engine] * 3
