"""Running the app under uvicorn, and shutting it down gracefully.

On SIGTERM (or SIGINT) uvicorn stops accepting connections, lets in-flight requests finish for
up to `timeout_graceful_shutdown` seconds, and only then runs the app's lifespan shutdown. A
live stream (/v1/stream) never finishes by itself, so it would hold the process until that
timeout and then be cut without a word. So the lifespan's startup wraps the signal handlers
uvicorn has installed by then (`Server.capture_signals` installs them with `signal.signal`
before it starts the lifespan, in each worker process): a signal first tells the StreamHub
to end every stream with a final `bye` event, then goes on to uvicorn's own handler.
tests/test_shutdown.py pins that order against the installed uvicorn.
"""

import asyncio
import logging
import math
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

__all__ = ["SignalHook", "end_streams_on_signal", "lifespan", "run"]

logger = logging.getLogger("spacefacts.serving")
SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)
Handler = Callable[[int, FrameType | None], Any]


class SignalHook:
    """Calls `on_signal`, then the handler that was installed before, for each shutdown signal."""

    def __init__(self, on_signal: Callable[[], None]) -> None:
        self._on_signal = on_signal
        self.previous: dict[int, Handler] = {}

    def install(self) -> None:
        for sig in SHUTDOWN_SIGNALS:
            previous = signal.getsignal(sig)
            if not callable(previous):
                # Wrapping the default action would have to re-create it; and without a
                # server's handler there is no graceful shutdown to prepare for.
                logger.warning(
                    "no %s handler to wrap at startup: live streams will be cut, not ended "
                    "with a final event, when the server stops",
                    signal.Signals(sig).name,
                )
                continue
            self.previous[sig] = previous
            signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, previous in self.previous.items():
            if signal.getsignal(sig) == self._handle:  # unless someone has replaced it since
                signal.signal(sig, previous)
        self.previous.clear()

    def _handle(self, sig: int, frame: FrameType | None) -> None:
        self._on_signal()
        self.previous[sig](sig, frame)


@contextmanager
def end_streams_on_signal(on_signal: Callable[[], None]) -> Iterator[SignalHook | None]:
    """While open, a shutdown signal calls `on_signal` before the server's own handler."""
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread may handle signals; TestClient runs the lifespan in another.
        yield None
        return
    hook = SignalHook(on_signal)
    hook.install()
    try:
        yield hook
    finally:
        hook.uninstall()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """End the live streams when the server is told to stop (see the module's docstring)."""
    loop = asyncio.get_running_loop()
    hub = app.state.stream_hub

    def on_signal() -> None:
        # A signal handler runs between two bytecodes of the main thread, maybe inside the
        # loop's own code: hand the work to the loop, which this also wakes.
        loop.call_soon_threadsafe(hub.close)

    with end_streams_on_signal(on_signal):
        yield


def _exit_cleanly(_sig: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def run(
    *,
    app: str,
    host: str,
    port: int,
    workers: int,
    trusted_proxies: str,
    shutdown_grace: float,
    reload: bool = False,
) -> None:
    """Serve `app` (an import string naming a factory, as workers > 1 needs) with uvicorn."""
    if threading.current_thread() is threading.main_thread():
        # uvicorn restores this handler once it has shut down gracefully and raises SIGTERM
        # again: the process then exits with status 0 (a drained shutdown) instead of dying
        # of the signal. It also stops a process told to stop before uvicorn has started.
        signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        app,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        # Only these proxies' X-Forwarded-For / X-Forwarded-Proto are believed: the client
        # address they give is the one rate limits and logs use. With none, no header is read
        # at all (uvicorn would otherwise fall back to trusting 127.0.0.1).
        proxy_headers=bool(trusted_proxies.strip()),
        forwarded_allow_ips=trusted_proxies.strip() or None,
        # No banner naming the server and its version to every client.
        server_header=False,
        # httptools, with the limits and timers uvicorn lacks (app/server_limits.py).
        http="app.server_limits:GuardedHttpToolsProtocol",
        # asyncio's own loop, not uvloop: saturated with misses, uvloop left a few connections
        # unread for hundreds of milliseconds while it served the others again and again;
        # asyncio's loop serves them in turn, at the same throughput (`make bench`'s p99).
        loop="asyncio",
        # uvicorn takes whole seconds; rounding up never cuts a request earlier than asked.
        timeout_graceful_shutdown=math.ceil(shutdown_grace),
        # The app writes its own JSON access log (app/middleware/access_log.py).
        access_log=False,
    )
