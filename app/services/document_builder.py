"""Building every entity's stored JSON document from its rows (see app/models/documents)."""

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import select
from sqlmodel import Session, col

from app.models import (
    Agency,
    Agreement,
    Citation,
    Country,
    Event,
    Program,
    Restriction,
    Signatory,
    Source,
)
from app.services import agencies, agreements, events, programs, restrictions, sources
from app.services.refs import Json

Builder = Callable[[Session, list[str]], list[Json]]

# type -> (the column holding its ids, the function that builds its documents)
BUILDERS: dict[str, tuple[Any, Builder]] = {
    "program": (Program.id, lambda s, ids: programs.hydrate_programs(session=s, ids=ids)),
    "agency": (Agency.id, lambda s, ids: agencies.hydrate_agencies(session=s, ids=ids)),
    "country": (Country.code, lambda s, ids: agencies.hydrate_countries(session=s, codes=ids)),
    "agreement": (Agreement.id, lambda s, ids: agreements.hydrate_agreements(session=s, ids=ids)),
    "signatory": (Signatory.id, lambda s, ids: agreements.hydrate_signatories(session=s, ids=ids)),
    "restriction": (
        Restriction.id,
        lambda s, ids: restrictions.hydrate_restrictions(session=s, ids=ids),
    ),
    "event": (Event.id, lambda s, ids: events.hydrate_events(session=s, ids=ids)),
    "source": (Source.id, lambda s, ids: sources.hydrate_sources(session=s, ids=ids)),
    "citation": (Citation.id, lambda s, ids: sources.hydrate_citations(session=s, ids=ids)),
}
BATCH = 500  # ids hydrated per round trip when building


def build_documents(*, session: Session) -> list[dict[str, str]]:
    """Every entity's document as it should now be stored, from the rows in this transaction."""
    rows: list[dict[str, str]] = []
    for kind, (id_column, build) in BUILDERS.items():
        ids = list(session.execute(select(col(id_column)).order_by(col(id_column))).scalars())
        for start in range(0, len(ids), BATCH):
            for document in build(session, ids[start : start + BATCH]):
                ident = str(document["id"] if "id" in document else document["code"])
                rows.append({"type": kind, "id": ident, "body": orjson.dumps(document).decode()})
    return rows
