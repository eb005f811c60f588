"""Per-client rate limiting with the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-
headers-10): `RateLimit-Policy: "per-client";q=<limit>;w=<window>` on every answer, and the
client's own counters, `RateLimit: "per-client";r=<remaining>;t=<reset>`, only on answers that no
shared cache may store (`no-store` or `private`: problems, 429s, /healthz). A cache or CDN that
stored one client's counters with a public 200 or 304 would hand them to every other client.

A fixed window per client address, counted in this process. With W workers behind one
address, a client can make at most W × limit requests per window across a deployment of one
host (H × W × limit across H hosts); each worker enforces `limit` exactly for the requests it
serves. README gives the numbers for the default settings.

A request whose bearer key the app recognises (`lifted`, given by app/main.py: this layer knows
nothing of keys) is not counted: a key lifts its holder's per-client limit.
"""

import math
import time
from collections.abc import Awaitable, Callable

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


class FixedWindow:
    """Counts per key in fixed windows aligned to the clock, all keys resetting together.

    The whole-window reset keeps memory bounded by the keys of one window; `max_keys` bounds it
    within a window too, forgetting the oldest key first.
    """

    def __init__(self, *, limit: int, window: int, max_keys: int | None = None) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._counts: dict[str, int] = {}
        self._window_start = 0.0

    def _roll(self, now: float) -> None:
        if now - self._window_start >= self.window:
            self._counts.clear()
            self._window_start = now - (now % self.window)

    def reset(self, now: float) -> int:
        """Whole seconds until the current window ends (at least 1)."""
        self._roll(now)
        return max(1, math.ceil(self._window_start + self.window - now))

    def used(self, key: str, now: float) -> int:
        """How many times `key` was counted in the current window."""
        self._roll(now)
        return self._counts.get(key, 0)

    def take(self, key: str, now: float) -> tuple[int, int]:
        """Count one for `key`; returns (remaining, seconds until the window resets)."""
        self._roll(now)
        used = self._counts.get(key, 0) + 1
        if used == 1 and self.max_keys is not None and len(self._counts) >= self.max_keys:
            del self._counts[next(iter(self._counts))]
        self._counts[key] = used
        return self.limit - used, self.reset(now)


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        window: int,
        lifted: Callable[[Scope], Awaitable[bool]] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self.lifted = lifted
        self._counter = FixedWindow(limit=limit, window=window)
        self._policy_header = (b"ratelimit-policy", f'"{POLICY}";q={limit};w={window}'.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.lifted is not None and await self.lifted(scope):
            # Not counted, so no counters to show; the policy still applies to everyone else.
            await self.app(scope, receive, self._with_headers(send, [self._policy_header]))
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        remaining, reset = self._counter.take(client, time.time())
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
        await self.app(scope, receive, self._with_headers(send, [self._policy_header, counters]))

    def _with_headers(self, send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
        """`send`, adding the policy to every answer and `extra` (the client's counters, when
        it has any) only to answers no shared cache may store."""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.get("headers", [])
                added = extra if _unshared(raw) else [self._policy_header]
                # A new list: the cache layer may hand every client the same stored headers.
                message = {**message, "headers": [*raw, *added]}
            await send(message)

        return send_with_headers
