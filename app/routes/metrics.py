"""GET /metrics: the process's (or every worker's) metrics, for Prometheus to scrape.

Left out of the OpenAPI document: it is for operators' scrapers, not the API's clients.
"""

import anyio.to_thread
from fastapi import Request
from starlette.responses import Response

from app.metrics.collect import CONTENT_TYPE, AppMetrics
from app.routes.router import Router
from app.services.dataset import VersionWatcher

__all__ = ["router"]

router = Router(include_in_schema=False)


@router.get("/metrics")
async def read_metrics(request: Request) -> Response:
    """Prometheus's text format; the dataset version as the response cache knows it."""
    metrics: AppMetrics = request.app.state.metrics
    versions: VersionWatcher = request.app.state.versions
    info = versions.cached()
    if info is None:  # stale: re-read (a query at most once per version_ttl), off the loop
        info = await anyio.to_thread.run_sync(versions.current)
    metrics.dataset_version.set(info.version)
    # Several workers' files are read and summed: file work, kept off the event loop.
    body = await anyio.to_thread.run_sync(metrics.render)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
