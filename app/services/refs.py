"""Pieces every resource's rows carry: inline citations, references to related rows, dates."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models import (
    Agency,
    Agreement,
    Attribution,
    Citation,
    ClaimSupport,
    Country,
    Event,
    Program,
    ProgramObjective,
    ProgramParticipant,
    ReportedCount,
    Restriction,
    Signatory,
    Source,
    SubjectType,
)
from app.models.claims import ROW, public_fields
from app.models.common import Basis
from app.services.truth import row_basis

COLLECTIONS = {
    "program": "programs",
    "agency": "agencies",
    "country": "countries",
    "agreement": "agreements",
    "signatory": "signatories",
    "restriction": "restrictions",
    "event": "events",
    "source": "sources",
    "citation": "citations",
}
# Rows with no endpoint of their own are shown through the row that holds them.
PARENT = {
    "program_objective": "program",
    "program_participant": "program",
}

Json = dict[str, Any]


def url_for(kind: str, ident: str) -> str:
    return f"/v1/{COLLECTIONS[kind]}/{ident}"


def date_json(
    edtf: str | None, phrase: str | None, lower: dt.date | None, upper: dt.date | None
) -> Json:
    return {"edtf": edtf, "phrase": phrase, "lower": lower, "upper": upper}


def support_for(*, session: Session, subject_type: str, ids: Iterable[str]) -> dict[str, Json]:
    """Each row's `basis`, `claims` and inline `citations` (by claim and position)."""
    wanted = list(ids)
    kind = SubjectType(subject_type)
    claims: dict[str, dict[str, Json]] = defaultdict(dict)
    citations: dict[str, list[Json]] = defaultdict(list)
    if wanted:
        for c in session.execute(
            select(ClaimSupport)
            .where(
                col(ClaimSupport.subject_type) == subject_type,
                col(ClaimSupport.subject_id).in_(wanted),
            )
            .order_by(col(ClaimSupport.subject_id), col(ClaimSupport.claim))
        ).scalars():
            claims[c.subject_id][c.claim] = {
                "claim": c.claim,
                "fields": list(public_fields(kind, c.claim)),
                "basis": c.basis,
                "reasoning": c.reasoning,
                "convention": c.convention,
                "descriptive": c.descriptive,
                "citations": [],
            }
        rows = session.execute(
            select(
                Citation.id,
                Citation.subject_id,
                Citation.claim,
                Citation.exact,
                Citation.display,  # type: ignore[call-overload]
                Citation.attribution_id,
                Citation.source_id,
                Citation.start,
                Citation.end,
            )
            .where(col(Citation.subject_type) == subject_type, col(Citation.subject_id).in_(wanted))
            .order_by(col(Citation.subject_id), col(Citation.claim), col(Citation.position))
        )
        for r in rows:
            claim = claims[r.subject_id][r.claim]
            claim["citations"].append(r.id)
            citations[r.subject_id].append(
                {
                    "id": r.id,
                    "claim": r.claim,
                    "exact": r.exact,
                    "display": r.display,
                    "basis": claim["basis"],
                    "attribution": r.attribution_id,
                    "source": r.source_id,
                    "start": r.start,
                    "end": r.end,
                    "url": url_for("citation", r.id),
                }
            )
    return {
        ident: {
            "basis": row_basis({c: Basis(v["basis"]) for c, v in claims[ident].items()}),
            "claims": list(claims[ident].values()),
            "citations": citations[ident],
        }
        for ident in wanted
    }


def claim_bases(
    *, session: Session, subject_type: str, claim: str, ids: Iterable[str]
) -> dict[str, Basis]:
    """The basis of one claim of each row (rows whose claim is covered by `row` included)."""
    wanted = list(ids)
    if not wanted:
        return {}
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for subject_id, name, basis in session.execute(
        select(
            col(ClaimSupport.subject_id), col(ClaimSupport.claim), col(ClaimSupport.basis)
        ).where(
            col(ClaimSupport.subject_type) == subject_type,
            col(ClaimSupport.subject_id).in_(wanted),
            col(ClaimSupport.claim).in_([claim, ROW]),
        )
    ):
        found[subject_id][name] = basis
    return {
        ident: Basis(found[ident].get(claim) or found[ident].get(ROW) or Basis.stated)
        for ident in wanted
    }


