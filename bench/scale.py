"""`make bench-scale`: database time and HTTP latency at 10, 10k and 1M rows per big collection.

For each size (BENCH_SCALE_SIZES, default "10,10000,1000000") it migrates and seeds a fresh
SQLite database, adds that many synthetic signatories, events and citations (bench/scale_data),
then times every filter the three list endpoints offer by calling the real service functions:
the first page and a page near the end reached through a cursor (median of BENCH_SCALE_RUNS
runs, the COUNT the service makes shown apart), full-text search top-20, and entity reads. It
then serves the database with the response cache off and times sequential HTTP requests, and
reads the server's resident memory. It prints numbers; it asserts nothing.
"""

import base64
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import Select
from sqlmodel import Session

from app.db import make_engine
from app.services import agreements, events, paging, search, sources
from bench.bench import ROOT, free_port, start
from bench.scale_data import populate

SIZES = [int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "10,10000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "7"))
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "300"))
# A slow query stops being repeated after this many seconds (at least 2 runs or requests), so a
# query that takes seconds at 1M rows costs the run seconds, not minutes.
BUDGET_S = float(os.environ.get("BENCH_SCALE_BUDGET_SECONDS", "4"))
LIMIT = 50  # the API's default page size
DEEP_STEP = 200  # the deep page starts this many rows before the end of the filtered list

Lister = Callable[..., tuple[list[bytes], paging.PageResult]]
_counted: list[float] = []
_count = paging.count


def _timed_count(*, session: Session, query: Select[Any]) -> int:
    began = time.perf_counter()
    try:
        return _count(session=session, query=query)
    finally:
        _counted.append((time.perf_counter() - began) * 1000)


paging.count = _timed_count  # keyset_page looks count up at call time: its share is measured


@dataclass
class Timing:
    ms: float  # the whole service call: count, page query and document fetch
    count_ms: float | None  # the part of it spent in the COUNT


@dataclass
class Size:
    rows: int
    load_s: float
    db: dict[str, tuple[Timing | None, Timing | None]] = field(default_factory=dict)
    http: dict[str, tuple[float, float, int, int]] = field(default_factory=dict)
    rss_mb: float = 0.0
    hwm_mb: float = 0.0


def n_rows(size: Size) -> str:
    return f"{size.rows:,} rows:"


def timed(engine: Any, call: Callable[[Session], object]) -> Timing:
    with Session(engine) as session:
        call(session)  # warm the connection and the page cache
    runs: list[float] = []
    counts: list[float] = []
    while len(runs) < RUNS and (len(runs) < 2 or sum(runs) < BUDGET_S * 1000):
        _counted.clear()
        with Session(engine) as session:
            began = time.perf_counter()
            call(session)
            runs.append((time.perf_counter() - began) * 1000)
        counts.append(sum(_counted))
    return Timing(statistics.median(runs), statistics.median(counts) if _counted else None)


def reverse(sort: str) -> str:
    return ",".join(p[1:] if p.startswith("-") else f"-{p}" for p in sort.split(","))


