"""`make bench`: the API beside the limit of a Python server here, a tutorial-style endpoint
and Datasette.

Starts, in one run, seven servers of one worker each on one seeded SQLite file: the
bare-Starlette limit, the tutorial-style list, the API, the API with its response cache off
(every request a miss), the floor of a miss (bench/floor.py: the same reads and compression in
a bare Starlette app), the ceiling of a miss (bench/ceiling.py: the API's app and server asked
for a route that does nothing), and Datasette (bench/peer.py). Loads each in turn with wrk (or
a small Python load generator), alternating over several rounds, and prints requests/s, p50,
p99, failed requests, the ratios to the limit and, for each miss shape (first page, filtered,
deep, row, search rare and common), the API's and the floor's to Datasette asked the same, with
the ceiling's beside them in the goal lines. It prints numbers; it asserts nothing.
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx

from bench.ceiling import NOOP_PATH
from bench.peer import Shape, paged, start_datasette

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 32
CEILING = "ceiling (no-op route)"


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers other than 200/304, and requests that failed or timed out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], env: dict[str, str], port: int, probe: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Long enough for Datasette's first page over a 10 GB file the page cache lost (it counts
    # every table): more than 20 s once. A server that exits is reported at once.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=10).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server {args} did not start")


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if match is None:
        raise ValueError(f"wrk printed a latency this script cannot read: {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, headers: dict[str, str], *, seconds: int = DURATION) -> Result:
    # A long timeout: a slow scenario is measured slow, not dropped as socket timeouts.
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", out, re.M)
    if rps is None or p50 is None or p99 is None:
        raise RuntimeError(f"wrk measured nothing at {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = (int(errors.group(1)) if errors else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    return Result(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), failed)


def python_load(url: str, headers: dict[str, str], *, seconds: int = DURATION) -> Result:
    """A fallback load generator: CONNECTIONS keep-alive clients for `seconds`."""
    import asyncio

    latencies: list[float] = []
    failed = 0

    async def worker(deadline: float) -> None:
        nonlocal failed
        async with httpx.AsyncClient(headers=headers) as client:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                status = (await client.get(url)).status_code
                failed += status not in (200, 304)
                latencies.append((time.perf_counter() - began) * 1000)

    async def run() -> float:
        began = time.perf_counter()
        deadline = began + seconds
        await asyncio.gather(*(worker(deadline) for _ in range(CONNECTIONS)))
        return time.perf_counter() - began

    elapsed = asyncio.run(run())
    cuts = statistics.quantiles(latencies, n=100)
    return Result(len(latencies) / elapsed, cuts[49], cuts[98], failed)


def seeded_database(tmp: Path) -> dict[str, str]:
    """A migrated, seeded SQLite file in tmp; the environment that serves it."""
    env = {
        "SPACEFACTS_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SPACEFACTS_RATE_LIMIT": "1000000000",
    }
    for args in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "app", *args],
            env={**os.environ, **env},
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return env


def peer_shapes(ports: dict[str, int], db: str) -> dict[str, Shape]:
    """Each miss shape of the issue, as the API and Datasette are asked it."""
    api, peer = f"http://127.0.0.1:{ports['miss']}", f"http://127.0.0.1:{ports['datasette']}"
    deep = Shape(
        paged(
            base=api, path="/v1/citations?limit=20", pages=5, token="next_cursor", param="cursor"
        ),
        paged(
            base=peer, path=f"/{db}/citation.json?_size=20", pages=5, token="next", param="_next"
        ),
    )
    return {
        "list": Shape(PATHS["list"], f"/{db}/program.json?_size=50"),
        "entity": Shape(PATHS["entity"], f"/{db}/program/ilrs.json"),
        "first page": Shape("/v1/citations?limit=20", f"/{db}/citation.json?_size=20"),
        "filtered": Shape(
            "/v1/citations?attribution=cnsa-announcement&limit=20",
            f"/{db}/citation.json?attribution_id=cnsa-announcement&_size=20",
        ),
        "deep": deep,
        "search": Shape(PATHS["search"], f"/{db}/search_document.json?_search=lunar&_size=20"),
        "search rare": Shape(
            "/v1/search?q=roscosmos", f"/{db}/search_document.json?_search=roscosmos&_size=20"
        ),
    }


PATHS = {"list": "/v1/programs", "entity": "/v1/programs/ilrs", "search": "/v1/search?q=lunar"}
# What a dashboard in a browser sends: compression and CORS both do their work.
CLIENT = {"Accept-Encoding": "br, gzip", "Origin": "https://dashboard.example"}


def main() -> None:
    load = wrk if shutil.which("wrk") else python_load
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-bench-"))
    base_env = seeded_database(tmp)
    py = sys.executable
    names = ("limit", "tutorial", "api", "miss", "floor", "ceiling", "datasette")
    ports = {name: free_port() for name in names}

    def serve(name: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        args = [py, "-m", "app", "serve", "--port", str(ports[name])]
        return start(args, {**base_env, **(env or {})}, ports[name], "/healthz")

    def reference(name: str) -> subprocess.Popen[bytes]:
        args = [py, "-m", "bench.servers", name, str(ports[name])]
        return start(args, base_env, ports[name], "/v1/programs")

    servers = [
        reference("limit"),
        reference("tutorial"),
        serve("api"),
        serve("miss", {"SPACEFACTS_RESPONSE_CACHE_ENTRIES": "0"}),
        start(
            [py, "-m", "bench.floor", str(ports["floor"])], base_env, ports["floor"], "/v1/programs"
        ),
        start(
            [py, "-m", "bench.ceiling", str(ports["ceiling"])],
            {**base_env, "SPACEFACTS_RESPONSE_CACHE_ENTRIES": "0"},
            ports["ceiling"],
            NOOP_PATH,
        ),
        start_datasette(start=start, db=tmp / "bench.db", port=ports["datasette"]),
    ]
    try:
        etags = {
            kind: httpx.get(f"http://127.0.0.1:{ports['api']}{path}", headers=CLIENT).headers[
                "etag"
            ]
            for kind, path in PATHS.items()
        }
        scenarios: dict[str, tuple[str, str, dict[str, str]]] = {
            "limit (bare Starlette, list)": ("limit", PATHS["list"], {}),
            "tutorial-style (list)": ("tutorial", PATHS["list"], CLIENT),
            "tutorial-style (entity)": ("tutorial", PATHS["entity"], CLIENT),
            CEILING: ("ceiling", NOOP_PATH, CLIENT),
        }
        for kind, path in PATHS.items():
            scenarios[f"api hit ({kind})"] = ("api", path, CLIENT)
            scenarios[f"api 304 ({kind})"] = ("api", path, {**CLIENT, "If-None-Match": etags[kind]})
        for kind, shape in peer_shapes(ports, "bench").items():
            scenarios[f"api miss ({kind})"] = ("miss", shape.spacefacts, CLIENT)
            scenarios[f"floor ({kind})"] = ("floor", shape.spacefacts, CLIENT)
            scenarios[f"datasette ({kind})"] = ("datasette", shape.datasette, CLIENT)
        results: dict[str, list[Result]] = {name: [] for name in scenarios}
        for round_ in range(ROUNDS):
            for name, (server, path, headers) in scenarios.items():
                results[name].append(load(f"http://127.0.0.1:{ports[server]}{path}", headers))
            print(f"round {round_ + 1}/{ROUNDS} done", file=sys.stderr)
        report(results, load.__name__)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def report(results: dict[str, list[Result]], tool: str) -> None:
    def median(name: str) -> Result:
        runs = results[name]
        return Result(
            statistics.median(r.rps for r in runs),
            statistics.median(r.p50_ms for r in runs),
            statistics.median(r.p99_ms for r in runs),
            sum(r.errors for r in runs),
        )

    limit = median("limit (bare Starlette, list)").rps
    print(
        f"\n{tool}, {CONNECTIONS} connections, {DURATION}s x {ROUNDS} rounds (medians), 1 worker"
        " each; API with access log, CORS, rate limit and compression on; Datasette "
        f"{version('datasette')} immutable, suggested facets off\n"
    )
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "errors", "x limit", "x peer")
    print("{:28} {:>9} {:>8} {:>8} {:>7} {:>8} {:>7}".format(*header))
    for name in results:
        r = median(name)
        reference = f"datasette ({name[name.index('(') + 1 : -1]})"
        versus = (
            f"{r.rps / median(reference).rps:7.1f}"
            if name.startswith(("api miss", "floor")) and reference in results
            else " " * 7
        )
        print(
            f"{name:28} {r.rps:9.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.errors:7d}"
            f" {r.rps / limit:8.2f} {versus}"
        )
    print("\ngoal lines\n")
    for line, met in goals({name: median(name) for name in results}, limit):
        print(f"  {'met   ' if met else 'MISSED'}  {line}")


def goals(r: dict[str, Result], limit: float) -> list[tuple[str, bool]]:
    """Each goal of the performance issues, with the measured value and whether it holds."""
    out = []
    for kind in PATHS:
        hit = r[f"api hit ({kind})"].rps / limit
        out.append((f"hit ({kind}) >= 0.8x limit: {hit:.2f}x", hit >= 0.8))
    for kind in PATHS:
        not_modified = r[f"api 304 ({kind})"].rps / limit
        out.append((f"304 ({kind}) >= 0.9x limit: {not_modified:.2f}x", not_modified >= 0.9))
    for kind in ("list", "entity"):
        miss = r[f"api miss ({kind})"].rps
        tutorial = r[f"tutorial-style ({kind})"].rps
        out.append(
            (f"miss ({kind}) >= 15x tutorial-style: {miss / tutorial:.1f}x", miss / tutorial >= 15)
        )
    for name, result in r.items():
        if name.startswith("api miss"):
            kind = name[name.index("(") + 1 : -1]
            peer = r[f"datasette ({kind})"]
            # A peer that failed requests answered faster than it served: no ratio is claimed.
            fair = bool(peer.rps) and not peer.errors
            ratio, floor, ceiling = (
                rps / peer.rps if fair else 0.0
                for rps in (result.rps, r[f"floor ({kind})"].rps, r[CEILING].rps)
            )
            line = (
                f"miss ({kind}) >= 5x Datasette: {ratio:.1f}x (the floor: {floor:.1f}x,"
                f" a no-op route of the API: {ceiling:.1f}x)"
            )
            out.append(
                (line + (f" (peer errors: {peer.errors})" if peer.errors else ""), ratio >= 5)
            )
    for name, result in r.items():
        if name.startswith("api "):
            # A scenario that completed no request (rps 0) has no latency to meet the goal with.
            budget = 50 if name.startswith("api miss") else 10
            met = result.rps > 0 and not result.errors and result.p99_ms < budget
            out.append((f"p99 < {budget} ms, {name}: {result.p99_ms:.2f} ms", met))
    return out


if __name__ == "__main__":
    main()
