"""Per-client rate limiting with the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-
headers-10): `RateLimit-Policy: "per-client";q=<limit>;w=<window>` on every answer, and the
client's own counters, `RateLimit: "per-client";r=<remaining>;t=<reset>`, only on answers that no
shared cache may store (`no-store` or `private`: problems, 429s, /healthz). A cache or CDN that
stored one client's counters with a public 200 or 304 would hand them to every other client.

A fixed window per client address, counted in this process. With W workers behind one
address, a client can make at most W × limit requests per window across a deployment of one
host (H × W × limit across H hosts); each worker enforces `limit` exactly for the requests it
serves. README gives the numbers for the default settings.
"""

import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ProblemError, problem_response

POLICY = "per-client"


def _unshared(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether no shared cache may store this answer (so per-client values may go in it)."""
    for name, value in headers:
        if name.lower() == b"cache-control":
            directives = {d.strip().split(b"=")[0] for d in value.lower().split(b",")}
            return bool(directives & {b"no-store", b"private"})
    return False


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int, window: int) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self._counts: dict[str, int] = {}
        self._window_start = 0.0
        self._policy_header = (b"ratelimit-policy", f'"{POLICY}";q={limit};w={window}'.encode())

    def _take(self, client: str, now: float) -> tuple[int, int]:
        """Count one request; returns (remaining, seconds until the window resets)."""
        if now - self._window_start >= self.window:
            # Whole-window reset keeps memory bounded by the clients of one window.
            self._counts.clear()
            self._window_start = now - (now % self.window)
        used = self._counts.get(client, 0) + 1
        self._counts[client] = used
        reset = max(1, math.ceil(self._window_start + self.window - now))
        return self.limit - used, reset

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        remaining, reset = self._take(client, time.time())
        if remaining < 0:
            headers = {
                "RateLimit-Policy": self._policy_header[1].decode(),
                "RateLimit": f'"{POLICY}";r=0;t={reset}',
            }
            problem = ProblemError(
                429,
                f"More than {self.limit} requests in {self.window} s from this client.",
                headers={**headers, "Retry-After": str(reset)},
            )
            await problem_response(problem, scope["path"])(scope, receive, send)
            return
        counters = (b"ratelimit", f'"{POLICY}";r={remaining};t={reset}'.encode())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.get("headers", [])
                extra = [self._policy_header, counters] if _unshared(raw) else [self._policy_header]
                # A new list: the cache layer may hand every client the same stored headers.
                message = {**message, "headers": [*raw, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