def deep_cursor(engine: Any, lister: Lister, sort: str) -> str | None:
    """A cursor whose page starts DEEP_STEP rows before the end of the list (or mid-list)."""
    with Session(engine) as session:
        _, first = lister(session=session, sort=sort, limit=1, cursor=None)
        step = min(DEEP_STEP, first.total // 2)
        if step < 1:
            return None
        # The last row of the first page in reverse order sits `step` rows from the end; its
        # sort key, re-encoded for the forward sort, is a cursor the API itself would issue.
        _, back = lister(session=session, sort=reverse(sort), limit=step, cursor=None)
    if back.next_cursor is None:
        return None
    raw = back.next_cursor + "=" * (-len(back.next_cursor) % 4)
    return paging.encode_cursor(sort, orjson.loads(base64.urlsafe_b64decode(raw))["k"])


def cases(p: dict[str, str]) -> dict[str, tuple[Lister, str]]:
    sig: dict[str, Any] = {"agreement": [], "program": [], "country": [], "agency": []}
    sig |= {"status": [], "as_of": None, "include_undated": False}
    ev: dict[str, Any] = {"kind": [], "entity": [], "start": None, "end": None}
    cit: dict[str, Any] = {"source": [], "attribution": [], "q": None}

    def s(sort: str = "id", **f: Any) -> tuple[Lister, str]:
        return partial(agreements.list_signatories, **{**sig, **f}), sort

    def e(sort: str = "date", **f: Any) -> tuple[Lister, str]:
        return partial(events.list_events, **{**ev, **f}), sort

    def c(sort: str = "id", **f: Any) -> tuple[Lister, str]:
        return partial(sources.list_citations, **{**cit, **f}), sort

    return {
        "signatories": s(),
        "signatories sort=-date": s("-date"),
        "signatories sort=status": s("status"),
        "signatories sort=agreement": s("agreement"),
        "signatories agreement=common": s(agreement=[p["common_agreement"]]),
        "signatories agreement=rare sort=date": s("date", agreement=[p["rare_agreement"]]),
        "signatories program=common": s(program=[p["common_program"]]),
        "signatories program=rare": s(program=[p["rare_program"]]),
        "signatories country=common sort=date": s("date", country=[p["common_country"]]),
        "signatories country=rare": s(country=[p["rare_country"]]),
        "signatories agency=common": s(agency=[p["common_agency"]]),
        "signatories agency=rare sort=date": s("date", agency=[p["rare_agency"]]),
        "signatories status=signed (80%)": s(status=["signed"]),
        "signatories status=counterparty (1%) sort=date": s("date", status=["counterparty"]),
        "signatories as_of=2000-01-01": s(as_of=dt.date(2000, 1, 1)),
        "signatories as_of+include_undated": s(as_of=dt.date(2000, 1, 1), include_undated=True),
        "events": e(),
        "events sort=id": e("id"),
        "events sort=kind": e("kind"),
        "events kind=announcement (40%)": e(kind=["announcement"]),
        "events kind=restriction_in_force (1%)": e(kind=["restriction_in_force"]),
        "events entity=common (program)": e(entity=[p["common_program"]]),
        "events entity=rare (country)": e(entity=[p["rare_country"]]),
        "events from=2025 to=2025": e(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)),
        "events from=2029": e(start=dt.date(2029, 1, 1)),
        "events to=1970": e(end=dt.date(1970, 12, 31)),
        "citations": c(),
        "citations sort=start": c("start"),
        "citations sort=source": c("source"),
        "citations source=common": c(source=[p["common_source"]]),
        "citations source=rare sort=-start": c("-start", source=[p["rare_source"]]),
        "citations attribution=common": c(attribution=[p["common_attribution"]]),
        "citations attribution=rare": c(attribution=[p["rare_attribution"]]),
        "citations q=substring (no index can serve)": c(q="research station"),
    }


def page(lister: Lister, sort: str, cursor: str | None) -> Callable[[Session], object]:
    return lambda s: lister(session=s, sort=sort, limit=LIMIT, cursor=cursor)


def _search(q: str, session: Session) -> object:
    return search.search(session=session, q=q, limit=20)


def _search_count(q: str, session: Session) -> object:
    return search.count(session=session, q=q)


def measure_db(size: Size, url: str, picks: dict[str, str]) -> dict[str, str]:
    """Database times into size.db; returns a deep cursor per case, for the HTTP part."""
    engine = make_engine(url)
    deep: dict[str, str] = {}
    for name, (lister, sort) in cases(picks).items():
        first = timed(engine, page(lister, sort, None))
        cursor = deep_cursor(engine, lister, sort)
        later = None
        if cursor is not None:
            deep[name] = cursor
            later = timed(engine, page(lister, sort, cursor))
        size.db[name] = (first, later)
        print(f"  {n_rows(size)} db {name}: {first.ms:.2f} ms", file=sys.stderr)
    for word in ("rare_word", "common_word"):
        q = picks[word]
        top = timed(engine, partial(_search, q))
        total = timed(engine, partial(_search_count, q))
        size.db[f"search top-20 q={q} | its count"] = (top, total)
    reads: dict[str, Callable[[Session], object]] = {
        "signatory": lambda s: agreements.read_signatory(
            session=s, signatory_id=picks["signatory"]
        ),
        "event": lambda s: events.read_event(session=s, event_id=picks["event"]),
        "citation": lambda s: sources.read_citation(session=s, citation_id=picks["citation"]),
    }
    for kind, read in reads.items():
        size.db[f"read one {kind}"] = (timed(engine, read), None)
    engine.dispose()
    return deep


