"""GET /metrics: Prometheus's text format, counted by route template, right across workers."""

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from app.metrics.middleware import MetricsMiddleware
from app.metrics.multiproc import ENV, prepare_metrics_dir
from tests.api import client_for
from tests.conftest import Database
from tests.helpers import layer_of
from tests.processes import server_process

READ = "/v1/programs/{program_id}"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def scrape(client: TestClient) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


@pytest.fixture
def metered(seeded_db: Database) -> Iterator[TestClient]:
    yield from client_for(seeded_db)


def test_route_templates_are_kept_with_the_response_cache_off(seeded_db: Database) -> None:
    for client in client_for(seeded_db, response_cache_entries=0):
        layer = layer_of(client, MetricsMiddleware)
        for _ in range(3):
            assert client.get("/v1/programs/ilrs").status_code == 200
        # The path was matched against the routes once, not once per request.
        assert layer.templates.resolve.cache_info().hits >= 2


def test_requests_are_counted_by_route_template(metered: TestClient) -> None:
    before = scrape(metered)
    for _ in range(3):  # a miss, then two hits
        assert metered.get("/v1/programs/ilrs").status_code == 200
    assert metered.head("/v1/programs/ilrs").status_code == 200
    assert metered.get("/v1/programs/no-such-program").status_code == 404
    after = scrape(metered)
    name = "spacefacts_http_requests_total"
    ok = {"route": READ, "method": "GET", "status": "200"}
    assert value(after, name, **ok) - value(before, name, **ok) == 3
    head = {**ok, "method": "HEAD"}
    assert value(after, name, **head) - value(before, name, **head) == 1
    missing = {**ok, "status": "404"}
    assert value(after, name, **missing) - value(before, name, **missing) == 1
    timed = "spacefacts_http_request_duration_seconds_count"
    get = {"route": READ, "method": "GET"}
    assert value(after, timed, **get) - value(before, timed, **get) == 4
    # The scrape in progress is the one request in flight.
    assert value(after, "spacefacts_http_requests_in_flight") == 1


def test_no_raw_path_or_query_string_is_a_label(metered: TestClient) -> None:
    metered.get("/v1/programs/some-id?x=1")
    metered.get("/nowhere/some-id?secret=1")
    metered.put("/v1/programs/some-id?x=1")
    text = scrape(metered)
    values = {v for (_, labels) in samples(text) for _, v in labels}
    assert not [v for v in values if "some-id" in v or "?" in v or "x=1" in v or "nowhere" in v]
    assert value(
        text, "spacefacts_http_requests_total", route="<unmatched>", method="GET", status="404"
    )
    assert value(text, "spacefacts_http_requests_total", route=READ, method="PUT", status="405")


def test_cache_hits_and_misses_are_counted(metered: TestClient) -> None:
    name = "spacefacts_response_cache_lookups_total"
    before = scrape(metered)
    first = metered.get("/v1/countries")
    metered.get("/v1/countries")
    assert (
        metered.get("/v1/countries", headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )
    metered.get("/v1/countries", headers={"Authorization": "Bearer nothing"})
    after = scrape(metered)
    moved = {
        o: value(after, name, outcome=o) - value(before, name, outcome=o)
        for o in ("hit", "miss", "private")
    }
    assert moved == {"hit": 2, "miss": 1, "private": 1}
    not_modified = {"route": "/v1/countries", "method": "GET", "status": "304"}
    assert value(after, "spacefacts_http_requests_total", **not_modified) == 1


def test_gauges_read_the_dataset_pool_and_streams(seeded_db: Database, metered: TestClient) -> None:
    metered.get("/v1/programs")
    app = metered.app
    hub = app.state.stream_hub  # type: ignore[attr-defined]
    assert hub.acquire()
    text = scrape(metered)
    hub.release()
    assert value(text, "spacefacts_dataset_version") == 1  # the seed's
    assert value(text, "spacefacts_stream_clients") == 1
    assert value(scrape(metered), "spacefacts_stream_clients") == 0
    assert value(text, "spacefacts_db_pool_size", pool="primary") == seeded_db.engine.pool.size()  # type: ignore[attr-defined]
    # Nothing holds a connection while /metrics is made.
    assert value(text, "spacefacts_db_pool_checked_out", pool="primary") == 0


def test_metrics_can_be_switched_off(seeded_db: Database) -> None:
    for client in client_for(seeded_db, metrics_enabled=False):
        assert client.get("/metrics").status_code == 404
        assert client.app.state.metrics is None  # type: ignore[attr-defined]


def test_serve_makes_a_directory_for_several_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Set, then deleted: monkeypatch then restores the variable as it was, whatever
    # prepare_metrics_dir writes into os.environ (a leaked directory would break later servers).
    monkeypatch.setenv(ENV, "")
    monkeypatch.delenv(ENV)
    assert prepare_metrics_dir(workers=1) is None
    assert ENV not in os.environ
    made = prepare_metrics_dir(workers=2)
    assert made is not None
    assert os.environ[ENV] == made
    assert Path(made).is_dir()
    assert prepare_metrics_dir(workers=2) == made  # given: kept
    shutil.rmtree(made)


def _per_worker(directory: Path, tmp_path: Path) -> list[float]:
    """The read route's 200s each worker counted, from its own file alone."""
    counts = []
    for file in sorted(directory.glob("counter_*.db")):
        alone = tmp_path / f"alone-{file.stem}"
        alone.mkdir(exist_ok=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        text = generate_latest(registry).decode()
        counts.append(
            value(text, "spacefacts_http_requests_total", route=READ, method="GET", status="200")
        )
    return counts


def test_two_workers_count_together(
    seeded_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    monkeypatch.setenv(ENV, str(directory))
    made = 0
    with server_process(seeded_db.url, tmp_path / "server.log", args=["--workers", "2"]) as served:

        def fetch(_: int) -> int:
            # A connection of its own each time, so that either worker may accept it.
            return httpx.get(f"{served.base}/v1/programs/ilrs", timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(30):  # until each worker has served some
                assert set(pool.map(fetch, range(16))) == {200}
                made += 16
                per_worker = _per_worker(directory, tmp_path)
                if len([n for n in per_worker if n > 0]) == 2:
                    break
        assert len([n for n in per_worker if n > 0]) == 2, per_worker
        text = httpx.get(f"{served.base}/metrics", timeout=10).text
    name = "spacefacts_http_requests_total"
    assert value(text, name, route=READ, method="GET", status="200") == made
    assert value(text, "spacefacts_http_requests_in_flight") == 1
    assert value(text, "spacefacts_dataset_version") == 1
