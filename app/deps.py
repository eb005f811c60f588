"""FastAPI dependencies, as Annotated aliases: the session, and one get-or-404 per path id."""

from typing import Annotated, Any

from fastapi import Depends, Path
from sqlmodel import Session

from app.db import get_session
from app.errors import ProblemError
from app.models.common import COUNTRY_PATTERN, SLUG_PATTERN
from app.services import programs

SessionDep = Annotated[Session, Depends(get_session)]

SlugPath = Path(pattern=SLUG_PATTERN, max_length=100, description="The resource's stable id.")


def _found(kind: str, ident: str, document: dict[str, Any] | None) -> dict[str, Any]:
    if document is None:
        raise ProblemError(404, f"No {kind} with id {ident!r}.")
    return document


def program_or_404(session: SessionDep, program_id: Annotated[str, SlugPath]) -> dict[str, Any]:
    return _found(
        "program", program_id, programs.read_program(session=session, program_id=program_id)
    )


ProgramDep = Annotated[dict[str, Any], Depends(program_or_404)]