def measure_http(size: Size, url: str, picks: dict[str, str], deep: dict[str, str]) -> None:
    port = free_port()
    env = {
        "SPACEFACTS_DATABASE_URL": url,
        "SPACEFACTS_RATE_LIMIT": "1000000000",
        "SPACEFACTS_RESPONSE_CACHE_ENTRIES": "0",
    }
    server = start(
        [sys.executable, "-m", "app", "serve", "--port", str(port)], env, port, "/healthz"
    )
    paths = {
        "filtered page: signatories?status=counterparty&sort=date": (
            "/v1/signatories?status=counterparty&sort=date"
        ),
        "filtered page: events?entity=<rare country>": f"/v1/events?entity={picks['rare_country']}",
        "filtered page: citations?source=<rare>": f"/v1/citations?source={picks['rare_source']}",
        "deep page: signatories?status=signed cursor": "/v1/signatories?status=signed&cursor="
        + deep.get("signatories status=signed (80%)", ""),
        "entity: /v1/signatories/<id>": f"/v1/signatories/{picks['signatory']}",
        "search: q=<rare word>": f"/v1/search?q={picks['rare_word']}",
        "search: q=lunar (common)": "/v1/search?q=lunar",
    }
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for name, path in paths.items():
                for _ in range(5):
                    client.get(path)
                latencies: list[float] = []
                failed = 0
                deadline = time.perf_counter() + BUDGET_S * 2
                while len(latencies) < REQUESTS and (
                    len(latencies) < 2 or time.perf_counter() < deadline
                ):
                    began = time.perf_counter()
                    failed += client.get(path).status_code != 200
                    latencies.append((time.perf_counter() - began) * 1000)
                cuts = statistics.quantiles(latencies, n=100, method="inclusive")
                size.http[name] = (cuts[49], cuts[98], len(latencies), failed)
                print(f"  {n_rows(size)} http {name}: {cuts[49]:.2f} ms", file=sys.stderr)
        status = Path(f"/proc/{server.pid}/status").read_text()
        mem = {k: v for k, _, v in (line.partition(":") for line in status.splitlines())}
        size.rss_mb = int(mem["VmRSS"].split()[0]) / 1024
        size.hwm_mb = int(mem["VmHWM"].split()[0]) / 1024
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_size(n: int) -> Size:
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-scale-"))
    try:
        url = f"sqlite:///{tmp / 'scale.db'}"
        env = {**os.environ, "SPACEFACTS_DATABASE_URL": url}
        for args in (["db", "upgrade"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "app", *args],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        began = time.perf_counter()
        picks = populate(tmp / "scale.db", n)
        size = Size(n, time.perf_counter() - began)
        mib = (tmp / "scale.db").stat().st_size / 2**20
        print(f"{n:,} rows: generated in {size.load_s:.1f}s, {mib:,.0f} MiB", file=sys.stderr)
        deep = measure_db(size, url, picks)
        measure_http(size, url, picks, deep)
        return size
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ms(t: Timing | None) -> str:
    return f"{t.ms:9.2f}" if t else f"{'-':>9}"


def count_ms(t: Timing | None) -> str:
    return f"{t.count_ms:7.2f}" if t and t.count_ms is not None else f"{'-':>7}"


def report(size: Size) -> None:
    print(f"\n== {size.rows:,} rows per big collection (signatories, events, citations) ==")
    print(
        f"generated in {size.load_s:.1f}s; SQLite; median of {RUNS} runs (at least 2, fewer once "
        f"{BUDGET_S:g}s are spent); limit {LIMIT}; count: the COUNT inside the call, - if none"
    )
    print(f"{'database time, ms':58} {'first':>9} {'count':>7} {'deep':>9} {'count':>7}")
    for name, (first, later) in size.db.items():
        print(f"{name:58} {ms(first)} {count_ms(first)} {ms(later)} {count_ms(later)}")
    title = "HTTP, sequential requests, response cache off"
    print(f"\n{title:58} {'p50 ms':>9} {'p99 ms':>9} {'requests':>8} {'non-200':>7}")
    for name, (p50, p99, made, failed) in size.http.items():
        print(f"{name:58} {p50:9.2f} {p99:9.2f} {made:8d} {failed:7d}")
    print(f"server RSS {size.rss_mb:.1f} MB (peak VmHWM {size.hwm_mb:.1f} MB), one worker")


def filtered(name: str) -> bool:
    """A list case with a filter (not only a sort)."""
    words = name.split()
    return words[0] in ("signatories", "events", "citations") and any(
        "=" in w and not w.startswith("sort=") for w in words
    )


def summary(sizes: list[Size]) -> None:
    small, big = sizes[0], sizes[-1]
    at = f"at {big.rows:,} rows" + ("" if big.rows >= 1_000_000 else " (the goal is set at 1M)")
    print(f"\n== summary, {at} ==")
    slow = [
        f"{name} [{which}] {t.ms:.2f} ms"
        for name, pair in big.db.items()
        if not name.startswith(("search", "read one"))
        for which, t in zip(("first", "deep"), pair, strict=True)
        if t is not None and t.ms >= 2
    ]
    pages = sum(
        t is not None for n, p in big.db.items() if not n.startswith(("search", "read")) for t in p
    )
    print(
        f"filters and cursor pages under 2 ms of database time: {pages - len(slow)}/{pages}"
        + (" MET" if not slow else " MISSED by:")
    )
    for line in slow:
        print(f"    {line}")
    tops = {n: p[0].ms for n, p in big.db.items() if n.startswith("search") and p[0]}
    worst = max(tops.values())
    print(
        f"search top-20 under 30 ms: worst {worst:.2f} ms {'MET' if worst < 30 else 'MISSED'}"
        + "".join(f"\n    {n.split(' |')[0]}: {v:.2f} ms" for n, v in tops.items())
    )
    if big is not small:
        ratios = {
            n: big.http[n][0] / small.http[n][0]
            for n in big.http
            if n.startswith(("filtered", "deep"))
        }
        worst_ratio = max(ratios.values())
        print(
            f"HTTP p50 of filtered pages, {big.rows:,} vs {small.rows:,} rows, within 2x: worst "
            f"{worst_ratio:.2f}x {'MET' if worst_ratio <= 2 else 'MISSED'}"
        )
        for n, r in ratios.items():
            print(f"    {n}: {small.http[n][0]:.2f} -> {big.http[n][0]:.2f} ms ({r:.2f}x)")
        db_ratios = {
            n: big_first.ms / small_first.ms
            for n in big.db
            if filtered(n)
            and (big_first := big.db[n][0]) is not None
            and (small_first := small.db[n][0]) is not None
        }
        name = max(db_ratios, key=lambda n: db_ratios[n])
        print(
            f"database time of filtered first pages, {big.rows:,} vs {small.rows:,}: worst "
            f"{db_ratios[name]:.1f}x ({name}); median {statistics.median(db_ratios.values()):.1f}x"
        )
    print(
        f"RSS per worker under 200 MB: {big.rss_mb:.1f} MB (peak {big.hwm_mb:.1f}) "
        f"{'MET' if big.hwm_mb < 200 else 'MISSED'}"
    )


def main() -> None:
    began = time.perf_counter()
    sizes = []
    for n in SIZES:
        size = run_size(n)
        report(size)
        sizes.append(size)
        sys.stdout.flush()
    summary(sizes)
    print(f"\nbench-scale took {time.perf_counter() - began:.0f}s")


if __name__ == "__main__":
    main()
