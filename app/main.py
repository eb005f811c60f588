"""The application factory."""

import gc

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from app import __version__, serving
from app.auth import KeyGate
from app.config import Settings, settings
from app.db import Db, engine, replica_engine
from app.docs_assets import STATIC_URL, inline_script_hashes, serve_redoc_offline
from app.errors import install_error_handlers
from app.metrics.collect import AppMetrics
from app.metrics.middleware import MetricsMiddleware, RouteTemplates
from app.middleware.access_log import AccessLogMiddleware
from app.middleware.cors import CORSMiddleware
from app.middleware.http_cache import HTTPCacheMiddleware
from app.middleware.limits import RequestLimitsMiddleware
from app.middleware.ratelimit import RateLimitMiddleware
from app.middleware.request_id import RequestIdMiddleware
from app.middleware.security_headers import SecurityHeadersMiddleware, content_security_policy
from app.openapi import build_openapi
from app.replica import Routing
from app.resources.registry import RESOURCES
from app.routes import (
    agreements,
    dashboard,
    export,
    feed,
    health,
    metrics,
    root,
    search,
    source_writes,
    sources,
    stream,
)
from app.routes.resources import resource_router
from app.routes.writes import write_router
from app.services.curate import WRITABLE
from app.services.dataset import VersionWatcher
from app.services.readiness import Readiness
from app.services.search_index import prepare_tokenizer
from app.services.stream import StreamHub

DESCRIPTION = """
Facts about international space cooperation — programs, agencies, agreements, signatories,
legal restrictions and events — each carrying **citations to the exact words of its source**:
a W3C Web Annotation quote (`exact`, `prefix`, `suffix`) and its position (`start`, `end`, in
Unicode code points), proved against the stored source text and its SHA-256.

Every collection is paged by an opaque keyset `cursor`, filtered by documented parameters
(comma-separated values mean OR; an unknown parameter is a 400), and sorted by `sort`.
Errors are RFC 9457 `application/problem+json`. Every GET has a strong `ETag` derived from the
dataset version; send `If-None-Match` for a 304.
"""

TAGS = [
    *({"name": r.collection, "description": r.description} for r in RESOURCES),
    {"name": "search", "description": "Full-text search over every entity and quote."},
    {
        "name": "feed",
        "description": "What happened and what changed: JSON Feed, Atom, and a live stream.",
    },
    {
        "name": "export",
        "description": "The whole dataset as JSON (for `spacefacts import`), or one collection "
        "as CSV.",
    },
    {"name": "meta", "description": "Where to go, and what problem types mean."},
    {
        "name": "health",
        "description": "Liveness (`/livez`), readiness (`/readyz`), and the dataset version "
        "served (`/healthz`).",
    },
]

EXPOSED = [
    "ETag",
    "Last-Modified",
    "Link",
    "Location",
    "Preference-Applied",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "WWW-Authenticate",
    "X-Request-ID",
]

# Routes that take no query parameters and do not refuse them (FastAPI's documentation, its
# static files, the dashboard): the response cache keys them by path alone. Every other GET
# route refuses an undeclared parameter; tests/test_cache_bounds.py holds both to it.
QUERY_FREE = (
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
    f"{STATIC_URL}/",
    "/dashboard",
    "/dashboard/",
)


def serve_app() -> FastAPI:
    """The app as `spacefacts serve` runs it: uvicorn calls this factory in each worker."""
    app = create_app()
    # What the first requests would otherwise build while others wait behind them (a fresh
    # worker's first burst had a p99 of 240-490 ms): the OpenAPI document, and with it the
    # route state FastAPI builds on first use (the first request: 130 -> 24 ms), and the
    # search tokenizer's pattern.
    app.openapi()
    prepare_tokenizer()
    # Everything built so far lives as long as the process. Frozen, it is no longer walked by
    # every full garbage collection, which took about 50 ms here and showed up as p99 spikes.
    gc.collect()
    gc.freeze()
    return app


