"""Security headers: `nosniff` on every answer; HTML pages also get a content security policy
and frame and referrer policies.

The HTML pages are the API's documentation (/docs, its OAuth2 redirect, /redoc) and the
dashboard, which sets its own stricter policy (app/routes/dashboard.py). Their scripts are the
app's own files, and the few inline scripts the documentation templates write are allowed by
their SHA-256, computed when the app is built from the same templates the pages are made of
(`app.docs_assets.inline_script_hashes`): an injected script matches no hash and does not run.
Styles may be inline (Swagger UI and ReDoc set them from script); images may be `data:` URLs
(Swagger UI's icons); ReDoc's search runs in a `blob:` worker. Nothing may be framed, nothing
may be fetched from another origin, and no page leaks its URL as a referrer.

The headers are added when an answer starts, outside the response cache, so cache hits and
304s carry them too (a 304 has no content type; it updates a page the browser already holds).
"""

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeadersMiddleware", "content_security_policy"]


def content_security_policy(*, script_hashes: Iterable[str]) -> str:
    """The policy of every HTML page; `script_hashes` are base64 SHA-256 digests."""
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in sorted(set(script_hashes)))])
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.page_headers = {
            "content-security-policy": policy,
            "x-frame-options": "DENY",
            "referrer-policy": "no-referrer",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["x-content-type-options"] = "nosniff"
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in self.page_headers.items():
                        headers.setdefault(name, value)  # a page's own, stricter, stands
            await send(message)

        await self.app(scope, receive, send_with_headers)
