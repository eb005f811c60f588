"""ReDoc without the network: its bundle as fastapi-offline ships it, less one CDN image.

The ReDoc bundle that fastapi-offline serves still loads its "powered by" logo from
cdn.redoc.ly, so a reader's browser reaches out to a third party (and, offline, shows a broken
image). This route serves the same bundle with that URL pointed at the favicon the app already
serves; it is placed ahead of fastapi-offline's static mount, which serves everything else.
"""

import base64
import functools
import hashlib
import re
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["CDN_LOGO", "STATIC_URL", "inline_script_hashes", "serve_redoc_offline"]

STATIC_URL = "/static-offline-docs"  # fastapi-offline's default mount
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


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


def inline_script_hashes(app: FastAPI) -> list[str]:
    """The base64 SHA-256 of each inline script of the documentation pages, made as
    fastapi-offline makes them (at the root path; ReDoc's page has none): the content security
    policy allows these and no other (app/middleware/security_headers.py). A test compares them
    with the pages served, so a template that changes cannot silently break the pages."""
    assert app.openapi_url is not None
    assert app.swagger_ui_oauth2_redirect_url is not None
    swagger = get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_URL}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    pages = (swagger.body, get_swagger_ui_oauth2_redirect_html().body)
    return [
        base64.b64encode(hashlib.sha256(script).digest()).decode()
        for page in pages
        for script in INLINE_SCRIPT.findall(bytes(page))
    ]
