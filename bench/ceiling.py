"""The ceiling of a miss: the API as `spacefacts serve` runs it, asked for a no-op route.

The app `serve_app` builds, with every production layer `make bench` keeps on for the API
(request id, security headers, access log, metrics, CORS, limits, rate limit, the cache layer
with its response cache off), and one route more: `GET /v1/noop`, which takes no parameter and
no dependency, reads nothing, and answers a few bytes of JSON. It is put first in the app's
route list, where finding it costs least, and served with the API's own server settings
(`app.serving.run`). No miss of the API is answered faster than this route: its ratio to
Datasette, shape by shape, bounds what any faster read or service could reach while the API
runs on FastAPI with these layers on. `make bench` prints it beside each miss shape's ratio.

Run as `python -m bench.ceiling PORT` with SPACEFACTS_DATABASE_URL set.
"""

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["NOOP_PATH", "ceiling_app"]

NOOP_PATH = "/v1/noop"
NOOP_BODY = b'{"noop":true}'


def ceiling_app() -> "FastAPI":
    """The app `spacefacts serve` runs, with the no-op route first among its routes."""
    # Imported here: `make bench` imports this module for NOOP_PATH alone, and importing the
    # app makes its engine from the environment.
    from fastapi import APIRouter

    from app.main import serve_app
    from app.routes.common import JSONBytes

    app = serve_app()
    router = APIRouter()

    @router.get(NOOP_PATH, response_class=JSONBytes, include_in_schema=False)
    async def noop() -> JSONBytes:
        """Nothing: the least a route of this app can do."""
        return JSONBytes(NOOP_BODY)

    app.include_router(router)
    app.router.routes.insert(0, app.router.routes.pop())
    return app


def main() -> None:
    from app import serving
    from app.config import Settings
    from app.metrics.multiproc import prepare_metrics_dir

    config = Settings()
    if config.metrics_enabled:  # as `spacefacts serve` does, before the worker starts
        prepare_metrics_dir(workers=1)
    serving.run(
        app="bench.ceiling:ceiling_app",
        host="127.0.0.1",
        port=int(sys.argv[1]),
        workers=1,
        trusted_proxies="",
        shutdown_grace=config.shutdown_grace,
    )


if __name__ == "__main__":
    main()
