"""CORS for a public read API: any origin, no credentials.

Starlette's CORSMiddleware parses the request headers into a Headers object and rewrites the
response headers through MutableHeaders on every request, which was a tenth of the cost of a
cached answer. This layer gives the same headers from bytes made once; preflight requests,
which are rare and cached by browsers for `max_age`, go to Starlette's implementation.
"""

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware as StarletteCORS
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REPLACED = {b"access-control-allow-origin", b"access-control-expose-headers", b"vary"}


class CORSMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
    ) -> None:
        self.app = app
        self.preflight = StarletteCORS(
            app,
            allow_origins=["*"],
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=max_age,
        )
        self.simple = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(expose_headers).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = preflight = False
        for name, _ in scope["headers"]:
            origin = origin or name == b"origin"
            preflight = preflight or name == b"access-control-request-method"
        if origin and preflight and scope["method"] == "OPTIONS":
            await self.preflight(scope, receive, send)
            return
        extra = self.simple if origin else []

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.get("headers", [])
                # Every answer varies by Origin: with one it carries Allow-Origin, without none.
                vary = b", ".join([*(v for k, v in raw if k == b"vary"), b"Origin"])
                headers = [(k, v) for k, v in raw if k not in _REPLACED]
                message = {**message, "headers": [*headers, *extra, (b"vary", vary)]}
            await send(message)

        await self.app(scope, receive, send_with_cors)
