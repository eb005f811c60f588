"""The response cache serves exactly what the routes would, and never stale beyond its bound."""

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.resources.registry import RESOURCES
from app.services import dataset
from app.services.curate import WRITABLE
from app.services.dataset import VersionInfo
from app.services.seed import load_seed
from tests.api import client_for
from tests.conftest import Database
from tests.helpers import Statement, captured, edit

# Sent as they are made, never stored: their own tests check their validators.
BYPASSED = ["/v1/stream", "/v1/export", "/v1/export.csv"]
URLS = [
    "/",
    "/v1",
    "/v1/feed.json?limit=5",
    "/v1/feed.atom?type=event&limit=3",
    "/openapi.json",
    "/problems/not-found",
    # Every resource's list and read, from the registry; then filters, pages and sub-resources.
    *(f"/v1/{r.collection}" for r in RESOURCES),
    *(f"/v1/{r.collection}/{r.example_id}" for r in RESOURCES),
    *(f"/v1/{r.collection}/{r.example_id}/revisions" for r in WRITABLE),
    "/v1/attributions?speaker=cnsa",
    "/v1/programs/ilrs",
    "/v1/agencies?country=US",
    "/v1/agencies/roscosmos",
    "/v1/countries",
    "/v1/countries/CN",
    "/v1/agreements",
    "/v1/agreements/artemis-accords",
    "/v1/agreements/ilrs-mou/signatories",
    "/v1/signatories?status=signed",
    "/v1/signatories/artemis-accords-brazil",
    "/v1/restrictions",
    "/v1/restrictions/us-nasa-ostp-china-ban",
    "/v1/events?limit=2",
    "/v1/events/ilrs-mou-signed",
    "/v1/sources",
    "/v1/sources/russia-china-moon-article",
    "/v1/sources/russia-china-moon-article/text?start=0&end=40",
    "/v1/citations?limit=3",
    "/v1/citations/program-ilrs-locations-1",
    "/v1/search?q=lunar",
    "/v1/search?q=moon&limit=2",
    "/healthz",
    "/livez",
    "/readyz",
    "/docs",
    "/redoc",
]
VOLATILE = {"date", "ratelimit", "x-request-id"}  # the last: each request's own


def _snapshot(client: TestClient, url: str, coding: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url, headers={"Accept-Encoding": coding})
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    return response.status_code, headers, response.content


def test_every_operation_is_compared(seeded_db: Database) -> None:
    for client in client_for(seeded_db):
        paths = client.get("/openapi.json").json()["paths"]
        templates = [t for t, operations in paths.items() if "get" in operations]
    covered = {
        template
        for template in templates
        for url in URLS
        if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)), url.split("?")[0])
    }
    assert sorted(set(templates) - covered - set(BYPASSED)) == []


@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
def test_cache_hits_equal_what_the_routes_answer(seeded_db: Database, coding: str) -> None:
    for cached in client_for(seeded_db, rate_limit_enabled=True):
        for uncached in client_for(seeded_db, rate_limit_enabled=True, response_cache_entries=0):
            for url in URLS:
                miss = _snapshot(cached, url, coding)
                hit = _snapshot(cached, url, coding)
                direct = _snapshot(uncached, url, coding)
                assert miss[0] == 200, url
                assert hit == miss == direct, url


def test_a_change_is_seen_within_the_version_bound(seeded_db: Database, seed_copy: Path) -> None:
    ttl = 0.5
    for client in client_for(seeded_db, version_ttl=ttl):
        url = "/v1/agencies/roscosmos"
        first = client.get(url)
        before = first.json()["description"]
        edit(
            seed_copy / "agencies.yaml",
            "description: Russia’s government space agency.",
            "description: The government space agency of Russia.",
        )
        load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
        changed_at = time.monotonic()
        seen = client.get(url).json()["description"]
        # Within the bound the old answer may still be served; past it, never.
        assert seen in (before, "The government space agency of Russia.")
        time.sleep(max(0.0, ttl - (time.monotonic() - changed_at)) + 0.05)
        after = client.get(url)
        assert after.json()["description"] == "The government space agency of Russia."
        # An entity's ETag is its document's digest: it changes with the document.
        assert after.headers["etag"] != first.headers["etag"]


def test_a_related_change_reaches_every_document_that_names_it(
    seeded_db: Database, seed_copy: Path
) -> None:
    edit(seed_copy / "agencies.yaml", "    name: NASA\n", "    name: NASA (National)\n")
    edit(
        seed_copy / "agencies.yaml",
        "        - NASA is currently working with other countries as part of the Artemis program\n",
        "        - quote: NASA is currently working with other countries as part of the Artemis "
        "program\n          display: NASA (National)\n",
    )
    load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
    for client in client_for(seeded_db):
        artemis = client.get("/v1/programs/artemis").json()
        assert artemis["participants"][0]["party"]["name"] == "NASA (National)"
        restriction = client.get("/v1/restrictions/us-nasa-ostp-china-ban").json()
        assert restriction["restricted_parties"][0]["name"] == "NASA (National)"
        us = client.get("/v1/countries/US").json()
        assert [a["name"] for a in us["agencies"]] == [
            "Congress",
            "NASA (National)",
            "White House Office of Science and Technology Policy",
        ]


