"""`spacefacts serve --workers 2` on both engines: after a write through one worker, no worker
serves the old dataset version once SPACEFACTS_VERSION_TTL has passed; and SIGTERM to the
parent ends each worker's live streams with the final event and stops every process. And
`--trusted-proxies` decides whose X-Forwarded-For is believed: nobody's by default.

Which worker answered is told by a counter each worker keeps on its own: the rate limit's.
Each connection's probe comes from a client address of the phase (given in X-Forwarded-For,
which `--trusted-proxies 127.0.0.1` lets the loopback proxy set), so each worker's first probe of a
phase, and only that one, shows `r=<limit - 1>`: how often that value is seen is how many
workers answered in that phase.
"""

import signal
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.db import write_session
from app.models import KeyScope
from app.services.keys import create_key
from tests.conftest import Database
from tests.helpers import edit_event
from tests.processes import Served, server_process

EVENT = "ilrs-road-map"
TTL = 0.5
LIMIT = 1_000_000
SETTINGS = {
    "version_ttl": str(TTL),
    # Counted per worker, which is what tells the workers apart; a day-long window keeps a
    # test from straddling a reset.
    "rate_limit_enabled": "true",
    "rate_limit": str(LIMIT),
    "rate_limit_window": "86400",
}
MAX_CONNECTIONS = 300  # enough for the kernel to hand connections to both workers


@dataclass(frozen=True)
class Answer:
    summary: str
    etag: str
    dataset_version: int
    first_probe: bool  # the first probe of the phase that this worker answered


def _answer(base: str, probe_address: str) -> Answer:
    with httpx.Client(timeout=10) as client:  # a new connection: any worker may take it
        entity = client.get(f"{base}/v1/events/{EVENT}")
        # The same connection, so the same worker.
        health = client.get(f"{base}/healthz", headers={"X-Forwarded-For": probe_address})
    assert entity.status_code == 200, entity.text
    assert health.status_code == 200, health.text
    remaining = int(health.headers["ratelimit"].split(";r=")[1].split(";")[0])
    return Answer(
        entity.json()["summary"],
        entity.headers["etag"],
        health.json()["dataset_version"],
        remaining == LIMIT - 1,
    )


def _from_both_workers(base: str, probe_address: str) -> list[Answer]:
    """Answers over fresh connections, until both workers have given some."""
    answers: list[Answer] = []
    while sum(a.first_probe for a in answers) < 2:
        if len(answers) == MAX_CONNECTIONS:
            pytest.fail(f"{sum(a.first_probe for a in answers)} worker(s) answered, not 2")
        answers.append(_answer(base, probe_address))
    assert sum(a.first_probe for a in answers) == 2
    return answers


def _edit(base: str, key: str, summary: str) -> None:
    with httpx.Client(timeout=10) as client:
        edit_event(client, base, key=key, event=EVENT, summary=summary)


def _stream_ends_with_bye(served: Served) -> None:
    with (
        httpx.Client(timeout=10) as client,
        client.stream("GET", f"{served.base}/v1/stream") as response,
    ):
        assert response.status_code == 200
        lines = response.iter_lines()
        while next(lines) != ": connected":
            pass
        served.process.send_signal(signal.SIGTERM)  # to the parent, which stops each worker
        assert "event: bye" in list(lines)
    assert served.process.wait(timeout=20) == 0


def test_two_workers_serve_one_version_within_the_ttl(seeded_db: Database, tmp_path: Path) -> None:
    with write_session(seeded_db.engine) as session:
        key = create_key(session, name="workers-writer", scope=KeyScope.write)
    settings = {**SETTINGS, "stream_heartbeat": "30", "shutdown_grace": "60"}
    with server_process(
        seeded_db.url,
        tmp_path / "server.log",
        settings=settings,
        args=("--workers", "2", "--trusted-proxies", "127.0.0.1"),
    ) as served:
        # Both workers read the entity, and hold its document at the current version.
        before = _from_both_workers(served.base, "198.51.100.1")
        assert len({(a.summary, a.etag, a.dataset_version) for a in before}) == 1
        _edit(served.base, key, "Edited through one worker.")
        time.sleep(TTL * 2)  # the bound: every worker re-reads the version by then
        after = _from_both_workers(served.base, "198.51.100.2")
        assert {a.summary for a in after} == {"Edited through one worker."}
        assert {a.dataset_version for a in after} == {before[0].dataset_version + 1}
        assert before[0].etag not in {a.etag for a in after}
        _stream_ends_with_bye(served)


@pytest.mark.parametrize("engine_kind", ["sqlite"])
@pytest.mark.parametrize(
    ("trusted", "believed"), [(None, False), ("127.0.0.1", True), ("192.0.2.1", False)]
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    seeded_db: Database, tmp_path: Path, trusted: str | None, believed: bool
) -> None:
    """By default (None: no option, no setting) a spoofed address is not believed."""
    args = ("--trusted-proxies", trusted) if trusted is not None else ()
    with server_process(seeded_db.url, tmp_path / "s.log", settings=SETTINGS, args=args) as served:
        seen = _answer(served.base, "198.51.100.9")
    # The first request from 198.51.100.9, if believed; else one more from the loopback
    # address, whose count already holds the start-up checks.
    assert seen.first_probe == believed
