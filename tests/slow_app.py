"""The app as served, plus one request that is slow on purpose, run the way `spacefacts serve`
runs the real one (app/serving.py): for the shutdown tests, which need a request in flight.

`GET /_test/slow` tells that it has begun by creating the file SPACEFACTS_TEST_SLOW_STARTED
names, waits until the file SPACEFACTS_TEST_SLOW_RELEASE names exists, then answers with
BODY: the test decides when it ends.
"""

import os
from pathlib import Path
from typing import Annotated

import anyio
import typer
from fastapi import FastAPI
from starlette.responses import Response

from app import serving
from app.config import Settings
from app.main import create_app

BODY = b"".join(b"%06d slow but complete\n" % n for n in range(4000))  # ~100 KB


def make() -> FastAPI:
    app = create_app()
    started = Path(os.environ["SPACEFACTS_TEST_SLOW_STARTED"])
    release = Path(os.environ["SPACEFACTS_TEST_SLOW_RELEASE"])

    async def slow() -> Response:
        started.touch()
        with anyio.fail_after(60):  # never outlive the test that is waiting for it
            while not release.exists():
                await anyio.sleep(0.05)
        return Response(BODY, media_type="text/plain")

    app.add_api_route("/_test/slow", slow, methods=["GET"])
    return app


def main(
    host: Annotated[str, typer.Option()],
    port: Annotated[int, typer.Option()],
) -> None:
    config = Settings()
    serving.run(
        app="tests.slow_app:make",
        host=host,
        port=port,
        workers=1,
        trusted_proxies=config.trusted_proxies,
        shutdown_grace=config.shutdown_grace,
    )


if __name__ == "__main__":
    typer.run(main)
