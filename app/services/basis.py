"""Stated values only: what `basis=stated` leaves of a collection and of a document.

A stored document carries the basis of everything in it (`basis` on the row and on each
inline citation and linked reference, `claims` with the fields each claim covers), so one rule
read from the document itself serves every resource:

- an object in a list whose `basis` is `inferred` (a row that exists only through inference,
  a premise, a link another row's inferred claim makes) is left out;
- in an object with `claims`, the fields of each inferred claim are emptied (null, or an empty
  list) and the claim itself is left out.

Collections leave out inferred rows in the query (`exclude_inferred`), so pages and totals
count only what is served; a filter matches only values whose claim is stated, since those are
the only values the client is shown.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import Select, select
from sqlmodel import col

from app.models.claims import ROW
from app.models.common import Basis
from app.models.support import ClaimSupport

__all__ = ["exclude_inferred", "stated_document", "stated_view"]

Q = TypeVar("Q", bound=Select[Any])


def _inferred(value: object) -> bool:
    return isinstance(value, dict) and value.get("basis") == Basis.inferred.value


def stated_view(value: Any) -> Any:
    """The value with every inferred value, row, premise and link taken out."""
    if isinstance(value, list):
        return [stated_view(item) for item in value if not _inferred(item)]
    if not isinstance(value, dict):
        return value
    out = {key: stated_view(item) for key, item in value.items()}
    for claim in value.get("claims") or ():
        if claim["basis"] == Basis.inferred.value:
            for field in claim["fields"]:
                out[field] = [] if isinstance(value.get(field), list) else None
    return out


def stated_document(body: bytes) -> bytes | None:
    """A stored document as `basis=stated` serves it; None if the row itself is inferred."""
    document = orjson.loads(body)
    if _inferred(document):
        return None
    return orjson.dumps(stated_view(document))


def exclude_inferred(
    query: Q, *, subject_type: str, id_column: Any, claims: Sequence[str] = ()
) -> Q:
    """Leave out rows whose existence is inferred, or one of whose `claims` is inferred."""
    inferred = select(col(ClaimSupport.subject_id)).where(
        col(ClaimSupport.subject_type) == subject_type,
        col(ClaimSupport.claim).in_([ROW, *claims]),
        col(ClaimSupport.basis) == Basis.inferred.value,
    )
    return query.where(id_column.not_in(inferred))
