"""The response cache serves exactly what the routes would, and never stale beyond its bound."""

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.services.seed import load_seed
from tests.api import client_for
from tests.conftest import Database
from tests.helpers import edit

URLS = [
    "/",
    "/openapi.json",
    "/problems/not-found",
    "/v1/programs",
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
]
VOLATILE = {"date", "ratelimit-remaining", "ratelimit-reset"}


def _snapshot(client: TestClient, url: str, coding: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url, headers={"Accept-Encoding": coding})
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    return response.status_code, headers, response.content


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
        before = client.get(url).json()["description"]
        edit(
            seed_copy / "agencies.yaml",
            "description: Russia's government space agency.",
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
        assert after.headers["etag"].startswith('"2-')


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
