"""`make soak`: sustained mixed load on `spacefacts serve --workers 2`, on SQLite and PostgreSQL.

For each engine (SOAK_ENGINES, default "sqlite,postgresql"; PostgreSQL on a throwaway cluster
from .ci/postgres.sh) it migrates and seeds a fresh database, creates a write key, starts the
server with two workers and the rate limiter off on 127.0.0.1, and runs SOAK_CONNECTIONS (64)
clients for SOAK_SECONDS (60). Each client loops over a mix: cached reads (a fixed set of URLs),
uncached reads (a page of the timeline up to a date that changes every request), searches,
and writes (a PATCH of an event's summary with the key and the ETag just read as If-Match; a 412
from a concurrent writer is an expected answer, not an error). SOAK_STREAMS (4) more clients
hold /v1/stream open and count the events they receive, reconnecting when a stream ends.

It prints requests and errors by kind (5xx, other unexpected statuses, connection errors),
latency percentiles per kind of request, and each worker's resident memory every 5 s, with
the growth between the mean of the first and of the last 20 s. Goals: zero 5xx, zero
connection errors, RSS growth under 10%. It prints numbers; it asserts nothing.
"""

import asyncio
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson

from bench.bench import ROOT, free_port, start

SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
STREAMS = int(os.environ.get("SOAK_STREAMS", "4"))
ENGINES = os.environ.get("SOAK_ENGINES", "sqlite,postgresql").split(",")
SAMPLE_EVERY = 5.0
WINDOW = 20.0  # the first and last seconds whose RSS means are compared
CACHED = [
    "/v1/programs/ilrs",
    "/v1/agencies",
    "/v1/agencies/cnsa",
    "/v1/agreements/artemis-accords/signatories",
    "/v1/citations?limit=20",
    "/v1/events?limit=10",
    "/v1/sources/russia-china-moon-article",
]
WORDS = ["moon", "lunar", "station", "artemis", "china", "russia", "accords", "nasa", "research"]
MIX = ["cached"] * 60 + ["uncached"] * 20 + ["search"] * 15 + ["write"] * 5
EXPECTED = {"write": {200, 412}}  # anything else 2xx-less is counted as unexpected


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    stream_events: int = 0
    stream_connects: int = 0


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env={**os.environ, **env}, cwd=ROOT, check=True, capture_output=True)


