"""Health: /livez (the process answers), /readyz (it can serve), /healthz (the older check).

All three are `no-store` and bypass the response cache: each answer is about this moment.
"""

from typing import Annotated, Any, Literal

from fastapi import Depends, Request
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
from app.routes.router import Router
from app.services.health import dataset_status
from app.services.readiness import Readiness

router = Router(tags=["health"], dependencies=[Guard], route_class=ApiRoute)


NO_STORE = {"Cache-Control": "no-store"}
# What any health route can answer besides its own.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_response_doc("An unknown query parameter."),
    406: problem_response_doc("The Accept header admits no JSON."),
    429: problem_response_doc("Rate limit exceeded; retry after `Retry-After` seconds."),
    500: problem_response_doc("Server error; nothing internal is disclosed."),
}


async def get_readiness(request: Request) -> Readiness:
    """The app's readiness check (app/services/readiness.py)."""
    readiness: Readiness = request.app.state.readiness
    return readiness


ReadinessDep = Annotated[Readiness, Depends(get_readiness)]


class Status(BaseModel):
    status: Literal["ok"]


class Health(BaseModel):
    status: Literal["ok"]
    dataset_version: Int64Out


@router.get(
    "/healthz",
    summary="Check health (alias)",
    description="Whether the service and its database answer, and the dataset version it "
    "serves. Kept as it was for the clients that use it; probes should use `/livez` and "
    "`/readyz`.",
    response_model=Health,
    response_class=JSONBytes,
    responses={**ERRORS, 503: problem_response_doc("The database is down or not migrated.")},
)
def read_health(session: SessionDep) -> JSONBytes:
    """Whether the service and its database answer, and the dataset version it serves."""
    try:
        # no-store: a health answer must show the database as it is now, to every client.
        return JSONBytes(dataset_status(session=session), headers=NO_STORE)
    except SQLAlchemyError as exc:
        # A database that is down or not migrated is a 503, not a 500 with a trace.
        raise ProblemError(503, "The database is unavailable or not migrated.") from exc


@router.get(
    "/livez",
    summary="Check liveness",
    description="Whether the process answers at all; it never asks the database, so it stays "
    "200 while the database is down (see `/readyz`).",
    response_model=Status,
    response_class=JSONBytes,
    responses=ERRORS,
)
async def read_liveness() -> JSONBytes:
    """Whether the process answers at all; it never asks the database."""
    # A failing liveness probe gets the process restarted, and a database that is down is no
    # reason to restart it: this stays 200 while /readyz says 503.
    return JSONBytes({"status": "ok"}, headers=NO_STORE)


@router.get(
    "/readyz",
    summary="Check readiness",
    description="200 when the database answers within the readiness timeout, its migrations "
    "are at the head of this code's, and a dataset has been loaded; otherwise a 503 problem "
    "whose detail says which of these failed.",
    response_model=Status,
    response_class=JSONBytes,
    responses={
        **ERRORS,
        503: problem_response_doc(
            "Not ready; the detail says why: `database unreachable` (or not answering within "
            "the readiness timeout), `migrations behind: at X, head is Y`, or `no data loaded`."
        ),
    },
)
async def read_readiness(readiness: ReadinessDep) -> JSONBytes:
    """Whether this process can serve: its database answers, is migrated, and holds data."""
    reason = await readiness.reason()
    if reason is not None:
        raise ProblemError(503, f"Not ready: {reason}.")
    return JSONBytes({"status": "ok"}, headers=NO_STORE)
