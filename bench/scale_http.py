"""The HTTP half of `make bench-scale` (bench/scale.py): the paths asked of the API and of
Datasette, and sequential timing of each."""

import statistics
import sys
import time

import httpx

from bench.scale_report import BUDGET_S, REQUESTS

__all__ = ["HttpTiming", "http_paths", "peer_paths", "time_paths"]

HttpTiming = tuple[float, float, int, int]  # p50 ms, p99 ms, requests, non-200 answers


def http_paths(picks: dict[str, str], deep: dict[str, str]) -> dict[str, str]:
    return {
        "filtered page: signatories?status=counterparty&sort=date": (
            "/v1/signatories?status=counterparty&sort=date"
        ),
        "filtered page: events?entity=<rare country>": f"/v1/events?entity={picks['rare_country']}",
        "filtered page: citations?source=<rare>": f"/v1/citations?source={picks['rare_source']}",
        "filtered page: events?from=2025&to=2025": "/v1/events?from=2025&to=2025",
        "filtered page: citations?q=Roscosmos": "/v1/citations?q=Roscosmos",
        "deep page: signatories?status=signed cursor": "/v1/signatories?status=signed&cursor="
        + deep.get("signatories status=signed (80%)", ""),
        "entity: /v1/signatories/<id>": f"/v1/signatories/{picks['signatory']}",
        "search: q=<rare word>": f"/v1/search?q={picks['rare_word']}",
        "search: q=lunar (common)": "/v1/search?q=lunar",
        "search: q=moon (common in citations)": f"/v1/search?q={picks['citation_word']}",
        "first page: citations": "/v1/citations",
    }


def peer_paths(picks: dict[str, str], db: str) -> dict[str, str]:
    """What a Datasette user asks for the same rows (bench/peer.py), by the API path's name;
    pages of 50 as the API's, sorted as the API sorts them."""
    return {
        "filtered page: signatories?status=counterparty&sort=date": (
            f"/{db}/signatory.json?status=counterparty&_sort=date_sort&_size=50"
        ),
        "filtered page: citations?source=<rare>": (
            f"/{db}/citation.json?source_id={picks['rare_source']}&_size=50"
        ),
        "entity: /v1/signatories/<id>": f"/{db}/signatory/{picks['signatory']}.json",
        "search: q=<rare word>": (
            f"/{db}/search_document.json?_search={picks['rare_word']}&_size=20"
        ),
        "search: q=lunar (common)": f"/{db}/search_document.json?_search=lunar&_size=20",
        "first page: citations": f"/{db}/citation.json?_size=50",
    }


def time_paths(base: str, paths: dict[str, str], label: str) -> dict[str, HttpTiming]:
    """Sequential requests per path (after five to warm up): p50, p99, requests, non-200s."""
    out: dict[str, HttpTiming] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
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
            out[name] = (cuts[49], cuts[98], len(latencies), failed)
            print(f"  {label} http {name}: {cuts[49]:.2f} ms", file=sys.stderr)
    return out
