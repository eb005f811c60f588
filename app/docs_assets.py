"""ReDoc without the network: its bundle as fastapi-offline ships it, less one CDN image.

The ReDoc bundle that fastapi-offline serves still loads its "powered by" logo from
cdn.redoc.ly, so a reader's browser reaches out to a third party (and, offline, shows a broken
image). This route serves the same bundle with that URL pointed at the favicon the app already
serves; it is placed ahead of fastapi-offline's static mount, which serves everything else.
"""

import functools
from importlib.resources import files

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["CDN_LOGO", "serve_redoc_offline"]

STATIC_URL = "/static-offline-docs"  # fastapi-offline's default mount
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def _bundle() -> bytes:
    path = files("fastapi_offline").joinpath("static", "redoc.standalone.js")
    return path.read_bytes().replace(CDN_LOGO.encode(), f"{STATIC_URL}/favicon.png".encode())


async def _redoc_bundle(_request: Request) -> Response:
    return Response(_bundle(), media_type="text/javascript; charset=utf-8")


def serve_redoc_offline(app: FastAPI) -> None:
    """Serve the patched ReDoc bundle in place of fastapi-offline's copy."""
    route = Route(f"{STATIC_URL}/redoc.standalone.js", _redoc_bundle, methods=["GET"])
    app.router.routes.insert(0, route)
