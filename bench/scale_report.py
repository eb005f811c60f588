"""The tables `make bench-scale` prints (bench/scale.py measures)."""

import os
import statistics
from typing import TYPE_CHECKING

from app.services.dataset import TOTAL_LIMIT
from bench.scale_load import report_load

if TYPE_CHECKING:
    from bench.scale import Size, Timing
    from bench.scale_writes import Change, FullRebuild

SIZES = [int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "10,10000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "7"))
WRITE_RUNS_NOTE = (
    f"at least 3 and at most {RUNS} runs (fewer past the budget), alternating two values"
)
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "300"))
# A slow query stops being repeated after this many seconds (at least 2 runs or requests), so a
# query that takes seconds at 1M rows costs the run seconds, not minutes.
BUDGET_S = float(os.environ.get("BENCH_SCALE_BUDGET_SECONDS", "4"))
WRITE_GOAL_MS = 50.0  # a one-entity change at 1M rows, the rebuild of what it reaches included
LIMIT = 50  # the API's default page size
COUNT_GOAL_MS = 5
RANGE_GOAL_MS = 5  # events by overlap with a date range
SUBSTRING_GOAL_MS = 10  # citations?q=
SEARCH_GOAL_MS = 30  # search top-20
DEEP_STEP = 200  # the deep page starts this many rows before the end of the filtered list


def ms(t: "Timing | None") -> str:
    return f"{t.ms:9.2f}" if t else f"{'-':>9}"


def count_ms(t: "Timing | None") -> str:
    return f"{t.count_ms:7.2f}" if t and t.count_ms is not None else f"{'-':>7}"


def page_ms(t: "Timing | None") -> str:
    return f"{t.page_ms:7.2f}" if t else f"{'-':>7}"


def report(size: "Size") -> None:
    print(
        f"\n== {size.engine}, {size.rows:,} rows per big collection"
        " (signatories, events, citations) =="
    )
    print(
        f"generated in {size.load_s:.1f}s; {size.engine}; median of {RUNS} runs (at least 2, "
        f"fewer once {BUDGET_S:g}s are spent); limit {LIMIT}; count: the COUNT inside the call "
        f"(- if none), up to {TOTAL_LIMIT:,} rows and made once per dataset version; "
        "page: the call without it"
    )
    print(
        f"{'database time, ms':50} {'first':>9} {'count':>7} {'page':>7}"
        f" {'deep':>9} {'count':>7} {'page':>7}"
    )
    for name, (first, later) in size.db.items():
        cells = f"{ms(first)} {count_ms(first)} {page_ms(first)}"
        print(f"{name:50} {cells} {ms(later)} {count_ms(later)} {page_ms(later)}")
    title = "HTTP, sequential requests, response cache off"  # counts stay cached per version
    print(f"\n{title:58} {'p50 ms':>9} {'p99 ms':>9} {'requests':>8} {'non-200':>7}")
    for name, (p50, p99, made, failed) in size.http.items():
        print(f"{name:58} {p50:9.2f} {p99:9.2f} {made:8d} {failed:7d}")
    print(f"server RSS {size.rss_mb:.1f} MB (peak VmHWM {size.hwm_mb:.1f} MB), one worker")
    if size.peer:
        title = "Datasette, the same file, the same requests (bench/peer.py)"
        print(f"\n{title:58} {'p50 ms':>9} {'p99 ms':>9} {'non-200':>8} {'API x':>7}")
        for name, (p50, p99, _, failed) in size.peer.items():
            # How many times faster the API answered (p50 against p50), when both answered.
            api, bad = size.http[name][0], failed or size.http[name][3]
            ratio = "-" if bad else f"{p50 / api:.1f}"
            print(f"{name:58} {p50:9.2f} {p99:9.2f} {failed:8d} {ratio:>7}")
    if size.load:
        report_load(size.load, size.peer_load)
    if size.rebuild is not None:
        print()
        print(rebuild_line(size.rebuild))
        print_changes(size.changes)


def rebuild_line(r: "FullRebuild") -> str:
    line = "full rebuild of every document (spacefacts rebuild: rebuild_all, one transaction): "
    done = (
        f"{r.built:,} documents built, {r.written:,} document and search rows written, "
        f"{r.dependencies:,} dependency rows"
    )
    if r.error is None:
        return line + f"{r.seconds:.1f} s; {done}"
    return (
        line
        + f"FAILED after {r.seconds:.1f} s: {r.error}\n"
        + f"  rebuilt a batch at a time instead, in {r.fallback_seconds or 0:.1f} s; {done}; "
        + f"{len(r.failed)} document(s) could not be built:"
        + "".join(f"\n    {f}" for f in r.failed)
        + "\n  (they keep their old body and dependency rows: a change reaches them only where"
        + " those old rows say so, and then fails)"
    )


def print_changes(changes: dict[str, "Change"]) -> None:
    title = "one-entity change: read rows, write_entities, commit"
    print(
        f"{title:55} {'ms':>9} {'rebuild':>9} {'rebuilt':>8} {'patched':>8} {'docs':>6}"
        f" {'search':>6}"
        f" {'revs':>4} {'runs':>4}"
    )
    for name, c in changes.items():
        if c.error is not None:
            print(f"{name:55} FAILED after {c.ms:.0f} ms (run {c.runs}): {c.error}")
            continue
        print(
            f"{name:55} {c.ms:9.2f} {c.rebuild_ms:9.2f} {c.built:8,} {c.patched:8,}"
            f" {c.documents:6,}"
            f" {c.search:6,} {c.revisions:4} {c.runs:4}"
        )
    print(
        f"median of {WRITE_RUNS_NOTE}; ms: the whole transaction; rebuild: its part in rebuild; "
        "rebuilt: documents the change reached, built again; patched: documents whose "
        "references to a renamed row were swapped in place; docs, search: rows of "
        "entity_document and search_document written"
    )


