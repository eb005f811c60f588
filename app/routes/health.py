from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.errors import ProblemError
from app.models.public import Int64Out
from app.routes.common import (
    ApiRoute,
    Guard,
    JSONBytes,
    problem_response_doc,
)
from app.services.health import dataset_status

router = APIRouter(tags=["health"], dependencies=[Guard], route_class=ApiRoute)


class Health(BaseModel):
    status: Literal["ok"]
    dataset_version: Int64Out


@router.get(
    "/healthz",
    summary="Check health",
    response_model=Health,
    response_class=JSONBytes,
    responses={
        400: problem_response_doc("An unknown query parameter."),
        406: problem_response_doc("The Accept header admits no JSON."),
        429: problem_response_doc("Rate limit exceeded; retry after `Retry-After` seconds."),
        500: problem_response_doc("Server error; nothing internal is disclosed."),
        503: problem_response_doc("The database is down or not migrated."),
    },
)
def read_health(session: SessionDep) -> JSONBytes:
    """Whether the service and its database answer, and the dataset version it serves."""
    try:
        # no-store: a health answer must show the database as it is now, to every client.
        return JSONBytes(dataset_status(session=session), headers={"Cache-Control": "no-store"})
    except SQLAlchemyError as exc:
        # A database that is down or not migrated is a 503, not a 500 with a trace.
        raise ProblemError(503, "The database is unavailable or not migrated.") from exc