def create_app(
    *, config: Settings | None = None, db: Engine | None = None, replica: Engine | None = None
) -> FastAPI:
    """Build the ASGI app over `config` and `db` (tests build one per database), reading from
    `replica` when given (without `db`: the configured SPACEFACTS_READ_DATABASE_URL's)."""
    config = config or settings
    app = FastAPIOffline(
        title="spacefacts",
        version=__version__,
        summary="Cited facts about international space cooperation.",
        description=DESCRIPTION,
        contact={
            "name": "spacefacts maintainers",
            "url": "https://github.com/spacefacts/spacefacts",
        },
        license_info={"name": "MIT", "identifier": "MIT"},
        openapi_tags=TAGS,
        generate_unique_id_function=lambda route: route.name,
        # Ends live streams with a final event when the server is told to stop.
        lifespan=serving.lifespan,
        telemetry={
            "tracing": config.opentelemetry,
            "metrics": config.opentelemetry,
            "logs": config.opentelemetry,
        },
    )
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    serve_redoc_offline(app)
    install_error_handlers(app)
    app.include_router(root.router)
    app.include_router(health.router)
    for resource in RESOURCES:
        app.include_router(resource_router(resource))
    for resource in WRITABLE:
        app.include_router(write_router(resource))
    app.include_router(source_writes.router)
    # Sub-resources after the resources: their paths are longer than the generic read's.
    for module in (agreements, sources, search, feed, stream, export, dashboard):
        app.include_router(module.router)
    if config.metrics_enabled:
        app.include_router(metrics.router)
    app.state.engine = db or engine  # the primary
    if replica is None and db is None:
        replica = replica_engine
    # Which database each read goes to: decided in one place (app/replica.py).
    app.state.routing = Routing(app.state.engine, replica)
    app.state.db = Db(app.state.routing, wait=config.db_wait, local_threads=config.db_local_threads)
    app.state.config = config
    app.state.stream_hub = StreamHub(
        app.state.engine, poll=config.stream_poll, max_clients=config.stream_max_clients
    )
    versions = VersionWatcher(app.state.routing, ttl=config.version_ttl)
    app.state.versions = versions
    app.state.readiness = Readiness(app.state.engine, timeout=config.readiness_timeout)
    pools = {"primary": app.state.engine}
    if replica is not None:
        pools["replica"] = replica
    app.state.metrics = AppMetrics(engines=pools) if config.metrics_enabled else None
    if app.state.metrics is not None:
        app.state.stream_hub.on_clients = app.state.metrics.stream_clients.set
    front = [
        Middleware(
            CORSMiddleware,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE"],
            expose_headers=EXPOSED,
            max_age=86400,
        ),
        Middleware(
            RequestLimitsMiddleware,
            max_in_flight=config.max_in_flight,
            max_headers=config.max_headers,
        ),
        Middleware(
            HTTPCacheMiddleware,
            versions=versions,
            max_entries=config.response_cache_entries,
            max_bytes=config.response_cache_bytes,
            # Long or unbounded bodies, sent as they are made: never held whole in memory.
            bypass=(
                *("/healthz", "/livez", "/readyz"),
                *("/v1/stream", "/v1/export", "/v1/export.csv"),
                "/metrics",  # made at each scrape, never stored
            ),
            # The documents and static files: the same answer whatever the query string.
            query_free=QUERY_FREE,
            version_wait=config.version_wait,
            cold_wait=config.db_wait,
            total_limit=config.total_limit,
            on_outcome=app.state.metrics.cache_outcome if app.state.metrics else None,
        ),
    ]
    # Key checks and their counters (app/auth.py), shared by the write routes and the limiter.
    app.state.keys = KeyGate(app.state.db, config=config)
    if config.rate_limit_enabled:
        limiter = Middleware(
            RateLimitMiddleware,
            limit=config.rate_limit,
            window=config.rate_limit_window,
            lifted=app.state.keys.lifts_limit,
        )
        front.insert(2, limiter)
    if app.state.metrics is not None:
        templates = RouteTemplates(lambda: app.routes)
        # Just inside the access log and request id: it times and counts every answer,
        # a cache hit and a 429 included.
        front.insert(
            0, Middleware(MetricsMiddleware, metrics=app.state.metrics, templates=templates)
        )
    if config.access_log:
        front.insert(0, Middleware(AccessLogMiddleware, log_format=config.log_format))
    # Outermost: every answer, even one a layer below fails to make, carries the request id.
    front.insert(0, Middleware(RequestIdMiddleware, log_format=config.log_format))
    policy = content_security_policy(script_hashes=inline_script_hashes(app))
    front.insert(1, Middleware(SecurityHeadersMiddleware, policy=policy))
    _put_in_front(app, front)
    return app


def _put_in_front(app: FastAPI, front: list[Middleware]) -> None:
    """Run `front` (outermost first) ahead of FastAPI's own middleware, not inside it.

    `add_middleware` nests user middleware inside FastAPI's error, telemetry and body-limit
    layers, which every cache hit would then pay for. Errors raised behind the cache still
    reach FastAPI's handlers, which sit inside it.
    """
    build_fastapi_stack = app.build_middleware_stack

    def build() -> ASGIApp:
        stack = build_fastapi_stack()
        for cls, args, kwargs in reversed(front):
            stack = cls(stack, *args, **kwargs)
        return stack

    app.build_middleware_stack = build  # type: ignore[method-assign]
