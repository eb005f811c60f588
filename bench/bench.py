"""`make bench`: the API beside the limit of a Python server here and a tutorial-style endpoint.

Starts, in one run, four uvicorn servers of one worker each on a seeded SQLite database:
the bare-Starlette limit, the tutorial-style list, the API, and the API with its response cache
off (every request a miss). Loads each in turn with wrk (or a small Python load generator),
alternating over several rounds, and prints requests/s, p50, p99 and the ratios to the limit.
It prints numbers; it asserts nothing.
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 32


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float


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
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1).status_code == 200:
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


def wrk(url: str, headers: dict[str, str]) -> Result:
    # A long timeout: a slow scenario is measured slow, not dropped as socket timeouts.
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "30s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", out, re.M)
    if rps is None or p50 is None or p99 is None:
        raise RuntimeError(f"wrk measured nothing at {url}:\n{out}")
    return Result(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)))


def python_load(url: str, headers: dict[str, str]) -> Result:
    """A fallback load generator: CONNECTIONS keep-alive clients for DURATION seconds."""
    import asyncio

    latencies: list[float] = []

    async def worker(deadline: float) -> None:
        async with httpx.AsyncClient(headers=headers) as client:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                await client.get(url)
                latencies.append((time.perf_counter() - began) * 1000)

    async def run() -> float:
        began = time.perf_counter()
        deadline = began + DURATION
        await asyncio.gather(*(worker(deadline) for _ in range(CONNECTIONS)))
        return time.perf_counter() - began

    elapsed = asyncio.run(run())
    cuts = statistics.quantiles(latencies, n=100)
    return Result(len(latencies) / elapsed, cuts[49], cuts[98])


def main() -> None:
    load = wrk if shutil.which("wrk") else python_load
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    base_env = {"SPACEFACTS_DATABASE_URL": url, "SPACEFACTS_RATE_LIMIT": "1000000000"}
    py = sys.executable
    subprocess.run(
        [py, "-m", "app", "db", "upgrade"],
        env={**os.environ, **base_env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [py, "-m", "app", "seed"],
        env={**os.environ, **base_env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    ports = {name: free_port() for name in ("limit", "tutorial", "api", "miss")}
    servers = [
        start(
            [py, "-m", "bench.servers", "limit", str(ports["limit"])],
            base_env,
            ports["limit"],
            "/v1/programs",
        ),
        start(
            [py, "-m", "bench.servers", "tutorial", str(ports["tutorial"])],
            base_env,
            ports["tutorial"],
            "/v1/programs",
        ),
        start(
            [py, "-m", "app", "serve", "--port", str(ports["api"])],
            base_env,
            ports["api"],
            "/healthz",
        ),
        start(
            [py, "-m", "app", "serve", "--port", str(ports["miss"])],
            {**base_env, "SPACEFACTS_RESPONSE_CACHE_ENTRIES": "0"},
            ports["miss"],
            "/healthz",
        ),
    ]
    try:
        paths = {
            "list": "/v1/programs",
            "entity": "/v1/programs/ilrs",
            "search": "/v1/search?q=lunar",
        }
        # What a dashboard in a browser sends: compression and CORS both do their work.
        client = {"Accept-Encoding": "br, gzip", "Origin": "https://dashboard.example"}
        etags = {
            kind: httpx.get(f"http://127.0.0.1:{ports['api']}{path}", headers=client).headers[
                "etag"
            ]
            for kind, path in paths.items()
        }
        scenarios: dict[str, tuple[str, str, dict[str, str]]] = {
            "limit (bare Starlette, list)": ("limit", paths["list"], {}),
            "tutorial-style (list)": ("tutorial", paths["list"], client),
            "tutorial-style (entity)": ("tutorial", paths["entity"], client),
        }
        for kind, path in paths.items():
            scenarios[f"api hit ({kind})"] = ("api", path, client)
            scenarios[f"api 304 ({kind})"] = ("api", path, {**client, "If-None-Match": etags[kind]})
            scenarios[f"api miss ({kind})"] = ("miss", path, client)
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
        )

    limit = median("limit (bare Starlette, list)").rps
    print(
        f"\n{tool}, {CONNECTIONS} connections, {DURATION}s x {ROUNDS} rounds (medians), 1 worker,"
        " API with access log, CORS, rate limit and compression on\n"
    )
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "x limit", "x tutorial")
    print("{:30} {:>9} {:>8} {:>8} {:>8} {:>10}".format(*header))
    for name in results:
        r = median(name)
        kind = name[name.index("(") + 1 : -1]
        reference = f"tutorial-style ({kind})"
        versus = f"{r.rps / median(reference).rps:10.1f}" if reference in results else " " * 10
        print(
            f"{name:30} {r.rps:9.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.rps / limit:8.2f} {versus}"
        )
    print("\ngoal lines\n")
    for line, met in goals({name: median(name) for name in results}, limit):
        print(f"  {'met   ' if met else 'MISSED'}  {line}")


def goals(r: dict[str, Result], limit: float) -> list[tuple[str, bool]]:
    """Each goal of the performance issue, with the measured value and whether it holds."""
    out = []
    for kind in ("list", "entity"):
        hit = r[f"api hit ({kind})"].rps / limit
        out.append((f"hit ({kind}) >= 0.6x limit: {hit:.2f}x", hit >= 0.6))
    for kind in ("list", "entity", "search"):
        not_modified = r[f"api 304 ({kind})"].rps / limit
        out.append((f"304 ({kind}) >= 0.6x limit: {not_modified:.2f}x", not_modified >= 0.6))
    for kind in ("list", "entity"):
        miss = r[f"api miss ({kind})"].rps
        tutorial = r[f"tutorial-style ({kind})"].rps
        out.append((f"miss ({kind}) >= 0.25x limit: {miss / limit:.2f}x", miss / limit >= 0.25))
        out.append(
            (f"miss ({kind}) >= 15x tutorial: {miss / tutorial:.1f}x", miss / tutorial >= 15)
        )
    for name, result in r.items():
        if name.startswith("api "):
            # A scenario that completed no request (rps 0) has no latency to meet the goal with.
            met = result.rps > 0 and result.p99_ms < 10
            out.append((f"p99 < 10 ms, {name}: {result.p99_ms:.2f} ms", met))
    return out


if __name__ == "__main__":
    main()
