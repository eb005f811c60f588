"""The API as a real process on a free loopback port, for tests that use it as a client would."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_process(
    database_url: str, log: Path, *, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """`spacefacts serve` over database_url (rate limit off, other SPACEFACTS_ settings from
    `settings`); yields its base URL once /healthz answers, and stops it after."""
    with server_process(database_url, log, settings=settings) as served:
        yield served.base


def _bound(process: subprocess.Popen[bytes], log: Path) -> bool:
    """Whether `process` listens on its port (uvicorn says so once bound) before it exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b"Uvicorn running on" in log.read_bytes():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"server did not bind:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass(frozen=True)
class Served:
    base: str
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def server_process(
    database_url: str,
    log: Path,
    *,
    settings: dict[str, str] | None = None,
    command: Sequence[str] = ("-m", "app", "serve"),
    args: Sequence[str] = (),
) -> Iterator[Served]:
    """Like serve_process, running `python <command> --host … --port … <args>` (a module with
    the options of `spacefacts serve`), and yielding its Popen too, to send it signals."""
    env = {
        **os.environ,
        "SPACEFACTS_DATABASE_URL": database_url,
        "SPACEFACTS_RATE_LIMIT_ENABLED": "false",
        **{f"SPACEFACTS_{name.upper()}": value for name, value in (settings or {}).items()},
    }
    for _ in range(3):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, *command, "--host", "127.0.0.1", "--port", str(port), *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        # Bound by this process, not by another test's server that took the same free port
        # meanwhile (then this one exits, and /healthz would answer from the other).
        if _bound(process, log):
            break
        process.wait(timeout=10)
        if b"address already in use" not in log.read_bytes():
            pytest.fail(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")
    else:
        pytest.fail(f"no free port stayed free:\n{log.read_text(errors='replace')[-3000:]}")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        yield Served(base, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