@pytest.mark.parametrize("cache_entries", [4096, 0])
def test_head_and_304_match_the_full_answer(seeded_db: Database, cache_entries: int) -> None:
    for client in client_for(seeded_db, response_cache_entries=cache_entries):
        for url in URLS:
            full = _snapshot(client, url, "gzip")
            head = client.head(url, headers={"Accept-Encoding": "gzip"})
            assert head.status_code == 200, url
            assert {k: v for k, v in head.headers.items() if k not in VOLATILE} == full[1], url
            assert head.content == b"", url
            if url in ("/healthz", "/livez", "/readyz"):
                continue  # not cached: it reports on the database, so it always asks it
            etag = full[1]["etag"]
            again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
            assert again.status_code == 304, url
            assert again.content == b"", url
            assert again.headers["etag"] == etag, url
            assert again.headers["last-modified"] == full[1]["last-modified"], url


def test_every_worker_sees_a_change_within_the_bound(seeded_db: Database, seed_copy: Path) -> None:
    """Two apps on one database stand for two workers (or hosts) behind a balancer."""
    ttl = 0.5
    url = "/v1/agencies/roscosmos"
    for first in client_for(seeded_db, version_ttl=ttl):
        for second in client_for(seeded_db, version_ttl=ttl):
            etags = {worker.get(url).headers["etag"] for worker in (first, second)}
            assert len(etags) == 1
            edit(
                seed_copy / "agencies.yaml",
                "description: Russia’s government space agency.",
                "description: The government space agency of Russia.",
            )
            load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
            time.sleep(ttl + 0.05)
            for worker in (first, second):
                seen = worker.get(url)
                assert seen.headers["etag"] not in etags
                assert seen.json()["description"] == "The government space agency of Russia."


def test_a_count_is_made_once_per_version(seeded_db: Database, seed_copy: Path) -> None:
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            statements.append(statement)

    event.listen(seeded_db.engine, "before_cursor_execute", remember)
    try:
        for client in client_for(seeded_db):
            assert client.get("/v1/citations?limit=2").json()["total"] == 122
            assert len(statements) == 1
            # Another page size (another response) at the same version: the count is known.
            assert client.get("/v1/citations?limit=3").json()["total"] == 122
            assert client.get("/v1/citations?limit=4&sort=-start").json()["total"] == 122
            assert len(statements) == 1
            # Another filter is another count.
            assert (
                client.get("/v1/citations?limit=2&attribution=cnsa-announcement").json()["total"]
                == 16
            )
            assert len(statements) == 2
            edit(
                seed_copy / "agencies.yaml",
                "description: Russia’s government space agency.",
                "description: The government space agency of Russia.",
            )
            load_seed(engine=seeded_db.engine, seed_dir=seed_copy)
            statements.clear()
            assert client.get("/v1/citations?limit=5").json()["total"] == 122
            assert len(statements) == 1  # a new version counts again
    finally:
        event.remove(seeded_db.engine, "before_cursor_execute", remember)


def test_layers_above_the_cache_do_not_write_into_stored_headers(seeded_db: Database) -> None:
    """Stored headers are shared by every hit: a layer above must not write into them (each
    answer then carries each header once, however many hits came before)."""
    added = ("access-control-allow-origin", "access-control-expose-headers", "ratelimit-policy")
    for client in client_for(seeded_db, rate_limit_enabled=True):
        url = "/v1/programs/ilrs"
        etag = client.get(url).headers["etag"]
        for _ in range(3):
            for headers in ({"Origin": "https://x.example"}, {"If-None-Match": etag}, {}):
                names = [k for k, _ in client.get(url, headers=headers).headers.multi_items()]
                assert [names.count(name) for name in added] == [1, 1, 1]


def test_a_slow_first_version_read_is_waited_for(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before any version was read there is nothing stored to serve: a slow database is waited
    for as long as a route's own query would be, not answered 503 after the short wait."""
    original = dataset._read_on

    def slow(engine: Engine) -> VersionInfo:
        time.sleep(0.5)
        return original(engine)

    monkeypatch.setattr(dataset, "_read_on", slow)
    for client in client_for(seeded_db, version_wait=0.05, db_wait=10.0):
        answer = client.get("/v1/agencies/nasa")
        assert answer.status_code == 200, answer.text


def test_a_search_total_is_counted_once_per_version(seeded_db: Database) -> None:
    """As a list's: another page size of the same query at the same version counts nothing."""

    def counts(statements: list[Statement]) -> int:
        # Counts through the full-text index (not the walk's bounded count of the table).
        return sum(
            "count(" in sql.lower() and ("MATCH" in sql or "@@" in sql) for sql, _ in statements
        )

    for client in client_for(seeded_db):
        with captured(seeded_db.engine) as statements:
            first = client.get("/v1/search?q=lunar&limit=2").json()
            made = counts(statements)
            assert made >= 1
            again = client.get("/v1/search?q=lunar&limit=3").json()
            assert (again["total"], again["total_relation"]) == (
                first["total"],
                first["total_relation"],
            )
            assert counts(statements) == made
            client.get("/v1/search?q=lunar&limit=2&type=citation")  # another count
            assert counts(statements) > made
