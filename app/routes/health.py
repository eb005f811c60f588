from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.services.health import dataset_status

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="read_health")
def read_health(session: SessionDep) -> Any:
    """Whether the service and its database answer, and the dataset version it serves."""
    try:
        return dataset_status(session=session)
    except SQLAlchemyError:
        # A database that is down or not migrated is a 503, not a 500 with a trace.
        return JSONResponse({"status": "unavailable"}, status_code=503)
