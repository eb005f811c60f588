"""Counts and times every HTTP request by its route template, never by its raw path.

The template is resolved here, from the path, rather than read from the scope the router
fills in: layers inside this one hand the app copies of the scope (the response cache, for
HEAD and for the dataset version it passes on), and a cache hit never reaches the router at
all. Resolving costs a walk over the routes' patterns once per distinct (method, path); a
bounded memo answers the rest, which is all a cache hit pays.
"""

import functools
import time
from collections.abc import Callable, Sequence

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics.collect import UNMATCHED, AppMetrics

__all__ = ["MAX_PATHS", "MetricsMiddleware", "RouteTemplates"]

# Paths whose template is kept. Its own bound: tied to the response cache's, a server with that
# cache off re-matched every route for every request (2.6% of a miss's time).
MAX_PATHS = 4096


class RouteTemplates:
    """(method, path) -> the path template of the route the router would choose for it."""

    def __init__(self, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self._routes = routes
        self._table: list[tuple[Callable[[Scope], tuple[Match, Scope]], str | None]] | None = None
        # Paths carry ids, so they are many: least recently used first out.
        self.resolve = functools.lru_cache(maxsize=MAX_PATHS)(self._match)

    def _match(self, method: str, path: str, root_path: str) -> str:
        if self._table is None:  # read at the first request: every route is included by then
            # Each route's own `matches`, looked up once: through the context it is slower.
            self._table = [
                (context.matches, context.path_format)
                for context in iter_route_contexts(self._routes())
            ]
        # HEAD is served wherever GET is (app/middleware/http_cache.py).
        probe: Scope = {
            "type": "http",
            "method": "GET" if method == "HEAD" else method,
            "path": path,
            "root_path": root_path,
            "headers": [],
        }
        partial: str | None = None
        # As the router chooses: the first full match, else the first whose method differs.
        for matches, template in self._table:
            match, _ = matches(probe)
            if match is Match.FULL:
                return template or UNMATCHED
            if match is Match.PARTIAL and partial is None:
                partial = template
        return partial or UNMATCHED


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: AppMetrics, templates: RouteTemplates) -> None:
        self.app = app
        self.metrics = metrics
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        in_flight = self.metrics.in_flight
        in_flight.inc()
        try:
            await self.app(scope, receive, observe)
        finally:
            in_flight.dec()
            method = scope["method"]
            route = self.templates.resolve(method, scope["path"], scope.get("root_path", ""))
            self.metrics.observe(
                route=route, method=method, status=status, seconds=time.perf_counter() - began
            )
