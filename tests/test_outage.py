"""A database outage, as a client meets it: PostgreSQL stopped under a running server, then
started again. What the cache holds is still served (304s too), everything else is a 503
problem with Retry-After and CORS headers, liveness stays 200, and the API recovers alone.

The server gets a PostgreSQL cluster of its own (the shared test cluster cannot be stopped).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from app.config import PROJECT_ROOT
from tests.conftest import PG_SCRIPT
from tests.processes import server_process

WAIT = 30.0  # the longest the API may take to recover (a bound, not a measure)
ORIGIN = {"Origin": "https://dashboard.example"}


@dataclass(frozen=True)
class Cluster:
    data_dir: str
    url: str
    key: str  # a write key in its database

    def pg(self, command: str) -> None:
        subprocess.run(["bash", str(PG_SCRIPT), command, self.data_dir], check=True)

    def signal(self, signum: int) -> None:
        """Send `signum` to the server and every backend it started (SIGSTOP: frozen)."""
        postmaster = int((Path(self.data_dir) / "data" / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
            except (OSError, ValueError):
                continue
        for pid in [postmaster, *children]:
            os.kill(pid, signum)


# One cluster for both outages (each test leaves it running): making one, then migrating, seeding
# and keying it through the CLI, takes about 20 s.
@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = subprocess.run(
        ["bash", str(PG_SCRIPT), "start"], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required with CI=true: {started.stderr[-500:]}")
        pytest.skip("PostgreSQL not installed: outage test skipped")
    data_dir, url = started.stdout.strip().splitlines()
    try:
        env = {**os.environ, "SPACEFACTS_DATABASE_URL": url}
        made = [
            subprocess.run(
                [sys.executable, "-m", "app", *args],
                env=env,
                cwd=PROJECT_ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            for args in (
                ["db", "upgrade"],
                ["seed"],
                ["keys", "create", "--name", "outage", "--scope", "write"],
            )
        ]
        yield Cluster(data_dir, url, made[-1].stdout.strip())
    finally:
        # A test that failed while the cluster was frozen leaves it stopped: wake it to stop it.
        with contextlib.suppress(OSError, ValueError):
            Cluster(data_dir, url, "").signal(signal.SIGCONT)
        subprocess.run(["bash", str(PG_SCRIPT), "stop", data_dir], check=False)


def _write(client: httpx.Client, key: str, summary: str, etag: str, status: int) -> str:
    """PATCH an event's summary; the ETag of what it wrote."""
    answer = client.patch(
        "/v1/events/ilrs-mou-signed",
        content=orjson.dumps({"summary": summary}),
        headers={
            "Authorization": f"Bearer {key}",
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert answer.status_code == status, answer.text
    return str(answer.headers.get("etag", ""))


def _problem(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["access-control-allow-origin"] == "*"


SETTINGS = {
    "version_ttl": "0.2",
    "version_wait": "1",
    "db_connect_timeout": "2",
    "db_pool_timeout": "2",
    "db_wait": "2",
}


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_an_outage_degrades_and_the_api_recovers(
    cluster: Cluster, tmp_path: Path, outage: str
) -> None:
    """`stopped`: the server shut down (connections refused); `frozen`: every PostgreSQL
    process stopped with SIGSTOP (connections accepted by the kernel, never answered)."""
    log = tmp_path / "server.log"
    with (
        server_process(cluster.url, log, settings=SETTINGS) as served,
        httpx.Client(base_url=served.base, timeout=WAIT, headers=ORIGIN) as client,
    ):
        cached = client.get("/v1/agencies/cnsa")
        assert cached.status_code == 200
        # Several connections open in the pool, as a busy server has: a frozen server then
        # holds the queries that reuse them, not only new connections.
        urls = [f"/v1/events?limit={n}" for n in range(1, 9)]
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda url: client.get(url).status_code, urls)) == {200}
        # A write just before, so that the one during the outage is refused for the database,
        # not for its key or its ETag.
        etag = client.get("/v1/events/ilrs-mou-signed").headers["etag"]
        etag = _write(client, cluster.key, "Written before an outage", etag, 200)
        if outage == "stopped":
            cluster.pg("pause")
        else:
            cluster.signal(signal.SIGSTOP)
        time.sleep(0.5)  # past the version's TTL: the next request re-reads it, and fails
        again = client.get("/v1/agencies/cnsa")
        assert (again.status_code, again.content) == (200, cached.content)
        revalidated = client.get(
            "/v1/agencies/cnsa", headers={"If-None-Match": cached.headers["etag"]}
        )
        assert revalidated.status_code == 304
        missed = client.get("/v1/agencies/roscosmos")
        _problem(missed, 503)
        assert missed.json()["type"] == "/problems/service-unavailable"
        assert missed.headers["retry-after"] == "5"
        for other in ("/v1/search?q=lunar", "/v1/feed.json?limit=3", "/v1/feed.atom?limit=3"):
            _problem(client.get(other), 503)
        # Refused before it starts: a write checks its key on the primary first, and that read
        # is bounded like the others (so nothing is sent that could commit after a 503).
        _write(client, cluster.key, "Written during an outage", etag, 503)
        assert client.get("/livez").status_code == 200
        _problem(client.get("/readyz"), 503)
        if outage == "stopped":
            cluster.pg("resume")
        else:
            cluster.signal(signal.SIGCONT)
        deadline = time.monotonic() + WAIT
        while (answer := client.get("/v1/agencies/roscosmos")).status_code != 200:
            assert answer.status_code == 503
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.2)
        while (ready := client.get("/readyz")).status_code != 200:
            _problem(ready, 503)
            assert time.monotonic() < deadline, "readiness did not recover"
            time.sleep(0.2)
    lines = [line for line in log.read_text().splitlines() if "database_unavailable" in line]
    assert lines, "no log line for the failures"
    assert all("Traceback" not in line for line in lines)
