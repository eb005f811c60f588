"""The application factory."""

from fastapi import FastAPI

from app import __version__
from app.routes import health


def create_app() -> FastAPI:
    """Build the ASGI app; uvicorn calls this with --factory."""
    app = FastAPI(
        title="spacefacts",
        version=__version__,
        summary="Cited facts about international space cooperation.",
    )
    app.include_router(health.router)
    return app
