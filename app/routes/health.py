from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.errors import ProblemError
from app.routes.common import JSONBytes, problem_response_doc
from app.services.health import dataset_status

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    dataset_version: int


@router.get(
    "/healthz",
    summary="Check health",
    response_model=Health,
    response_class=JSONBytes,
    responses={
        500: problem_response_doc("Server error; nothing internal is disclosed."),
        503: problem_response_doc("The database is down or not migrated."),
    },
)
def read_health(session: SessionDep) -> JSONBytes:
    """Whether the service and its database answer, and the dataset version it serves."""
    try:
        return JSONBytes(dataset_status(session=session))
    except SQLAlchemyError as exc:
        # A database that is down or not migrated is a 503, not a 500 with a trace.
        raise ProblemError(503, "The database is unavailable or not migrated.") from exc