def filtered(name: str) -> bool:
    """A list case with a filter (not only a sort)."""
    words = name.split()
    return words[0] in ("signatories", "events", "citations") and any(
        "=" in w and not w.startswith("sort=") for w in words
    )


def goal_ms(name: str) -> float | None:
    """Issue 15's goal for a case's page (the call once its count is known), where it sets one;
    "count" for a count's."""
    if name == "count":
        return COUNT_GOAL_MS
    if name.startswith("search"):
        return SEARCH_GOAL_MS
    if name.startswith("events") and ("from=" in name or "to=" in name):
        return RANGE_GOAL_MS
    if name.startswith("citations q="):
        return SUBSTRING_GOAL_MS
    return None


def missed(name: str, t: "Timing") -> bool:
    """Whether `t` misses a goal of issue 15: its count's, or its page's."""
    if t.count_ms is not None and t.count_ms >= COUNT_GOAL_MS:
        return True
    goal = goal_ms(name)
    return goal is not None and t.page_ms >= goal


def goals(size: "Size") -> None:
    """Each case issue 15 sets a goal for, met or missed; a miss with its breakdown."""
    print(
        f"issue 15's goals (pages: the call once its count is known; counts: {COUNT_GOAL_MS} ms):"
    )
    for name, pair in size.db.items():
        slots = ("top-20", "count") if name.startswith("search") else ("first", "deep")
        for which, t in zip(slots, pair, strict=True):
            goal = goal_ms("count" if which == "count" else name)
            if t is None or (goal is None and t.count_ms is None):
                continue
            verdict = "MISSED" if missed("count" if which == "count" else name, t) else "MET"
            figures = f"page {t.page_ms:.2f} ms" + (f" (goal {goal:g})" if goal else "")
            if t.count_ms is not None:
                figures += f", count {t.count_ms:.2f} ms"
            if goal is not None or verdict == "MISSED":
                print(f"    {verdict:6} {name} [{which}]: {figures}")
            cause = size.causes.get(f"{name} [{which}]")
            if verdict == "MISSED" and cause:
                print(f"           where the time goes: {cause}")


def summary(sizes: list["Size"]) -> None:
    small, big = sizes[0], sizes[-1]
    at = f"at {big.rows:,} rows" + ("" if big.rows >= 1_000_000 else " (the goal is set at 1M)")
    print(f"\n== summary, {big.engine}, {at} ==")
    if big.db:  # the reads were measured (not BENCH_SCALE_WRITES_ONLY)
        slow = [
            f"{name} [{which}] {t.page_ms:.2f} ms"
            for name, pair in big.db.items()
            if not name.startswith(("search", "read one"))
            for which, t in zip(("first", "deep"), pair, strict=True)
            if t is not None and t.page_ms >= 2
        ]
        counts = [
            f"{name} {first.count_ms:.2f} ms"
            for name, (first, _) in big.db.items()
            if not name.startswith(("search", "read one"))
            and first is not None
            and first.count_ms is not None
            and first.count_ms >= COUNT_GOAL_MS
        ]
        pages = sum(
            t is not None
            for n, p in big.db.items()
            if not n.startswith(("search", "read"))
            for t in p
        )
        print(
            f"filters and cursor pages under 2 ms of database time: {pages - len(slow)}/{pages}"
            + (" MET" if not slow else " MISSED by:")
        )
        for line in slow:
            print(f"    {line}")
        print(
            f"COUNTs (up to {TOTAL_LIMIT:,} rows) over the {COUNT_GOAL_MS} ms goal: {len(counts)}"
            + (" MET" if not counts else " MISSED by:")
        )
        for line in counts:
            print(f"    {line}")
        goals(big)
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
                f"HTTP p50 of filtered pages, {big.rows:,} vs {small.rows:,} rows, within 2x: "
                f"worst {worst_ratio:.2f}x {'MET' if worst_ratio <= 2 else 'MISSED'}"
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
                f"{db_ratios[name]:.1f}x ({name}); "
                f"median {statistics.median(db_ratios.values()):.1f}x"
            )
        print(
            f"RSS per worker under 200 MB: {big.rss_mb:.1f} MB (peak {big.hwm_mb:.1f}) "
            f"{'MET' if big.hwm_mb < 200 else 'MISSED'}"
        )
    if big.rebuild is None:
        return
    print("full rebuild of every document, by size:")
    for size in sizes:
        full = size.rebuild
        if full is not None:
            took = f"{full.seconds:.1f} s" if full.error is None else f"FAILED ({full.error})"
            print(f"    {size.rows:,} rows: {took}, {full.built:,} documents")
    print(
        f"one-entity changes under {WRITE_GOAL_MS:g} ms, the rebuild of what they reach included:"
    )
    for size in sizes:
        for name, c in size.changes.items():
            if c.error is not None:
                verdict = f"FAILED: {c.error}"
            else:
                met = "MET" if c.ms < WRITE_GOAL_MS else "MISSED"
                verdict = (
                    f"{c.ms:.2f} ms, {c.built:,} documents rebuilt, {c.patched:,} patched {met}"
                )
            print(f"    {size.rows:,} rows, {name}: {verdict}")
