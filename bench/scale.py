"""`make bench-scale`: database time and HTTP latency at 10, 10k and 1M rows per big collection.

For each size (BENCH_SCALE_SIZES, default "10,10000,1000000") it migrates and seeds a fresh
SQLite database, adds that many synthetic signatories, events and citations (bench/scale_data),
then times every filter the three list endpoints offer by calling the real service functions:
the first page and a page near the end reached through a cursor (median of BENCH_SCALE_RUNS
runs, the COUNT the service makes shown apart), full-text search top-20, and entity reads. It
then serves the database with the response cache off and times sequential HTTP requests, and
reads the server's resident memory. Last, the write path: a full rebuild of every document
(`rebuild_all` in one committed transaction; the synthetic documents are template copies with no
dependency rows until then), and one-entity changes through `write_entities`, each in its own
transaction (read the rows, write, commit; median of runs alternating two values), with the
documents each one rebuilt. Each engine of BENCH_SCALE_ENGINES (default both) is measured on the
same rows: PostgreSQL on a copy of the SQLite file in a throwaway cluster (bench/scale_postgres).
It prints numbers; it asserts nothing.
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
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Select, make_url

from app.config import Settings
from app.db import make_engine, read_connection
from app.resources.citations.queries import CitationFilters
from app.resources.events.models import EventKind
from app.resources.events.queries import EventFilters
from app.resources.registry import BY_TYPE
from app.resources.signatories.models import SignatoryStatus
from app.resources.signatories.queries import SignatoryFilters
from app.services import paging, search
from app.services.dataset import TOTAL_LIMIT, Serving, Total
from app.services.listing import list_documents, read_one
from bench.bench import ROOT, Result, free_port, start
from bench.peer import start_datasette
from bench.scale_data import populate
from bench.scale_explain import breakdown
from bench.scale_http import HttpTiming, http_paths, peer_paths, time_paths
from bench.scale_load import LOAD, load_paths
from bench.scale_postgres import copy_database, drop_database, postgres_server
from bench.scale_report import BUDGET_S, DEEP_STEP, LIMIT, RUNS, SIZES, missed, report, summary
from bench.scale_writes import Change, FullRebuild, measure_writes

Lister = Callable[..., tuple[list[bytes], paging.PageResult]]
# BENCH_SCALE_ENGINES: the engines measured, each on the same rows (default both).
ENGINES = os.environ.get("BENCH_SCALE_ENGINES", "sqlite,postgresql").split(",")
# BENCH_SCALE_WRITES_ONLY=1: only the full rebuild and the one-entity changes (a 1M run then
# takes about half an hour instead of more than an hour on two cores).
WRITES_ONLY = os.environ.get("BENCH_SCALE_WRITES_ONLY") == "1"
# BENCH_SCALE_READS_ONLY=1: no rebuild or one-entity changes (at 1M the full rebuild alone runs
# about 40 minutes per engine on two cores).
READS_ONLY = os.environ.get("BENCH_SCALE_READS_ONLY") == "1"
# BENCH_SCALE_KEEP=1: leave each size's SQLite file and PostgreSQL database behind (their paths
# are printed), to measure one query again at 1M without making the rows again.
KEEP = os.environ.get("BENCH_SCALE_KEEP") == "1"
_counted: list[float] = []
_count = paging.count


def _timed_count(*, connection: Connection, query: Select[Any], serving: Serving | None) -> Total:
    began = time.perf_counter()
    try:
        return _count(connection=connection, query=query, serving=serving)
    finally:
        _counted.append((time.perf_counter() - began) * 1000)


paging.count = _timed_count  # keyset_page looks count up at call time: its share is measured


@dataclass
class Timing:
    ms: float  # the whole service call: count, page query and document fetch
    count_ms: float | None  # the part of it spent in the COUNT

    @property
    def page_ms(self) -> float:
        """The call once its COUNT is known: the API counts once per dataset version."""
        return self.ms - (self.count_ms or 0.0)


@dataclass
class Size:
    rows: int
    load_s: float
    engine: str = "sqlite"
    db: dict[str, tuple[Timing | None, Timing | None]] = field(default_factory=dict)
    http: dict[str, HttpTiming] = field(default_factory=dict)
    peer: dict[str, HttpTiming] = field(default_factory=dict)  # Datasette, on SQLite
    load: dict[str, Result] = field(default_factory=dict)  # at the largest size
    peer_load: dict[str, Result] = field(default_factory=dict)
    rss_mb: float = 0.0
    hwm_mb: float = 0.0
    rebuild: FullRebuild | None = None
    changes: dict[str, Change] = field(default_factory=dict)
    causes: dict[str, str] = field(default_factory=dict)  # a missed goal's breakdown


def n_rows(size: Size) -> str:
    return f"{size.engine} {size.rows:,} rows:"


def timed(engine: Any, call: Callable[[Connection], object]) -> Timing:
    with read_connection(engine) as connection:  # as the API reads
        call(connection)  # warm the connection and the page cache
    runs: list[float] = []
    counts: list[float] = []
    while len(runs) < RUNS and (len(runs) < 2 or sum(runs) < BUDGET_S * 1000):
        _counted.clear()
        with read_connection(engine) as connection:
            began = time.perf_counter()
            call(connection)
            runs.append((time.perf_counter() - began) * 1000)
        counts.append(sum(_counted))
    return Timing(statistics.median(runs), statistics.median(counts) if _counted else None)


def reverse(sort: str) -> str:
    return ",".join(p[1:] if p.startswith("-") else f"-{p}" for p in sort.split(","))


def deep_cursor(engine: Any, lister: Lister, sort: str) -> str | None:
    """A cursor whose page starts DEEP_STEP rows before the end of the list (or mid-list)."""
    with read_connection(engine) as connection:
        _, first = lister(connection=connection, sort=sort, limit=1, cursor=None)
        step = min(DEEP_STEP, first.total.value // 2)
        if step < 1:
            return None
        # The last row of the first page in reverse order sits `step` rows from the end; its
        # sort key, re-encoded for the forward sort, is a cursor the API itself would issue.
        _, back = lister(connection=connection, sort=reverse(sort), limit=step, cursor=None)
    if back.next_cursor is None:
        return None
    raw = back.next_cursor + "=" * (-len(back.next_cursor) % 4)
    return paging.encode_cursor(sort, orjson.loads(base64.urlsafe_b64decode(raw))["k"])


def lister(kind: str, filters: object) -> Lister:
    """The service call the list endpoint of `kind` makes, counting as the API does: up to
    TOTAL_LIMIT rows, afresh each call (as at each new dataset version)."""
    resource = BY_TYPE[kind]

    def call(**kwargs: Any) -> tuple[list[bytes], paging.PageResult]:
        serving = Serving(0, {}, TOTAL_LIMIT)
        return list_documents(
            resource=resource, filters=filters, stated_only=False, serving=serving, **kwargs
        )

    return call


def cases(p: dict[str, str]) -> dict[str, tuple[Lister, str]]:
    def s(sort: str = "id", **f: Any) -> tuple[Lister, str]:
        return lister("signatory", SignatoryFilters(**f)), sort

    def e(sort: str = "date", **f: Any) -> tuple[Lister, str]:
        return lister("event", EventFilters(**f)), sort

    def c(sort: str = "id", **f: Any) -> tuple[Lister, str]:
        return lister("citation", CitationFilters(**f)), sort

    signed, counterparty = [SignatoryStatus.signed], [SignatoryStatus.counterparty]

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
        "signatories status=signed (80%)": s(status=signed),
        "signatories status=counterparty (1%) sort=date": s("date", status=counterparty),
        "signatories as_of=2000-01-01": s(as_of=dt.date(2000, 1, 1)),
        "signatories as_of+include_undated": s(as_of=dt.date(2000, 1, 1), include_undated=True),
        "events": e(),
        "events sort=id": e("id"),
        "events sort=kind": e("kind"),
        "events kind=announcement (40%)": e(kind=[EventKind.announcement]),
        "events kind=restriction_in_force (1%)": e(kind=[EventKind.restriction_in_force]),
        "events entity=common (program)": e(entity=[p["common_program"]]),
        "events entity=rare (country)": e(entity=[p["rare_country"]]),
        "events from=2025 to=2025": e(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)),
        "events from=2025 to=2025 sort=-date": e(
            "-date", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        ),
        "events from=2025 to=2025 kind=restriction_in_force (1%)": e(
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
            kind=[EventKind.restriction_in_force],
        ),
        "events from=2029": e(start=dt.date(2029, 1, 1)),
        "events to=1970": e(end=dt.date(1970, 12, 31)),
        "citations": c(),
        "citations sort=start": c("start"),
        "citations sort=source": c("source"),
        "citations source=common": c(source=[p["common_source"]]),
        "citations source=rare sort=-start": c("-start", source=[p["rare_source"]]),
        "citations attribution=common": c(attribution=[p["common_attribution"]]),
        "citations attribution=rare": c(attribution=[p["rare_attribution"]]),
        "citations q=common phrase (43%: read in order)": c(q="research station"),
        "citations q=rare (seed quotes only: trigram index)": c(q="Roscosmos"),
    }


def page(lister: Lister, sort: str, cursor: str | None) -> Callable[[Connection], object]:
    return lambda c: lister(connection=c, sort=sort, limit=LIMIT, cursor=cursor)


def _read_one(kind: str, ident: str, connection: Connection) -> object:
    return read_one(connection=connection, resource=BY_TYPE[kind], ident=ident)


def _search(q: str, types: list[str] | None, probed: Serving, connection: Connection) -> object:
    # As the route reads a first page: served at a version, so counted first (app/services/
    # search.py), with only the table's size known, as it is once per version (`probed`).
    serving = Serving(probed.version, dict(probed.counts), probed.total_limit)
    return search.search(connection=connection, q=q, types=types, limit=20, serving=serving)


def _search_count(q: str, types: list[str] | None, connection: Connection) -> object:
    return search.count(connection=connection, q=q, types=types, limit=TOTAL_LIMIT)


# Words asked of every type, and of one type where they are rare: a word common in quotes
# among events, one common in events among quotes.
SEARCHES: list[tuple[str, list[str] | None]] = [
    ("rare_word", None),
    ("absent_word", None),
    ("common_word", None),
    ("citation_word", None),
    ("citation_word_2", None),
    ("citation_word", ["event"]),
    ("event_word", ["citation"]),
]


def measure_db(size: Size, url: str, picks: dict[str, str]) -> dict[str, str]:
    """Database times into size.db; returns a deep cursor per case, for the HTTP part."""
    # The API's connections (on PostgreSQL: no parallel plans, no JIT, its statement timeout).
    engine = make_engine(url, config=Settings())
    deep: dict[str, str] = {}
    for name, (lister, sort) in cases(picks).items():
        first = timed(engine, page(lister, sort, None))
        cursor = deep_cursor(engine, lister, sort)
        later = None
        if cursor is not None:
            deep[name] = cursor
            later = timed(engine, page(lister, sort, cursor))
        size.db[name] = (first, later)
        for which, t, at in (("first", first, None), ("deep", later, cursor)):
            if t is not None and missed(name, t):
                size.causes[f"{name} [{which}]"] = str(breakdown(engine, page(lister, sort, at)))
        print(f"  {n_rows(size)} db {name}: {first.ms:.2f} ms", file=sys.stderr)
    probed = Serving(0, {}, TOTAL_LIMIT)
    with read_connection(engine) as connection:
        search.small(connection=connection, serving=probed)
    for word, types in SEARCHES:
        q = picks[word]
        top = timed(engine, partial(_search, q, types, probed))
        total = timed(engine, partial(_search_count, q, types))
        typed = f" type={','.join(types)}" if types else ""
        name = f"search top-20 q={q}{typed} | its count"
        size.db[name] = (top, total)
        calls = (
            ("top-20", top, partial(_search, q, types, probed)),
            ("count", total, partial(_search_count, q, types)),
        )
        for which, t, call in calls:
            if missed(name if which == "top-20" else "count", t):
                size.causes[f"{name} [{which}]"] = str(breakdown(engine, call))
    for kind in ("signatory", "event", "citation"):
        read = partial(_read_one, kind, picks[kind])
        size.db[f"read one {kind}"] = (timed(engine, read), None)
    engine.dispose()
    return deep


def measure_http(
    size: Size, url: str, picks: dict[str, str], deep: dict[str, str], *, loaded: bool
) -> None:
    """Sequential requests to the API (and to Datasette on SQLite); under load too if `loaded`."""
    port = free_port()
    env = {
        "SPACEFACTS_DATABASE_URL": url,
        "SPACEFACTS_RATE_LIMIT": "1000000000",
        "SPACEFACTS_RESPONSE_CACHE_ENTRIES": "0",
    }
    server = start(
        [sys.executable, "-m", "app", "serve", "--port", str(port)], env, port, "/healthz"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        paths = http_paths(picks, deep)
        size.http = time_paths(base, paths, n_rows(size))
        if loaded:
            size.load = load_paths(base, paths, n_rows(size))
        status = Path(f"/proc/{server.pid}/status").read_text()
        mem = {k: v for k, _, v in (line.partition(":") for line in status.splitlines())}
        size.rss_mb = int(mem["VmRSS"].split()[0]) / 1024
        size.hwm_mb = int(mem["VmHWM"].split()[0]) / 1024
    finally:
        server.terminate()
        server.wait(timeout=10)
    if size.engine != "sqlite":
        return
    file = Path(str(make_url(url).database))
    port = free_port()
    peer = start_datasette(start=start, db=file, port=port)
    try:
        base = f"http://127.0.0.1:{port}"
        paths = peer_paths(picks, file.stem)
        size.peer = time_paths(base, paths, f"{n_rows(size)} Datasette")
        if loaded:
            size.peer_load = load_paths(base, paths, f"{n_rows(size)} Datasette")
    finally:
        peer.terminate()
        peer.wait(timeout=10)


def run_size(n: int, server: str | None) -> list[Size]:
    """Size n, measured on each engine of ENGINES (PostgreSQL on a copy made on `server`)."""
    tmp = Path(tempfile.mkdtemp(prefix="spacefacts-scale-"))
    try:
        urls = {"sqlite": f"sqlite:///{tmp / 'scale.db'}"}
        env = {**os.environ, "SPACEFACTS_DATABASE_URL": urls["sqlite"]}
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
        load_s = time.perf_counter() - began
        mib = (tmp / "scale.db").stat().st_size / 2**20
        print(f"{n:,} rows: generated in {load_s:.1f}s, {mib:,.0f} MiB", file=sys.stderr)
        if server is not None:  # before the SQLite writes below change the rows
            name = f"spacefacts_scale_{n}"
            urls["postgresql"] = copy_database(
                sqlite_path=tmp / "scale.db", server_url=server, name=name
            )
        sizes = []
        for engine in ENGINES:
            size = Size(n, load_s, engine)
            if not WRITES_ONLY:
                deep = measure_db(size, urls[engine], picks)
                measure_http(size, urls[engine], picks, deep, loaded=LOAD and n == max(SIZES))
            if not READS_ONLY:
                # Last: the full rebuild replaces the template documents the reads were timed on.
                size.rebuild, size.changes = measure_writes(urls[engine], picks, label=n_rows(size))
            report(size)
            sys.stdout.flush()
            sizes.append(size)
        return sizes
    finally:
        if KEEP:
            print(f"{n:,} rows kept: {urls}", file=sys.stderr)
        else:
            if server is not None:
                drop_database(server_url=server, name=f"spacefacts_scale_{n}")
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    began = time.perf_counter()
    sizes: list[Size] = []
    with postgres_server() if "postgresql" in ENGINES else nullcontext(None) as server:
        for n in SIZES:
            sizes += run_size(n, server)
    for engine in ENGINES:
        summary([size for size in sizes if size.engine == engine])
    print(f"\nbench-scale took {time.perf_counter() - began:.0f}s")


if __name__ == "__main__":
    main()
