"""Crash safety of writes: a server killed (SIGKILL) in the middle of a burst of concurrent API
writes, then started again over the same database, on both engines. Every write that was
answered 2xx is there with its revision, nothing is half-applied (every stored document equals
a full rebuild from the rows), and `spacefacts verify` passes."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.models.keys import KeyScope
from app.services.rebuild import build_all, stored
from tests.conftest import Database
from tests.processes import server_process
from tests.test_keys import make_key

WRITERS = 4


def _write_loop(base: str, key: str, event: str, acked: list[str], stop: threading.Event) -> None:
    """PATCH the event's summary again and again; remember each summary answered 2xx."""
    with httpx.Client(base_url=base, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            summary = f"Crash test {event} write {n}"
            try:
                etag = client.get(f"/v1/events/{event}").headers["etag"]
                answer = client.patch(
                    f"/v1/events/{event}",
                    content=orjson.dumps({"summary": summary}),
                    headers={
                        "Authorization": f"Bearer {key}",
                        "If-Match": etag,
                        "Content-Type": "application/merge-patch+json",
                    },
                )
            except httpx.TransportError:
                return  # the server is gone
            if 200 <= answer.status_code < 300:
                acked.append(summary)


def _revised_summaries(client: httpx.Client, event: str) -> set[str]:
    out: set[str] = set()
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 200}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get(f"/v1/events/{event}/revisions", params=params).json()
        out |= {str(r["after"]["summary"]) for r in page["items"] if r["after"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def test_writes_answered_before_a_kill_survive_it(seeded_db: Database, tmp_path: Path) -> None:
    key = make_key(seeded_db, "crash-writer", KeyScope.write)
    acked: dict[str, list[str]] = {}
    with server_process(seeded_db.url, tmp_path / "first.log") as served:
        events = [e["id"] for e in httpx.get(f"{served.base}/v1/events").json()["items"]]
        stop = threading.Event()
        threads = []
        for event in events[:WRITERS]:
            acked[event] = []
            args = (served.base, key, event, acked[event], stop)
            threads.append(threading.Thread(target=_write_loop, args=args))
        for thread in threads:
            thread.start()
        # Killed while every writer is at work: once each has had a few writes answered.
        deadline = time.monotonic() + 60
        while any(len(a) < 3 for a in acked.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert all(acked.values()), acked  # every writer got some writes through before the kill
    with (
        server_process(seeded_db.url, tmp_path / "second.log") as served,
        httpx.Client(base_url=served.base, timeout=30) as client,
    ):
        for event, summaries in acked.items():
            revised = _revised_summaries(client, event)
            assert set(summaries) <= revised, event  # each acknowledged write, recorded
            now = client.get(f"/v1/events/{event}").json()["summary"]
            # The last acknowledged write, or one after it whose answer the kill cut off.
            assert now in revised
            assert int(now.rsplit(" ", 1)[1]) >= int(summaries[-1].rsplit(" ", 1)[1])
    with Session(seeded_db.engine) as session:
        assert stored(session) == build_all(session)
    env = {**os.environ, "SPACEFACTS_DATABASE_URL": seeded_db.url}
    verified = subprocess.run(
        [sys.executable, "-m", "app", "verify"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