def link(ref: Json, basis: Basis) -> Json:
    """A reference listed because another row's claim names it, with that claim's basis."""
    return {**ref, "basis": basis}


def _party_names(*, session: Session, kind: str, ids: set[str]) -> list[tuple[str, str]]:
    """Signatories and participants are named after their party (an agency or a country)."""
    table: Any = Signatory if kind == "signatory" else ProgramParticipant
    query = (
        select(col(table.id), func.coalesce(col(Agency.name), col(Country.name)))
        .outerjoin(Agency, col(Agency.id) == col(table.agency_id))
        .outerjoin(Country, col(Country.code) == col(table.country_code))
        .where(col(table.id).in_(ids))
    )
    return [(ident, name) for ident, name in session.execute(query)]


def _name_columns(kind: str) -> tuple[Any, Any]:
    table: dict[str, tuple[Any, Any]] = {
        "program": (Program.id, Program.name),
        "agency": (Agency.id, Agency.name),
        "country": (Country.code, Country.name),
        "agreement": (Agreement.id, Agreement.name),
        "restriction": (Restriction.id, Restriction.name),
        "event": (Event.id, Event.summary),
        "source": (Source.id, Source.title),
        "attribution": (Attribution.id, Attribution.label),
        "reported_count": (ReportedCount.id, ReportedCount.phrase),
        "program_objective": (ProgramObjective.id, ProgramObjective.text),
    }
    ident, name = table[kind]
    return col(ident), col(name)


def refs(*, session: Session, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Json]:
    """Id, name and URL of each (type, id); rows that do not exist are left out."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, ident in wanted:
        by_kind[kind].add(ident)
    out: dict[tuple[str, str], Json] = {}
    for kind, ids in by_kind.items():
        if kind in ("signatory", "program_participant"):
            named = _party_names(session=session, kind=kind, ids=ids)
        else:
            ident_col, name_col = _name_columns(kind)
            named = [
                tuple(r)
                for r in session.execute(select(ident_col, name_col).where(ident_col.in_(ids)))
            ]
        for ident, name in named:
            out[(kind, ident)] = {"type": kind, "id": ident, "name": name, "url": None}
    _fill_urls(session=session, out=out)
    return out


def _fill_urls(*, session: Session, out: dict[tuple[str, str], Json]) -> None:
    children = {
        "program_objective": (ProgramObjective.id, ProgramObjective.program_id),
        "program_participant": (ProgramParticipant.id, ProgramParticipant.program_id),
    }
    parents: dict[tuple[str, str], str] = {}
    for kind, (ident, parent) in children.items():
        ids = [i for (k, i) in out if k == kind]
        if ids:
            for child, parent_id in session.execute(
                select(col(ident), col(parent)).where(col(ident).in_(ids))
            ):
                parents[(kind, child)] = parent_id
    reported = [i for (k, i) in out if k == "reported_count"]
    if reported:
        rows = session.execute(
            select(
                col(ReportedCount.id),
                col(ReportedCount.agreement_id),
                col(ReportedCount.program_id),
            ).where(col(ReportedCount.id).in_(reported))
        )
        for ident, agreement_id, program_id in rows:
            out[("reported_count", ident)]["url"] = (
                url_for("agreement", agreement_id)
                if agreement_id
                else url_for("program", program_id)
            )
    for (kind, ident), ref in out.items():
        if kind in COLLECTIONS:
            ref["url"] = url_for(kind, ident)
        elif (kind, ident) in parents:
            ref["url"] = url_for(PARENT[kind], parents[(kind, ident)])
        elif kind == "attribution":
            ref["url"] = f"/v1/citations?attribution={ident}"
