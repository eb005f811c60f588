"""`make bench-scale` under load, at the largest size: wrk with 32 connections against the API
(response cache off) and against Datasette on the same file, for issue 15's goals for misses:
p99 under 50 ms at 32 connections, and at least 5x Datasette's throughput on every shape."""

import os
import shutil
import sys

from bench.bench import CLIENT, Result, python_load, wrk

__all__ = ["LOAD", "load_paths", "report_load"]

LOAD = os.environ.get("BENCH_SCALE_LOAD", "1") != "0"
SECONDS = int(os.environ.get("BENCH_SCALE_LOAD_SECONDS", "5"))
P99_GOAL_MS = 50.0
PEER_GOAL = 5.0


def load_paths(base: str, paths: dict[str, str], label: str) -> dict[str, Result]:
    """Each path under CONNECTIONS keep-alive clients for SECONDS, as a browser asks it."""
    load = wrk if shutil.which("wrk") else python_load
    out: dict[str, Result] = {}
    for name, path in paths.items():
        out[name] = result = load(f"{base}{path}", CLIENT, seconds=SECONDS)
        print(f"  {label} load {name}: {result.rps:.0f} req/s", file=sys.stderr)
    return out


def report_load(api: dict[str, Result], peer: dict[str, Result]) -> None:
    """The table of both, and the goal lines."""
    tool = "wrk" if shutil.which("wrk") else "python_load"
    title = f"under load: {tool}, 32 connections, {SECONDS}s per path, cache off"
    print(f"\n{title:58} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'x peer':>7}")
    for name, r in api.items():
        ratio = _times(r, peer[name]) if name in peer else "-"
        print(f"{name:58} {r.rps:7.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.errors:6d} {ratio:>7}")
        if name in peer:
            p = peer[name]
            line = f"{p.rps:7.0f} {p.p50_ms:8.2f} {p.p99_ms:8.2f} {p.errors:6d}"
            print(f"{'    Datasette':58} {line}")
    worst = max(api, key=lambda n: api[n].p99_ms)
    verdict = "MET" if api[worst].p99_ms < P99_GOAL_MS else "MISSED"
    print(
        f"miss p99 under {P99_GOAL_MS:g} ms: worst {api[worst].p99_ms:.2f} ms ({worst}) {verdict}"
    )
    for name, p in peer.items():
        a = api[name]
        # Datasette may answer nothing within the run (wrk counts its timeouts as errors).
        met = not a.errors and (p.rps == 0 or a.rps >= PEER_GOAL * p.rps)
        verdict = "MET" if met else "MISSED"
        print(f"    {verdict:6} {name} >= {PEER_GOAL:g}x Datasette: {_times(a, p)}")


def _times(api: Result, peer: Result) -> str:
    if peer.rps == 0:
        return "peer 0"
    return f"{api.rps / peer.rps:.1f}x"
