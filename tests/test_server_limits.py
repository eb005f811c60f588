"""Connection and request limits, as a hostile client meets them on a real server process:
slowloris and idle floods are cut off while others are served, a 1 MiB header is refused, a
stray byte does not hold a connection, and past the caps clients get a 503 problem, not a reset.
"""

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.middleware.limits import RequestLimitsMiddleware
from tests.conftest import Database
from tests.processes import Served, server_process

SQLITE = pytest.mark.parametrize("engine_kind", ["sqlite"])  # the HTTP layer: one engine
TIMEOUT = 3.0  # SPACEFACTS_HEADER_TIMEOUT of the servers here
WAIT = 10.0  # the longest any socket read here may wait (a bound, not a measure)


@pytest.fixture
def served(seeded_db: Database, tmp_path: Path) -> Iterator[Served]:
    settings = {"header_timeout": str(TIMEOUT), "max_connections": "40"}
    with server_process(seeded_db.url, tmp_path / "server.log", settings=settings) as s:
        # Warm: the first answer of a new process builds what later ones reuse (100-200 ms);
        # what the tests time is the answers during an attack, not a cold start.
        assert httpx.get(f"{s.base}/v1/agencies/cnsa", timeout=WAIT).status_code == 200
        yield s


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=WAIT)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def _problem(answer: bytes) -> tuple[int, dict[str, object], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, orjson.loads(body), head.lower()


def _served_meanwhile(base: str, n: int) -> list[float]:
    """Another client's requests, each on a new connection: all answered; their latencies."""
    latencies = []
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection for every request
    with httpx.Client(base_url=base, timeout=WAIT, limits=fresh) as client:
        for _ in range(n):
            began = time.perf_counter()
            assert client.get("/v1/agencies/cnsa").status_code == 200
            latencies.append(time.perf_counter() - began)
            time.sleep(0.05)
    return latencies


def _print_latencies(what: str, latencies: list[float]) -> None:
    """Printed, not asserted (-s shows them): tests never assert times."""
    ms = sorted(x * 1000 for x in latencies)
    print(f"{what}: median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms over {len(ms)}")


@SQLITE
def test_a_slowloris_is_cut_off_while_others_are_served(served: Served) -> None:
    sockets = [_connect(served.base) for _ in range(30)]
    stop = threading.Event()

    def trickle() -> None:  # a header byte per socket every 0.2 s, never the blank line
        for sock in sockets:
            sock.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        while not stop.wait(0.2):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")

    thread = threading.Thread(target=trickle)
    thread.start()
    try:
        latencies = _served_meanwhile(served.base, 30)
        answers = [_read_all(sock) for sock in sockets]
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()
    for answer in answers:
        status, problem, _ = _problem(answer)
        assert (status, problem["type"]) == (408, "/problems/request-timeout")
    _print_latencies("others during the slowloris", latencies)


@SQLITE
def test_idle_connections_are_closed_and_those_past_the_cap_refused(served: Served) -> None:
    idle = [_connect(served.base) for _ in range(30)]
    extra: list[socket.socket] = []
    try:
        # Held open, 30 silent connections leave others served as before.
        latencies = _served_meanwhile(served.base, 10)
        # Past the cap (40 connections), a connection is answered at once, not reset.
        extra = [_connect(served.base) for _ in range(15)]
        answers = [_read_all(sock) for sock in extra]
        refused = [a for a in answers if a]
        assert len(refused) >= 5
        for answer in refused:
            status, problem, head = _problem(answer)
            assert (status, problem["type"]) == (503, "/problems/overloaded")
            assert b"retry-after: 1" in head
            assert b"access-control-allow-origin: *" in head
        assert {_read_all(sock) for sock in idle} == {b""}  # silent: closed without a word
        assert _served_meanwhile(served.base, 1)  # room again
    finally:
        for sock in idle + extra:
            sock.close()
    _print_latencies("others during the idle flood", latencies)


@SQLITE
def test_a_one_mib_header_is_refused_and_logged(served: Served, tmp_path: Path) -> None:
    sock = _connect(served.base)
    with sock:
        sock.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2**20 + b"\r\n\r\n")
        status, problem, _ = _problem(_read_all(sock))
    assert (status, problem["type"]) == (400, "/problems/bad-request")
    lines = (tmp_path / "server.log").read_text().splitlines()
    refused = [orjson.loads(x) for x in lines if '"connection_refused"' in x]
    assert [(r["client"], r["status"], r["kind"]) for r in refused] == [
        ("127.0.0.1", 400, "bad-request")
    ]


@SQLITE
def test_a_stray_byte_after_an_answer_does_not_hold_the_connection(served: Served) -> None:
    sock = _connect(served.base)
    with sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"G")
        status, problem, _ = _problem(_read_all(sock))
    assert (status, problem["type"]) == (408, "/problems/request-timeout")


@SQLITE
def test_too_many_header_fields_are_refused(api: TestClient) -> None:
    answer = api.get("/v1", headers={f"x-h{i}": "1" for i in range(101)})
    assert answer.status_code == 431
    assert answer.json()["type"] == "/problems/headers-too-large"
    assert api.get("/v1", headers={f"x-h{i}": "1" for i in range(80)}).status_code == 200


def test_requests_past_the_in_flight_cap_get_a_503_at_once() -> None:
    release = anyio.Event()
    answers: list[Message] = []

    async def slow(_scope: Scope, _receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    layer = RequestLimitsMiddleware(slow, max_in_flight=2, max_headers=100)

    def scope(path: str) -> Scope:
        return {"type": "http", "path": path, "headers": [], "method": "GET"}

    async def call(path: str) -> None:
        async def send(message: Message) -> None:
            answers.append({**message, "path": path})

        async def receive() -> Message:
            return {"type": "http.request"}

        await layer(scope(path), receive, send)

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call, "/a")
            tasks.start_soon(call, "/b")
            tasks.start_soon(call, "/v1/stream")  # not counted: streams have their own cap
            await anyio.sleep(0.05)
            await call("/c")  # past the cap: answered while the others still wait
            assert [m["status"] for m in answers if "status" in m] == [503]
            release.set()

    anyio.run(main)
    starts = {m["path"]: m for m in answers if m["type"] == "http.response.start"}
    assert {p: m["status"] for p, m in starts.items()} == {
        "/c": 503,
        "/a": 200,
        "/b": 200,
        "/v1/stream": 200,
    }
    assert (b"retry-after", b"1") in starts["/c"]["headers"]
    assert layer.in_flight == 0
