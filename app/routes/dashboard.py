"""GET /dashboard: one page for people, built only on the public JSON API and the live stream.

The page (app/dashboard/) is static: its script reads /v1/* and /v1/stream like any other client,
so it is the reference consumer of both. Nothing here queries the database.

The files are read once per process. Each answer carries an ETag of its own bytes, which the
HTTP cache layer keeps in place of the dataset version's (app/middleware/http_cache.py): a new
deploy of the page is revalidated even when the data has not changed.
"""

import functools
import hashlib
from pathlib import Path

from starlette.responses import Response

from app.routes.router import Router

__all__ = ["ASSETS", "CSP", "DASHBOARD_DIR", "router"]

DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "dashboard"

# No inline script or style anywhere on the page: everything it runs or styles is a file below.
CSP = (
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# URL path under /dashboard/ -> (file in DASHBOARD_DIR, media type)
ASSETS = {
    "dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
}

router = Router(include_in_schema=False)


@functools.cache
def _file(name: str) -> tuple[bytes, str]:
    """The file's bytes and a strong ETag of them."""
    body = (DASHBOARD_DIR / name).read_bytes()
    return body, '"dash-' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'


def _answer(name: str, media_type: str) -> Response:
    body, etag = _file(name)
    return Response(body, media_type=media_type, headers={**SECURITY_HEADERS, "ETag": etag})


@router.get("/dashboard")
def dashboard_page() -> Response:
    """The dashboard: programs, agreements and signatories, restrictions and the timeline."""
    return _answer("index.html", "text/html; charset=utf-8")


@router.get("/dashboard/dashboard.js")
def dashboard_script() -> Response:
    return _answer(*ASSETS["dashboard.js"])


@router.get("/dashboard/dashboard.css")
def dashboard_styles() -> Response:
    return _answer(*ASSETS["dashboard.css"])
