"""CORS for a public API: any origin, no credentials, and answers that do not vary by origin.

Writes are allowed too (the methods come from app/main.py): a curator's key travels in an
`Authorization` header the calling script sets itself, never in a cookie or other ambient
credential a browser would attach, so `*` lets no site act with a visitor's authority.

Every answer carries `Access-Control-Allow-Origin: *` and the exposed headers, whether or not
the request names an Origin, so the answer is the same for every origin and a shared cache can
give it to all of them (no `Vary: Origin`). A preflight is answered here, from bytes made once:
the full lists of allowed methods and request headers (so it does not vary either), or, when it
asks for a method or header the API does not allow, a 400 problem that names them.
"""

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ProblemError, problem_response

__all__ = ["ALLOWED_REQUEST_HEADERS", "CORSMiddleware"]

# What browsers, tracing libraries and HTTP clients send with a cross-origin API call, besides
# the CORS-safelisted ones. Lowercase: header names are compared without case.
ALLOWED_REQUEST_HEADERS = (
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "authorization",
    "cache-control",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "prefer",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "x-request-id",
    "x-requested-with",
)
_REPLACED = {b"access-control-allow-origin", b"access-control-expose-headers"}


class CORSMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_methods: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
        allow_headers: Sequence[str] = ALLOWED_REQUEST_HEADERS,
    ) -> None:
        self.app = app
        self.methods = [m.upper() for m in allow_methods]
        self.allowed = {h.lower() for h in allow_headers}
        self.simple = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(expose_headers).encode()),
        ]
        self.preflight = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", ", ".join(self.methods).encode()),
            (b"access-control-allow-headers", ", ".join(sorted(self.allowed)).encode()),
            (b"access-control-max-age", str(max_age).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            origin, method, asked = False, None, ""
            for name, value in scope["headers"]:
                if name == b"origin":
                    origin = True
                elif name == b"access-control-request-method":
                    method = value.decode("latin-1").strip()
                elif name == b"access-control-request-headers":
                    asked += "," + value.decode("latin-1")
            if origin and method is not None:
                await self._preflight(scope, receive, send, method, asked)
                return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.get("headers", [])
                headers = [(k, v) for k, v in raw if k not in _REPLACED]
                message = {**message, "headers": [*headers, *self.simple]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, method: str, asked: str
    ) -> None:
        headers = sorted({h.strip().lower() for h in asked.split(",") if h.strip()})
        refused = [h for h in headers if h not in self.allowed]
        if method.upper() not in self.methods or refused:
            reasons = []
            if method.upper() not in self.methods:
                reasons.append(f"method {method} (allowed: {', '.join(self.methods)})")
            if refused:
                reasons.append(f"request header(s) {', '.join(refused)}")
            problem = ProblemError(
                400,
                f"This CORS preflight asks for {' and '.join(reasons)}, which this API does not "
                f"allow. Allowed request headers: {', '.join(sorted(self.allowed))}.",
                kind="cors-refused",
                headers={"Access-Control-Allow-Origin": "*"},
            )
            await problem_response(problem, scope["path"])(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 204, "headers": self.preflight})
        await send({"type": "http.response.body", "body": b""})
