"""What the metrics cost a cached answer: requests/s of a response-cache hit with metrics on
and off, two uvicorn servers of one worker each over one seeded SQLite database, loaded in
turn (alternating, several rounds) with wrk, or the Python load generator without it.

Run as `python -m bench.metrics_cost` (BENCH_SECONDS and BENCH_ROUNDS as for bench/bench.py).
It prints numbers; it asserts nothing.
"""

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench import (
    DURATION,
    ROUNDS,
    free_port,
    python_load,
    seeded_database,
    start,
    wrk,
)

PATH = "/v1/programs/ilrs"


def main() -> None:
    load = wrk if shutil.which("wrk") else python_load
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-metrics-bench-"))
    env = {**seeded_database(tmp), "SPACEFACTS_RATE_LIMIT_ENABLED": "false"}
    ports = {"on": free_port(), "off": free_port()}
    servers = [
        start(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            {**env, "SPACEFACTS_METRICS_ENABLED": "true" if name == "on" else "false"},
            port,
            "/healthz",
        )
        for name, port in ports.items()
    ]
    rates: dict[str, list[float]] = {"off": [], "on": []}
    try:
        headers = {"Accept-Encoding": "br, gzip"}
        for round_ in range(ROUNDS):
            for name in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
                url = f"http://127.0.0.1:{ports[name]}{PATH}"
                rates[name].append(load(url, headers).rps)
            print(f"round {round_ + 1}/{ROUNDS}: {rates}", file=sys.stderr)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    print(f"{load.__name__}, {DURATION}s x {ROUNDS} rounds, cache hit of {PATH}, medians:")
    print(f"  metrics off: {off:9.0f} req/s   runs {[round(r) for r in rates['off']]}")
    print(f"  metrics on:  {on:9.0f} req/s   runs {[round(r) for r in rates['on']]}")
    print(f"  cost: {(on - off) / off:+.1%}")


if __name__ == "__main__":
    main()
