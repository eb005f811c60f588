"""The live stream as a client holds it: real server processes on both engines, an httpx
connection kept open while changes are made (through the same process and through another),
resumed with Last-Event-ID with no gap and no duplicate; the bound on clients; a client too slow
to read dropped rather than buffered for."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from app.db import write_session
from app.models import KeyScope
from app.routes.stream import EventStream, StreamSettings
from app.services.feed import FeedFilters, FeedType
from app.services.keys import create_key
from app.services.stream import StreamHub
from tests.conftest import Database
from tests.helpers import edit_event
from tests.processes import serve_process

# Fast heartbeats and polls: a test waits for "nothing more" by waiting for a heartbeat.
FAST = {"stream_heartbeat": "1", "stream_poll": "0.1"}
EVENT = "ilrs-road-map"


@dataclass
class Received:
    id: str | None
    event: str | None
    data: dict[str, Any] | None
    comment: str | None


class Reader:
    """Server-Sent Events from a streamed httpx response, one message at a time."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        self._lines = response.iter_lines()

    def next(self) -> Received:
        fields: dict[str, str] = {}
        for line in self._lines:
            if line.startswith(":"):
                return Received(None, None, None, line[1:].strip())
            if line == "":
                if fields:
                    data = orjson.loads(fields["data"]) if "data" in fields else None
                    return Received(fields.get("id"), fields.get("event"), data, None)
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    def connected(self) -> None:
        """Wait for the server's first comment: from here on, every change reaches us."""
        while (m := self.next()).comment != "connected":
            assert m.comment is not None, m

    def events_until_quiet(self, *, heartbeats: int = 1) -> list[Received]:
        """The events sent before the server, having nothing more, sent `heartbeats`
        heartbeats (one may have been on its way as a change was made: two are sure)."""
        events = []
        while heartbeats:
            m = self.next()
            if m.comment is None:
                events.append(m)
            heartbeats -= m.comment == "heartbeat"
        return events

    def next_event(self) -> Received:
        while (m := self.next()).comment is not None:
            pass
        return m


def _edit(client: httpx.Client, base: str, key: str, summary: str) -> None:
    edit_event(client, base, key=key, event=EVENT, summary=summary)


def _key(db: Database) -> str:
    with write_session(db.engine) as session:
        return create_key(session, name="stream-admin", scope=KeyScope.admin)


@contextlib.contextmanager
def _servers(db: Database, tmp_path: Path, *, two: bool) -> Iterator[tuple[str, str]]:
    with serve_process(db.url, tmp_path / "a.log", settings=FAST) as a:
        if not two:
            yield a, a
            return
        with serve_process(db.url, tmp_path / "b.log", settings=FAST) as b:
            yield a, b


@pytest.mark.parametrize("writer", ["same-process", "second-process"])
def test_changes_arrive_live_and_resume_without_gap_or_duplicate(
    seeded_db: Database, tmp_path: Path, writer: str
) -> None:
    key = _key(seeded_db)
    two = writer == "second-process"
    with (
        _servers(seeded_db, tmp_path, two=two) as (listened, written),
        httpx.Client(timeout=10) as client,
    ):
        with client.stream("GET", f"{listened}/v1/stream") as response:
            reader = Reader(response)
            reader.connected()
            _edit(client, written, key, "First edit of the road map.")
            first = [reader.next_event(), *reader.events_until_quiet(heartbeats=2)]
        assert len(first) == 1
        assert first[0].event == "change"
        assert first[0].data is not None
        item = first[0].data
        assert item["id"] == f"urn:spacefacts:revision:{first[0].id}"
        assert item["_spacefacts"]["entity"] == {
            "type": "event",
            "id": EVENT,
            "url": f"/v1/events/{EVENT}",
        }
        assert item["_spacefacts"]["document"]["summary"] == "First edit of the road map."
        # Away: two more changes happen; back with the last id seen.
        _edit(client, written, key, "Second edit.")
        _edit(client, written, key, "Third edit.")
        resumed = {"Last-Event-ID": str(first[0].id)}
        with client.stream("GET", f"{listened}/v1/stream", headers=resumed) as response:
            missed = Reader(response).events_until_quiet()
    assert [m.data["_spacefacts"]["document"]["summary"] for m in missed if m.data] == [
        "Second edit.",
        "Third edit.",
    ]
    ids = [int(m.id or 0) for m in missed]
    assert ids[0] > int(first[0].id or 0)
    assert ids[1] > ids[0]


def test_filters_and_the_bound_on_clients(seeded_db: Database, tmp_path: Path) -> None:
    key = _key(seeded_db)
    settings = {**FAST, "stream_max_clients": "1"}
    with (
        serve_process(seeded_db.url, tmp_path / "s.log", settings=settings) as base,
        httpx.Client(timeout=10) as client,
    ):
        with client.stream("GET", f"{base}/v1/stream?entity=ilrs") as response:
            reader = Reader(response)
            reader.connected()
            refused = client.get(f"{base}/v1/stream")
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "5"
            assert refused.json()["type"] == "/problems/too-many-streams"
            _edit(client, base, key, "Not about the ILRS program itself.")
            assert reader.events_until_quiet(heartbeats=2) == []  # filtered out
        for _ in range(50):  # the server frees the slot once it sees the client leave
            with client.stream("GET", f"{base}/v1/stream?since=2000-01-01T00:00:00Z") as response:
                if response.status_code == 200:
                    replayed = Reader(response).events_until_quiet()
                    break
            anyio.run(anyio.sleep, 0.1)
        else:
            pytest.fail("the stream's slot was never released")
    # `since` replays the log: the seed's 36 revisions, then the edit.
    assert len(replayed) == 37
    assert [int(m.id or 0) for m in replayed] == sorted(int(m.id or 0) for m in replayed)


def test_bad_resume_points_and_media_types_are_refused(api: TestClient) -> None:
    for header in ("abc", "-1", "1" * 19):
        response = api.get("/v1/stream", headers={"Last-Event-ID": header})
        assert response.status_code == 400, header
        assert response.headers["content-type"] == "application/problem+json"
    assert api.get("/v1/stream", headers={"Accept": "application/json"}).status_code == 406
    assert api.get("/v1/stream?type=nope").status_code == 400
    head = api.head("/v1/stream")  # answered at once, not held open
    assert (head.status_code, head.headers["content-type"]) == (
        200,
        "text/event-stream; charset=utf-8",
    )


def test_a_client_too_slow_to_read_is_dropped(seeded_db: Database) -> None:
    hub = StreamHub(seeded_db.engine, poll=0.05, max_clients=5)
    stream = EventStream(
        hub=hub,
        engine=seeded_db.engine,
        filters=FeedFilters(frozenset(FeedType), frozenset(), None),
        after=0,
        base="http://testserver",
        settings=StreamSettings(heartbeat=1.0, send_timeout=0.2),
    )
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)
        if sum(m["type"] == "http.response.body" for m in sent) >= 3:
            await anyio.sleep_forever()  # the client stopped reading: its buffers are full

    async def receive() -> Message:
        await anyio.sleep_forever()
        raise AssertionError

    async def serve() -> None:
        with anyio.fail_after(10):
            await stream({"type": "http", "path": "/v1/stream"}, receive, send)

    anyio.run(serve)
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body"]
    assert len(bodies) == 3  # the greeting, revision 1, and revision 2 that never got through
    assert bodies[1].startswith(b"id: 1\nevent: change\n")
    assert hub.clients == 0
