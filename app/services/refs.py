"""Pieces every resource's rows carry: inline citations, references to related rows, dates."""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypedDict, TypeVar

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.models.claims import ROW, public_fields
from app.models.common import Basis
from app.models.public import (
    CitationInline,
    ClaimPublic,
    DatePublic,
    LinkRef,
    Ref,
    RefType,
)
from app.models.support import ClaimSupport, SubjectType
from app.resources._types import DepKey
from app.resources.agencies.models import Agency
from app.resources.agreements.models import Agreement, ReportedCount
from app.resources.attributions.models import Attribution
from app.resources.citations.models import Citation
from app.resources.countries.models import Country
from app.resources.events.models import Event
from app.resources.programs.models import Program, ProgramObjective, ProgramParticipant
from app.resources.reads import label_key
from app.resources.restrictions.models import Restriction
from app.resources.signatories.models import Signatory
from app.resources.sources.models import Source
from app.services.truth import row_basis


@functools.cache
def collections() -> dict[str, str]:
    """Each resource type's URL segment, from the registry."""
    # Imported here: the registry imports the document builders, which import this module.
    from app.resources.registry import RESOURCES

    return {r.type: r.collection for r in RESOURCES}


# Rows with no endpoint of their own are shown through the row that holds them.
PARENT = {
    "program_objective": "program",
    "program_participant": "program",
}

Json = dict[str, Any]
R = TypeVar("R")


def in_order(ids: Iterable[str], rows: Mapping[str, R]) -> Iterator[R]:
    """The rows of ids, in the order of ids; an id with no row is left out."""
    for ident in ids:
        row = rows.get(ident)
        if row is not None:
            yield row


def collection_url(kind: str) -> str:
    return f"/v1/{collections()[kind]}"


def url_for(kind: str, ident: str) -> str:
    return f"/v1/{collections()[kind]}/{ident}"


def date_json(
    edtf: str | None, phrase: str | None, lower: dt.date | None, upper: dt.date | None
) -> DatePublic:
    return DatePublic(edtf=edtf, phrase=phrase, lower=lower, upper=upper)


class SupportFields(TypedDict):
    """What `Supported` adds to a document: a keyword argument of its model each."""

    basis: Basis
    claims: list[ClaimPublic]
    citations: list[CitationInline]


def support_for(
    *, session: Session, subject_type: str, ids: Iterable[str]
) -> dict[str, SupportFields]:
    """Each row's `basis`, `claims` and inline `citations` (by claim and position)."""
    wanted = list(ids)
    kind = SubjectType(subject_type)
    claims: dict[str, dict[str, ClaimPublic]] = defaultdict(dict)
    citations: dict[str, list[CitationInline]] = defaultdict(list)
    if wanted:
        for c in session.execute(
            select(ClaimSupport)
            .where(
                col(ClaimSupport.subject_type) == subject_type,
                col(ClaimSupport.subject_id).in_(wanted),
            )
            .order_by(col(ClaimSupport.subject_id), col(ClaimSupport.claim))
        ).scalars():
            claims[c.subject_id][c.claim] = ClaimPublic(
                claim=c.claim,
                fields=list(public_fields(kind, c.claim)),
                basis=c.basis,
                reasoning=c.reasoning,
                convention=c.convention,
                descriptive=c.descriptive,
                citations=[],
            )
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
            claim.citations.append(r.id)
            citations[r.subject_id].append(
                CitationInline(
                    id=r.id,
                    claim=r.claim,
                    exact=r.exact,
                    display=r.display,
                    basis=claim.basis,
                    attribution=r.attribution_id,
                    source=r.source_id,
                    start=r.start,
                    end=r.end,
                    url=url_for("citation", r.id),
                )
            )
    return {
        ident: SupportFields(
            basis=row_basis({c: Basis(v.basis) for c, v in claims[ident].items()}),
            claims=list(claims[ident].values()),
            citations=citations[ident],
        )
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


def link(ref: Ref, basis: Basis) -> LinkRef:
    """A reference listed because another row's claim names it, with that claim's basis."""
    return LinkRef(type=ref.type, id=ref.id, name=ref.name, url=ref.url, basis=basis)


def _party_names(*, session: Session, kind: str, ids: set[str]) -> list[tuple[str, str, set[str]]]:
    """Signatories and participants are named after their party (an agency or a country)."""
    table: Any = Signatory if kind == "signatory" else ProgramParticipant
    query = (
        select(
            col(table.id),
            func.coalesce(col(Agency.name), col(Country.name)),
            col(table.agency_id),
            col(table.country_code),
        )
        .outerjoin(Agency, col(Agency.id) == col(table.agency_id))
        .outerjoin(Country, col(Country.code) == col(table.country_code))
        .where(col(table.id).in_(ids))
    )
    return [
        (
            ident,
            name,
            {label_key(kind, ident), label_key("agency", agency)}
            if agency
            else {label_key(kind, ident), label_key("country", country)},
        )
        for ident, name, agency, country in session.execute(query)
    ]


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


class Names(dict[tuple[str, str], Ref]):
    """Refs by (type, id), and the dependency keys each one read (its name, its URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: dict[tuple[str, str], set[DepKey]] = {}

    def deps(self, *refs: tuple[str, str | None] | None) -> set[DepKey]:
        out: set[DepKey] = set()
        for ref in refs:
            if ref is not None and ref[1] is not None:
                kind, ident = ref[0], ref[1]
                # A row not there yet is read all the same: its arrival must reach the reader.
                fallback = {label_key(kind, ident)}
                out |= self.read.get((kind, ident), fallback)
        return out


def refs(*, session: Session, wanted: Iterable[tuple[str, str]]) -> Names:
    """Id, name and URL of each (type, id); rows that do not exist are left out."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, ident in wanted:
        by_kind[kind].add(ident)
    out = Names()
    for kind, ids in by_kind.items():
        if kind in ("signatory", "program_participant"):
            named = _party_names(session=session, kind=kind, ids=ids)
        else:
            ident_col, name_col = _name_columns(kind)
            named = [
                (ident, name, {label_key(kind, ident)})
                for ident, name in session.execute(
                    select(ident_col, name_col).where(ident_col.in_(ids))
                )
            ]
        urls = _urls(session=session, kind=kind, ids=[ident for ident, _, _ in named])
        for ident, name, read in named:
            out[(kind, ident)] = Ref(type=RefType(kind), id=ident, name=name, url=urls[ident])
            out.read[(kind, ident)] = read
    return out


def _urls(*, session: Session, kind: str, ids: list[str]) -> dict[str, str]:
    """Where each row is served: its own URL, or its parent's for a row with none."""
    if kind in collections():
        return {ident: url_for(kind, ident) for ident in ids}
    if kind == "reported_count":
        rows = session.execute(
            select(
                col(ReportedCount.id),
                col(ReportedCount.agreement_id),
                col(ReportedCount.program_id),
            ).where(col(ReportedCount.id).in_(ids))
        )
        return {
            ident: url_for("agreement", agreement_id)
            if agreement_id
            else url_for("program", program_id)
            for ident, agreement_id, program_id in rows
        }
    table: Any = ProgramObjective if kind == "program_objective" else ProgramParticipant
    rows = session.execute(
        select(col(table.id), col(table.program_id)).where(col(table.id).in_(ids))
    )
    return {ident: url_for(PARENT[kind], parent) for ident, parent in rows}