def _workers(parent: int) -> list[int]:
    """The pids of the server's worker processes (its children, and theirs)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            out.append(int(stat.parent.name))
    return sorted(out) or [parent]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _client(
    http: httpx.AsyncClient, key: str, events: list[str], tally: Tally, end: float
) -> None:
    rng = random.Random()
    while time.monotonic() < end:
        kind = rng.choice(MIX)
        began = time.perf_counter()
        try:
            if kind == "cached":
                answer = await http.get(rng.choice(CACHED))
            elif kind == "uncached":
                day = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(15000))
                answer = await http.get("/v1/events", params={"limit": 20, "to": str(day)})
            elif kind == "search":
                answer = await http.get("/v1/search", params={"q": rng.choice(WORDS)})
            else:
                event = rng.choice(events)
                etag = (await http.get(f"/v1/events/{event}")).headers["etag"]
                answer = await http.patch(
                    f"/v1/events/{event}",
                    content=orjson.dumps({"summary": f"Soak {rng.randrange(10**9)}"}),
                    headers={
                        "Authorization": f"Bearer {key}",
                        "If-Match": etag,
                        "Content-Type": "application/merge-patch+json",
                    },
                )
        except httpx.TransportError as exc:
            tally.errors[f"connection: {type(exc).__name__}"] += 1
            continue
        tally.latencies[kind].append(time.perf_counter() - began)
        tally.statuses[(kind, answer.status_code)] += 1
        if answer.status_code >= 500:
            tally.errors[f"{answer.status_code} on {kind}"] += 1
        elif answer.status_code not in EXPECTED.get(kind, {200}):
            tally.errors[f"unexpected {answer.status_code} on {kind}"] += 1


async def _stream(base: str, tally: Tally, end: float) -> None:
    timeout = httpx.Timeout(10, read=30)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        while time.monotonic() < end:
            try:
                async with http.stream("GET", "/v1/stream") as answer:
                    tally.stream_connects += 1
                    async for line in answer.aiter_lines():
                        if line.startswith("event:"):
                            tally.stream_events += 1
                        if time.monotonic() >= end:
                            return
            except httpx.TransportError as exc:
                if time.monotonic() < end:
                    tally.errors[f"stream: {type(exc).__name__}"] += 1
                    await asyncio.sleep(0.5)


async def _load(base: str, key: str, pid: int) -> tuple[Tally, list[tuple[float, list[float]]]]:
    tally = Tally()
    samples: list[tuple[float, list[float]]] = []
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        events = [e["id"] for e in (await http.get("/v1/events?limit=50")).json()["items"]]
        began = time.monotonic()
        end = began + SECONDS

        async def sample() -> None:
            while time.monotonic() < end:
                samples.append((time.monotonic() - began, [_rss_mb(w) for w in _workers(pid)]))
                await asyncio.sleep(SAMPLE_EVERY)

        await asyncio.gather(
            sample(),
            *(_client(http, key, events, tally, end) for _ in range(CONNECTIONS)),
            *(_stream(base, tally, end) for _ in range(STREAMS)),
        )
    return tally, samples


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _report(engine: str, tally: Tally, samples: list[tuple[float, list[float]]]) -> None:
    total = sum(len(v) for v in tally.latencies.values())
    print(f"\n== soak, {engine}: {SECONDS:g} s, {CONNECTIONS} clients, {STREAMS} streams ==")
    print(f"requests {total:,} ({total / SECONDS:,.0f}/s)")
    print(f"{'kind':10} {'count':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in sorted(tally.latencies.items()):
        print(
            f"{kind:10} {len(values):8,} {_pct(values, 0.5):8.1f} {_pct(values, 0.9):8.1f} "
            f"{_pct(values, 0.99):8.1f} {max(values) * 1000:8.1f}"
        )
    print(
        "statuses: " + ", ".join(f"{k} {s}: {n:,}" for (k, s), n in sorted(tally.statuses.items()))
    )
    print(f"stream: {tally.stream_connects} connects, {tally.stream_events:,} events received")
    print("errors: " + (", ".join(f"{k}: {n}" for k, n in tally.errors.items()) or "none"))
    print("RSS MB per process (the supervisor, then each worker), every 5 s:")
    for at, rss in samples:
        print(f"  {at:5.1f}s  " + "  ".join(f"{r:6.1f}" for r in rss))
    first = [r for at, rss in samples if at < WINDOW for r in [sum(rss)]]
    last = [r for at, rss in samples if at >= SECONDS - WINDOW for r in [sum(rss)]]
    growth = (statistics.mean(last) / statistics.mean(first) - 1) * 100 if first and last else 0
    five = sum(n for k, n in tally.errors.items() if k[0] == "5")
    connection = sum(n for k, n in tally.errors.items() if "connection" in k or "stream" in k)
    print(
        f"goals: 5xx {five} ({'MET' if five == 0 else 'MISSED'}), connection errors "
        f"{connection} ({'MET' if connection == 0 else 'MISSED'}), RSS growth first to last "
        f"{WINDOW:g} s {growth:+.1f}% ({'MET' if growth < 10 else 'MISSED'})"
    )


def _soak(engine: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-soak-"))
    cluster: str | None = None
    try:
        if engine == "sqlite":
            url = f"sqlite:///{tmp / 'soak.db'}"
        else:
            started = subprocess.run(
                ["bash", ".ci/postgres.sh", "start"], cwd=ROOT, capture_output=True, text=True
            )
            if started.returncode != 0:
                print(f"\n== soak, {engine}: skipped, no PostgreSQL: {started.stderr[-200:]}")
                return
            cluster, url = started.stdout.strip().splitlines()
        env = {"SPACEFACTS_DATABASE_URL": url}
        _run([sys.executable, "-m", "app", "db", "upgrade"], env)
        _run([sys.executable, "-m", "app", "seed"], env)
        made = subprocess.run(
            [sys.executable, "-m", "app", "keys", "create", "--name", "soak", "--scope", "write"],
            env={**os.environ, **env},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        key = made.stdout.strip().split()[-1]
        port = free_port()
        serve_env = {
            **env,
            "SPACEFACTS_RATE_LIMIT_ENABLED": "false",
            "SPACEFACTS_ACCESS_LOG": "false",
        }
        args = [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "2"]
        server = start(args, serve_env, port, "/readyz")
        try:
            tally, samples = asyncio.run(_load(f"http://127.0.0.1:{port}", key, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=60)
        _report(engine, tally, samples)
    finally:
        if cluster is not None:
            subprocess.run(["bash", ".ci/postgres.sh", "stop", cluster], cwd=ROOT, check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    for engine in ENGINES:
        _soak(engine)


if __name__ == "__main__":
    main()
