"""The response cache is bounded in entries and bytes, and a query string cannot multiply what
it keeps: routes that take no parameters either refuse one or are keyed by path alone."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import QUERY_FREE
from app.middleware.response_store import ENTRY_OVERHEAD, ResponseStore, Stored
from app.resources.registry import RESOURCES
from tests.api import client_for
from tests.conftest import Database
from tests.helpers import response_cache
from tests.processes import server_process

SQLITE = pytest.mark.parametrize("engine_kind", ["sqlite"])  # a matter of the HTTP layer

# A file of each query-free prefix, for the paths ending in "/".
EXAMPLE_FILE = {"/static-offline-docs/": "swagger-ui.css", "/dashboard/": "dashboard.js"}
QUERY_FREE_URLS = [p + EXAMPLE_FILE.get(p, "") for p in QUERY_FREE]


def _answer(n: int, size: int) -> tuple[tuple[int, str, bytes], Stored]:
    return (1, "identity", b"h /x?%d" % n), Stored([(b"a", b"b")], b"x" * size, "text/plain", "e")


def test_the_store_keeps_to_its_byte_bound_least_recently_used_out_first() -> None:
    store = ResponseStore(max_entries=100, max_bytes=50_000)
    for n in range(20):
        store.put(*_answer(n, 9_000))
        assert store.bytes <= 50_000
        if n == 3:
            store.touch(_answer(0, 0)[0])  # the first answer is used again: kept longest
    key, stored = _answer(0, 9_000)
    assert len(store) == 5
    assert store.bytes == sum(s.size(k) for k, s in (_answer(n, 9_000) for n in range(15, 20)))
    assert store.get(key) is None  # evicted at last, for all its use
    assert [s for n in range(15, 20) if (s := store.get(_answer(n, 0)[0]))] == store.values()
    assert stored.size(key) == ENTRY_OVERHEAD + len(key[2]) + 1 + 2 + 9_000


def test_an_answer_bigger_than_the_store_is_not_kept() -> None:
    store = ResponseStore(max_entries=100, max_bytes=50_000)
    store.put(*_answer(1, 1_000))
    store.put(*_answer(2, 60_000))
    assert (len(store), store.get(_answer(2, 0)[0])) == (1, None)


@pytest.fixture
def uncached(seeded_db: Database) -> Iterator[TestClient]:
    """The routes alone: a cache that keeps nothing."""
    yield from client_for(seeded_db, response_cache_entries=0)


def _get_urls(client: TestClient) -> list[str]:
    """Every GET operation of the OpenAPI document, with its example ids in the path."""
    ids = {f"{{{r.path_param}}}": r.example_id for r in RESOURCES}
    ids |= {"{kind}": "not-found", "{source_id}": "russia-china-moon-article"}
    ids |= {"{agreement_id}": "ilrs-mou"}
    out = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        if "get" in item and not path.startswith(("/v1/stream", "/v1/export")):
            for name, value in ids.items():
                path = path.replace(name, value)
            out.append(path)
    return out


@SQLITE
def test_every_other_get_route_refuses_an_undeclared_parameter(uncached: TestClient) -> None:
    urls = _get_urls(uncached)
    assert len(urls) > 20
    for url in urls:
        if url in QUERY_FREE:
            continue
        answer = uncached.get(url, params={"cachebust": "1"})
        assert answer.status_code == 400, url
        assert answer.json()["type"].endswith("/problems/unknown-parameter"), url


@SQLITE
@pytest.mark.parametrize("url", QUERY_FREE_URLS)
def test_query_free_routes_answer_the_same_whatever_the_query(
    uncached: TestClient, url: str
) -> None:
    plain = uncached.get(url)
    busted = uncached.get(url, params={"cachebust": "7", "v": "x"})
    assert plain.status_code == busted.status_code == 200
    assert plain.content == busted.content
    assert plain.headers["etag"] == busted.headers["etag"]


@SQLITE
def test_a_query_free_path_is_one_entry_whatever_the_query(api: TestClient) -> None:
    stored = response_cache(api).stored
    for url in QUERY_FREE_URLS:
        first = api.get(url, params={"cachebust": "0"})
        kept = len(stored)
        for n in range(1, 4):
            again = api.get(url, params={"cachebust": str(n)})
            assert again.content == first.content
        assert len(stored) == kept, url


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


BOUND = 8 * 2**20


@SQLITE
def test_a_cache_busting_flood_keeps_memory_bounded(seeded_db: Database, tmp_path: Path) -> None:
    settings = {"response_cache_bytes": str(BOUND)}
    big = "/static-offline-docs/redoc.standalone.js"  # 1 MB, sent as it is
    day = dt.date(2020, 1, 1)
    with (
        server_process(seeded_db.url, tmp_path / "server.log", settings=settings) as served,
        httpx.Client(
            base_url=served.base, timeout=30, headers={"accept-encoding": "identity"}
        ) as client,
    ):

        def flood(n: int) -> None:
            for i in range(n):
                for url in (f"{big}?cachebust={i}", f"/openapi.json?cachebust={i}"):
                    assert client.get(url).status_code == 200
                # Declared parameters, each value its own answer of some 20 KB: the byte bound.
                events = client.get(
                    "/v1/events", params={"limit": 100, "to": str(day + dt.timedelta(i))}
                )
                assert events.status_code == 200

        flood(20)  # warm: the first answers, the allocator's arenas
        before = _rss_kib(served.process.pid)
        flood(300)
        grown = (_rss_kib(served.process.pid) - before) * 1024
    # Unbounded, the 300 copies of each document alone would take some 600 MB.
    assert grown < BOUND + 40 * 2**20, f"RSS grew by {grown / 2**20:.0f} MiB"
