"""The test harness's own server process: it is the one that answers."""

import socket
from pathlib import Path

import httpx
import pytest

from tests import processes
from tests.conftest import Database


def test_a_port_taken_meanwhile_is_not_mistaken_for_the_server(
    seeded_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process listening on the chosen port: the server retries on another port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        ports = iter([port])
        real = processes.free_port
        monkeypatch.setattr(processes, "free_port", lambda: next(ports, None) or real())
        with processes.server_process(seeded_db.url, tmp_path / "server.log") as served:
            assert not served.base.endswith(f":{port}")
            assert httpx.get(f"{served.base}/healthz").status_code == 200
